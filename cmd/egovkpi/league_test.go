package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/dashboards"
	"egovkpi/internal/chtest"
	"egovkpi/metrics"
	"egovkpi/migrations"
)

// leagueFixture loads August 2025 for three provinces, every day covered:
// online rates 60/100 (p34-01), 30/50 (p34-04, the same 60.00 %: a tie) and
// 10/100 (p34-08).
func leagueFixture(t *testing.T) *chtest.DB {
	db := chtest.NewDB(t)
	ctx := context.Background()
	if _, err := migrations.NewRunner(db.Conn, migrations.Target{Database: db.Name}, nil).Up(ctx); err != nil {
		t.Fatal(err)
	}
	st := store.New(db.Conn, nil)
	var days []time.Time
	for d := egovkpi.Date(2025, 8, 1); d.Month() == time.August; d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	touched := store.Touched{}
	for unit, counts := range map[string][2]uint32{"p34-01": {100, 60}, "p34-04": {50, 30}, "p34-08": {100, 10}} {
		u := record.Usage{UnitID: unit, Day: days[3], Procedure: "1.000001"}
		u.SetValue(record.Received, counts[0])
		u.SetValue(record.ReceivedOnline, counts[1])
		tt, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), UnitID: unit, Days: days, Rows: []record.Usage{u}})
		if err != nil {
			t.Fatal(err)
		}
		touched.Merge(tt)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
	return db
}

func apiGet(t *testing.T, db *chtest.DB, url string) (int, []byte) {
	a, err := dashboards.New(dashboards.Deps{Conn: db.Conn})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", url, nil), 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestLeagueAPIAndCLIAgree(t *testing.T) {
	db := leagueFixture(t)
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	code, cliOut, errOut := runCLI(t, env, "league", "--block", "province", "--period", "2025-08", "--kpi", "online_rate", "--format", "json")
	if code != 0 {
		t.Fatalf("cli: exit %d: %s", code, errOut)
	}
	status, apiOut := apiGet(t, db, "/api/v1/league?block=province&period=2025-08&kpi=online_rate")
	if status != 200 {
		t.Fatalf("api: %d %s", status, apiOut)
	}
	if cliOut != string(apiOut) {
		t.Fatalf("CLI and API differ\nCLI:\n%s\nAPI:\n%s", cliOut, apiOut)
	}
	var j metrics.TableJSON
	if err := json.Unmarshal(apiOut, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Rows) != 34 || j.Empty {
		t.Fatalf("%d rows (empty %v), want the 34 provinces", len(j.Rows), j.Empty)
	}
	top := j.Rows[:3]
	if *top[0].Rank != 1 || *top[1].Rank != 1 || *top[2].Rank != 3 || *top[0].Published != 60 || *top[2].Published != 10 ||
		top[0].UnitID != "p34-01" || top[1].UnitID != "p34-04" || top[2].UnitID != "p34-08" || top[0].Completeness != 1 {
		t.Fatalf("top rows: %+v %+v %+v", top[0], top[1], top[2])
	}
	if j.Rows[3].Value != nil || j.Rows[3].Rank != nil {
		t.Fatalf("a province without data is ranked: %+v", j.Rows[3])
	}
	// The table and CSV forms print the same figures.
	_, table, _ := runCLI(t, env, "league", "--block", "province", "--period", "2025-08", "--kpi", "online_rate")
	if !strings.Contains(table, "60.00") || !strings.Contains(table, "Tỷ lệ hồ sơ trực tuyến") {
		t.Fatalf("table:\n%s", table)
	}
}

func TestLeagueBadInputAndEmptyPeriods(t *testing.T) {
	db := leagueFixture(t)
	for _, tc := range []struct{ query, want string }{
		{"block=district&period=2025-08&kpi=online_rate", "parameter block: unknown block \"district\" (accepted: ministry, province)"},
		{"block=province&period=2025-13&kpi=online_rate", "parameter period: period \"2025-13\": month 13 does not exist"},
		{"block=province&period=August&kpi=online_rate", "accepted: 2024-03 (month)"},
		{"block=province&period=2025-08&kpi=speed", "parameter kpi: unknown KPI \"speed\" (accepted: complaints_on_time_rate"},
		{"block=province&period=2025-08", "parameter kpi: missing"},
		{"block=province&period=2025-08&kpi=online_rate&region=NORTH", "parameter region: unknown region \"NORTH\""},
	} {
		status, body := apiGet(t, db, "/api/v1/league?"+tc.query)
		var e struct{ Error string }
		_ = json.Unmarshal(body, &e)
		if status != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: %d %s, want 400 and %q", tc.query, status, body, tc.want)
		}
	}
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	if code, _, errOut := runCLI(t, env, "league", "--block", "province", "--period", "2025-08", "--kpi", "speed"); code != 2 || !strings.Contains(errOut, "--kpi: unknown KPI") {
		t.Errorf("cli bad kpi: %d %s", code, errOut)
	}
	// A period with no data is an empty table that says so, not an error.
	status, body := apiGet(t, db, "/api/v1/league?block=ministry&period=2019&kpi=on_time_rate")
	var j metrics.TableJSON
	_ = json.Unmarshal(body, &j)
	if status != 200 || !j.Empty || !strings.Contains(j.Message, "no data for on_time_rate in 2019") || len(j.Rows) != 25 {
		t.Fatalf("empty period: %d %s", status, body)
	}
}
