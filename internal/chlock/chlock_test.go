package chlock_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"egovkpi/internal/chlock"
	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

func TestLockExcludesAndExpires(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	a, err := chlock.Acquire(ctx, db.Conn, "job", chlock.Options{TTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = chlock.Acquire(ctx, db.Conn, "job", chlock.Options{Wait: 500 * time.Millisecond})
	if !errors.Is(err, chlock.ErrLocked) || !strings.Contains(err.Error(), a.Holder()) {
		t.Fatalf("second Acquire = %v, want ErrLocked naming %s", err, a.Holder())
	}
	// Another name is independent.
	other, err := chlock.Acquire(ctx, db.Conn, "other-job", chlock.Options{Wait: time.Second})
	if err != nil {
		t.Fatalf("a lock of another name: %v", err)
	}
	_ = other.Release()
	if err := a.Release(); err != nil {
		t.Fatal(err)
	}
	b, err := chlock.Acquire(ctx, db.Conn, "job", chlock.Options{Wait: time.Second})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	_ = b.Release()

	// A holder that dies without releasing stops counting after its TTL.
	if _, err := chlock.Acquire(ctx, db.Conn, "job", chlock.Options{TTL: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c, err := chlock.Acquire(ctx, db.Conn, "job", chlock.Options{Wait: 5 * time.Second})
	if err != nil {
		t.Fatalf("expired lock still held: %v", err)
	}
	if time.Since(start) < time.Second {
		t.Fatalf("took the lock after %s, before the dead holder's TTL", time.Since(start))
	}
	_ = c.Release()
}

// TestMutualExclusion runs contenders that each hold the lock briefly and
// checks that no two are ever inside at once.
func TestMutualExclusion(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	var inside, maxInside, entries atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				h, err := chlock.Acquire(ctx, db.Conn, "critical", chlock.Options{Wait: time.Minute})
				if err != nil {
					t.Error(err)
					return
				}
				n := inside.Add(1)
				if n > maxInside.Load() {
					maxInside.Store(n)
				}
				entries.Add(1)
				time.Sleep(20 * time.Millisecond)
				inside.Add(-1)
				if err := h.Release(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if maxInside.Load() != 1 || entries.Load() != 12 {
		t.Fatalf("max holders at once %d (want 1), entries %d (want 12)", maxInside.Load(), entries.Load())
	}
}
