package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"egovkpi"
)

// noteChanges writes one row per month, on the month's first day, stamped
// with the server's clock.
func TestNoteChangesUsesTheServersClock(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	months := []time.Time{egovkpi.Date(2025, 8, 20), egovkpi.Date(2025, 9, 1)}
	if err := s.noteChanges(ctx, ChangeUsage, months); err != nil {
		t.Fatal(err)
	}
	if err := s.noteChanges(ctx, ChangeCatalogue, []time.Time{egovkpi.Date(2025, 6, 1)}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.conn.Query(ctx, "SELECT toString(kind), toString(month), dateDiff('second', changed_at, now()) FROM data_changes ORDER BY change_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var kind, month string
		var age int64
		if err := rows.Scan(&kind, &month, &age); err != nil {
			t.Fatal(err)
		}
		if age < 0 || age > 60 {
			t.Errorf("%s %s: changed %d s before the server's now()", kind, month, age)
		}
		got = append(got, kind+" "+month)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"usage 2025-08-01", "usage 2025-09-01", "catalogue 2025-06-01"}
	if !slices.Equal(got, want) {
		t.Errorf("data_changes = %q, want %q", got, want)
	}
}
