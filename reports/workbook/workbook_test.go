package workbook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"egovkpi"
	"egovkpi/dashboards"
	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/workbook"
	"egovkpi/reports/workflow"
)

// dump is a workbook as openpyxl reads it (testdata/dump_workbook.py).
type dump struct {
	Sheets []string             `json:"sheets"`
	Sheet  map[string]sheetDump `json:"sheet"`
}

type sheetDump struct {
	Freeze         *string     `json:"freeze"`
	Filter         *string     `json:"filter"`
	Orientation    string      `json:"orientation"`
	Paper          any         `json:"paper"`
	FitToWidth     *int        `json:"fit_to_width"`
	FitToHeight    *int        `json:"fit_to_height"`
	FitToPage      bool        `json:"fit_to_page"`
	PrintTitleRows *string     `json:"print_title_rows"`
	MaxRow         int         `json:"max_row"`
	ReadOnlyRows   int         `json:"read_only_rows"`
	Charts         []chartDump `json:"charts"`
	Rows           [][]any     `json:"rows"`
	Formats        [][]string  `json:"formats"`
}

type chartDump struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Series []struct {
		Name       string `json:"name"`
		Categories string `json:"categories"`
		Values     string `json:"values"`
	} `json:"series"`
}

// header returns the sheet's header row, the first row of its autofilter,
// and its 1-based number; its first cell must start with first.
func (s sheetDump) header(t *testing.T, name, first string) ([]any, int) {
	t.Helper()
	var col string
	var n int
	if s.Filter == nil {
		t.Fatalf("sheet %q has no autofilter", name)
	}
	if _, err := fmt.Sscanf(strings.ReplaceAll(strings.SplitN(*s.Filter, ":", 2)[0], "$", ""), "%1s%d", &col, &n); err != nil || n < 1 || n > len(s.Rows) {
		t.Fatalf("sheet %q: autofilter %q", name, *s.Filter)
	}
	r := s.Rows[n-1]
	if v, ok := r[0].(string); !ok || !strings.HasPrefix(v, first) {
		t.Fatalf("sheet %q: header row %d starts with %q, want %q", name, n, r[0], first)
	}
	return r, n
}

// rowsBelow returns the rows under the header row until the first row
// whose column col is empty, keyed by that column's text.
func (s sheetDump) rowsBelow(header, col int) map[string][]any {
	out := map[string][]any{}
	for _, r := range s.Rows[header:] {
		if len(r) <= col || r[col] == nil {
			break
		}
		out[fmt.Sprint(r[col])] = r
	}
	return out
}

// readWorkbook runs openpyxl over the file. A missing reader fails the
// test: it is part of the test environment.
func readWorkbook(t *testing.T, path string) dump {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		t.Fatalf("python3 with openpyxl is missing (%v): `.ci/install test` installs Debian's python3-openpyxl", err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("/usr/bin/python3", filepath.Join("testdata", "dump_workbook.py"), path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openpyxl cannot read the workbook: %v\n%s", err, stderr.String())
	}
	var d dump
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("dump: %v", err)
	}
	return d
}

// api is the JSON API of the dashboards over the fixture's database, with
// the same settings and day, signed in as an analyst.
type api struct {
	base, cookie string
}

