package metrics

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"egovkpi"
)

// TestSeriesAcrossTheLevelChange: a monthly series of Hà Nội across
// 2022-08-15 maps level 4 onto full-process before that day and says so
// (testdata/levels2022/expected.csv works every figure out).
func TestSeriesAcrossTheLevelChange(t *testing.T) {
	dir := filepath.Join("testdata", "levels2022")
	db := loadScenario(t, dir)
	reg := mustRegistry(t)
	u, _ := reg.ByID("p63-01")
	got := map[string]Point{}
	var notes []string
	for _, kpi := range []string{"full_process_coverage", "online_service_coverage", "online_rate"} {
		k, _ := KPIByID(kpi)
		s, err := UnitSeries(context.Background(), db.Conn, reg, u, k, egovkpi.Date(2022, 7, 1), egovkpi.Date(2022, 9, 30), Month, egovkpi.Date(2026, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Points {
			got[kpi+" "+p.Period.String()] = p
		}
		notes = s.Notes
	}
	for _, want := range readCSV(t, filepath.Join(dir, "expected.csv")) {
		key := want["kpi"] + " " + want["period"]
		p, ok := got[key]
		if !ok {
			t.Errorf("%s: no point", key)
			continue
		}
		if n, d, v := fmtNum(p.Value.Num), fmtNum(p.Value.Den), fmtNum(p.Value.Ratio()); n != want["num"] || d != want["den"] || v != want["value"] {
			t.Errorf("%s = %s/%s = %s, want %s/%s = %s", key, n, d, v, want["num"], want["den"], want["value"])
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "2022-08-15") || !strings.Contains(notes[0], "level 4 is counted as full-process") {
		t.Errorf("notes %q, want the level mapping stated", notes)
	}
}
