package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/reports/remind"
	"egovkpi/reports/workflow"
)

// TestReportOutboxCommand: report outbox lists the reminders newest first,
// filters them by unit, quarter and unsent, shows one in full, and names
// every bad argument (exit 2).
func TestReportOutboxCommand(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	if code, _, errOut := runCLI(t, env, "users", "add", "--login", "lan", "--role", "reporter", "--unit", "p34-01", "--email", "lan@hanoi.gov.vn"); code != 0 {
		t.Fatalf("users add: %d %s", code, errOut)
	}
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	// Two units that have not submitted 2026 Q3, reminded on 2026-10-08.
	statuses := remind.StatusFunc(func(_ context.Context, q workflow.Quarter, _ egovkpi.Block) ([]workflow.UnitStatus, error) {
		if q != (workflow.Quarter{Year: 2026, Q: 3}) {
			return nil, nil
		}
		return []workflow.UnitStatus{{UnitID: "p34-01", Quarter: q, State: workflow.Draft}, {UnitID: "p34-08", Quarter: q, State: workflow.NotStarted}}, nil
	})
	r := remind.New(db.Conn, statuses, auth.New(db.Conn), reg, remind.Options{Deadlines: workflow.Deadlines{Days: 15}, Before: []int{7, 1}, After: []int{1, 7}})
	if res, err := r.Run(ctx, time.Date(2026, 10, 8, 8, 0, 0, 0, workflow.Vietnam)); err != nil || res.Planned != 2 {
		t.Fatalf("seeding the outbox: %+v %v", res, err)
	}

	code, out, errOut := runCLI(t, env, "report", "outbox")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "CREATED") ||
		!strings.Contains(lines[1], "2026Q3/p34-08/before-7") || !strings.Contains(lines[1], "no_recipient") ||
		!strings.Contains(lines[2], "2026-10-08 08:00  2026Q3/p34-01/before-7") || !strings.Contains(lines[2], "pending") || !strings.Contains(lines[2], "lan@hanoi.gov.vn") {
		t.Fatalf("report outbox: %d %s\n%s", code, errOut, out)
	}
	for _, tc := range []struct {
		args []string
		rows int
	}{
		{[]string{"--unit", "p34-01"}, 1},
		{[]string{"--quarter", "2026q3", "--unsent"}, 2},
		{[]string{"--quarter", "2026Q2"}, 0},
		{[]string{"--limit", "1"}, 1},
	} {
		code, out, errOut := runCLI(t, env, append([]string{"report", "outbox"}, tc.args...)...)
		rows := strings.Count(out, "2026Q3/")
		if code != 0 || rows != tc.rows || tc.rows == 0 && !strings.Contains(out, "(no message)") {
			t.Errorf("report outbox %v: %d %s, %d rows, want %d:\n%s", tc.args, code, errOut, rows, tc.rows, out)
		}
	}
	code, out, errOut = runCLI(t, env, "report", "outbox", "2026Q3/p34-01/before-7")
	for _, want := range []string{"Status:    pending (0 attempts)", "To:        lan@hanoi.gov.vn", "Accounts:  lan", "Due:       2026-10-15",
		"Subject:   Nhắc nộp báo cáo quý III/2026 của Hà Nội: còn 7 ngày", "Kính gửi cán bộ phụ trách báo cáo của Thành phố Hà Nội"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("report outbox ID: %d %s, want %q in:\n%s", code, errOut, want, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--quarter", "2026Q5"}, "--quarter: quarter \"2026Q5\""},
		{[]string{"--unit", "p99-99"}, "--unit: unknown unit \"p99-99\""},
		{[]string{"--limit", "0"}, "--limit: want 1 to 10000"},
		{[]string{"a", "b"}, "want at most one message ID"},
		{[]string{"--remind-now", "--unit", "p34-01"}, "--remind-now takes no ID"},
		{[]string{"2026Q3/p34-02/before-7"}, "no message \"2026Q3/p34-02/before-7\""},
	} {
		if code, _, errOut := runCLI(t, env, append([]string{"report", "outbox"}, tc.args...)...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("report outbox %v: %d %s, want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestReportOutboxRemindNow: --remind-now makes a pass over the reports'
// real statuses (workflow.Store): in a database with no report, every
// expected unit of the quarters whose reminders have begun gets a message,
// none with a recipient (no reporter has an address); a second pass writes
// nothing. Bad deadline overrides stop it, naming the setting.
func TestReportOutboxRemindNow(t *testing.T) {
	db := testdb.Migrated(t)
	// The pass reads the clock: last quarter is made due today.
	today := egovkpi.Day(time.Now().In(workflow.Vietnam))
	last := workflow.QuarterOf(today).Prev()
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name,
		"EGOVKPI_DEADLINE_OVERRIDES": last.String() + "=" + today.Format(time.DateOnly)}
	code, out, errOut := runCLI(t, env, "report", "outbox", "--remind-now")
	m := regexp.MustCompile(`planned: (\d+) \((\d+) without recipient\)`).FindStringSubmatch(out)
	if code != 0 || m == nil || m[1] == "0" || m[1] != m[2] || !strings.Contains(out, "quarters: "+last.String()) || !strings.Contains(out, "e-mail: not configured") {
		t.Fatalf("--remind-now: %d %s\n%s", code, errOut, out)
	}
	planned, _ := strconv.Atoi(m[1])
	code, list, _ := runCLI(t, env, "report", "outbox", "--limit", "10000")
	if code != 0 || strings.Count(list, "no_recipient") != planned {
		t.Errorf("outbox after --remind-now: want %d messages without recipient:\n%s", planned, list)
	}
	if code, out, errOut := runCLI(t, env, "report", "outbox", "--remind-now"); code != 0 || !strings.Contains(out, "planned: 0 (0 without recipient)") {
		t.Errorf("second --remind-now: %d %s\n%s", code, errOut, out)
	}
	env["EGOVKPI_DEADLINE_OVERRIDES"] = "2026Q3=2026-09-01"
	if code, _, errOut := runCLI(t, env, "report", "outbox", "--remind-now"); code != 2 || !strings.Contains(errOut, "EGOVKPI_DEADLINE_OVERRIDES: deadline of 2026Q3") {
		t.Errorf("bad overrides: %d %s", code, errOut)
	}
}
