package chserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"egovkpi/internal/chdb"
)

// TestStartStopKeepsData starts a server, writes a table, stops it, starts
// a second server on the same directory and reads the table back: the
// embedded default keeps its data across runs and leaves no process behind.
func TestStartStopKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	s1 := start(t, dir)
	conn, err := chdb.Open(ctx, chdb.Options{Addr: s1.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, conn.Exec(ctx, "CREATE TABLE default.kept (n UInt32) ENGINE = MergeTree() ORDER BY n"))
	mustExec(t, conn.Exec(ctx, "INSERT INTO default.kept SELECT number FROM system.numbers LIMIT 3"))
	conn.Close()
	stop(t, s1)
	if alive(s1.PID()) {
		t.Fatalf("pid %d still alive after Stop", s1.PID())
	}
	if _, err := os.Stat(filepath.Join(dir, pidFileName)); !os.IsNotExist(err) {
		t.Fatalf("pid file not removed after Stop: %v", err)
	}

	s2 := start(t, dir)
	defer stop(t, s2)
	conn, err = chdb.Open(ctx, chdb.Options{Addr: s2.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM default.kept").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("after restart: %d rows, want 3", n)
	}
}

// TestLeftoverServerIsStopped simulates a parent that was killed: its server
// keeps running with a pid file, and the next Start on the directory stops
// it first instead of failing on the locked data directory.
func TestLeftoverServerIsStopped(t *testing.T) {
	dir := t.TempDir()
	s1 := start(t, dir)
	// Forget s1 without stopping it, as a killed parent would.
	s2 := start(t, dir)
	defer stop(t, s2)
	if alive(s1.PID()) {
		t.Fatalf("leftover server pid %d still alive", s1.PID())
	}
	if s2.PID() == s1.PID() {
		t.Fatal("second start reused the first process")
	}
}

func TestMissingBinaryIsAClearError(t *testing.T) {
	_, err := Start(context.Background(), Options{Dir: t.TempDir(), Binary: "/nonexistent/clickhouse-server"})
	if err == nil {
		t.Fatal("want an error for a missing binary")
	}
	if got := err.Error(); !strings.Contains(got, "/nonexistent/clickhouse-server") {
		t.Fatalf("error does not name the binary: %s", got)
	}
}

func start(t *testing.T, dir string) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func stop(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func alive(pid int) bool { return processAlive(pid) }

func mustExec(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
