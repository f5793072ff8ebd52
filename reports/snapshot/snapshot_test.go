package snapshot

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/metrics"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// today is the day of reference: 2026Q3 has ended, every day of it is due.
var today = egovkpi.Date(2026, 10, 15)

// dossiers are a unit's counts over a whole quarter: received, of them
// online, processed, of them on time.
type dossiers struct{ received, online, processed, onTime uint32 }

// writeQuarter stores one load per unit covering every day of quarter q
// (its counts on the quarter's fifth day, as the collector stores a
// portal's answer) and refreshes the rollups, as the collector does. A unit
// written again for the same quarter is a correction: its new load
// replaces the old one.
func writeQuarter(t *testing.T, st *store.Store, q metrics.Period, units map[string]dossiers) {
	t.Helper()
	ctx := context.Background()
	var days []time.Time
	for d := q.From; !d.After(q.To); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	touched := store.Touched{}
	for unit, c := range units {
		u := record.Usage{UnitID: unit, Day: days[4], Procedure: "1.000001"}
		u.SetValue(record.Received, c.received)
		u.SetValue(record.ReceivedOnline, c.online)
		u.SetValue(record.Processed, c.processed)
		u.SetValue(record.ProcessedOnTime, c.onTime)
		tt, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), Source: "test", UnitID: unit, Days: days, Rows: []record.Usage{u}})
		if err != nil {
			t.Fatal(err)
		}
		touched.Merge(tt)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
}

// fixture is 2026Q3 for four provinces and two ministries, and 2026Q2 for
// two provinces (for movements):
//
//	p34-01 online 60/100 = 60 %, on time 95/100 (766 total 19.00)
//	p34-04 online 30/50 = 60 % (a tie), on time 40/50 = 80 % (16.00)
//	p34-08 online 10/100 = 10 %, on time 70/100 = 70 % (14.00)
//	p34-11 20 dossiers: under the minimum of 30, shown and not ranked
//
// The 2025 methodology scores on time (20 points) and nothing else these
// counts give, so a 766 total is 20 × the on-time rate.
func fixture(t *testing.T) (*chtest.DB, *store.Store) {
	db := testdb.Migrated(t)
	st := store.New(db.Conn, nil)
	writeQuarter(t, st, metrics.QuarterOf(2026, 2), map[string]dossiers{
		"p34-01": {100, 50, 100, 90},
		"p34-08": {100, 80, 100, 99},
	})
	writeQuarter(t, st, metrics.QuarterOf(2026, 3), map[string]dossiers{
		"p34-01": {100, 60, 100, 95},
		"p34-04": {50, 30, 50, 40},
		"p34-08": {100, 10, 100, 70},
		"p34-11": {20, 18, 20, 20},
		"m-MOF":  {1000, 700, 1000, 990},
		"m-MOIT": {500, 100, 500, 450},
	})
	return db, st
}

func setup(t *testing.T) (*refdata.Registry, metrics.Settings) {
	t.Helper()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, err := metrics.DefaultSettings()
	if err != nil {
		t.Fatal(err)
	}
	return reg, s
}

