package bench

import (
	"context"
	"testing"

	"egovkpi/collector/store"
	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// TestWriterStoresEveryRow is a small, always-run version of the ingest
// benchmark: the writer stores exactly the rows it is given.
func TestWriterStoresEveryRow(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	r, err := Writer(ctx, store.New(db.Conn, nil), 300_000, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	var n, sum uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count(), sum(received_online) FROM usage_facts").Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if n != 300_000 || sum == 0 {
		t.Fatalf("stored %d rows (sum %d), want 300000", n, sum)
	}
	t.Logf("%.0f rows/s", r.PerSec)
}
