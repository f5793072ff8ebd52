package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"egovkpi/collector/record"
)

// batcher gathers usage loads into large INSERT blocks: ClickHouse writes
// one part per partition per INSERT, so many small loads written one by one
// cost far more than the same rows written together. Each load's versions
// are written only after every row of the block is stored, so a load is
// either complete and current, or invisible.
type batcher struct {
	st       *Store
	maxRows  int
	maxDelay time.Duration

	mu    sync.Mutex
	buf   []*pendingLoad
	rows  int
	timer *time.Timer

	flushMu sync.Mutex // one flush at a time
}

type pendingLoad struct {
	load UsageLoad
	done chan error
}

func newBatcher(st *Store) *batcher {
	return &batcher{st: st, maxRows: 1_000_000, maxDelay: 200 * time.Millisecond}
}

// submit queues a load and returns the channel that receives the outcome of
// the flush that stores it. A full buffer is flushed at once, by the
// submitter (so a fast producer is held back); otherwise the first load of
// a buffer starts a timer.
func (b *batcher) submit(l UsageLoad) <-chan error {
	p := &pendingLoad{load: l, done: make(chan error, 1)}
	b.mu.Lock()
	b.buf = append(b.buf, p)
	b.rows += len(l.Rows)
	full := b.rows >= b.maxRows
	if len(b.buf) == 1 && !full {
		b.timer = time.AfterFunc(b.maxDelay, func() { b.flush(context.Background()) })
	}
	b.mu.Unlock()
	if full {
		b.flush(context.Background())
	}
	return p.done
}

// flush stores everything queued.
func (b *batcher) flush(ctx context.Context) {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	b.mu.Lock()
	buf := b.buf
	b.buf, b.rows = nil, 0
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.mu.Unlock()
	if len(buf) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
	defer cancel()
	err := b.write(ctx, buf)
	for _, p := range buf {
		p.done <- err
	}
}

func (b *batcher) write(ctx context.Context, buf []*pendingLoad) error {
	total := 0
	for _, p := range buf {
		total += len(p.load.Rows)
	}
	block := make([]factRow, 0, total)
	for _, p := range buf {
		for i := range p.load.Rows {
			block = append(block, factRow{unit: p.load.UnitID, load: p.load.LoadID, row: &p.load.Rows[i]})
		}
	}
	// Large blocks go out in parts on parallel connections: while the
	// server writes one part, the next is encoded and sent.
	parts := 1
	if total >= 2*minParallelRows {
		parts = writeStreams
	}
	size := (total + parts - 1) / parts
	errs := make(chan error, parts)
	for start := 0; start < total; start += size {
		go func(rows []factRow) { errs <- b.st.writeFacts(ctx, rows) }(block[start:min(start+size, total)])
	}
	var first error
	for start := 0; start < total; start += size {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return b.st.writeVersions(ctx, buf)
}

// writeStreams is how many INSERTs a large block is split into; the
// machines this runs on have two or more cores.
const writeStreams = 2

// minParallelRows is the smallest part worth its own INSERT.
const minParallelRows = 100_000

// writeVersions makes the loads current.
func (s *Store) writeVersions(ctx context.Context, buf []*pendingLoad) error {
	v, err := s.conn.PrepareBatch(ctx, "INSERT INTO usage_versions (unit_id, day, load_id, source, records, loaded_at)")
	if err != nil {
		return fmt.Errorf("store: usage versions: %w", err)
	}
	defer v.Abort()
	now := time.Now()
	for _, p := range buf {
		l := p.load
		perDay := map[time.Time]uint32{}
		for i := range l.Rows {
			perDay[l.Rows[i].Day]++
		}
		for _, d := range l.Days {
			if err := v.Append(l.UnitID, d, l.LoadID, l.Source, perDay[d], now); err != nil {
				return fmt.Errorf("store: usage versions of %s: %w", l.UnitID, err)
			}
		}
	}
	if err := v.Send(); err != nil {
		return fmt.Errorf("store: usage versions: %w", err)
	}
	return nil
}

// factRow is one row of a block: the load's unit and id with its record.
type factRow struct {
	unit string
	load uint64
	row  *record.Usage
}
