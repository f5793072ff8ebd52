// Package store writes what the collector gathers to ClickHouse: usage and
// catalogue loads (idempotent by construction: a load supersedes the whole
// slice it covers), the rollups the dashboards read, the quarantine, the run
// log, the sources' state and the push tokens.
package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/collector/record"
)

// Store is the collector's access to ClickHouse.
type Store struct {
	conn driver.Conn
	log  *slog.Logger

	mu     sync.Mutex
	lastID uint64

	refreshMu sync.Mutex // one rollup refresh at a time in this process

	batch *batcher
}

// New returns a store over an open connection to a migrated database.
func New(conn driver.Conn, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	s := &Store{conn: conn, log: log}
	s.batch = newBatcher(s)
	return s
}

// Conn returns the store's connection.
func (s *Store) Conn() driver.Conn { return s.conn }

// NewLoadID returns a new load id: the current time in nanoseconds, and
// always above the previous id of this process, so that a later load of the
// same slice supersedes an earlier one.
func (s *Store) NewLoadID() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uint64(time.Now().UnixNano())
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return id
}

// factColumns is the column list of usage_facts after the key columns:
// the reported bitmask, then every count.
var factColumns = "reported, " + columns("")

// UsageLoad is one load of usage: it replaces the stored data of every day
// in Days with Rows.
type UsageLoad struct {
	LoadID uint64
	Source string
	UnitID string
	Days   []time.Time
	Rows   []record.Usage
}

// WriteUsage stores a usage load and returns the (month, unit) slices
// whose rollups need a refresh. Loads written at about the same time share
// one INSERT block (see batcher); the rows are stored first, then the
// versions that make them current, so a load that fails is invisible.
func (s *Store) WriteUsage(ctx context.Context, l UsageLoad) (Touched, error) {
	if len(l.Days) == 0 {
		return nil, nil
	}
	select {
	case err := <-s.batch.submit(l):
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		return nil, fmt.Errorf("store: usage load of %s: %w (it may still be stored)", l.UnitID, ctx.Err())
	}
	touched := Touched{}
	for _, d := range l.Days {
		touched.Add(d, l.UnitID)
	}
	return touched, nil
}

// SubmitUsage queues a load without waiting; the channel receives the
// outcome. FlushUsage stores what is queued now.
func (s *Store) SubmitUsage(l UsageLoad) <-chan error { return s.batch.submit(l) }

// FlushUsage stores every queued load now.
func (s *Store) FlushUsage(ctx context.Context) { s.batch.flush(ctx) }

// appendChunk is how many rows writeFacts hands the driver at a time and
// sends as one block.
const appendChunk = 64 << 10

// writeFacts inserts a block column by column: plain columns, no pointers.
func (s *Store) writeFacts(ctx context.Context, rows []factRow) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO usage_facts (unit_id, day, procedure, load_id, "+factColumns+")")
	if err != nil {
		return fmt.Errorf("store: prepare usage facts: %w", err)
	}
	defer b.Abort()
	m := min(len(rows), appendChunk)
	units := make([]string, m)
	days := make([]time.Time, m)
	procs := make([]string, m)
	loads := make([]uint64, m)
	reported := make([]uint32, m)
	values := make([][]uint32, record.NumFields)
	for f := range values {
		values[f] = make([]uint32, m)
	}
	cols := make([]any, 0, 5+int(record.NumFields))
	for start := 0; start < len(rows); start += appendChunk {
		chunk := rows[start:min(start+appendChunk, len(rows))]
		n := len(chunk)
		for i := range chunk {
			r := chunk[i].row
			units[i], days[i], procs[i], loads[i], reported[i] = chunk[i].unit, r.Day, r.Procedure, chunk[i].load, r.Set
			for f := range values {
				values[f][i] = r.Values[f] // 0 when not reported: the bit says so
			}
		}
		cols = append(cols[:0], units[:n], days[:n], procs[:n], loads[:n], reported[:n])
		for f := range values {
			cols = append(cols, values[f][:n])
		}
		for i, c := range cols {
			if err := b.Column(i).Append(c); err != nil {
				return fmt.Errorf("store: usage facts column %d: %w", i, err)
			}
		}
		// Send each chunk as a block of the same INSERT: the driver then
		// reuses its column buffers (they grow once instead of being copied
		// over and over), and the server squashes the blocks into large
		// parts (min_insert_block_size_rows).
		if start+appendChunk < len(rows) {
			if err := b.Flush(); err != nil {
				return fmt.Errorf("store: send usage facts: %w", err)
			}
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("store: insert %d usage facts: %w", len(rows), err)
	}
	return nil
}

