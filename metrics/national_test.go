package metrics

import (
	"context"
	"path/filepath"
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
	// late: 1.000001 1 late + 1 overdue = 2, 1.000002 none (not listed).
	if len(w.MostOffline) != 2 || w.MostOffline[0].Procedure != "1.000001" || w.MostOffline[0].Offline != 4 || w.MostOffline[1].Procedure != "1.000002" {
		t.Errorf("most offline: %+v", w.MostOffline)
	}
	if len(w.MostLate) != 1 || w.MostLate[0].Late != 2 || w.MostLate[0].Name != "Thủ tục 1.000001" {
		t.Errorf("most late: %+v", w.MostLate)
	}
}
