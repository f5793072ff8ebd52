package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/dashboards"
	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
	"egovkpi/metrics"
)

// leagueFixture loads August 2025 for three provinces, every day covered:
// online rates 60/100 (p34-01), 30/50 (p34-04, the same 60.00 %: a tie) and
// 10/100 (p34-08).
func leagueFixture(t *testing.T) *chtest.DB {
	db := testdb.Migrated(t)
	ctx := context.Background()
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

// apiGet asks the web app, signed in as an analyst.
func apiGet(t *testing.T, db *chtest.DB, url string) (int, []byte) {
	st := auth.New(db.Conn)
	st.SetBcryptCost(bcrypt.MinCost)
	a, err := dashboards.New(dashboards.Deps{Conn: db.Conn, Auth: st})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := st.User(ctx, "analyst"); err != nil {
		if err := st.AddUser(ctx, auth.User{Login: "analyst", Role: auth.Analyst}, "a long password"); err != nil {
			t.Fatal(err)
		}
	}
	token, _, err := st.StartSession(ctx, "analyst")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", url, nil)
	req.Header.Set("Cookie", dashboards.SessionCookie+"="+token)
	resp, err := a.Fiber().Test(req, 30_000)
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
		{"block=province&period=2025-08&kpi=online_rate&kind=ministry", "parameter kind: unknown kind \"ministry\" for province (accepted: municipality, province)"},
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
	if status != 200 || !j.Empty || !strings.Contains(j.Message, "no data for on_time_rate in 2019") || len(j.Rows) != 25 || j.Target != nil {
		t.Fatalf("empty period: %d %s", status, body)
	}
	// The national target in force comes with the table.
	_, body = apiGet(t, db, "/api/v1/league?block=province&period=2021&kpi=full_process_coverage")
	j = metrics.TableJSON{}
	_ = json.Unmarshal(body, &j)
	if j.Target == nil || j.Target.Value != 1 || j.Target.Year != 2021 || !strings.Contains(j.Target.Source, "2021") || len(j.Rows) != 63 {
		t.Fatalf("target of full_process_coverage in 2021: %+v (%d rows)", j.Target, len(j.Rows))
	}
}

// TestSeriesAcrossTheProvinceMerger: Tuyên Quang of the 34 (p34-08) was
// formed on 2025-07-01 from Tuyên Quang (p63-08) and Hà Giang (p63-02). In
// its quarterly series, 2025Q2 is its predecessors' sums: p63-08 received
// 100 with 20 online, p63-02 300 with 90 online, so (20 + 90) / (100 + 300)
// = 27.50 % (averaging their ratios, 20 % and 30 %, would give 25 %).
// 2025Q3 is p34-08's own 60 / 200 = 30.00 %.
func TestSeriesAcrossTheProvinceMerger(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	st := store.New(db.Conn, nil)
	touched := store.Touched{}
	for _, l := range []struct {
		unit          string
		day           time.Time
		received, onl uint32
	}{
		{"p63-08", egovkpi.Date(2025, 5, 10), 100, 20},
		{"p63-02", egovkpi.Date(2025, 6, 10), 300, 90},
		{"p34-08", egovkpi.Date(2025, 8, 10), 200, 60},
	} {
		u := record.Usage{UnitID: l.unit, Day: l.day, Procedure: "1.000001"}
		u.SetValue(record.Received, l.received)
		u.SetValue(record.ReceivedOnline, l.onl)
		tt, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), UnitID: l.unit, Days: []time.Time{l.day}, Rows: []record.Usage{u}})
		if err != nil {
			t.Fatal(err)
		}
		touched.Merge(tt)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	code, cliOut, errOut := runCLI(t, env, "series", "--unit", "08", "--kpi", "online_rate", "--from", "2025Q2", "--to", "2025Q3", "--format", "json")
	if code != 0 {
		t.Fatalf("cli: %d %s", code, errOut)
	}
	status, apiOut := apiGet(t, db, "/api/v1/units/08/series?kpi=online_rate&from=2025Q2&to=2025Q3")
	if status != 200 || cliOut != string(apiOut) {
		t.Fatalf("API (%d) and CLI differ\nCLI:\n%s\nAPI:\n%s", status, cliOut, apiOut)
	}
	var s metrics.SeriesJSON
	if err := json.Unmarshal(apiOut, &s); err != nil {
		t.Fatal(err)
	}
	if s.UnitID != "p34-08" || len(s.Points) != 2 || len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "p63-02") {
		t.Fatalf("series: %+v", s)
	}
	q2, q3 := s.Points[0], s.Points[1]
	if *q2.Published != 27.5 || *q2.Numerator != 110 || *q2.Denominator != 400 || len(q2.Carried) != 3 {
		t.Fatalf("2025Q2 = %+v, want 110/400 = 27.50 %% from p34-08's predecessors", q2)
	}
	if *q3.Published != 30 || len(q3.Carried) != 1 {
		t.Fatalf("2025Q3 = %+v, want p34-08's own 30 %%", q3)
	}
	if status, body := apiGet(t, db, "/api/v1/units/02/series?kpi=online_rate&from=2025Q2&to=2025Q3"); status != 400 || !strings.Contains(string(body), "parameter unit") {
		t.Fatalf("a code not valid at the end of the series: %d %s", status, body)
	}
}

