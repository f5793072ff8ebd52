package metrics

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"egovkpi"
	"egovkpi/internal/refdata"
)

// The national figures of scenario "basic" for 2025-08: only p34-08 has
// dossiers, so the provinces' and the national online rate are its 6 of
// 14; ministries have no data (null, not 0).
func TestNationalOfScenarioBasic(t *testing.T) {
	db := loadScenario(t, filepath.Join("testdata", "basic"))
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	today := egovkpi.Date(2026, 1, 1)
	p, _ := ParsePeriod("2025-08", today)
	k, _ := KPIByID("online_rate")
	nt, err := National(context.Background(), db.Conn, reg, p, []KPI{k}, today)
	if err != nil {
		t.Fatal(err)
	}
	j := nt.JSON()
	row := j.KPIs[0]
	if got := fmtNum(row.Provinces.Numerator) + "/" + fmtNum(row.Provinces.Denominator); got != "6/14" {
		t.Errorf("provinces: %s, want 6/14", got)
	}
	if got := fmtNum(row.All.Numerator) + "/" + fmtNum(row.All.Denominator) + " " + fmtNum(row.All.Published); got != "6/14 42.86" {
		t.Errorf("all: %s, want 6/14 42.86", got)
	}
	if row.Ministries.Value != nil || row.Ministries.Numerator != nil {
		t.Errorf("ministries without data: %+v, want nulls", row.Ministries)
	}
	// 2 of 34 provinces reported 2025-08-04..05 (p34-08 two days, p34-01
	// one): the block's completeness is far below 1, and above 0.
	if c := j.Completeness[string(egovkpi.BlockProvince)]; c <= 0 || c >= 0.1 {
		t.Errorf("provinces' completeness %v", c)
	}
}

// A unit's figures carry its predecessors and match the league's; its
// weakest procedures are ranked by offline, then late dossiers.
func TestUnitFiguresAndWeakestProcedures(t *testing.T) {
	db := loadScenario(t, filepath.Join("testdata", "basic"))
	reg, _ := refdata.Load()
	today := egovkpi.Date(2026, 1, 1)
	p, _ := ParsePeriod("2025-08", today)
	u, _ := reg.ByID("p34-08")
	ctx := context.Background()
	f, err := FiguresOfUnit(ctx, db.Conn, reg, u, p, KPIs(), today)
	if err != nil {
		t.Fatal(err)
	}
	j := f.JSON()
	if len(j.KPIs) != len(KPIs()) {
		t.Fatalf("%d KPIs, want %d", len(j.KPIs), len(KPIs()))
	}
	for _, k := range j.KPIs {
		if k.KPI.ID == "online_rate" && fmtNum(k.Numerator)+"/"+fmtNum(k.Denominator) != "6/14" {
			t.Errorf("online_rate of p34-08: %s/%s", fmtNum(k.Numerator), fmtNum(k.Denominator))
		}
		// Targets: full_process_coverage has one (2021, all blocks: 1.00),
		// online_rate none.
		switch k.KPI.ID {
		case "full_process_coverage":
			if k.Target == nil || k.Target.Value != 1 || k.Value == nil || k.Attainment == nil || *k.Attainment != *k.Value/k.Target.Value {
				t.Errorf("full_process_coverage of p34-08: value %s, target %+v, attainment %s", fmtNum(k.Value), k.Target, fmtNum(k.Attainment))
			}
		case "online_rate":
			if k.Target != nil || k.Attainment != nil {
				t.Errorf("online_rate of p34-08: target %+v, attainment %s, want none", k.Target, fmtNum(k.Attainment))
			}
		}
	}
	if len(j.Carried) != 1 { // its predecessors ended before 2025-08
		t.Errorf("carried %v", j.Carried)
	}
	old, _ := reg.ByID("p63-02")
	if _, err := FiguresOfUnit(ctx, db.Conn, reg, old, p, KPIs(), today); err == nil {
		t.Error("a unit that ended before the period: no error")
	}

	w, err := WeakestProcedures(ctx, db.Conn, reg, u, p, 5)
	if err != nil {
		t.Fatal(err)
	}
	// offline: 1.000001 10-6 = 4, 1.000002 4-0 = 4 (tie: by code);
	// late: 1.000001 1 processed late (its overdue backlog, a stock, is
	// not counted), 1.000002 none (not listed).
	if got := procedures(w.MostOffline); got != "1.000001 10/4/1, 1.000002 4/4/0" {
		t.Errorf("most offline: %s", got)
	}
	if got := procedures(w.MostLate); got != "1.000001 10/4/1" || w.MostLate[0].Name != "Thủ tục 1.000001" {
		t.Errorf("most late: %s %+v", got, w.MostLate)
	}
	if w.MonthsFrom != "2025-08-01" || w.MonthsTo != "2025-08-31" {
		t.Errorf("months %s..%s, want 2025-08-01..2025-08-31", w.MonthsFrom, w.MonthsTo)
	}
	if _, err := WeakestProcedures(ctx, db.Conn, reg, old, p, 5); err == nil {
		t.Error("weakest procedures of a unit that ended before the period: no error")
	}
}

