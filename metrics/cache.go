package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi/collector/store"
)

// Cache keeps rendered figures (league tables, series, 766 tables) until a
// load changes a month they read. Every entry states the days it read
// (for a league table: the previous period's first day to the period's last
// day); Watch polls the data_changes table (written by the collector's
// store when it refreshes a rollup month or stores a catalogue) and drops
// the entries that read a changed month. A catalogue as of month M changes
// every figure read up to a day on or after M (it may be the catalogue in
// force at its end). Safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	max     int
	// epoch counts invalidations: an entry computed while one happened is
	// not stored (it may predate the change).
	epoch uint64
	seen  map[uint64]time.Time // change ids already applied
}

type cacheEntry struct {
	from, to time.Time
	body     []byte
}

// NewCache returns a cache of at most max entries (when full, an
// arbitrary entry makes room).
func NewCache(max int) *Cache {
	return &Cache{entries: map[string]cacheEntry{}, max: max, seen: map[uint64]time.Time{}}
}

// Get returns the body cached under key, and the epoch to pass to Put.
func (c *Cache) Get(key string) ([]byte, uint64, bool) {
	if c == nil {
		return nil, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e.body, c.epoch, ok
}

// Put stores body under key as reading the days from..to, unless an
// invalidation happened since Get returned epoch.
func (c *Cache) Put(key string, epoch uint64, from, to time.Time, body []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.entries) >= c.max {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = cacheEntry{from: from, to: to, body: body}
}

// Len returns the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Invalidate drops the entries a change of kind (store.ChangeUsage or
// store.ChangeCatalogue, as in the data_changes table) in the month
// starting month makes stale.
func (c *Cache) Invalidate(kind string, month time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invalidate(kind, month)
}

func (c *Cache) invalidate(kind string, month time.Time) {
	c.epoch++
	end := month.AddDate(0, 1, -1)
	for k, e := range c.entries {
		stale := !e.to.Before(month) && (kind == store.ChangeCatalogue || !e.from.After(end))
		if stale {
			delete(c.entries, k)
		}
	}
}

// changeWindow is how far back Poll looks: changes are found even when
// their ids (clock-based, from several processes) arrive out of order.
const changeWindow = 2 * time.Minute

// Poll applies the changes recorded in the last changeWindow that it has
// not applied yet. The window is measured on the ClickHouse server's
// clock, the one the store stamps changed_at with.
func (c *Cache) Poll(ctx context.Context, conn driver.Conn) error {
	rows, err := conn.Query(ctx, "SELECT change_id, toString(kind), month FROM data_changes WHERE changed_at >= now() - ? ORDER BY change_id",
		int64(changeWindow/time.Second))
	if err != nil {
		return fmt.Errorf("metrics: poll data changes: %w", err)
	}
	defer rows.Close()
	type change struct {
		id    uint64
		kind  string
		month time.Time
	}
	var changes []change // read before locking: requests must not wait on the database
	for rows.Next() {
		var ch change
		if err := rows.Scan(&ch.id, &ch.kind, &ch.month); err != nil {
			return fmt.Errorf("metrics: poll data changes: %w", err)
		}
		changes = append(changes, ch)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics: poll data changes: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for _, ch := range changes {
		if _, done := c.seen[ch.id]; done {
			continue
		}
		c.seen[ch.id] = now
		c.invalidate(ch.kind, ch.month)
	}
	for id, at := range c.seen {
		if now.Sub(at) > 2*changeWindow {
			delete(c.seen, id)
		}
	}
	return nil
}

// Watch polls every interval until ctx ends. Figures a load changed are
// served fresh at most one interval after the load's rollups are swapped
// in, whichever process loaded them.
func (c *Cache) Watch(ctx context.Context, conn driver.Conn, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Poll(ctx, conn); err != nil && ctx.Err() == nil {
				// Without news of changes nothing cached can be trusted.
				c.mu.Lock()
				c.entries = map[string]cacheEntry{}
				c.epoch++
				c.mu.Unlock()
				log.Warn("figures cache emptied: cannot read data changes", slog.Any("err", err))
			}
		}
	}
}