// TestIndex766APIAndCLIAgree: the same 766 table from GET /api/v1/index766
// and egovkpi index766, byte for byte; bad parameters name themselves; the
// ranking rules come from the configuration.
func TestIndex766APIAndCLIAgree(t *testing.T) {
	db := leagueFixture(t)
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	code, cliOut, errOut := runCLI(t, env, "index766", "--block", "province", "--period", "2025-08", "--format", "json")
	if code != 0 {
		t.Fatalf("cli: exit %d: %s", code, errOut)
	}
	status, apiOut := apiGet(t, db, "/api/v1/index766?block=province&period=2025-08")
	if status != 200 || cliOut != string(apiOut) {
		t.Fatalf("API (%d) and CLI differ\nCLI:\n%s\nAPI:\n%s", status, cliOut, apiOut)
	}
	var j metrics.IndexTableJSON
	if err := json.Unmarshal(apiOut, &j); err != nil {
		t.Fatal(err)
	}
	// The fixture has received and received online only: every 766 ratio
	// is missing, but dossiers are unknown rather than 0, so the three
	// provinces with data are scored (0 points), not enough data (no
	// dossier count), and the others have no figure.
	if j.Methodology.Version != "2025" || len(j.Rows) != 34 || j.Empty || j.MissingPoints != 28 {
		t.Fatalf("index: version %s, %d rows, empty %v, missing points %v", j.Methodology.Version, len(j.Rows), j.Empty, j.MissingPoints)
	}
	for i, r := range j.Rows {
		scored := i < 3
		if scored != (r.Total != nil) || r.Rank != nil || r.NotEnoughData != scored || (scored && (*r.Total != 0 || r.Band.ID != "weak" || r.Dossiers != nil)) {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
	// One unit by official code; its rank is the block's.
	status, one := apiGet(t, db, "/api/v1/index766?block=province&period=2025-08&unit=08")
	var oj metrics.IndexTableJSON
	_ = json.Unmarshal(one, &oj)
	if status != 200 || len(oj.Rows) != 1 || oj.Rows[0].UnitID != "p34-08" {
		t.Fatalf("one unit: %d %s", status, one)
	}
	for _, tc := range []struct{ query, want string }{
		{"block=province&period=2021", "parameter period: m766: no Decision 766 version is in force on 2021-12-31"},
		{"block=province&period=2025-08&unit=99", "parameter unit:"},
		{"block=province&period=2025-08&unit=m-MOF", "parameter unit: m-MOF"},
		{"block=ministry", "parameter period: missing"},
	} {
		status, body := apiGet(t, db, "/api/v1/index766?"+tc.query)
		if status != 400 || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %s, want 400 and %q", tc.query, status, body, tc.want)
		}
	}
	if code, _, errOut := runCLI(t, env, "index766", "--block", "province", "--period", "2021"); code != 2 || !strings.Contains(errOut, "--period: m766: no Decision 766 version") {
		t.Errorf("cli, period before 766: %d %s", code, errOut)
	}
	// Rules from the configuration: with a minimum volume of 60 the 50
	// dossiers of p34-04 are not enough data (its 60.00 % is no longer
	// ranked) and p34-08 moves up to rank 2.
	env["EGOVKPI_RANK_MIN_VOLUME"] = "60"
	_, out, errOut := runCLI(t, env, "league", "--block", "province", "--period", "2025-08", "--kpi", "online_rate", "--format", "csv")
	lines := strings.Split(out, "\n")
	if len(lines) < 4 || !strings.Contains(lines[1], ",1,p34-01,") || !strings.Contains(lines[2], ",2,p34-08,") || !strings.Contains(lines[3], ",,p34-04,") || !strings.HasSuffix(lines[3], ",true") {
		t.Fatalf("league with EGOVKPI_RANK_MIN_VOLUME=60:\n%s%s", out, errOut)
	}
	// The table form says which inputs are not collected.
	delete(env, "EGOVKPI_RANK_MIN_VOLUME")
	if _, table, _ := runCLI(t, env, "index766", "--block", "province", "--period", "2025-08"); !strings.Contains(table, "28 points rest on inputs egovkpi does not collect") {
		t.Fatalf("table:\n%s", table)
	}
}
