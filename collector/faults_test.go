package collector_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
)

// quarantined counts the usage items of a source and how many carry one
// of the "|"-separated reasons.
func (e *env) quarantined(source, reason string) (all, matching int) {
	e.t.Helper()
	items, err := e.st.ListQuarantine(context.Background(), store.QuarantineFilter{Source: source, Limit: 100000})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, it := range items {
		if it.Kind != store.KindUsage {
			continue
		}
		all++
		for _, r := range strings.Split(reason, "|") {
			if strings.Contains(it.Reason, r) {
				matching++
				break
			}
		}
	}
	return all, matching
}

// TestEveryFaultModeKeepsTheGoodData sets each fault of the simulator on a
// portal in turn and checks that the good data is stored exactly, the bad
// data is quarantined with its reason, and the run log says what happened.
func TestEveryFaultModeKeepsTheGoodData(t *testing.T) {
	const unit, from, to = "p34-08", "2025-08-04", "2025-08-10"
	for _, tc := range []struct {
		name       string
		fault      simulator.Fault
		status     string
		reason     string // of the quarantined usage records
		quarantine func(served, corrupted int) int
		retried    bool
	}{
		{name: "5xx", fault: simulator.Fault{ServerErrors: 2}, status: store.RunOK, retried: true},
		{name: "429", fault: simulator.Fault{RateLimit: 1}, status: store.RunOK, retried: true},
		{name: "slow", fault: simulator.Fault{Slow: 200 * time.Millisecond}, status: store.RunOK},
		{name: "truncated", fault: simulator.Fault{Truncated: true}, status: store.RunOK, retried: true},
		{name: "malformed", fault: simulator.Fault{Malformed: true}, status: store.RunOK, retried: true},
		{name: "duplicate pages", fault: simulator.Fault{DuplicatePages: true}, status: store.RunPartial, reason: "duplicate of record",
			quarantine: func(served, _ int) int { return served }},
		{name: "contradictions", fault: simulator.Fault{Contradictions: 0.05}, status: store.RunPartial, reason: "exceeds|but received =",
			quarantine: func(_, corrupted int) int { return corrupted }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.sim.SetFault(unit, tc.fault)
			want, wantRows := e.expected(unit, from, to)
			recs, _, _ := e.sim.Usage(unit, day(from), day(to))
			start := time.Now()
			run, err := e.col.Pull(context.Background(), e.srcs[unit], day(from), day(to), nil)
			if err != nil {
				t.Fatalf("pull: %v", err)
			}
			if err := e.col.Refresher.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, n := e.stored([]string{unit}, from, to)
			if d := diff(want, got); d != "" || n != wantRows {
				t.Fatalf("%d rows stored, want %d\n%s", n, wantRows, d)
			}
			if run.Status != tc.status {
				t.Errorf("run status %s, want %s (%s)", run.Status, tc.status, run.Error)
			}
			corrupted := len(recs) - wantRows
			all, matching := e.quarantined(unit, tc.reason)
			wantQ := 0
			if tc.quarantine != nil {
				wantQ = tc.quarantine(len(recs), corrupted)
			}
			if all != wantQ || matching != wantQ || run.RowsQuarantined != wantQ {
				t.Errorf("quarantined %d (%d with reason %q; run says %d), want %d", all, matching, tc.reason, run.RowsQuarantined, wantQ)
			}
			if tc.name == "contradictions" && corrupted == 0 {
				t.Error("the contradictions fault corrupted nothing in this window")
			}
			if tc.retried && run.Requests <= 3 {
				t.Errorf("%d requests: the faults should have cost retries", run.Requests)
			}
			if tc.name == "429" && time.Since(start) < time.Second {
				t.Errorf("took %s: Retry-After: 1 was not obeyed", time.Since(start))
			}
			runs, err := e.st.Runs(context.Background(), store.RunFilter{Source: unit})
			if err != nil || len(runs) != 1 || runs[0].Status != run.Status || runs[0].RowsAccepted != wantRows {
				t.Errorf("run log: %+v (%v)", runs, err)
			}
		})
	}
}

// TestWrongEraCodeIsQuarantinedAndReplacesNothing: a portal that sends the
// code of a unit from the other era has every record refused, and the days
// it covered keep their earlier data.
func TestWrongEraCodeIsQuarantinedAndReplacesNothing(t *testing.T) {
	const unit, from, to = "p34-08", "2025-08-04", "2025-08-06"
	e := newEnv(t)
	want, wantRows := e.expected(unit, from, to)
	e.pull(unit, from, to)
	e.sim.SetFault(unit, simulator.Fault{WrongEra: true})
	run, err := e.col.Pull(context.Background(), e.srcs[unit], day(from), day(to), nil)
	if err == nil || run.Status != store.RunFailed {
		t.Fatalf("wrong-era pull: status %s, err %v", run.Status, err)
	}
	e.flush()
	got, n := e.stored([]string{unit}, from, to)
	if d := diff(want, got); d != "" || n != wantRows {
		t.Fatalf("the earlier data changed: %d rows, want %d\n%s", n, wantRows, d)
	}
	all, matching := e.quarantined(unit, `unit code "`+e.sim.WrongEraCode(unit)+`"`)
	if all == 0 || matching != all {
		t.Fatalf("quarantined %d, %d naming the wrong code %q", all, matching, e.sim.WrongEraCode(unit))
	}
}

