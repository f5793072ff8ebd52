package bench

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector"
	"egovkpi/collector/pull"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
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

// TestNationalWritesTheSimulatorsData: the national data of the figures
// benchmark is exactly the simulator's (rows per unit; the merger day
// splits the window between the eras), one load per unit and month.
func TestNationalWritesTheSimulatorsData(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(simulator.Options{Seed: 1, Registry: reg})
	from, to := egovkpi.Date(2025, 6, 29), egovkpi.Date(2025, 7, 2)
	sum, err := National(ctx, store.New(db.Conn, nil), sim, from, to, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, loads, units := 0, 0, 0
	for _, u := range sim.Units() {
		f, l := from, to
		if f.Before(u.ValidFrom) {
			f = u.ValidFrom
		}
		if !u.ValidTo.IsZero() && l.After(u.ValidTo) {
			l = u.ValidTo
		}
		if f.After(l) {
			continue
		}
		units++
		loads += int(l.Month()-f.Month()) + 1 // June and July are separate loads

		recs, _, err := sim.Usage(u.ID, f, l)
		if err != nil {
			t.Fatal(err)
		}
		want += len(recs)
	}
	var n uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count() FROM usage_facts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int64(want) != sum.Rows || n != uint64(want) || sum.Units != units || sum.Loads != loads || want == 0 {
		t.Fatalf("wrote %d rows (%d stored), %d units, %d loads; want %d rows, %d units, %d loads", sum.Rows, n, sum.Units, sum.Loads, want, units, loads)
	}
	// One catalogue per unit and month, as of the month's first day (or the
	// unit's first day): the window starts on 2025-06-29 but June's
	// catalogues are as of 2025-06-01.
	var cats, notFirst uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count(), countIf(toDayOfMonth(as_of) != 1) FROM catalogue_versions").Scan(&cats, &notFirst); err != nil {
		t.Fatal(err)
	}
	if cats != uint64(loads) || sum.Catalogues != loads || notFirst != 0 {
		t.Fatalf("%d catalogues written (summary says %d), %d not as of a month's first day; want %d", cats, sum.Catalogues, notFirst, loads)
	}
}

// TestCollectThenRefreshSkipsDisabledSources: like PullAll, a disabled
// source is not pulled; the rollups are refreshed after the collection.
func TestCollectThenRefreshSkipsDisabledSources(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(simulator.Options{Seed: 1, Registry: reg})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	d := egovkpi.Date(2025, 8, 4)
	var srcs []collector.Source
	for _, s := range Sources(sim, srv.URL, d, d) {
		if s.UnitID == "p34-08" || s.UnitID == "p34-01" {
			s.Enabled = s.UnitID == "p34-08"
			srcs = append(srcs, s)
		}
	}
	col := collector.New(store.New(db.Conn, nil), reg, collector.Options{Client: &pull.Client{MaxRetryAfter: 5 * time.Second}})
	sum, _, err := CollectThenRefresh(ctx, col, srcs, d, d, 2)
	if err != nil || len(srcs) != 2 || sum.Sources != 1 || sum.ByStatus[store.RunOK] != 1 || sum.Accepted == 0 {
		t.Fatalf("%d sources: %+v, %v", len(srcs), sum, err)
	}
	var units []string
	rows, err := db.Conn.Query(ctx, "SELECT DISTINCT unit_id FROM usage_unit_day")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		units = append(units, u)
	}
	if err := rows.Err(); err != nil || len(units) != 1 || units[0] != "p34-08" {
		t.Fatalf("rollups of %v (%v), want p34-08 only", units, err)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p := Percentile(ds, 95); p != 95*time.Millisecond {
		t.Fatalf("p95 of 1..100 ms = %v", p)
	}
	if p := Percentile(ds, 100); p != 100*time.Millisecond {
		t.Fatalf("max = %v", p)
	}
}
