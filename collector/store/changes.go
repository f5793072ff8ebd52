package store

import (
	"context"
	"fmt"
	"time"

	"egovkpi"
)

// Change kinds of the data_changes table.
const (
	ChangeUsage     = "usage"     // a rollup month was refreshed
	ChangeCatalogue = "catalogue" // a catalogue was stored (month of its as_of)
)

// noteChanges records that readers' figures of these months changed (see
// migration 0015): web servers drop what they cached from them. changed_at
// is the server's now(), the clock the readers' poll compares it with.
func (s *Store) noteChanges(ctx context.Context, kind string, months []time.Time) error {
	if len(months) == 0 {
		return nil
	}
	ids := make([]uint64, len(months))
	firsts := make([]string, len(months))
	for i, m := range months {
		ids[i] = s.NewLoadID()
		firsts[i] = egovkpi.Date(m.Year(), m.Month(), 1).Format(egovkpi.DateLayout)
	}
	if err := s.conn.Exec(ctx, `INSERT INTO data_changes (change_id, kind, month, changed_at)
SELECT id, ?, toDate(first_day), now() FROM system.one ARRAY JOIN ? AS id, ? AS first_day`, kind, ids, firsts); err != nil {
		return fmt.Errorf("store: note %s changes: %w", kind, err)
	}
	return nil
}
