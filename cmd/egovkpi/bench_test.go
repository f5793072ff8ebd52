package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"egovkpi"
	"egovkpi/collector/bench"
	"egovkpi/collector/simulator"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
)

// TestBenchFiguresRuns is a small run of `egovkpi bench figures` (five days
// of every unit, two requests per table), so that the benchmark keeps
// working as the app changes (e.g. it must sign in).
func TestBenchFiguresRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("writes five days of every simulated unit")
	}
	db := testdb.Migrated(t)
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	code, out, errOut := runCLI(t, env, "bench", "figures", "--years", "1", "--day", "2026-01-05", "--requests", "2")
	if code != 0 {
		t.Fatalf("bench figures: exit %d\n%s\n%s", code, out, errOut)
	}
	// Every portal of the units in force on the collected day answers.
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	day := egovkpi.Date(2026, 1, 6)
	portals := len(bench.Sources(simulator.New(simulator.Options{Seed: 1, Registry: reg}), "", day, day))
	for _, want := range []string{"league, provinces, quarter 2025Q4", "766 index, provinces, year 2025", "rollup refresh after it:",
		fmt.Sprintf("%d portals): ", portals), fmt.Sprintf("runs map[ok:%d]\n", portals)} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestBenchWebRuns is a short `egovkpi bench web` (five days of data, one
// second of load per run): every request gets a league page with its
// table of figures (an empty table or a notice counts as an error).
func TestBenchWebRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("writes five days of every simulated unit")
	}
	db := testdb.Migrated(t)
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	code, out, errOut := runCLI(t, env, "bench", "web", "--years", "1", "--day", "2026-01-05", "--period", "2026-01-01..2026-01-05", "--duration", "1s", "--concurrency", "4")
	if code != 0 {
		t.Fatalf("bench web: exit %d\n%s\n%s", code, out, errOut)
	}
	if !regexp.MustCompile(`league-table pages \(HTML, signed in\)\s+[1-9]\d* requests\s+0 errors`).MatchString(out) {
		t.Errorf("the league pages did not all answer 200:\n%s", out)
	}
}
