package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

func newStore(t testing.TB) *Store {
	t.Helper()
	db := testdb.Migrated(t)
	return New(db.Conn, nil)
}

func d(s string) time.Time {
	t, err := time.Parse(egovkpi.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func usage(day, proc string, received, online uint32) record.Usage {
	u := record.Usage{Day: d(day), Procedure: proc}
	u.SetValue(record.Received, received)
	u.SetValue(record.ReceivedOnline, online)
	return u
}

func load(t *testing.T, s *Store, unit string, days []string, rows ...record.Usage) {
	t.Helper()
	var ds []time.Time
	for _, x := range days {
		ds = append(ds, d(x))
	}
	touched, err := s.WriteUsage(context.Background(), UsageLoad{LoadID: s.NewLoadID(), Source: "test", UnitID: unit, Days: ds, Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RefreshRollups(context.Background(), touched); err != nil {
		t.Fatal(err)
	}
}

type dayRow struct {
	records        uint32
	received       *uint64
	online         *uint64
	votesSatisfied *uint64
}

func unitDay(t *testing.T, s *Store, unit, day string) (dayRow, bool) {
	t.Helper()
	var r dayRow
	rows, err := s.conn.Query(context.Background(), "SELECT records, received, received_online, votes_satisfied FROM usage_unit_day WHERE unit_id = ? AND day = toDate(?)", unit, day)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if err := rows.Scan(&r.records, &r.received, &r.online, &r.votesSatisfied); err != nil {
			t.Fatal(err)
		}
	}
	if n > 1 {
		t.Fatalf("%s %s: %d rollup rows, want one", unit, day, n)
	}
	return r, n == 1
}

func TestReloadsReplaceTheSliceExactlyOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	days := []string{"2024-03-01", "2024-03-02"}
	load(t, s, "p63-01", days, usage("2024-03-01", "1.000001", 10, 4), usage("2024-03-01", "1.000002", 5, 0), usage("2024-03-02", "1.000001", 7, 7))
	load(t, s, "p63-02", days, usage("2024-03-01", "1.000001", 1, 1))
	// Collect the same window again, twice, and once with a correction and
	// a procedure that disappeared.
	load(t, s, "p63-01", days, usage("2024-03-01", "1.000001", 10, 4), usage("2024-03-01", "1.000002", 5, 0), usage("2024-03-02", "1.000001", 7, 7))
	load(t, s, "p63-01", []string{"2024-03-01"}, usage("2024-03-01", "1.000001", 12, 6))

	r, ok := unitDay(t, s, "p63-01", "2024-03-01")
	if !ok || r.records != 1 || *r.received != 12 || *r.online != 6 {
		t.Fatalf("corrected day: %+v (%v), want one record of 12 received, 6 online", r, ok)
	}
	if r.votesSatisfied != nil {
		t.Errorf("votes never reported: rollup has %d, want NULL", *r.votesSatisfied)
	}
	if r, _ := unitDay(t, s, "p63-01", "2024-03-02"); r.records != 1 || *r.received != 7 {
		t.Fatalf("untouched day: %+v", r)
	}
	if r, _ := unitDay(t, s, "p63-02", "2024-03-01"); *r.received != 1 {
		t.Fatalf("another unit changed: %+v", r)
	}
	// A covered day without activity has a row with no records.
	load(t, s, "p63-02", []string{"2024-03-03"})
	if r, ok := unitDay(t, s, "p63-02", "2024-03-03"); !ok || r.records != 0 || r.received != nil {
		t.Fatalf("empty covered day: %+v %v", r, ok)
	}
	var sum uint64
	if err := s.conn.QueryRow(ctx, "SELECT sum(received) FROM usage_unit_procedure_month WHERE unit_id = 'p63-01' AND month = toDate('2024-03-01')").Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if sum != 19 { // 12 (corrected 1.000001 on the 1st) + 7 (the 2nd); 1.000002 dropped by the correction
		t.Fatalf("procedure-month rollup: received %d, want 19", sum)
	}
	stale, err := s.StaleSlices(ctx)
	if err != nil || len(stale) != 0 {
		t.Fatalf("stale slices after refresh: %v (%v)", stale, err)
	}
}

func TestStaleSlicesFindsALoadWithoutRefresh(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.WriteUsage(ctx, UsageLoad{LoadID: s.NewLoadID(), UnitID: "p63-01", Days: []time.Time{d("2024-05-05")}, Rows: []record.Usage{usage("2024-05-05", "1.000001", 3, 1)}}); err != nil {
		t.Fatal(err)
	}
	stale, err := s.StaleSlices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !stale[d("2024-05-01")]["p63-01"] || stale.Slices() != 1 {
		t.Fatalf("stale = %v, want May 2024 of p63-01", stale)
	}
	if err := s.RefreshRollups(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if r, ok := unitDay(t, s, "p63-01", "2024-05-05"); !ok || *r.received != 3 {
		t.Fatalf("after repair: %+v %v", r, ok)
	}
}

func TestFactsWithoutVersionsAreInvisible(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	load(t, s, "p63-01", []string{"2024-03-01"}, usage("2024-03-01", "1.000001", 10, 4))
	// A load that died after its rows and before its versions.
	if err := s.writeFacts(ctx, []factRow{{unit: "p63-01", load: s.NewLoadID(), row: &[]record.Usage{usage("2024-03-01", "1.000001", 999, 999)}[0]}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RefreshRollups(ctx, Touched{d("2024-03-01"): {"p63-01": true}}); err != nil {
		t.Fatal(err)
	}
	if r, _ := unitDay(t, s, "p63-01", "2024-03-01"); *r.received != 10 {
		t.Fatalf("half-written load counted: received %d, want 10", *r.received)
	}
}

func TestQuarantineRunsSourcesTokens(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	items := []Quarantined{{Source: "src", Kind: KindUsage, UnitID: "p63-01", UnitCode: "01", Day: d("2024-03-01"), Procedure: "1.000001", Reason: "received is negative (-3)", Raw: `{"received":-3}`}}
	if err := s.Quarantine(ctx, items); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListQuarantine(ctx, QuarantineFilter{Source: "src", Pending: true})
	if err != nil || len(got) != 1 || got[0].Reason != items[0].Reason || got[0].Day != d("2024-03-01") {
		t.Fatalf("list: %+v %v", got, err)
	}
	if err := s.RecordReplay(ctx, got[0].ID, 1, true, "accepted"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListQuarantine(ctx, QuarantineFilter{Pending: true}); len(got) != 0 {
		t.Fatalf("replayed item still pending: %+v", got)
	}
	one, err := s.GetQuarantine(ctx, items[0].ID)
	if err != nil || !one.Replayed {
		t.Fatalf("get: %+v %v", one, err)
	}
	if _, err := s.GetQuarantine(ctx, uuid.New()); err == nil {
		t.Fatal("unknown id found")
	}

	run := Run{ID: uuid.New(), Source: "src", UnitID: "p63-01", Kind: "pull", From: d("2024-03-01"), To: d("2024-03-07"), StartedAt: time.Now().Add(-time.Minute), Status: RunRunning}
	if err := s.SaveRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // updated_at has a resolution of one second
	run.Status, run.FinishedAt, run.RowsAccepted = RunOK, time.Now(), 42
	if err := s.SaveRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, RunFilter{Source: "src"})
	if err != nil || len(runs) != 1 || runs[0].Status != RunOK || runs[0].RowsAccepted != 42 {
		t.Fatalf("runs: %+v %v", runs, err)
	}

	if err := s.SaveSource(ctx, SourceRow{ID: "src", UnitID: "p63-01", URL: "http://x", Schedule: "0 0 1 * * *", Timeout: time.Minute, Enabled: true, ConsecutiveErrors: 2}); err != nil {
		t.Fatal(err)
	}
	srcs, err := s.Sources(ctx)
	if err != nil || len(srcs) != 1 || srcs[0].ConsecutiveErrors != 2 || srcs[0].Timeout != time.Minute || !srcs[0].Watermark.IsZero() {
		t.Fatalf("sources: %+v %v", srcs, err)
	}

	tok, err := s.CreateToken(ctx, "p63-01", "portal")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.TokenUnit(ctx, tok); err != nil || u != "p63-01" {
		t.Fatalf("token unit %q %v", u, err)
	}
	if _, err := s.TokenUnit(ctx, tok+"x"); err == nil {
		t.Fatal("a wrong token was accepted")
	}
	time.Sleep(1100 * time.Millisecond)
	if err := s.RevokeToken(ctx, HashToken(tok)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenUnit(ctx, tok); err == nil {
		t.Fatal("a revoked token was accepted")
	}
}
