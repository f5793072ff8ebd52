package store

import (
	"context"
	"fmt"
	"time"

	"egovkpi"
)

// SourceRow is a source as stored: its configuration and its state.
type SourceRow struct {
	ID          string
	UnitID      string
	URL         string
	TokenRef    string // where the token comes from (env:NAME, file:PATH); never the token
	Schedule    string
	Timeout     time.Duration
	Concurrency int
	RepullDays  int
	Enabled     bool

	Watermark         time.Time // last day loaded; zero if none
	LastSuccess       time.Time
	LastError         string
	ConsecutiveErrors int
	NextCheck         time.Time
}

// SaveSource writes a source's configuration and state.
func (s *Store) SaveSource(ctx context.Context, r SourceRow) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO sources (id, unit_id, url, token_ref, schedule, timeout_seconds, concurrency, repull_days, enabled, watermark, last_success, last_error, consecutive_errors, next_check, updated_at)")
	if err != nil {
		return fmt.Errorf("store: save source: %w", err)
	}
	defer b.Abort()
	var wm *time.Time
	if !r.Watermark.IsZero() {
		wm = &r.Watermark
	}
	var ls *time.Time
	if !r.LastSuccess.IsZero() {
		ls = &r.LastSuccess
	}
	next := r.NextCheck
	if next.IsZero() {
		next = time.Unix(0, 0)
	}
	if err := b.Append(r.ID, r.UnitID, r.URL, r.TokenRef, r.Schedule, uint32(r.Timeout.Seconds()), uint16(r.Concurrency), uint16(r.RepullDays), flag(r.Enabled),
		wm, ls, r.LastError, uint32(r.ConsecutiveErrors), next, time.Now()); err != nil {
		return fmt.Errorf("store: save source %s: %w", r.ID, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("store: save source %s: %w", r.ID, err)
	}
	return nil
}

// Sources returns every stored source with its latest state.
func (s *Store) Sources(ctx context.Context) ([]SourceRow, error) {
	rows, err := s.conn.Query(ctx, `SELECT id, unit_id, url, token_ref, schedule, timeout_seconds, concurrency, repull_days, enabled,
       watermark, last_success, last_error, consecutive_errors, next_check
FROM sources FINAL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: read sources: %w", err)
	}
	defer rows.Close()
	var out []SourceRow
	for rows.Next() {
		var (
			r       SourceRow
			timeout uint32
			conc    uint16
			repull  uint16
			enabled uint8
			wm      *time.Time
			ls      *time.Time
			errs    uint32
		)
		if err := rows.Scan(&r.ID, &r.UnitID, &r.URL, &r.TokenRef, &r.Schedule, &timeout, &conc, &repull, &enabled, &wm, &ls, &r.LastError, &errs, &r.NextCheck); err != nil {
			return nil, fmt.Errorf("store: read sources: %w", err)
		}
		r.Timeout, r.Concurrency, r.RepullDays, r.Enabled, r.ConsecutiveErrors = time.Duration(timeout)*time.Second, int(conc), int(repull), enabled == 1, int(errs)
		if wm != nil {
			r.Watermark = egovkpi.Day(*wm)
		}
		if ls != nil {
			r.LastSuccess = *ls
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
