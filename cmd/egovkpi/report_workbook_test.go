package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/testdb"
	"egovkpi/reports/workbook"
)

// TestReportWorkbook writes the leadership workbook of a quarter with
// `egovkpi report workbook` over a database with two units' dossiers, and
// reads it back with openpyxl: every sheet, the units' figures, and the
// submission sheet (which says why when the report status is unavailable).
func TestReportWorkbook(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	st := store.New(db.Conn, nil)
	day := egovkpi.Date(2025, 11, 3)
	for _, unit := range []struct {
		id               string
		received, online uint32
	}{{"p34-01", 100, 60}, {"m-MOF", 80, 20}} {
		u := record.Usage{UnitID: unit.id, Day: day, Procedure: "1.000001"}
		u.SetValue(record.Received, unit.received)
		u.SetValue(record.ReceivedOnline, unit.online)
		touched, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), UnitID: unit.id, Days: []time.Time{day}, Rows: []record.Usage{u}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RefreshRollups(ctx, touched); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name, "USER": "tester"}

	// Without --out, the usual name in the current directory.
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, env, "report", "workbook", "--period", "2025Q4")
	if code != 0 {
		t.Fatalf("report workbook: exit %d\n%s\n%s", code, out, errOut)
	}
	path := "egovkpi-bao-cao-lanh-dao-2025Q4.xlsx"
	if !strings.Contains(out, path) {
		t.Errorf("output does not name the file: %s", out)
	}
	if left, _ := filepath.Glob(".*"); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		t.Fatalf("python3 with openpyxl is missing (%v): `.ci/install test` installs Debian's python3-openpyxl", err)
	}
	script := `import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
kpi = {str(r[1]): r[10] for r in wb["Hồ sơ trực tuyến"].iter_rows(values_only=True) if r[0] in ("Bộ, ngành", "Tỉnh, thành phố")}
status = [c for r in wb["Tình hình nộp báo cáo"].iter_rows(values_only=True) for c in r if isinstance(c, str)]
cover = [c for r in wb["Tổng quan"].iter_rows(values_only=True) for c in r if isinstance(c, str)]
json.dump({"sheets": wb.sheetnames, "online": kpi, "status": status, "cover": cover}, sys.stdout, ensure_ascii=False)`
	raw, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, raw)
	}
	var got struct {
		Sheets []string
		Online map[string]*float64
		Status []string
		Cover  []string
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if len(got.Sheets) != 6+15 || got.Sheets[0] != workbook.SheetCover {
		t.Errorf("sheets %q", got.Sheets)
	}
	// Q4/2025 is the 8th quarter column: 60 of 100 and 20 of 80 online.
	if v := got.Online["01"]; v == nil || *v != 0.6 {
		t.Errorf("online rate of Hà Nội: %v, want 0.6", v)
	}
	if v := got.Online["MOF"]; v == nil || *v != 0.25 {
		t.Errorf("online rate of MOF: %v, want 0.25", v)
	}
	if v, ok := got.Online["02"]; ok && v != nil {
		t.Errorf("a province without data: %v, want blank", *v)
	}
	if !strings.Contains(strings.Join(got.Cover, " "), "cli:tester") {
		t.Errorf("the cover does not say who generated it: %q", got.Cover)
	}
	// No report is saved: every unit in force is expected, none has
	// started, and the due day (15 days after the quarter) has passed.
	status := strings.Join(got.Status, " | ")
	for _, want := range []string{"Hà Nội | Chưa bắt đầu | Chưa nộp, quá hạn", "Bộ Tài chính | Chưa bắt đầu | Chưa nộp, quá hạn"} {
		if !strings.Contains(status, want) {
			t.Errorf("the submission sheet lacks %q:\n%s", want, status)
		}
	}

	// --out elsewhere.
	other := filepath.Join(t.TempDir(), "lanh-dao.xlsx")
	if code, out, errOut := runCLI(t, env, "report", "workbook", "--period", "2025Q4", "--out", other); code != 0 {
		t.Fatalf("report workbook --out: exit %d\n%s\n%s", code, out, errOut)
	}
	if st, err := os.Stat(other); err != nil || st.Size() == 0 {
		t.Errorf("--out %s: %v", other, err)
	}
}

// Bad command lines exit 2 naming the flag, before any database work.
func TestReportWorkbookRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--period: missing"},
		{[]string{"--period", "2026Q5"}, "--period"},
		{[]string{"--period", "2026Q3", "--out", "/no/such/folder/x.xlsx"}, "--out"},
		{[]string{"--period", "2026Q3", "extra"}, "unexpected argument"},
	} {
		code, _, errOut := runCLI(t, nil, append([]string{"report", "workbook"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// TestBenchWorkbookRuns is a short `egovkpi bench workbook` (five days of
// every unit), run from the built binary: the bench makes the workbook
// with `egovkpi report workbook` in a child process of itself.
func TestBenchWorkbookRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds egovkpi and writes five days of every simulated unit")
	}
	db := testdb.Migrated(t)
	bin := buildBinary(t, t.TempDir())
	cmd := exec.Command(bin, "bench", "workbook", "--years", "1", "--day", "2026-01-05")
	cmd.Env = append(os.Environ(), "EGOVKPI_CLICKHOUSE_ADDR="+db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE="+db.Name, "EGOVKPI_LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench workbook: %v\n%s", err, out)
	}
	for _, want := range []string{
		`baseline, excelize StreamWriter 100000×20 cells to a file: \S+, peak RSS of this process [1-9]\d* MB`,
		`usage_facts [1-9]\d* rows`,
		`workbook of 2025Q4: 53 units, 15 KPIs, 8 quarters`,
		fmt.Sprintf("run %d, child process ", workbookRuns) + "`egovkpi report workbook`" + `: \S+ wall \(\S+ of it making the workbook\), peak RSS [1-9]\d* MB \(21 sheets, [1-9]\d* KiB\)`,
		`Write alone, in this process: median \S+`,
		`target <= 3s, <= 300 MB`,
	} {
		if !regexp.MustCompile(want).Match(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