// procedures renders weakest procedures as "code received/offline/late".
func procedures(fs []ProcedureFigures) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Procedure+" "+fmtNum(f.Received)+"/"+fmtNum(f.Offline)+"/"+fmtNum(f.Late))
	}
	return strings.Join(out, ", ")
}

// Weakest procedures over a range across a month boundary read both whole
// months; a count no row reported stays NULL, and a procedure whose ranked
// figure is NULL is not listed.
func TestWeakestProceduresAcrossMonthsWithNulls(t *testing.T) {
	db := loadScenario(t, filepath.Join("testdata", "basic"))
	reg, _ := refdata.Load()
	ctx := context.Background()
	u, _ := reg.ByID("p34-08")
	// September: 1.000003 reports 3 processed late and no reception,
	// 1.000004 receives 5 without saying how many online, 1.000001 adds
	// 2 received, 2 online and 2 late.
	b, err := db.Conn.PrepareBatch(ctx, "INSERT INTO usage_unit_procedure_month (month, unit_id, procedure, days, received, received_online, processed_late)")
	if err != nil {
		t.Fatal(err)
	}
	n := func(x uint64) *uint64 { return &x }
	sep := egovkpi.Date(2025, 9, 1)
	for _, r := range []struct {
		proc                   string
		received, online, late *uint64
	}{
		{"1.000003", nil, nil, n(3)},
		{"1.000004", n(5), nil, nil},
		{"1.000001", n(2), n(2), n(2)},
	} {
		if err := b.Append(sep, "p34-08", r.proc, uint16(1), r.received, r.online, r.late); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	p, err := ParsePeriod("2025-08-20..2025-09-10", egovkpi.Date(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	w, err := WeakestProcedures(ctx, db.Conn, reg, u, p, 5)
	if err != nil {
		t.Fatal(err)
	}
	if w.MonthsFrom != "2025-08-01" || w.MonthsTo != "2025-09-30" {
		t.Errorf("months %s..%s, want 2025-08-01..2025-09-30", w.MonthsFrom, w.MonthsTo)
	}
	// 1.000004: offline unknown (online not reported), not listed.
	if got := procedures(w.MostOffline); got != "1.000001 12/4/3, 1.000002 4/4/0" {
		t.Errorf("most offline: %s", got)
	}
	if got := procedures(w.MostLate); got != "1.000001 12/4/3, 1.000003 NULL/NULL/3" {
		t.Errorf("most late: %s", got)
	}
	// The n largest, from SQL.
	w, err = WeakestProcedures(ctx, db.Conn, reg, u, p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := procedures(w.MostOffline) + "; " + procedures(w.MostLate); got != "1.000001 12/4/3; 1.000001 12/4/3" {
		t.Errorf("top 1: %s", got)
	}
}
