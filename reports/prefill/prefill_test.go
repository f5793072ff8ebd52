package prefill

import (
	"context"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// usage is one procedure's day of a scenario.
type usage struct {
	unit, day, procedure string
	counts               map[record.Field]uint32
}

// catalogueEntry is one procedure of a unit's catalogue as of 2025-07-01.
type catalogueEntry struct {
	unit, procedure, level string
	eligible, fee          bool
}

// seed writes the scenario through the collector's store, as a collection
// would, and refreshes the rollups the figures are read from.
func seed(t *testing.T, uses []usage, cat []catalogueEntry) *chtest.DB {
	t.Helper()
	db := testdb.Migrated(t)
	ctx := context.Background()
	st := store.New(db.Conn, nil)
	touched := store.Touched{}
	for _, u := range uses {
		day, err := egovkpi.ParseDate(u.day)
		if err != nil {
			t.Fatal(err)
		}
		row := record.Usage{UnitID: u.unit, Day: day, Procedure: u.procedure}
		for f, v := range u.counts {
			row.SetValue(f, v)
		}
		tt, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), Source: "test", UnitID: u.unit, Days: []time.Time{day}, Rows: []record.Usage{row}})
		if err != nil {
			t.Fatal(err)
		}
		touched.Merge(tt)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
	asOf := egovkpi.Date(2025, 7, 1)
	byUnit := map[string][]record.Procedure{}
	for _, c := range cat {
		svc, err := record.ServiceOf(c.level, asOf)
		if err != nil {
			t.Fatal(err)
		}
		byUnit[c.unit] = append(byUnit[c.unit], record.Procedure{Code: c.procedure, Name: "Thủ tục " + c.procedure, Level: c.level, Service: svc, EligibleFullProcess: c.eligible, FeeBearing: c.fee})
	}
	for unit, ps := range byUnit {
		if err := st.WriteCatalogue(ctx, store.CatalogueLoad{LoadID: st.NewLoadID(), Source: "test", UnitID: unit, AsOf: asOf, Procedures: ps}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func setup(t *testing.T) (*refdata.Registry, *form.Definition) {
	t.Helper()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	set, err := form.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	def, err := set.For(egovkpi.Date(2025, 7, 1))
	if err != nil {
		t.Fatal(err)
	}
	return reg, def
}

func unit(t *testing.T, reg *refdata.Registry, id string) egovkpi.Unit {
	t.Helper()
	u, ok := reg.ByID(id)
	if !ok {
		t.Fatalf("no unit %s", id)
	}
	return u
}

// TestCollectedAgainstHandWorkedFigures: 2025Q3 of two provinces.
//
// Tuyên Quang (p34-08) has four procedures: 1.000001 full-process and
// eligible, 1.000002 partial and eligible, 1.000003 offline, 1.000004
// partial and not eligible. Dossiers: 10 received on 2025-07-10 (6
// online, 4 with a fee, 3 paid online, 9 synchronised) for 1.000001, 5 on
// 2025-08-20 (none online, 2 with a fee, none paid online, 5
// synchronised) for 1.000002, and 100 on 2025-10-02, outside the quarter.
//
// Hà Nội (p34-01) has two offline procedures and no dossier at all: its
// dossier figures are missing, not 0.
func TestCollectedAgainstHandWorkedFigures(t *testing.T) {
	reg, def := setup(t)
	db := seed(t, []usage{
		{"p34-08", "2025-07-10", "1.000001", map[record.Field]uint32{record.Received: 10, record.ReceivedOnline: 6, record.FinancialObligation: 4, record.PaidOnline: 3, record.SyncedNPSP: 9}},
		{"p34-08", "2025-08-20", "1.000002", map[record.Field]uint32{record.Received: 5, record.ReceivedOnline: 0, record.FinancialObligation: 2, record.PaidOnline: 0, record.SyncedNPSP: 5}},
		{"p34-08", "2025-10-02", "1.000001", map[record.Field]uint32{record.Received: 100, record.ReceivedOnline: 100, record.FinancialObligation: 100, record.PaidOnline: 100, record.SyncedNPSP: 100}},
	}, []catalogueEntry{
		{"p34-08", "1.000001", "full", true, true},
		{"p34-08", "1.000002", "partial", true, true},
		{"p34-08", "1.000003", "none", false, false},
		{"p34-08", "1.000004", "partial", false, false},
		{"p34-01", "1.000001", "none", false, false},
		{"p34-01", "1.000002", "none", false, false},
	})
	q := workflow.Quarter{Year: 2025, Q: 3}
	today := egovkpi.Date(2026, 1, 1)
	for _, tc := range []struct {
		unit string
		want map[string]float64
	}{
		{"p34-08", map[string]float64{
			"procedures_total":         4,     // every procedure of the catalogue
			"procedures_eligible_full": 2,     // 1.000001, 1.000002
			"services_full_process":    1,     // 1.000001
			"services_partial":         3 - 1, // online services 1.000001, 1.000002, 1.000004 less the full-process one
			"services_with_dossiers":   1,     // 1.000001 had online dossiers; 1.000002 none
			"dossiers_total":           15,    // 10 + 5; October's 100 are outside
			"dossiers_online":          6,
			"dossiers_financial":       6, // 4 + 2
			"dossiers_paid_online":     3,
			"dossiers_synced_npsp":     14, // 9 + 5
		}},
		{"p34-01", map[string]float64{
			"procedures_total":         2,
			"procedures_eligible_full": 0, // none eligible: 0, a figure
			"services_full_process":    0,
			"services_partial":         0,
			"services_with_dossiers":   0,
			// no dossier reported: dossiers_* have no figure at all
		}},
	} {
		got, err := Collected(context.Background(), db.Conn, reg, def, unit(t, reg, tc.unit), q, today)
		if err != nil {
			t.Fatalf("%s: %v", tc.unit, err)
		}
		for id, w := range tc.want {
			if g, ok := got[id]; !ok || g != w {
				t.Errorf("%s %s = %v (present %v), want %v", tc.unit, id, g, ok, w)
			}
		}
		for id, g := range got {
			if _, ok := tc.want[id]; !ok {
				t.Errorf("%s %s = %v, want no collected figure", tc.unit, id, g)
			}
		}
	}
	// A unit with no data at all: nothing is pre-filled, nothing is 0.
	got, err := Collected(context.Background(), db.Conn, reg, def, unit(t, reg, "p34-04"), q, today)
	if err != nil || len(got) != 0 {
		t.Errorf("a unit without data: %v, %v; want nothing", got, err)
	}
}

func TestCollectedRefusals(t *testing.T) {
	reg, def := setup(t)
	db := testdb.Migrated(t)
	ctx := context.Background()
	today := egovkpi.Date(2026, 1, 1)
	// Tuyên Quang of the 63 ended on 2025-06-30, merged into p34-08.
	_, err := Collected(ctx, db.Conn, reg, def, unit(t, reg, "p63-08"), workflow.Quarter{Year: 2025, Q: 3}, today)
	if err == nil || !strings.Contains(err.Error(), "p63-08 (Tuyên Quang) is not in force at the end of 2025Q3 (2025-09-30") {
		t.Errorf("a unit merged before the quarter: %v", err)
	}
	// p34-08 starts on 2025-07-01: not in force at the end of 2025Q2.
	if _, err := Collected(ctx, db.Conn, reg, def, unit(t, reg, "p34-08"), workflow.Quarter{Year: 2025, Q: 2}, today); err == nil || !strings.Contains(err.Error(), "not in force at the end of 2025Q2") {
		t.Errorf("a unit that starts after the quarter: %v", err)
	}
	bad, err := form.Parse([]byte(`{"version": "x", "valid_from": "2022-10-01", "title_vi": "B", "title_en": "R", "rules": [],
	  "sections": [{"id": "s", "code": "1", "title_vi": "M", "title_en": "S", "indicators": [
	    {"id": "speed", "code": "1.1", "name_vi": "Tốc độ", "name_en": "Speed", "type": "integer", "required": false, "assumption": true, "collected": ["speed_kpi.num"]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Collected(ctx, db.Conn, reg, bad, unit(t, reg, "p34-08"), workflow.Quarter{Year: 2025, Q: 3}, today); err == nil || !strings.Contains(err.Error(), `indicator 1.1 speed: unknown KPI "speed_kpi"`) {
		t.Errorf("a definition naming an unknown KPI: %v", err)
	}
}

func TestAttach(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	saved := form.Answers{
		"dossiers_total":  {Value: "10", Collected: f(12), Explanation: "trùng hồ sơ"},
		"dossiers_online": {Value: "5"},
		"notes":           {Value: "ghi chú"},
	}
	got := Attach(saved, map[string]float64{"dossiers_total": 13, "dossiers_online": 6, "procedures_total": 40})
	check := func(id, value string, collected float64) {
		t.Helper()
		a := got[id]
		if a.Value != value || a.Collected == nil || *a.Collected != collected {
			t.Errorf("%s: %+v, want value %q beside collected %v", id, a, value, collected)
		}
	}
	check("dossiers_total", "10", 12) // the figure it corrected, not today's
	check("dossiers_online", "5", 6)
	check("procedures_total", "", 40)
	if got["notes"].Value != "ghi chú" || got["notes"].Collected != nil {
		t.Errorf("notes: %+v", got["notes"])
	}
	if saved["dossiers_online"].Collected != nil {
		t.Error("Attach changed the saved answers")
	}
}

func TestLive(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	saved := form.Answers{
		"dossiers_total":    {Value: "10", Collected: f(12), Explanation: "trùng hồ sơ"},
		"dossiers_online":   {Value: "5"},
		"procedures_online": {Collected: f(7)}, // a figure saved, nothing typed, none collected now
		"it_staff":          {Value: "3", Collected: f(4)},
		"notes":             {Value: "ghi chú"},
	}
	got := Live(saved, map[string]float64{"dossiers_total": 13, "dossiers_online": 6, "procedures_total": 40})
	check := func(id, value, explanation string, collected float64) {
		t.Helper()
		a := got[id]
		if a.Value != value || a.Explanation != explanation || a.Collected == nil || *a.Collected != collected {
			t.Errorf("%s: %+v, want value %q, explanation %q beside collected %v", id, a, value, explanation, collected)
		}
	}
	check("dossiers_total", "10", "trùng hồ sơ", 13) // today's figure, not the one saved
	check("dossiers_online", "5", "", 6)
	check("procedures_total", "", "", 40)
	if a := got["it_staff"]; a.Value != "3" || a.Collected != nil {
		t.Errorf("it_staff, nothing collected today: %+v", a)
	}
	if a, ok := got["procedures_online"]; ok {
		t.Errorf("procedures_online, nothing typed nor collected today: %+v", a)
	}
	if got["notes"].Value != "ghi chú" || got["notes"].Collected != nil {
		t.Errorf("notes: %+v", got["notes"])
	}
	if *saved["dossiers_total"].Collected != 12 || saved["dossiers_online"].Collected != nil || saved["it_staff"].Collected == nil {
		t.Error("Live changed the saved answers")
	}
}

func TestForStatePicksLiveWhileEditable(t *testing.T) {
	c := 12.0
	saved := form.Answers{"dossiers_total": {Value: "10", Collected: &c, Explanation: "trùng hồ sơ"}}
	now := map[string]float64{"dossiers_total": 13}
	for _, tc := range []struct {
		state workflow.State
		want  float64
	}{
		{workflow.NotStarted, 13}, {workflow.Draft, 13}, {workflow.Returned, 13},
		{workflow.Submitted, 12}, {workflow.Resubmitted, 12}, {workflow.Approved, 12},
	} {
		got := ForState(tc.state, saved, now)["dossiers_total"]
		if got.Collected == nil || *got.Collected != tc.want {
			t.Errorf("%s: the correction is shown beside %v, want %v", tc.state, got.Collected, tc.want)
		}
	}
}
