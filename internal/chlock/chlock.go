// Package chlock provides named locks between processes that share one
// ClickHouse database, for work that must not run twice at once (schema
// migrations, rollup refreshes).
//
// ClickHouse has no locks or transactions, so a lock is an intent protocol
// on the locks table: a contender writes an intent, then reads every live
// intent of the lock's name; it goes ahead only when its intent is the only
// one, else it withdraws it and retries after a random pause. Two
// contenders on the same server can never both go ahead: the one that reads
// second always sees the other's intent. On a cluster the table is
// replicated asynchronously, so contenders connected to different replicas
// may both go ahead: the guarantee holds only for contenders that use the
// same replica. A holder that dies stops counting when its intent expires
// (TTL); a live holder renews it.
package chlock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// TableDDL creates the locks table; the migration runner renders and runs
// it before anything else (see migrations.bootstrap).
const TableDDL = `CREATE TABLE IF NOT EXISTS {{.DB}}.locks {{.OnCluster}}
(
    name        String,
    holder      String,
    acquired_at DateTime,
    expires_at  DateTime,
    released    UInt8
)
ENGINE = {{globalEngine "locks" "MergeTree()"}}
ORDER BY (name, holder, acquired_at)`

// ErrLocked is wrapped when another process holds the lock past the wait.
var ErrLocked = errors.New("lock held by another process")

// Options tune a lock.
type Options struct {
	// TTL is how long a dead holder keeps others out; zero means 10 minutes.
	TTL time.Duration
	// Wait is how long Acquire waits for others; zero means 2 minutes.
	Wait time.Duration
}

var attempts atomic.Uint64

// processID names this process in holder strings: host/pid/random.
var processID = func() string {
	host, _ := os.Hostname()
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(rnd[:]))
}()

// Held is an acquired lock.
type Held struct {
	conn   driver.Conn
	name   string
	holder string
	ttl    time.Duration
}

// Acquire takes the named lock, waiting up to opts.Wait for other holders.
func Acquire(ctx context.Context, conn driver.Conn, name string, opts Options) (*Held, error) {
	if opts.TTL == 0 {
		opts.TTL = 10 * time.Minute
	}
	if opts.Wait == 0 {
		opts.Wait = 2 * time.Minute
	}
	deadline := time.Now().Add(opts.Wait)
	for {
		// Each try is a new intent, so a withdrawn one stays withdrawn.
		h := &Held{conn: conn, name: name, ttl: opts.TTL, holder: fmt.Sprintf("%s#%d", processID, attempts.Add(1))}
		if err := h.write(ctx, false); err != nil {
			return nil, err
		}
		others, err := h.others(ctx)
		if err != nil {
			return nil, err
		}
		if len(others) == 0 {
			return h, nil
		}
		if err := h.write(ctx, true); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("chlock: %w: %q is held by %s (waited %s; a dead holder's lock expires after its TTL)",
				ErrLocked, name, strings.Join(others, ", "), opts.Wait)
		}
		pause, _ := rand.Int(rand.Reader, big.NewInt(400))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("chlock: waiting for %q: %w", name, ctx.Err())
		case <-time.After(100*time.Millisecond + time.Duration(pause.Int64())*time.Millisecond):
		}
	}
}

// Holder names the holder, for messages.
func (h *Held) Holder() string { return h.holder }

// Renew extends the lock by its TTL from now.
func (h *Held) Renew(ctx context.Context) error { return h.write(ctx, false) }

// Release lets others take the lock. It uses its own short deadline, so it
// works after the caller's context was cancelled.
func (h *Held) Release() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.write(ctx, true)
}

func (h *Held) write(ctx context.Context, release bool) error {
	b, err := h.conn.PrepareBatch(ctx, "INSERT INTO locks (name, holder, acquired_at, expires_at, released)")
	if err != nil {
		return fmt.Errorf("chlock: %q: %w", h.name, err)
	}
	now := time.Now()
	var rel uint8
	if release {
		rel = 1
	}
	if err := b.Append(h.name, h.holder, now, now.Add(h.ttl), rel); err != nil {
		return fmt.Errorf("chlock: %q: %w", h.name, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("chlock: %q: %w", h.name, err)
	}
	return nil
}

func (h *Held) others(ctx context.Context) ([]string, error) {
	rows, err := h.conn.Query(ctx, `SELECT holder FROM locks
WHERE name = ? AND holder != ?
GROUP BY holder
HAVING max(released) = 0 AND max(expires_at) > now()
ORDER BY holder`, h.name, h.holder)
	if err != nil {
		return nil, fmt.Errorf("chlock: read %q: %w", h.name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("chlock: read %q: %w", h.name, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
