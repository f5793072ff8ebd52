// Package chtest gives tests a real ClickHouse: one private server per test
// binary (started by the same code as egovkpi's embedded default) and a
// fresh database per test, dropped when the test passes and kept for
// inspection when it fails.
//
// A package that uses it calls Main from TestMain:
//
//	func TestMain(m *testing.M) { chtest.Main(m) }
//
// Set EGOVKPI_TEST_CLICKHOUSE_ADDR to use an already running server instead.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi/internal/chdb"
	"egovkpi/internal/chserver"
)

// addr is the server every test of this binary uses, set by Main.
var addr string

// Main starts the test binary's ClickHouse server, runs the tests, stops the
// server and exits with the tests' status.
func Main(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	// Tests print warnings and errors only: progress logs drown failures.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if a := os.Getenv("EGOVKPI_TEST_CLICKHOUSE_ADDR"); a != "" {
		addr = a
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "egovkpi-chtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chtest:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	srv, err := chserver.Start(ctx, chserver.Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chtest: cannot start the test ClickHouse server:", err)
		os.RemoveAll(dir)
		return 1
	}
	addr = srv.Addr()
	code := m.Run()
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Stop(stopCtx); err != nil {
		fmt.Fprintln(os.Stderr, "chtest: stop server:", err)
	}
	if code == 0 {
		os.RemoveAll(dir)
	} else {
		fmt.Fprintln(os.Stderr, "chtest: tests failed; server data kept in", dir)
	}
	return code
}

// Addr returns the test server's native address; it fails the test if Main
// did not run.
func Addr(t testing.TB) string {
	t.Helper()
	if addr == "" {
		t.Fatal("chtest: no ClickHouse server: call chtest.Main(m) from TestMain")
	}
	return addr
}

// DB is a fresh database of one test.
type DB struct {
	Name    string       // the database's name
	Options chdb.Options // options that connect to it
	Conn    driver.Conn  // an open connection to it, closed at cleanup
}

// NewDB creates a fresh database for t, connected and ready. It is dropped
// at cleanup when t passed, and kept (its name logged) when t failed.
func NewDB(t testing.TB) *DB {
	t.Helper()
	opts := chdb.Options{Addr: Addr(t), Database: dbName(t.Name()), QueryTimeout: 60 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := chdb.EnsureDatabase(ctx, opts, ""); err != nil {
		t.Fatalf("chtest: create database: %v", err)
	}
	conn, err := chdb.Open(ctx, opts)
	if err != nil {
		t.Fatalf("chtest: connect: %v", err)
	}
	db := &DB{Name: opts.Database, Options: opts, Conn: conn}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("chtest: test failed; database %s kept", db.Name)
			conn.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Name); err != nil {
			t.Errorf("chtest: drop database %s: %v", db.Name, err)
		}
		conn.Close()
	})
	return db
}

// dbName makes a valid, unique database name from a test name.
func dbName(test string) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range strings.ToLower(test) {
		if b.Len() >= 40 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return b.String() + "_" + hex.EncodeToString(rnd[:])
}
