package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"egovkpi"
)

// Run statuses.
const (
	RunRunning   = "running"
	RunOK        = "ok"
	RunPartial   = "partial" // finished, with records quarantined or days failed
	RunFailed    = "failed"
	RunAbandoned = "abandoned" // stopped before the end; nothing half-written
)

// Run is one collection run (a pull of a window, a push, a file, a replay).
type Run struct {
	ID              uuid.UUID
	Source          string
	UnitID          string
	Kind            string // pull, push, file, replay
	From, To        time.Time
	StartedAt       time.Time
	FinishedAt      time.Time // zero while running
	Status          string
	RowsAccepted    int
	RowsQuarantined int
	DaysLoaded      int
	Requests        int
	Error           string
}

// SaveRun writes the run's current state; the latest state of a run wins.
func (s *Store) SaveRun(ctx context.Context, r Run) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO collection_runs (run_id, source, unit_id, kind, window_from, window_to, started_at, finished_at, status, rows_accepted, rows_quarantined, days_loaded, requests, error, updated_at)")
	if err != nil {
		return fmt.Errorf("store: save run: %w", err)
	}
	defer b.Abort()
	var fin *time.Time
	if !r.FinishedAt.IsZero() {
		fin = &r.FinishedAt
	}
	from, to := r.From, r.To
	if from.IsZero() {
		from = time.Unix(0, 0).UTC()
	}
	if to.IsZero() {
		to = from
	}
	if err := b.Append(r.ID, r.Source, r.UnitID, r.Kind, from, to, r.StartedAt, fin, r.Status,
		uint32(r.RowsAccepted), uint32(r.RowsQuarantined), uint32(r.DaysLoaded), uint32(r.Requests), r.Error, time.Now()); err != nil {
		return fmt.Errorf("store: save run: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("store: save run %s: %w", r.ID, err)
	}
	return nil
}

// RunFilter narrows Runs.
type RunFilter struct {
	Source string
	Since  time.Time
	Limit  int // default 100
}

// Runs returns the latest state of recent runs, newest first.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT run_id, source, unit_id, toString(kind), window_from, window_to, started_at, finished_at, toString(status),
       rows_accepted, rows_quarantined, days_loaded, requests, error
FROM collection_runs FINAL
WHERE (? = '' OR source = ?) AND started_at >= ?
ORDER BY started_at DESC, run_id
LIMIT ` + fmt.Sprint(limit)
	since := f.Since
	if since.IsZero() {
		since = time.Unix(0, 0)
	}
	rows, err := s.conn.Query(ctx, q, f.Source, f.Source, since)
	if err != nil {
		return nil, fmt.Errorf("store: read runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var (
			r   Run
			fin *time.Time
			a   uint32
			q   uint32
			d   uint32
			n   uint32
		)
		if err := rows.Scan(&r.ID, &r.Source, &r.UnitID, &r.Kind, &r.From, &r.To, &r.StartedAt, &fin, &r.Status, &a, &q, &d, &n, &r.Error); err != nil {
			return nil, fmt.Errorf("store: read runs: %w", err)
		}
		r.From, r.To = egovkpi.Day(r.From), egovkpi.Day(r.To)
		if fin != nil {
			r.FinishedAt = *fin
		}
		r.RowsAccepted, r.RowsQuarantined, r.DaysLoaded, r.Requests = int(a), int(q), int(d), int(n)
		out = append(out, r)
	}
	return out, rows.Err()
}