// CatalogueLoad is one load of a unit's catalogue as of a date.
type CatalogueLoad struct {
	LoadID     uint64
	Source     string
	UnitID     string
	AsOf       time.Time
	Procedures []record.Procedure
}

// WriteCatalogue writes a catalogue load, then its version.
func (s *Store) WriteCatalogue(ctx context.Context, l CatalogueLoad) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO catalogue (unit_id, as_of, procedure, load_id, name, field, level, service, eligible_full_process, fee_bearing, paper_result, npsp_integrated)")
	if err != nil {
		return fmt.Errorf("store: prepare catalogue: %w", err)
	}
	defer b.Abort()
	for _, p := range l.Procedures {
		if err := b.Append(l.UnitID, l.AsOf, p.Code, l.LoadID, p.Name, p.Field, p.Level, string(p.Service),
			flag(p.EligibleFullProcess), flag(p.FeeBearing), flag(p.PaperResult), flag(p.NPSPIntegrated)); err != nil {
			return fmt.Errorf("store: catalogue of %s: %w", l.UnitID, err)
		}
	}
	if len(l.Procedures) > 0 {
		if err := b.Send(); err != nil {
			return fmt.Errorf("store: insert catalogue of %s: %w", l.UnitID, err)
		}
	}
	v, err := s.conn.PrepareBatch(ctx, "INSERT INTO catalogue_versions (unit_id, as_of, load_id, source, procedures, loaded_at)")
	if err != nil {
		return fmt.Errorf("store: catalogue version: %w", err)
	}
	defer v.Abort()
	if err := v.Append(l.UnitID, l.AsOf, l.LoadID, l.Source, uint32(len(l.Procedures)), time.Now()); err != nil {
		return fmt.Errorf("store: catalogue version: %w", err)
	}
	if err := v.Send(); err != nil {
		return fmt.Errorf("store: catalogue version of %s: %w", l.UnitID, err)
	}
	return s.noteChanges(ctx, ChangeCatalogue, []time.Time{l.AsOf})
}

func flag(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// CatalogueDates returns the as_of dates of unitID's stored catalogues.
func (s *Store) CatalogueDates(ctx context.Context, unitID string) ([]time.Time, error) {
	rows, err := s.conn.Query(ctx, "SELECT DISTINCT as_of FROM catalogue_versions WHERE unit_id = ? ORDER BY as_of", unitID)
	if err != nil {
		return nil, fmt.Errorf("store: catalogue dates of %s: %w", unitID, err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("store: catalogue dates: %w", err)
		}
		out = append(out, egovkpi.Day(d))
	}
	return out, rows.Err()
}

// CatalogueCodes returns the procedure codes of unitID's current catalogue
// load as of asOf.
func (s *Store) CatalogueCodes(ctx context.Context, unitID string, asOf time.Time) (map[string]bool, error) {
	rows, err := s.conn.Query(ctx, `SELECT procedure FROM catalogue
WHERE unit_id = ? AND as_of = toDate(?)
  AND load_id = (SELECT max(load_id) FROM catalogue_versions WHERE unit_id = ? AND as_of = toDate(?))`,
		unitID, asOf.Format(egovkpi.DateLayout), unitID, asOf.Format(egovkpi.DateLayout))
	if err != nil {
		return nil, fmt.Errorf("store: catalogue of %s as of %s: %w", unitID, asOf.Format(egovkpi.DateLayout), err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("store: catalogue: %w", err)
		}
		out[p] = true
	}
	return out, rows.Err()
}

// CurrentUsage returns the rows of the current load of (unitID, day).
func (s *Store) CurrentUsage(ctx context.Context, unitID string, d time.Time) ([]record.Usage, error) {
	ds := d.Format(egovkpi.DateLayout)
	rows, err := s.conn.Query(ctx, `SELECT procedure, `+factColumns+` FROM usage_facts
WHERE unit_id = ? AND day = toDate(?)
  AND load_id = (SELECT max(load_id) FROM usage_versions WHERE unit_id = ? AND day = toDate(?))
ORDER BY procedure`, unitID, ds, unitID, ds)
	if err != nil {
		return nil, fmt.Errorf("store: current usage of %s on %s: %w", unitID, ds, err)
	}
	defer rows.Close()
	var out []record.Usage
	dest := make([]any, 0, record.NumFields+2)
	for rows.Next() {
		u := record.Usage{UnitID: unitID, Day: d}
		dest = append(dest[:0], &u.Procedure, &u.Set)
		for i := range u.Values {
			dest = append(dest, &u.Values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: current usage: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