// equalLive checks every table of a snapshot against the live League and
// Index766 output, row by row and field by field.
func equalLive(t *testing.T, db *chtest.DB, reg *refdata.Registry, s metrics.Settings, f Frozen, p metrics.Period) {
	t.Helper()
	ctx := context.Background()
	if want := len(metrics.Blocks) * (len(metrics.KPIs()) + 1); len(f.Tables) != want {
		t.Fatalf("%d tables frozen, want %d (every KPI and the index, both blocks)", len(f.Tables), want)
	}
	i := 0
	for _, b := range metrics.Blocks {
		for _, k := range metrics.KPIs() {
			live, err := metrics.League(ctx, db.Conn, reg, b, p, k, s.Rules, metrics.Filter{}, today)
			if err != nil {
				t.Fatal(err)
			}
			got := f.Tables[i]
			i++
			where := fmt.Sprintf("%s/%s", b, k.ID)
			if got.Block != b || got.ID != k.ID || len(got.Rows) != len(live.Entries) {
				t.Fatalf("table %d is %s/%s with %d rows, want %s with %d", i, got.Block, got.ID, len(got.Rows), where, len(live.Entries))
			}
			for j, e := range live.Entries {
				r := got.Rows[j]
				if r.UnitID != e.UnitID || !reflect.DeepEqual(r.Numerator, e.Value.Num) || !reflect.DeepEqual(r.Denominator, e.Value.Den) ||
					!reflect.DeepEqual(r.Published, e.Published) || r.Rank != e.Rank || !reflect.DeepEqual(r.Movement, e.Movement) ||
					r.Completeness != e.Completeness || r.NotEnoughData != e.NotEnoughData || r.Result != nil || r.Band != "" {
					t.Errorf("%s row %d: frozen %s, live %+v", where, j, show(r), e)
				}
			}
		}
		live, err := metrics.Index766(ctx, db.Conn, reg, s.Methodology, b, p, s.Rules, metrics.Filter{}, today)
		if err != nil {
			t.Fatal(err)
		}
		got := f.Tables[i]
		i++
		if got.Block != b || got.ID != IndexTable || len(got.Rows) != len(live.Entries) {
			t.Fatalf("table %d is %s/%s with %d rows, want %s/index766 with %d", i, got.Block, got.ID, len(got.Rows), b, len(live.Entries))
		}
		for j, e := range live.Entries {
			r := got.Rows[j]
			var res any
			if e.Published != nil {
				res = &e.Result
			}
			if r.UnitID != e.UnitID || !reflect.DeepEqual(r.Published, e.Published) || r.Rank != e.Rank || !reflect.DeepEqual(r.Movement, e.Movement) ||
				r.Completeness != e.Completeness || r.NotEnoughData != e.NotEnoughData || !reflect.DeepEqual(r.Dossiers, e.Dossiers) ||
				!reflect.DeepEqual(r.Complaints, e.Complaints) || (res == nil) != (r.Result == nil) || (r.Result != nil && !reflect.DeepEqual(*r.Result, e.Result)) ||
				(r.Result != nil && r.Band != e.Result.Band.ID) || r.Numerator != nil || r.Denominator != nil {
				t.Errorf("%s/index766 row %d: frozen %s, live %+v", b, j, show(r), e)
			}
		}
	}
}

// show prints a row for failure messages.
func show(r Row) string {
	p := func(f *float64) string {
		if f == nil {
			return "nil"
		}
		return fmt.Sprint(*f)
	}
	return fmt.Sprintf("{%s num %s den %s published %s rank %d movement %v complete %v ned %v band %q}",
		r.UnitID, p(r.Numerator), p(r.Denominator), p(r.Published), r.Rank, r.Movement, r.Completeness, r.NotEnoughData, r.Band)
}

// row finds a unit's row in a frozen table.
func row(t *testing.T, f Frozen, b egovkpi.Block, table, unit string) Row {
	t.Helper()
	tb, ok := f.Table(b, table)
	if !ok {
		t.Fatalf("no table %s/%s", b, table)
	}
	for _, r := range tb.Rows {
		if r.UnitID == unit {
			return r
		}
	}
	t.Fatalf("no row of %s in %s/%s", unit, b, table)
	return Row{}
}