func startAPI(t *testing.T, fx fixture) api {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	users := auth.New(fx.db.Conn)
	users.SetBcryptCost(bcrypt.MinCost)
	app, err := dashboards.New(dashboards.Deps{Conn: fx.db.Conn, Now: func() time.Time { return fx.today.Add(12 * time.Hour) },
		Figures: &fx.settings, CacheEntries: -1, Auth: users, InsecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Serve(ctx, ln, time.Second) }()
	if err := users.AddUser(ctx, auth.User{Login: "analyst", Role: auth.Analyst}, "a long password"); err != nil {
		t.Fatal(err)
	}
	token, _, err := users.StartSession(ctx, "analyst")
	if err != nil {
		t.Fatal(err)
	}
	return api{base: "http://" + ln.Addr().String(), cookie: dashboards.SessionCookie + "=" + token}
}

// get decodes the API's answer to path into v.
func (a api) get(t *testing.T, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.base+path, nil)
	req.Header.Set("Cookie", a.cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// sameNumber compares a workbook cell with an API figure: both empty, or
// the same number.
func sameNumber(cell any, want *float64) bool {
	if want == nil {
		return cell == nil
	}
	got, ok := cell.(float64)
	return ok && math.Abs(got-*want) <= 1e-12*math.Max(1, math.Abs(*want))
}

func intCell(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

func show(p *float64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// expectedSheets are the workbook's sheets in order.
func expectedSheets() []string {
	out := []string{workbook.SheetCover, workbook.SheetTrend, workbook.SheetMinistries, workbook.SheetProvinces}
	for _, k := range metrics.KPIs() {
		out = append(out, workbook.KPISheetName(k))
	}
	return append(out, workbook.SheetSubmissions, workbook.SheetMethodology)
}

// TestWorkbookInRealReaders writes the 2025Q4 workbook of the fixture and
// reads it back with openpyxl (sheets, layout, print setup, the chart, and
// every figure against the JSON API's answer for the same period) and
// with LibreOffice (converted to PDF, its first pages drawn as PNG).
func TestWorkbookInRealReaders(t *testing.T) {
	if testing.Short() {
		t.Skip("writes national data for five weeks")
	}
	fx := newFixture(t)
	path := filepath.Join(t.TempDir(), workbook.FileName(fx.period))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	in := workbook.Input{Period: fx.period, Settings: fx.settings, Today: fx.today, GeneratedBy: "test",
		GeneratedAt: time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC), Status: sampleStatus(fx), Rates: sampleRates()}
	if err := workbook.Write(context.Background(), f, fx.db.Conn, fx.reg, in); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	a := startAPI(t, fx)
	d := readWorkbook(t, path)

	t.Run("sheets and layout", func(t *testing.T) { checkLayout(t, d) })
	t.Run("cover", func(t *testing.T) { checkCover(t, d, a, fx) })
	t.Run("trend and chart", func(t *testing.T) { checkTrend(t, d, a) })
	t.Run("league sheets", func(t *testing.T) { checkLeagues(t, d, a, fx) })
	t.Run("KPI sheets", func(t *testing.T) { checkKPISheets(t, d, a, fx) })
	t.Run("submissions", func(t *testing.T) { checkSubmissions(t, d) })
	t.Run("LibreOffice", func(t *testing.T) { checkLibreOffice(t, path) })
}

func checkLayout(t *testing.T, d dump) {
	if !slices.Equal(d.Sheets, expectedSheets()) {
		t.Fatalf("sheets %q\nwant %q", d.Sheets, expectedSheets())
	}
	for _, name := range d.Sheets {
		s := d.Sheet[name]
		if len([]rune(name)) > 31 {
			t.Errorf("sheet name %q is longer than Excel's 31 characters", name)
		}
		if s.Orientation != "landscape" || s.FitToWidth == nil || *s.FitToWidth != 1 || !s.FitToPage {
			t.Errorf("%s: print setup %q, fit to width %v, fit to page %v: want landscape, 1, true", name, s.Orientation, s.FitToWidth, s.FitToPage)
		}
		if fmt.Sprint(s.Paper) != "9" {
			t.Errorf("%s: paper %v, want A4 (9)", name, s.Paper)
		}
		if s.Freeze == nil || s.Filter == nil || s.PrintTitleRows == nil {
			t.Errorf("%s: frozen panes %v, autofilter %v, print titles %v: want all three", name, s.Freeze, s.Filter, s.PrintTitleRows)
		}
		// A reader in read-only mode trusts the sheet's dimension (which
		// may count empty rows, such as those under the chart).
		if s.ReadOnlyRows < s.MaxRow {
			t.Errorf("%s: a read-only reader sees %d rows of %d (dimension not set)", name, s.ReadOnlyRows, s.MaxRow)
		}
	}
	// The header rows, in Vietnamese first: filtered from, frozen under
	// and printed on every page.
	for name, first := range map[string]string{workbook.SheetCover: "Chỉ tiêu\nIndicator", workbook.SheetMinistries: "Hạng\nRank", workbook.SheetProvinces: "Hạng\nRank",
		"Hồ sơ trực tuyến": "Khối\nBlock", workbook.SheetSubmissions: "Khối\nBlock", workbook.SheetTrend: "Chỉ tiêu\nIndicator", workbook.SheetMethodology: "Mã\nID"} {
		s := d.Sheet[name]
		_, n := s.header(t, name, first)
		if !strings.HasSuffix(*s.Freeze, fmt.Sprint(n+1)) || *s.PrintTitleRows != fmt.Sprintf("$%d:$%d", n, n) {
			t.Errorf("%s: header row %d, frozen at %s, print titles %s", name, n, *s.Freeze, *s.PrintTitleRows)
		}
	}
	kpi := d.Sheet["Hồ sơ trực tuyến"]
	hdr, n := kpi.header(t, "Hồ sơ trực tuyến", "Khối")
	if hdr[3] != "Q1/2024" || hdr[10] != "Q4/2025" || !strings.HasPrefix(fmt.Sprint(hdr[2]), "Đơn vị") {
		t.Errorf("KPI sheet headings %q", hdr)
	}
	if got := kpi.Formats[n][10]; got != "0.00%" {
		t.Errorf("KPI sheet number format %q, want 0.00%%", got)
	}
	if *kpi.Freeze != fmt.Sprintf("D%d", n+1) {
		t.Errorf("KPI sheet frozen at %s: want the unit columns and the headings (D%d)", *kpi.Freeze, n+1)
	}
}

func checkCover(t *testing.T, d dump, a api, fx fixture) {
	var nat metrics.NationalJSON
	a.get(t, "/api/v1/national?period="+fx.period.String(), &nat)
	var prev metrics.NationalJSON
	a.get(t, "/api/v1/national?period="+fx.period.Previous().String(), &prev)
	s := d.Sheet[workbook.SheetCover]
	if title := fmt.Sprint(s.Rows[0][0]); !strings.Contains(title, "Quý 4/2025") {
		t.Errorf("cover title %q", title)
	}
	_, n := s.header(t, workbook.SheetCover, "Chỉ tiêu")
	rows := s.rowsBelow(n, 0)
	met := 0
	for i, k := range nat.KPIs {
		r, ok := rows[k.KPI.NameVI]
		if !ok {
			t.Errorf("cover lacks %s", k.KPI.NameVI)
			continue
		}
		var target *float64
		if k.Target != nil {
			target = &k.Target.Value
		}
		for col, want := range map[int]*float64{1: k.Ministries.Value, 2: k.Provinces.Value, 3: k.All.Value, 4: target, 5: k.Attainment} {
			if !sameNumber(r[col], want) {
				t.Errorf("cover, %s, column %d: %v, API %s", k.KPI.ID, col, r[col], show(want))
			}
		}
		if k.Attainment != nil && *k.Attainment >= 0.9 && *k.Attainment < 1 && !strings.HasPrefix(fmt.Sprint(r[6]), "Gần đạt") {
			t.Errorf("cover, %s: attainment %v marked %q, want Gần đạt", k.KPI.ID, *k.Attainment, r[6])
		}
		if k.Attainment != nil {
			met++
		}
		if k.All.Published != nil && prev.KPIs[i].All.Published != nil {
			change := *k.All.Published - *prev.KPIs[i].All.Published
			if !sameNumber(r[7], &change) {
				t.Errorf("cover, %s: change %v, API %v", k.KPI.ID, r[7], change)
			}
		}
	}
	if met == 0 {
		t.Error("no KPI of the cover has a target: the check of targets cannot fail")
	}
	for _, r := range s.Rows {
		if strings.HasPrefix(fmt.Sprint(r[0]), "Độ đầy đủ dữ liệu") {
			m, p := nat.Completeness["ministry"], nat.Completeness["province"]
			if !sameNumber(r[1], &m) || !sameNumber(r[2], &p) {
				t.Errorf("completeness %v %v, API %v %v", r[1], r[2], m, p)
			}
			return
		}
	}
	t.Error("the cover has no completeness row")
}

func checkTrend(t *testing.T, d dump, a api) {
	s := d.Sheet[workbook.SheetTrend]
	hdr, n := s.header(t, workbook.SheetTrend, "Chỉ tiêu")
	rows := s.rowsBelow(n, 0)
	for col := 1; col < len(hdr); col++ {
		label := fmt.Sprint(hdr[col]) // Q1/2024
		var nat metrics.NationalJSON
		a.get(t, "/api/v1/national?period="+label[3:]+"Q"+label[1:2], &nat)
		for _, k := range nat.KPIs {
			if got := rows[k.KPI.NameVI][col]; !sameNumber(got, k.All.Value) {
				t.Errorf("trend, %s, %s: %v, API %s", k.KPI.ID, label, got, show(k.All.Value))
			}
		}
	}
	if len(s.Charts) != 1 || s.Charts[0].Type != "LineChart" || len(s.Charts[0].Series) != 5 {
		t.Fatalf("trend charts: %+v, want one line chart of the 5 headline KPIs", s.Charts)
	}
	c := s.Charts[0]
	if !strings.Contains(c.Title, "Các chỉ tiêu chính") {
		t.Errorf("chart title %q", c.Title)
	}
	for _, sr := range c.Series {
		if !strings.HasPrefix(sr.Values, "'Xu hướng'!$B$") || sr.Categories != fmt.Sprintf("'Xu hướng'!$B$%d:$I$%d", n, n) {
			t.Errorf("chart series %+v: want the trend table's cells", sr)
		}
	}
}

func checkLeagues(t *testing.T, d dump, a api, fx fixture) {
	ranked, notEnough, moved := 0, 0, 0
	for _, blk := range metrics.Blocks {
		name := workbook.SheetMinistries
		if blk == egovkpi.BlockProvince {
			name = workbook.SheetProvinces
		}
		var j metrics.IndexTableJSON
		a.get(t, "/api/v1/index766?block="+string(blk)+"&period="+fx.period.String(), &j)
		s := d.Sheet[name]
		hdr, n := s.header(t, name, "Hạng")
		col := map[string]int{}
		for i, h := range hdr {
			col[strings.SplitN(fmt.Sprint(h), "\n", 2)[0]] = i
		}
		rows := s.rowsBelow(n, col["Mã"])
		if len(rows) != len(j.Rows) || len(j.Rows) == 0 {
			t.Errorf("%s: %d rows, API %d", name, len(rows), len(j.Rows))
		}
		for i, want := range j.Rows {
			r := rows[want.Code]
			if r == nil {
				t.Errorf("%s lacks %s", name, want.Code)
				continue
			}
			if got := s.Rows[n+i][col["Mã"]]; got != want.Code {
				t.Errorf("%s row %d: %v, API order %s", name, i+1, got, want.Code)
			}
			checks := map[string]*float64{"Hạng": intCell(want.Rank), "Thay đổi hạng": intCell(want.Movement), "Tổng điểm": want.Total,
				"Số hồ sơ": want.Dossiers, "Độ đầy đủ dữ liệu": &want.Completeness}
			for _, g := range want.Groups {
				score := g.Score
				checks[fmt.Sprintf("%s (%.0f)", g.Name.VI, g.Points)] = &score
			}
			for h, v := range checks {
				c, ok := col[h]
				if !ok {
					t.Fatalf("%s has no column %q: %q", name, h, hdr)
				}
				if !sameNumber(r[c], v) {
					t.Errorf("%s, %s, %s: %v, API %s", name, want.Code, h, r[c], show(v))
				}
			}
			band := ""
			if want.Band != nil {
				band = want.Band.Name.VI
			}
			if fmt.Sprint(r[col["Xếp loại"]]) != band && !(band == "" && r[col["Xếp loại"]] == nil) {
				t.Errorf("%s, %s: band %v, API %q", name, want.Code, r[col["Xếp loại"]], band)
			}
			if remark := fmt.Sprint(r[col["Ghi chú"]]); want.NotEnoughData != strings.HasPrefix(remark, "Chưa đủ dữ liệu") {
				t.Errorf("%s, %s: remark %q, API not enough data %v", name, want.Code, remark, want.NotEnoughData)
			}
			if want.Rank != nil {
				ranked++
			}
			if want.NotEnoughData {
				notEnough++
			}
			if want.Movement != nil && *want.Movement != 0 {
				moved++
			}
		}
		if got := s.Formats[n][col["Thay đổi hạng"]]; !strings.Contains(got, "▲") {
			t.Errorf("%s: movement format %q, want arrows", name, got)
		}
	}
	if ranked == 0 || notEnough == 0 || moved == 0 {
		t.Errorf("the fixture gives %d ranked units, %d with not enough data and %d moves: the checks need some of each", ranked, notEnough, moved)
	}
}

func checkKPISheets(t *testing.T, d dump, a api, fx fixture) {
	// Every unit's value of the period's quarter is its league table's.
	for _, k := range metrics.KPIs() {
		name := workbook.KPISheetName(k)
		s := d.Sheet[name]
		hdr, n := s.header(t, name, "Khối")
		rows := s.rowsBelow(n, 1)
		last := len(hdr) - 2 // the period's quarter, before the change
		withData := 0
		for _, blk := range metrics.Blocks {
			var j metrics.TableJSON
			a.get(t, "/api/v1/league?block="+string(blk)+"&kpi="+k.ID+"&period="+fx.period.String(), &j)
			for _, want := range j.Rows {
				r := rows[want.Code]
				if r == nil {
					t.Errorf("%s lacks %s %s", name, blk, want.Code)
					continue
				}
				if fmt.Sprint(r[2]) != want.NameVI {
					t.Errorf("%s, %s: unit %v, API %s", name, want.Code, r[2], want.NameVI)
				}
				if !sameNumber(r[last], want.Value) {
					t.Errorf("%s, %s, %s: %v, API %s", name, want.Code, hdr[last], r[last], show(want.Value))
				}
				if want.Value != nil {
					withData++
				}
			}
		}
		if withData == 0 {
			t.Errorf("%s: no unit has data in %s: the comparison cannot fail", name, fx.period)
		}
		// The quarters before the fixture's data are blank, never 0.
		for code, r := range rows {
			for c := 3; c < 6; c++ {
				if r[c] != nil {
					t.Errorf("%s, %s, %s: %v in a quarter without data, want blank", name, code, hdr[c], r[c])
				}
			}
		}
	}
	// Whole rows are the units' series, across the 2025 mergers: a
	// province of the 34 (formed 2025-07-01), a ministry formed
	// 2025-03-01 and one that continued; a day-based KPI, a catalogue
	// KPI and a catalogue state KPI.
	blanks := 0
	for _, kpi := range []string{"online_rate", "full_process_online_rate", "online_service_coverage"} {
		k, _ := metrics.KPIByID(kpi)
		name := workbook.KPISheetName(k)
		s := d.Sheet[name]
		_, n := s.header(t, name, "Khối")
		rows := s.rowsBelow(n, 1)
		for _, unit := range []string{"p34-08", "m-MAE", "m-MOF"} {
			u, _ := fx.reg.ByID(unit)
			var j metrics.SeriesJSON
			a.get(t, "/api/v1/units/"+unit+"/series?kpi="+kpi+"&from=2024Q1&to=2025Q4&step=quarter", &j)
			if len(j.Points) != workbook.TrendQuarters {
				t.Fatalf("series of %s: %d points", unit, len(j.Points))
			}
			for i, p := range j.Points {
				got := rows[u.Code][3+i]
				if !sameNumber(got, p.Value) {
					t.Errorf("%s, %s, %s: %v, series %s", name, unit, p.Period, got, show(p.Value))
				}
				if p.Value == nil && i >= 3 {
					blanks++
				}
			}
		}
	}
	if blanks == 0 {
		t.Error("no series point of a quarter with data is null: the check that no data stays blank cannot fail")
	}
}

func checkSubmissions(t *testing.T, d dump) {
	s := d.Sheet[workbook.SheetSubmissions]
	_, n := s.header(t, workbook.SheetSubmissions, "Khối\nBlock")
	rows := s.rowsBelow(n, 1)
	want := map[string]string{"01": "Đúng hạn", "08": "Trễ hạn", "MOF": "Chưa nộp, quá hạn", "MOH": "Chưa đến hạn"}
	for code, standing := range want {
		r := rows[code]
		if r == nil || !strings.HasPrefix(fmt.Sprint(r[8]), standing) {
			t.Errorf("submission of %s: %v, want %s", code, r, standing)
		}
	}
	if r := rows["01"]; r != nil {
		if r[3] != workflow.Approved.Label("vi") || r[6] != "2026-01-08T16:45:00" || r[7] != "2026-01-15T00:00:00" {
			t.Errorf("submission of 01: state %v, first submitted %v, due %v (Vietnam time)", r[3], r[6], r[7])
		}
	}
	var ministries []any
	for _, r := range s.Rows {
		if len(r) > 9 && r[0] == "Bộ, ngành" && r[1] == 19.0 {
			ministries = r
		}
	}
	if ministries == nil || !sameNumber(ministries[8], ptr(12.0/19)) || !sameNumber(ministries[9], ptr(10.0/19)) {
		t.Errorf("ministries' rates %v, want 12/19 submitted, 10/19 on time", ministries)
	}
}

func ptr(x float64) *float64 { return &x }

// checkLibreOffice converts the workbook to PDF with LibreOffice, draws
// its first pages (the cover, the trend and its chart) as PNG and checks
// they are not blank; they are kept in var/screenshots (or
// $EGOVKPI_SCREENSHOTS) for review.
func checkLibreOffice(t *testing.T, path string) {
	for _, bin := range []string{"/usr/bin/soffice", "/usr/bin/pdftoppm"} {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s is missing: `.ci/install test` installs Debian's libreoffice-calc-nogui and poppler-utils", bin)
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/soffice", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--convert-to", "pdf", "--outdir", dir, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf := filepath.Join(dir, strings.TrimSuffix(filepath.Base(path), ".xlsx")+".pdf")
	if out, err := exec.CommandContext(ctx, "/usr/bin/pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "3", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	shots := os.Getenv("EGOVKPI_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("..", "..", "var", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pages) != 3 {
		t.Fatalf("pdftoppm drew %d pages, want 3", len(pages))
	}
	for i, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if ink := inked(t, b); ink < 2000 {
			t.Errorf("page %d of the PDF has %d non-white pixels: blank", i+1, ink)
		}
		if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("workbook-%d.png", i+1)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// inked counts a PNG's pixels that are not white.
func inked(t *testing.T, b []byte) int {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); r < 0xf000 || g < 0xf000 || b < 0xf000 {
				n++
			}
		}
	}
	return n
}

// Bad input is refused with the field named, before any query.
func TestWriteRefusesBadInput(t *testing.T) {
	settings, err := metrics.DefaultSettings()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	conn := chtest.NewDB(t).Conn // no case reaches the database
	good := workbook.Input{Period: metrics.QuarterOf(2025, 4), Settings: settings, Today: egovkpi.Date(2026, 1, 10)}
	for _, c := range []struct {
		name string
		edit func(*workbook.Input)
		want string
	}{
		{"no period", func(in *workbook.Input) { in.Period = metrics.Period{} }, "Input.Period"},
		{"no methodology", func(in *workbook.Input) { in.Settings.Methodology = nil }, "766 methodology"},
		{"no day of reference", func(in *workbook.Input) { in.Today = time.Time{} }, "Input.Today"},
	} {
		in := good
		c.edit(&in)
		var buf bytes.Buffer
		err := workbook.Write(context.Background(), &buf, conn, reg, in)
		if err == nil || !strings.Contains(err.Error(), c.want) || buf.Len() != 0 {
			t.Errorf("%s: %v (%d bytes written), want an error naming %s", c.name, err, buf.Len(), c.want)
		}
	}
	if err := workbook.Write(context.Background(), io.Discard, nil, reg, good); err == nil || !strings.Contains(err.Error(), "connection") {
		t.Errorf("no connection: %v", err)
	}
}

// Every KPI has its own sheet, with a name Excel accepts.
func TestKPISheetNames(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range expectedSheets() {
		if n := len([]rune(name)); n > 31 || n == 0 || strings.ContainsAny(name, `:\/?*[]`) {
			t.Errorf("sheet name %q: Excel wants 1 to 31 characters, none of :\\/?*[]", name)
		}
		if seen[name] {
			t.Errorf("sheet name %q twice", name)
		}
		seen[name] = true
	}
	long := metrics.KPI{ID: "x", NameVI: "Tỷ lệ một chỉ tiêu mới có tên rất dài: hơn ba mươi mốt ký tự [thử]"}
	if got := workbook.KPISheetName(long); len([]rune(got)) != 31 || strings.ContainsAny(got, `:[]`) {
		t.Errorf("a long new KPI's sheet: %q", got)
	}
	if got := workbook.FileName(metrics.QuarterOf(2026, 3)); got != "egovkpi-bao-cao-lanh-dao-2026Q3.xlsx" {
		t.Errorf("file name %q", got)
	}
}
