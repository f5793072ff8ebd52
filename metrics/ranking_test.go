package metrics

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/metrics/m766"
)

// rankingScenario loads testdata/ranking and returns what the tests need.
func rankingScenario(t *testing.T) (*refdata.Registry, Period, string) {
	t.Helper()
	return mustRegistry(t), mustPeriod(t, "2025-08"), filepath.Join("testdata", "ranking")
}

func mustRegistry(t *testing.T) *refdata.Registry {
	t.Helper()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func mustPeriod(t *testing.T, s string) Period {
	t.Helper()
	p, err := ParsePeriod(s, egovkpi.Date(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func intText(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func rankText(r int) string {
	if r == 0 {
		return ""
	}
	return strconv.Itoa(r)
}

// TestLeagueOfScenarioRanking checks ties, movement, the not-enough-data
// rule and completeness through the database (testdata/ranking/league.csv).
func TestLeagueOfScenarioRanking(t *testing.T) {
	reg, p, dir := rankingScenario(t)
	db := loadScenario(t, dir)
	k, _ := KPIByID("on_time_rate")
	tbl, err := League(context.Background(), db.Conn, reg, egovkpi.BlockProvince, p, k, DefaultRules, Filter{}, egovkpi.Date(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Entries) != 34 {
		t.Fatalf("%d entries, want the 34 provinces", len(tbl.Entries))
	}
	for i, want := range readCSV(t, filepath.Join(dir, "league.csv")) {
		e := tbl.Entries[i]
		got := map[string]string{
			"unit_id": e.UnitID, "published": fmtNum(e.Published), "rank": rankText(e.Rank), "movement": intText(e.Movement),
			"not_enough_data": strconv.FormatBool(e.NotEnoughData), "completeness": strconv.FormatFloat(e.Completeness, 'f', -1, 64),
		}
		for col, w := range want {
			if got[col] != w {
				t.Errorf("row %d (%s): %s = %q, want %q", i+1, e.UnitID, col, got[col], w)
			}
		}
	}
}

// TestIndex766OfScenarioRanking checks the 766 index through the database
// against testdata/ranking/index766.csv (every figure worked out there).
func TestIndex766OfScenarioRanking(t *testing.T) {
	reg, p, dir := rankingScenario(t)
	db := loadScenario(t, dir)
	set, err := m766.Load()
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := Index766(context.Background(), db.Conn, reg, set, egovkpi.BlockProvince, p, DefaultRules, Filter{}, egovkpi.Date(2026, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Version.ID != "2025" || len(tbl.Entries) != 34 {
		t.Fatalf("version %s, %d entries; want 2025 and the 34 provinces", tbl.Version.ID, len(tbl.Entries))
	}
	for i, want := range readCSV(t, filepath.Join(dir, "index766.csv")) {
		e := tbl.Entries[i]
		got := map[string]string{
			"unit_id": e.UnitID, "total": fmtNum(e.Published), "band": e.Result.Band.ID, "rank": rankText(e.Rank),
			"movement": intText(e.Movement), "not_enough_data": strconv.FormatBool(e.NotEnoughData),
		}
		for _, g := range e.Result.Groups {
			got[g.ID] = strconv.FormatFloat(g.Score, 'f', -1, 64)
		}
		for col, w := range want {
			if got[col] != w {
				t.Errorf("row %d (%s): %s = %q, want %q", i+1, e.UnitID, col, got[col], w)
			}
		}
	}
	if rest := tbl.Entries[5]; rest.Published != nil || rest.Rank != 0 {
		t.Errorf("a province without data is scored: %+v", rest.Entry)
	}
	j := tbl.JSON(reg, "")
	if j.MissingPoints != 28 || len(j.NotCollected) != 8 || j.Empty || len(j.Rows) != 34 {
		t.Errorf("JSON: missing points %v, not collected %v, empty %v, %d rows", j.MissingPoints, j.NotCollected, j.Empty, len(j.Rows))
	}
	if one := tbl.JSON(reg, "p34-04"); len(one.Rows) != 1 || *one.Rows[0].Rank != 3 {
		t.Errorf("one unit: %+v", one.Rows)
	}
}