func TestFreezeKeepsTheFiguresAndChangesListsWhatMoved(t *testing.T) {
	db, st := fixture(t)
	reg, s := setup(t)
	ctx := context.Background()
	audit := auth.New(db.Conn)
	q3 := metrics.QuarterOf(2026, 3)

	snap, err := Freeze(ctx, db.Conn, reg, s, audit, Request{Period: q3, By: "analyst1", Note: "Số liệu chính thức quý 3/2026", Today: today, Build: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(snap.ID, "2026Q3-") || snap.Methodology != "2025" || snap.Rules != s.Rules || !snap.Official {
		t.Fatalf("snapshot header: %+v", snap)
	}
	frozen, err := Load(ctx, db.Conn, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := frozen.Snapshot
	if h.ID != snap.ID || h.Period != "2026Q3" || !h.From.Equal(q3.From) || !h.To.Equal(q3.To) || h.FrozenBy != "analyst1" ||
		!h.FrozenAt.Equal(snap.FrozenAt) || h.Methodology != "2025" || h.Rules != s.Rules || h.Note != "Số liệu chính thức quý 3/2026" ||
		h.Build != "test" || h.Rows != snap.Rows || !h.Official {
		t.Fatalf("loaded header %+v, frozen %+v", h, snap)
	}
	equalLive(t, db, reg, s, frozen, q3)

	// The fixture's figures are what the snapshot holds (so the comparison
	// above compared real tables, not empty ones).
	for _, c := range []struct {
		table, unit string
		published   float64
		rank        int
	}{
		{"online_rate", "p34-01", 60, 1}, {"online_rate", "p34-04", 60, 1}, {"online_rate", "p34-08", 10, 3},
		{"on_time_rate", "p34-01", 95, 1}, {"on_time_rate", "p34-04", 80, 2}, {"on_time_rate", "p34-08", 70, 3},
		{IndexTable, "p34-01", 19, 1}, {IndexTable, "p34-04", 16, 2}, {IndexTable, "p34-08", 14, 3},
	} {
		r := row(t, frozen, egovkpi.BlockProvince, c.table, c.unit)
		if r.Published == nil || *r.Published != c.published || r.Rank != c.rank {
			t.Errorf("%s of %s: %s, want %v ranked %d", c.table, c.unit, show(r), c.published, c.rank)
		}
	}
	if r := row(t, frozen, egovkpi.BlockProvince, "online_rate", "p34-11"); !r.NotEnoughData || r.Rank != 0 || *r.Published != 90 {
		t.Errorf("p34-11 has 20 dossiers, under the minimum: %s", show(r))
	}
	if r := row(t, frozen, egovkpi.BlockProvince, "online_rate", "p34-08"); r.Movement == nil || *r.Movement != -2 {
		t.Errorf("p34-08 was first in 2026Q2 (80 %%) and is third: movement %s", show(r))
	}
	if r := row(t, frozen, egovkpi.BlockProvince, IndexTable, "p34-01"); r.Band == "" || r.Result == nil || len(r.Result.Groups) == 0 {
		t.Errorf("766 row without band or groups: %s", show(r))
	}

	// The freeze is in the audit log.
	log, err := audit.AuditLog(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != ActionFreeze || log[0].Target != snap.ID || log[0].Actor != "analyst1" ||
		!strings.Contains(log[0].Detail, "2026Q3") || !strings.Contains(log[0].Detail, "Số liệu chính thức") {
		t.Fatalf("audit log: %+v", log)
	}

	// Nothing changed yet.
	cmp0, err := Changes(ctx, db.Conn, reg, s, snap.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp0.Changes) != 0 || cmp0.MethodologyChanged() || cmp0.RulesChanged() {
		t.Fatalf("changes before any correction: %+v", cmp0)
	}

	// Tuyên Quang's portal corrects its quarter: 95 of its 100 dossiers
	// were online, 98 processed on time.
	writeQuarter(t, st, q3, map[string]dossiers{"p34-08": {100, 95, 100, 98}})
	live, err := metrics.League(ctx, db.Conn, reg, egovkpi.BlockProvince, q3, mustKPI(t, "online_rate"), s.Rules, metrics.Filter{}, today)
	if err != nil {
		t.Fatal(err)
	}
	if e := live.Entries[0]; e.UnitID != "p34-08" || *e.Published != 95 || e.Rank != 1 {
		t.Fatalf("the live table did not take the correction: first %+v", e)
	}
	again, err := Load(ctx, db.Conn, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, frozen) {
		t.Fatal("the snapshot changed with the data")
	}

	cmp1, err := Changes(ctx, db.Conn, reg, s, snap.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	// Exactly the moved units of the three tables the correction touches,
	// biggest move first: p34-08's figure and rank, then the two units it
	// overtook (rank only). p34-11 (not ranked, same figure) and the
	// ministries did not move.
	want := []string{
		"province/online_rate p34-08 10→95 (+85) rank 3→1",
		"province/online_rate p34-01 60→60 (+0) rank 1→2",
		"province/online_rate p34-04 60→60 (+0) rank 1→2",
		"province/on_time_rate p34-08 70→98 (+28) rank 3→1",
		"province/on_time_rate p34-01 95→95 (+0) rank 1→2",
		"province/on_time_rate p34-04 80→80 (+0) rank 2→3",
		"province/index766 p34-08 14→19.6 (+5.6) rank 3→1",
		"province/index766 p34-01 19→19 (+0) rank 1→2",
		"province/index766 p34-04 16→16 (+0) rank 2→3",
	}
	var got []string
	for _, c := range cmp1.Changes {
		if c.Before == nil || c.After == nil || c.Delta() == nil {
			t.Fatalf("a unit appeared or disappeared: %+v", c)
		}
		got = append(got, fmt.Sprintf("%s/%s %s %v→%v (%+g) rank %d→%d", c.Block, c.Table, c.UnitID, *c.Before.Published, *c.After.Published, *c.Delta(), c.Before.Rank, c.After.Rank))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := cmp1.Changes[0]; !c.FigureMoved() || !c.RankMoved() {
		t.Errorf("p34-08 moved in figure and rank: %+v", c)
	}
	if c := cmp1.Changes[1]; c.FigureMoved() || !c.RankMoved() {
		t.Errorf("p34-01 moved in rank only: %+v", c)
	}
	// A page holding the loaded snapshot compares it without loading it
	// again: the same comparison.
	if cmpF, err := Compare(ctx, db.Conn, reg, s, again, today); err != nil || !reflect.DeepEqual(cmpF, cmp1) {
		t.Errorf("Compare of the loaded snapshot differs from Changes: %v\n%+v\n%+v", err, cmpF, cmp1)
	}

	// Freezing again keeps both; the latest is the official one.
	snap2, err := Freeze(ctx, db.Conn, reg, s, audit, Request{Period: q3, By: "analyst2", Today: today})
	if err != nil {
		t.Fatal(err)
	}
	list, err := List(ctx, db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != snap2.ID || list[1].ID != snap.ID || !list[0].Official || list[1].Official {
		t.Fatalf("list: %+v", list)
	}
	off, ok, err := Official(ctx, db.Conn, q3)
	if err != nil || !ok || off.ID != snap2.ID || off.FrozenBy != "analyst2" {
		t.Fatalf("official: %+v %v %v, want %s", off, ok, err, snap2.ID)
	}
	if _, ok, err := Official(ctx, db.Conn, metrics.QuarterOf(2026, 2)); ok || err != nil {
		t.Fatalf("2026Q2 was never frozen: %v %v", ok, err)
	}
	if old, err := Load(ctx, db.Conn, snap.ID); err != nil || old.Official || !reflect.DeepEqual(old.Tables, frozen.Tables) {
		t.Fatalf("the first snapshot after the second: official %v, err %v", old.Official, err)
	}
	if cmp2, err := Changes(ctx, db.Conn, reg, s, snap2.ID, today); err != nil || len(cmp2.Changes) != 0 {
		t.Fatalf("the second snapshot has the corrected figures, yet: %v %+v", err, cmp2.Changes)
	}
	if log, _ := audit.AuditLog(ctx, 10); len(log) != 2 {
		t.Fatalf("audit log after two freezes: %+v", log)
	}

	// Other ranking rules move ranks without data changing, and say so.
	strict := s
	strict.Rules.MinDenominator = 60
	cmp3, err := Changes(ctx, db.Conn, reg, strict, snap2.ID, today)
	if err != nil || !cmp3.RulesChanged() || len(cmp3.Changes) == 0 {
		t.Fatalf("changes under other rules: %v, rules changed %v, %d changes", err, cmp3.RulesChanged(), len(cmp3.Changes))
	}
	for _, c := range cmp3.Changes {
		if c.FigureMoved() || c.UnitID != "p34-04" || c.After.Rank != 0 || !c.After.NotEnoughData {
			t.Errorf("under a minimum of 60 dossiers only p34-04 (50) leaves the ranking: %s/%s %s", c.Block, c.Table, show(*c.After))
		}
	}
}

func mustKPI(t *testing.T, id string) metrics.KPI {
	t.Helper()
	k, err := metrics.KPIByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestFreezeRefusesBadRequests(t *testing.T) {
	db := testdb.Migrated(t)
	reg, s := setup(t)
	ctx := context.Background()
	audit := auth.New(db.Conn)
	ytd, err := metrics.ParsePeriod("2026YTD", today)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		r    Request
		want string
	}{
		{"unfinished period", Request{Period: metrics.QuarterOf(2026, 4), By: "a", Today: today}, "period 2026Q4 ends on 2026-12-31: its figures can be frozen from 2027-01-01"},
		{"period ending today", Request{Period: metrics.MonthOf(2026, 9), By: "a", Today: egovkpi.Date(2026, 9, 30)}, "can be frozen from 2026-10-01"},
		{"year to date", Request{Period: ytd, By: "a", Today: today}, "period 2026YTD is a year to date"},
		{"no period", Request{By: "a", Today: today}, "the period is missing"},
		{"nobody", Request{Period: metrics.QuarterOf(2026, 3), By: "  ", Today: today}, "who freezes is missing"},
		{"long note", Request{Period: metrics.QuarterOf(2026, 3), By: "a", Today: today, Note: strings.Repeat("ơ", MaxNote+1)}, "the note has 2001 characters, at most 2000"},
		{"bad note", Request{Period: metrics.QuarterOf(2026, 3), By: "a", Today: today, Note: "\xff"}, "the note is not valid UTF-8"},
	} {
		_, err := Freeze(ctx, db.Conn, reg, s, audit, tc.r)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	if list, err := List(ctx, db.Conn); err != nil || len(list) != 0 {
		t.Fatalf("refused freezes stored snapshots: %v %+v", err, list)
	}
	if _, err := Load(ctx, db.Conn, "2026Q3-nothing"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"2026Q3-nothing"`) {
		t.Errorf("load of an unknown id: %v", err)
	}
	if _, err := Changes(ctx, db.Conn, reg, s, "2026Q3-nothing", today); !errors.Is(err, ErrNotFound) {
		t.Errorf("changes of an unknown id: %v", err)
	}
}

// TestPeriodWithoutA766Version: before the first 766 version (2022-06-23)
// a snapshot has league tables only, and says so.
func TestPeriodWithoutA766Version(t *testing.T) {
	db := testdb.Migrated(t)
	reg, s := setup(t)
	ctx := context.Background()
	snap, err := Freeze(ctx, db.Conn, reg, s, auth.New(db.Conn), Request{Period: metrics.QuarterOf(2021, 4), By: "a", Today: today})
	if err != nil {
		t.Fatal(err)
	}
	f, err := Load(ctx, db.Conn, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Methodology != "" || len(f.Tables) != len(metrics.Blocks)*len(metrics.KPIs()) {
		t.Fatalf("methodology %q, %d tables", f.Methodology, len(f.Tables))
	}
	if _, ok := f.Table(egovkpi.BlockProvince, IndexTable); ok {
		t.Fatal("an index table without a version in force")
	}
	if p := f.Tables[len(metrics.KPIs())]; p.Block != egovkpi.BlockProvince || len(p.Rows) != 63 {
		t.Fatalf("the first province table is %s/%s with %d rows, want the 63 provinces of 2021", p.Block, p.ID, len(p.Rows))
	}
}

// TestDiffOrdersBiggestMovesFirst covers what the seeded test cannot
// reach: rows and figures that appear or disappear, and leaving the
// ranking.
func TestDiffOrdersBiggestMovesFirst(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	before := []Table{{Block: egovkpi.BlockProvince, ID: "online_rate", Rows: []Row{
		{UnitID: "a", Published: f(50), Rank: 1},
		{UnitID: "b", Published: f(40), Rank: 2},
		{UnitID: "c", Published: f(30), Rank: 3},
		{UnitID: "d", Published: f(20), Rank: 4},
		{UnitID: "gone", Published: f(10), Rank: 5},
		{UnitID: "empty"},
	}}}
	after := []Table{{Block: egovkpi.BlockProvince, ID: "online_rate", Rows: []Row{
		{UnitID: "a", Published: f(50), Rank: 1},
		{UnitID: "b", Published: f(40.5), Rank: 2},
		{UnitID: "d", Published: f(35), Rank: 3},
		{UnitID: "c", Published: f(30), Rank: 0, NotEnoughData: true},
		{UnitID: "empty", Published: f(1), Rank: 4},
		{UnitID: "new"},
	}}, {Block: egovkpi.BlockMinistry, ID: "online_rate", Rows: []Row{{UnitID: "m", Published: f(5), Rank: 1}}}}
	var got []string
	for _, c := range diff(before, after) {
		got = append(got, string(c.Block)+" "+c.UnitID)
	}
	// Ministries come first (metrics.Blocks order). Within provinces:
	// appearing or disappearing rows and figures (by unit), then
	// d (+15), b (+0.5), then c (figure kept, left the ranking).
	want := []string{"ministry m", "province empty", "province gone", "province new", "province d", "province b", "province c"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}
