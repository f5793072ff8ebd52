package chdb_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"egovkpi/internal/chdb"
	"egovkpi/internal/chtest"
)

func TestMain(m *testing.M) { chtest.Main(m) }

func TestValidIdentifier(t *testing.T) {
	for s, want := range map[string]bool{
		"egovkpi": true, "t_1": true, "_x": true, "A9": true,
		"": false, "1db": false, "a-b": false, "a b": false, "x;DROP": false, "đb": false, strings.Repeat("a", 65): false,
	} {
		if got := chdb.ValidIdentifier(s); got != want {
			t.Errorf("ValidIdentifier(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestEnsureDatabaseThenOpen(t *testing.T) {
	ctx := context.Background()
	o := chdb.Options{Addr: chtest.Addr(t), Database: "chdb_ensure_test"}
	if _, err := chdb.Open(ctx, o); err == nil {
		t.Fatal("Open of a missing database succeeded")
	}
	if err := chdb.EnsureDatabase(ctx, o, ""); err != nil {
		t.Fatal(err)
	}
	if err := chdb.EnsureDatabase(ctx, o, ""); err != nil {
		t.Fatalf("second EnsureDatabase: %v", err)
	}
	conn, err := chdb.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var db string
	if err := conn.QueryRow(ctx, "SELECT currentDatabase()").Scan(&db); err != nil || db != o.Database {
		t.Fatalf("currentDatabase() = %q (%v)", db, err)
	}
	var limit string
	if err := conn.QueryRow(ctx, "SELECT value FROM system.settings WHERE name = 'max_execution_time'").Scan(&limit); err != nil || limit != "60" {
		t.Fatalf("max_execution_time = %q (%v), want the 60 s default sent with every query", limit, err)
	}
	if err := conn.Exec(ctx, "DROP DATABASE "+o.Database); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsNameWhatFailed(t *testing.T) {
	ctx := context.Background()
	if _, err := chdb.Open(ctx, chdb.Options{Addr: "127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("unreachable server: %v", err)
	}
	if err := chdb.EnsureDatabase(ctx, chdb.Options{Addr: chtest.Addr(t), Database: "bad-name"}, ""); err == nil || !strings.Contains(err.Error(), "bad-name") {
		t.Errorf("bad database name: %v", err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	_ = os.WriteFile(ca, []byte("not a certificate"), 0o600)
	if _, err := chdb.Open(ctx, chdb.Options{Addr: chtest.Addr(t), TLS: true, TLSCAFile: ca}); err == nil || !strings.Contains(err.Error(), ca) {
		t.Errorf("bad CA file: %v", err)
	}
}
