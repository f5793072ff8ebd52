package migrations

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"egovkpi/internal/chtest"
)

func TestMain(m *testing.M) { chtest.Main(m) }

func newRunner(db *chtest.DB) *Runner {
	return NewRunner(db.Conn, Target{Database: db.Name}, nil)
}

func TestUpAppliesOnceAndRecordsChecksums(t *testing.T) {
	db := chtest.NewDB(t)
	ctx := context.Background()
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(db)
	if err := r.Check(ctx); err == nil || !strings.Contains(err.Error(), "pending") {
		t.Fatalf("fresh database: Check = %v, want pending", err)
	}
	n, err := r.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(all) {
		t.Fatalf("applied %d, want %d", n, len(all))
	}
	if n, err := r.Up(ctx); err != nil || n != 0 {
		t.Fatalf("second Up applied %d (%v), want 0", n, err)
	}
	if err := r.Check(ctx); err != nil {
		t.Fatalf("after Up: %v", err)
	}
	var sum string
	if err := db.Conn.QueryRow(ctx, "SELECT checksum FROM schema_migrations WHERE version = 1").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum != all[0].Checksum {
		t.Fatalf("recorded checksum %s, want %s", sum, all[0].Checksum)
	}
	var tables uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'units'", db.Name).Scan(&tables); err != nil || tables != 1 {
		t.Fatalf("units table: %d (%v)", tables, err)
	}
}

func TestChangedMigrationIsRefused(t *testing.T) {
	db := chtest.NewDB(t)
	ctx := context.Background()
	r := newRunner(db)
	if _, err := r.Up(ctx); err != nil {
		t.Fatal(err)
	}
	// Pretend version 1 was applied from a different file: move its
	// first application earlier with another checksum.
	b, err := db.Conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, checksum, applied_at, applied_by)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(uint32(1), "0001_units.sql", strings.Repeat("ab", 32), time.Now().Add(-time.Hour), "old"); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	_, err = r.Up(ctx)
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("Up = %v, want ErrChanged", err)
	}
	for _, want := range []string{"0001_units.sql", "abababababab", "must not be edited"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := r.Check(ctx); !errors.Is(err, ErrChanged) {
		t.Fatalf("Check = %v, want ErrChanged", err)
	}
}

func TestUnknownAppliedVersionIsRefused(t *testing.T) {
	db := chtest.NewDB(t)
	ctx := context.Background()
	r := newRunner(db)
	if _, err := r.Up(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := db.Conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, checksum, applied_at, applied_by)")
	_ = b.Append(uint32(9999), "9999_future.sql", "x", time.Now(), "newer")
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	if err := r.Check(ctx); err == nil || !strings.Contains(err.Error(), "9999") || !strings.Contains(err.Error(), "newer egovkpi") {
		t.Fatalf("Check = %v, want an error about migration 9999", err)
	}
}

// TestConcurrentRunnersApplyEachMigrationOnce starts several runners at once
// on one fresh database.
func TestConcurrentRunnersApplyEachMigrationOnce(t *testing.T) {
	db := chtest.NewDB(t)
	ctx := context.Background()
	all, _ := All()
	var wg sync.WaitGroup
	applied := make([]int, 4)
	errs := make([]error, 4)
	for i := range applied {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = newRunner(db).Up(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != len(all) {
		t.Fatalf("runners applied %d migrations in all, want %d (each once)", total, len(all))
	}
	var rows, versions uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count(), uniqExact(version) FROM schema_migrations").Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != versions || int(versions) != len(all) {
		t.Fatalf("schema_migrations: %d rows for %d versions, want %d each", rows, versions, len(all))
	}
}
