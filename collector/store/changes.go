package store

import (
	"context"
	"fmt"
	"time"
)

// Change kinds of the data_changes table.
const (
	ChangeUsage     = "usage"     // a rollup month was refreshed
	ChangeCatalogue = "catalogue" // a catalogue was stored (month of its as_of)
)

// noteChanges records that readers' figures of these months changed (see
// migration 0015): web servers drop what they cached from them.
func (s *Store) noteChanges(ctx context.Context, kind string, months []time.Time) error {
	if len(months) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO data_changes (change_id, kind, month, changed_at)")
	if err != nil {
		return fmt.Errorf("store: note %s changes: %w", kind, err)
	}
	defer b.Abort()
	now := time.Now()
	for _, m := range months {
		if err := b.Append(s.NewLoadID(), kind, time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC), now); err != nil {
			return fmt.Errorf("store: note %s changes: %w", kind, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("store: note %s changes: %w", kind, err)
	}
	return nil
}
