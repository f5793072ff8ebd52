package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"egovkpi"
)

// Quarantine kinds.
const (
	KindUsage     = "usage"
	KindCatalogue = "catalogue"
	KindPayload   = "payload" // a whole page or body that could not be read
)

// maxRawBytes bounds the raw text kept of one quarantined item.
const maxRawBytes = 64 << 10

// Quarantined is one refused record or payload.
type Quarantined struct {
	ID         uuid.UUID
	ReceivedAt time.Time
	Source     string
	LoadID     uint64
	Kind       string
	UnitID     string
	UnitCode   string
	Day        time.Time // zero when unknown
	Procedure  string
	Reason     string
	Raw        string
	// Replay state, filled by ListQuarantine and GetQuarantine.
	Replayed     bool
	ReplayResult string
}

// Quarantine stores refused items. Raw text over 64 KiB is cut (and says so).
func (s *Store) Quarantine(ctx context.Context, items []Quarantined) error {
	if len(items) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO quarantine (id, received_at, source, load_id, kind, unit_id, unit_code, day, procedure, reason, raw)")
	if err != nil {
		return fmt.Errorf("store: quarantine: %w", err)
	}
	defer b.Abort()
	now := time.Now()
	for i := range items {
		q := &items[i]
		if q.ID == uuid.Nil {
			q.ID = uuid.New()
		}
		if q.ReceivedAt.IsZero() {
			q.ReceivedAt = now
		}
		raw := q.Raw
		if len(raw) > maxRawBytes {
			raw = raw[:maxRawBytes] + fmt.Sprintf("… [cut: %d bytes in all]", len(q.Raw))
		}
		var d *time.Time
		if !q.Day.IsZero() {
			d = &q.Day
		}
		if err := b.Append(q.ID, q.ReceivedAt, q.Source, q.LoadID, q.Kind, q.UnitID, q.UnitCode, d, q.Procedure, q.Reason, raw); err != nil {
			return fmt.Errorf("store: quarantine: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("store: quarantine %d items: %w", len(items), err)
	}
	return nil
}

// QuarantineFilter narrows ListQuarantine; zero values match everything.
type QuarantineFilter struct {
	Source string
	UnitID string
	Reason string // a substring of the reason
	Since  time.Time
	// Pending keeps only items not yet replayed successfully.
	Pending bool
	Limit   int // default 100
	Offset  int // items to skip (newest first), for paging
}

const quarantineSelect = `SELECT q.id, q.received_at, q.source, q.load_id, toString(q.kind), q.unit_id, q.unit_code, q.day, q.procedure, q.reason, q.raw,
       r.accepted, r.reason
FROM quarantine AS q
ANY LEFT JOIN (
    SELECT id, max(accepted) AS accepted, argMax(reason, replayed_at) AS reason FROM quarantine_replays GROUP BY id
) AS r USING (id)`

// ListQuarantine returns quarantined items, newest first.
func (s *Store) ListQuarantine(ctx context.Context, f QuarantineFilter) ([]Quarantined, error) {
	var where []string
	var args []any
	if f.Source != "" {
		where, args = append(where, "q.source = ?"), append(args, f.Source)
	}
	if f.UnitID != "" {
		where, args = append(where, "q.unit_id = ?"), append(args, f.UnitID)
	}
	if f.Reason != "" {
		where, args = append(where, "positionCaseInsensitiveUTF8(q.reason, ?) > 0"), append(args, f.Reason)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "q.received_at >= ?"), append(args, f.Since)
	}
	if f.Pending {
		where = append(where, "r.accepted != 1")
	}
	q := quarantineSelect
	if len(where) > 0 {
		q += "\nWHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += fmt.Sprintf("\nORDER BY q.received_at DESC, q.id LIMIT %d, %d", max(f.Offset, 0), limit)
	return s.queryQuarantine(ctx, q, args...)
}

// ErrNotQuarantined is the error of GetQuarantine for an unknown id.
var ErrNotQuarantined = errors.New("no quarantined item")

// GetQuarantine returns one item by id.
func (s *Store) GetQuarantine(ctx context.Context, id uuid.UUID) (Quarantined, error) {
	items, err := s.queryQuarantine(ctx, quarantineSelect+"\nWHERE q.id = ?", id)
	if err != nil {
		return Quarantined{}, err
	}
	if len(items) == 0 {
		return Quarantined{}, fmt.Errorf("store: %w %s", ErrNotQuarantined, id)
	}
	return items[0], nil
}

func (s *Store) queryQuarantine(ctx context.Context, q string, args ...any) ([]Quarantined, error) {
	rows, err := s.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read quarantine: %w", err)
	}
	defer rows.Close()
	var out []Quarantined
	for rows.Next() {
		var (
			it       Quarantined
			d        *time.Time
			accepted uint8
		)
		if err := rows.Scan(&it.ID, &it.ReceivedAt, &it.Source, &it.LoadID, &it.Kind, &it.UnitID, &it.UnitCode, &d, &it.Procedure, &it.Reason, &it.Raw,
			&accepted, &it.ReplayResult); err != nil {
			return nil, fmt.Errorf("store: read quarantine: %w", err)
		}
		if d != nil {
			it.Day = egovkpi.Day(*d)
		}
		it.Replayed = accepted == 1
		out = append(out, it)
	}
	return out, rows.Err()
}

// RecordReplay notes the outcome of replaying a quarantined item.
func (s *Store) RecordReplay(ctx context.Context, id uuid.UUID, loadID uint64, accepted bool, reason string) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO quarantine_replays (id, replayed_at, load_id, accepted, reason)")
	if err != nil {
		return fmt.Errorf("store: record replay: %w", err)
	}
	defer b.Abort()
	if err := b.Append(id, time.Now(), loadID, flag(accepted), reason); err != nil {
		return fmt.Errorf("store: record replay: %w", err)
	}
	return b.Send()
}