// TestFailingPortalIsBackedOff: a portal that keeps failing ends the run as
// failed, stores nothing, and is left alone for a while.
func TestFailingPortalIsBackedOff(t *testing.T) {
	const unit = "m-MOF"
	e := newEnv(t)
	e.sim.SetFault(unit, simulator.Fault{ServerErrors: 1000})
	run, err := e.col.Pull(context.Background(), e.srcs[unit], day("2025-08-04"), day("2025-08-05"), nil)
	if err == nil || run.Status != store.RunFailed || !strings.Contains(run.Error, "HTTP 5") {
		t.Fatalf("status %s, err %v, run error %q", run.Status, err, run.Error)
	}
	srcs, err := e.st.Sources(context.Background())
	if err != nil || len(srcs) != 1 {
		t.Fatalf("sources: %+v %v", srcs, err)
	}
	s := srcs[0]
	if s.ConsecutiveErrors != 1 || !s.NextCheck.After(time.Now().Add(2*time.Minute)) || s.LastError == "" {
		t.Fatalf("state after a failure: %+v", s)
	}
	_, _ = e.col.Pull(context.Background(), e.srcs[unit], day("2025-08-04"), day("2025-08-05"), nil)
	srcs = e.sources()
	if srcs[0].ConsecutiveErrors != 2 || !srcs[0].NextCheck.After(s.NextCheck) {
		t.Fatalf("second failure: errors %d next %s (first next %s)", srcs[0].ConsecutiveErrors, srcs[0].NextCheck, s.NextCheck)
	}
	if facts := e.count("SELECT count() FROM usage_versions"); facts != 0 {
		t.Fatalf("%d days loaded from a failing portal", facts)
	}
	// Recovery ends the streak and moves the watermark.
	e.sim.SetFault(unit, simulator.Fault{})
	e.pull(unit, "2025-08-04", "2025-08-05")
	srcs = e.sources()
	if srcs[0].ConsecutiveErrors != 0 || !srcs[0].Watermark.Equal(day("2025-08-05")) || srcs[0].LastSuccess.IsZero() {
		t.Fatalf("after recovery: %+v", srcs[0])
	}
}

// TestStopAbandonsCleanly cancels a slow backfill midway: the chunks loaded
// are complete, the rest is not loaded at all, and the run says abandoned.
func TestStopAbandonsCleanly(t *testing.T) {
	const unit, from, to = "p34-01", "2025-08-01", "2025-09-30"
	e := newEnv(t)
	e.sim.SetFault(unit, simulator.Fault{Slow: 150 * time.Millisecond})
	src := e.srcs[unit]
	src.Concurrency = 1
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	run, _ := e.col.Pull(ctx, src, day(from), day(to), nil)
	if run.Status != store.RunAbandoned || run.DaysLoaded == 0 || run.DaysLoaded >= 61 {
		t.Fatalf("status %s with %d days loaded", run.Status, run.DaysLoaded)
	}
	e.flush()
	rows, err := e.db.Conn.Query(context.Background(), "SELECT DISTINCT day FROM usage_versions ORDER BY day")
	if err != nil {
		t.Fatal(err)
	}
	var days []time.Time
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		y, m, dd := d.Date() // a Date comes back at midnight in the server's zone
		days = append(days, time.Date(y, m, dd, 0, 0, 0, 0, time.UTC))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(days) != run.DaysLoaded {
		t.Fatalf("%d days have versions, the run says %d", len(days), run.DaysLoaded)
	}
	first, last := days[0].Format(egovkpi.DateLayout), days[len(days)-1].Format(egovkpi.DateLayout)
	want, wantRows := e.expected(unit, first, last)
	got, n := e.stored([]string{unit}, first, last)
	if d := diff(want, got); d != "" || n != wantRows {
		t.Fatalf("loaded days %s..%s are not complete: %d rows, want %d\n%s", first, last, n, wantRows, d)
	}
}

// TestRefusedAccessIsNotRetriedDayByDay: a portal that refuses the token
// (401) ends the run at once, with no day-by-day retries and nothing
// quarantined: an error answer is not data.
func TestRefusedAccessIsNotRetriedDayByDay(t *testing.T) {
	e := newEnv(t)
	src := e.srcs["p34-08"]
	src.Token = "wrong"
	run, err := e.col.Pull(context.Background(), src, day("2025-08-01"), day("2025-08-14"), nil)
	if err == nil || run.Status != store.RunFailed || !strings.Contains(run.Error, "HTTP 401") {
		t.Fatalf("status %s, err %v, error %q", run.Status, err, run.Error)
	}
	if run.Requests != 1 { // the catalogue request, refused: nothing more
		t.Errorf("%d requests for a refused token", run.Requests)
	}
	items, err := e.st.ListQuarantine(context.Background(), store.QuarantineFilter{Source: "p34-08"})
	if err != nil || len(items) != 0 {
		t.Errorf("error answers quarantined: %+v (%v)", items, err)
	}
}

// TestWatermarkStaysInsideTheUnitsValidity: pulling a window past a unit's
// end loads its last days and moves the watermark to its last day only; a
// window wholly outside loads nothing and leaves it.
func TestWatermarkStaysInsideTheUnitsValidity(t *testing.T) {
	e := newEnv(t)
	e.pull("p63-08", "2025-06-28", "2025-07-03")
	srcs := e.sources()
	if len(srcs) != 1 || !srcs[0].Watermark.Equal(day("2025-06-30")) || srcs[0].LastError != "" {
		t.Fatalf("after a window across the end: %+v", srcs)
	}
	run := e.pull("p63-08", "2025-08-01", "2025-08-02")
	srcs = e.sources()
	if run.DaysLoaded != 0 || !srcs[0].Watermark.Equal(day("2025-06-30")) {
		t.Fatalf("a window after the end moved the watermark: %+v (run %+v)", srcs[0], run)
	}
}
