package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
)

// TestReportSnapshotCommand freezes August 2025 of leagueFixture (online
// rates: p34-01 60 %, p34-04 60 %, p34-08 10 %), corrects p34-08's month
// to 90 %, and reads the changes: p34-08 moved up from third to first,
// the two it overtook moved from first to second.
func TestReportSnapshotCommand(t *testing.T) {
	db := leagueFixture(t)
	ctx := context.Background()
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name, "USER": "analyst"}

	code, out, errOut := runCLI(t, env, "report", "snapshot", "freeze", "--period", "2025-08", "--note", "Chốt số liệu tháng 8")
	if code != 0 {
		t.Fatalf("freeze: exit %d: %s", code, errOut)
	}
	id := regexp.MustCompile(`snapshot (2025-08-[0-9a-f]{8})\n`).FindStringSubmatch(out)
	if id == nil || !strings.Contains(out, "Đã chốt số liệu chính thức 2025-08") || !strings.Contains(out, "cli:analyst") ||
		!strings.Contains(out, "2025-08-01..2025-08-31") || !strings.Contains(out, "Chốt số liệu tháng 8") || !strings.Contains(out, "chính thức / official") {
		t.Fatalf("freeze printed:\n%s", out)
	}

	code, out, errOut = runCLI(t, env, "report", "snapshot", "list")
	if code != 0 || !regexp.MustCompile(id[1]+` +2025-08 +2025-08-01 +2025-08-31 +cli:analyst .* 2025 +\d+ +yes +Chốt số liệu tháng 8`).MatchString(out) {
		t.Fatalf("list: exit %d %s\n%s", code, errOut, out)
	}

	code, out, errOut = runCLI(t, env, "report", "snapshot", "changes", id[1])
	if code != 0 || !strings.Contains(out, "no unit's figure or rank moved") {
		t.Fatalf("changes before any correction: exit %d %s\n%s", code, errOut, out)
	}

	// Tuyên Quang corrects its August: 90 of its 100 dossiers were online.
	st := store.New(db.Conn, nil)
	var days []time.Time
	for d := egovkpi.Date(2025, 8, 1); d.Month() == time.August; d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	u := record.Usage{UnitID: "p34-08", Day: days[3], Procedure: "1.000001"}
	u.SetValue(record.Received, 100)
	u.SetValue(record.ReceivedOnline, 90)
	touched, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), UnitID: "p34-08", Days: days, Rows: []record.Usage{u}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}

	code, out, errOut = runCLI(t, env, "report", "snapshot", "changes", id[1])
	if code != 0 {
		t.Fatalf("changes: exit %d: %s", code, errOut)
	}
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "online_rate") {
			rows = append(rows, strings.Join(strings.Fields(l), " "))
		}
	}
	want := []string{
		"province online_rate p34-08 Tuyên Quang 10.00 90.00 +80.00 3 1",
		"province online_rate p34-01 Hà Nội 60.00 60.00 0.00 1 2",
		"province online_rate p34-04 Cao Bằng 60.00 60.00 0.00 1 2",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") || strings.Count(out, "\n") != 2+len(want) {
		t.Fatalf("changes printed:\n%s\nwant the header and exactly:\n%s", out, strings.Join(want, "\n"))
	}

	// Every freeze is audited with the operator.
	log, err := auth.New(db.Conn).AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Action != "snapshot-freeze" || log[0].Target != id[1] || log[0].Actor != "cli:analyst" {
		t.Fatalf("audit log: %+v %v", log, err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "snapshot"}, "want a sub-command: freeze, list or changes"},
		{[]string{"report", "snapshot", "thaw"}, `unknown sub-command "thaw"`},
		{[]string{"report", "snapshot", "freeze"}, "freeze wants --period"},
		{[]string{"report", "snapshot", "freeze", "--period", "2025-13"}, "--period: period \"2025-13\": month 13 does not exist"},
		{[]string{"report", "snapshot", "freeze", "--period", "2999Q1"}, "period 2999Q1 ends on 2999-03-31: its figures can be frozen from 2999-04-01"},
		{[]string{"report", "snapshot", "freeze", "--period", "2025YTD"}, "is a year to date"},
		{[]string{"report", "snapshot", "changes"}, "changes wants one snapshot id"},
		{[]string{"report", "snapshot", "changes", "2025-08-00000000"}, `no such snapshot: "2025-08-00000000"`},
		{[]string{"report", "snapshot", "list", "extra"}, `unexpected argument "extra"`},
	} {
		if code, _, errOut := runCLI(t, env, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %s, want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, out, _ := runCLI(t, env, "report", "snapshot", "list"); strings.Count(out, "\n") != 2 {
		t.Fatalf("refused freezes were stored:\n%s", out)
	}
}
