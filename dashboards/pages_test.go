package dashboards

import (
	"context"
	"encoding/csv"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
)

// pagesApp is an app (now 2025-08-10) with dossiers of three provinces,
// 10 a day, received online: in July p34-08 9, p34-01 6, p34-04 3; in
// August 1-9 p34-08 6, p34-01 9, p34-04 3 (so p34-01 moves up a rank and
// p34-08 down one).
func pagesApp(t testing.TB) (*App, string) {
	t.Helper()
	a := fullApp(t)
	ctx := context.Background()
	st := a.deps.Store
	touched := store.Touched{}
	for unit, online := range map[string][2]uint32{"p34-08": {9, 6}, "p34-01": {6, 9}, "p34-04": {3, 3}} {
		touched.Merge(writeDays(t, st, unit, egovkpi.Date(2025, time.July, 1), egovkpi.Date(2025, time.July, 31), online[0]))
		touched.Merge(writeDays(t, st, unit, egovkpi.Date(2025, time.August, 1), egovkpi.Date(2025, time.August, 9), online[1]))
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
	if err := st.Quarantine(ctx, []store.Quarantined{{Source: "test", Kind: "usage", UnitID: "p34-08", Day: egovkpi.Date(2025, 8, 3), Procedure: "1.000009", Reason: "received_online 12 exceeds received 10", Raw: `{"received": 10}`}}); err != nil {
		t.Fatal(err)
	}
	cookie, _ := signIn(t, a, "analyst", auth.Analyst, "")
	return a, cookie
}

// writeDays loads unit's dossiers of each day from from to to (replacing
// what was there): 10 a day of one procedure, online of them received
// online. It returns what the load touched.
func writeDays(t testing.TB, st *store.Store, unit string, from, to time.Time, online uint32) store.Touched {
	t.Helper()
	var days []time.Time
	var rows []record.Usage
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		days = append(days, day)
		u := record.Usage{UnitID: unit, Day: day, Procedure: "1.000001"}
		u.SetValue(record.Received, 10)
		u.SetValue(record.ReceivedOnline, online)
		rows = append(rows, u)
	}
	touched, err := st.WriteUsage(context.Background(), store.UsageLoad{LoadID: st.NewLoadID(), Source: "test", UnitID: unit, Days: days, Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	return touched
}

// Every page renders with data, in both languages, and says what it shows.
func TestPagesRender(t *testing.T) {
	a, cookie := pagesApp(t)
	items, err := a.deps.Store.ListQuarantine(context.Background(), store.QuarantineFilter{})
	if err != nil || len(items) != 1 {
		t.Fatalf("quarantine: %v %v", items, err)
	}
	for _, tc := range []struct {
		url  string
		want []string
	}{
		{"/?period=2025-08", []string{"Tổng quan", "Tỷ lệ hồ sơ trực tuyến", "60,00 %", `<span class="same">=</span>`, `data-chart="chart-trend"`, `data-chart="chart-bands-province"`}},
		{"/?period=2025-08&lang=en", []string{"Overview", "Online-processing rate", "60.00%"}},
		{"/league?period=2025-08", []string{"Tháng 08/2025 (01/08/2025 – 31/08/2025)", `data-row="p34-01"`, "90,00 %", `<span class="up" title="+1">▲ 1</span>`, `<span class="down" title="-1">▼ 1</span>`, "Quần đảo Hoàng Sa", "Quần đảo Trường Sa", `href="/league.xlsx?block=province&amp;kpi=online_rate&amp;period=2025-08"`}},
		{"/league?period=2025-08&kpi=index766", []string{"Bộ chỉ số 766", "band-"}},
		{"/league?period=2025-08&block=ministry", []string{"Bộ, ngành", `id="tab-ministry" class="active"`}},
		{"/league?period=2025-08&region=DBSH", []string{`data-row="p34-01"`}},
		{"/units/p34-08?period=2025-08", []string{"Tuyên Quang", "Hình thành từ", "1.000001", `data-chart="chart-unit-trend"`, "60,00 %"}},
		{"/units/p63-02?period=2025Q3", []string{"Hà Giang", "Đơn vị kế thừa", "p34-08", "kết thúc", `<option value="2025Q2" selected>Quý 2/2025</option>`}},
		{"/units/02?period=2024Q4", []string{"Hà Giang", "p63-02"}}, // a code as of the period's end
		{"/?period=2025Q3&lang=en", []string{"Overview · Q3 2025"}},
		{"/league?period=2025-08&lang=en", []string{"2025-08 (2025-08-01 – 2025-08-31)"}},
		{"/methodology", []string{"Phương pháp tính", "Mức độ 4", "Toàn trình", "đang áp dụng", "chưa thu thập"}},
		{"/collection/quarantine?reason=exceeds", []string{"received_online 12 exceeds received 10", `data-rows="1"`}},
		{"/collection/quarantine/" + items[0].ID.String(), []string{"received_online 12 exceeds", `{&#34;received&#34;: 10}`, "egovkpi quarantine replay"}},
	} {
		code, body, _ := get(t, a, tc.url, cookie)
		if code != 200 {
			t.Errorf("%s: %d\n%s", tc.url, code, body)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q\n%s", tc.url, w, body)
			}
		}
	}
	// The region filter keeps that region's provinces only.
	if _, body, _ := get(t, a, "/league?period=2025-08&region=DBSH", cookie); strings.Contains(body, `data-row="p34-08"`) {
		t.Error("the region filter kept a province of another region")
	}
	for url, want := range map[string]int{"/units/nowhere": 404, "/league?period=2025-13": 400, "/league?sort=colour": 400, "/collection/quarantine?page=0": 400, "/collection/quarantine?page=abc": 400, "/collection/quarantine/x": 400} {
		if code, _, _ := get(t, a, url, cookie); code != want {
			t.Errorf("%s: %d, want %d", url, code, want)
		}
	}
}

// The downloads hold the rows of the page in the page's order.
func TestLeagueDownloadIsWhatIsShown(t *testing.T) {
	a, cookie := pagesApp(t)
	_, page, _ := get(t, a, "/league?period=2025-08&sort=value&dir=desc&lang=en", cookie)
	i1, i8, i2 := strings.Index(page, `data-row="p34-01"`), strings.Index(page, `data-row="p34-08"`), strings.Index(page, `data-row="p34-04"`)
	if i1 < 0 || !(i1 < i8 && i8 < i2) {
		t.Fatalf("sorted by value, descending: p34-01 %d, p34-08 %d, p34-04 %d", i1, i8, i2)
	}
	code, body, hdr := get(t, a, "/league.csv?period=2025-08&sort=value&dir=desc&lang=en", cookie)
	if code != 200 || !strings.Contains(strings.Join(hdr["Content-Disposition"], ""), "egovkpi-province-online_rate-2025-08.csv") {
		t.Fatalf("csv: %d %v", code, hdr)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "Rank" || len(recs) != 1+34 {
		t.Fatalf("csv header %v, %d rows", recs[0], len(recs))
	}
	for i, want := range [][]string{{"1", "01", "Hanoi", "90"}, {"2", "08", "Tuyen Quang", "60"}, {"3", "04", "Cao Bang", "30"}} {
		got := recs[1+i]
		if got[0] != want[0] || got[2] != want[1] || (want[2] != "" && got[3] != want[2]) || got[5] != want[3] {
			t.Errorf("csv row %d: %v, want rank %s code %s value %s", i+1, got, want[0], want[1], want[3])
		}
	}
	// Descending by rank reverses the ranked rows.
	_, page, _ = get(t, a, "/league?period=2025-08&dir=desc", cookie)
	i1, i8, i2 = strings.Index(page, `data-row="p34-01"`), strings.Index(page, `data-row="p34-08"`), strings.Index(page, `data-row="p34-04"`)
	if i2 < 0 || !(i2 < i8 && i8 < i1) {
		t.Errorf("by rank, descending: p34-04 %d, p34-08 %d, p34-01 %d", i2, i8, i1)
	}
	// The 766 table's download has its dossiers where a KPI has its
	// numerator and denominator, as on the page.
	if _, body, _ := get(t, a, "/league.csv?period=2025-08&kpi=index766&lang=en", cookie); !strings.Contains(body, "Dossiers") || strings.Contains(body, "Numerator") {
		t.Errorf("766 csv header:\n%s", body)
	}
	if code, body, _ := get(t, a, "/league.xlsx?period=2025-08&kpi=index766", cookie); code != 200 || !strings.HasPrefix(body, "PK") {
		t.Errorf("xlsx: %d", code)
	}
	if code, _, _ := get(t, a, "/league.pdf?period=2025-08", cookie); code != 404 {
		t.Errorf("league.pdf: %d, want 404", code)
	}
}

// A part that runs out of time shows a notice; the page still answers.
func TestSlowPartDegradesToANotice(t *testing.T) {
	a, cookie := pagesApp(t)
	a.deps.PartTimeout = time.Nanosecond
	code, body, _ := get(t, a, "/?period=2025-07", cookie)
	if code != 200 || !strings.Contains(body, "Phần này tải quá lâu") {
		t.Fatalf("overview with slow parts: %d", code)
	}
	if code, body, _ := get(t, a, "/units/p34-08?period=2025-07", cookie); code != 200 || !strings.Contains(body, "Phần này tải quá lâu") || !strings.Contains(body, "Tuyên Quang") {
		t.Fatalf("unit page with slow parts: %d", code)
	}
}

func TestNumbersInEachLanguage(t *testing.T) {
	p := 87.5
	for _, tc := range []struct {
		got, want string
	}{
		{Vietnamese.Number(1234567.891, 2), "1.234.567,89"},
		{English.Number(1234567.891, 2), "1,234,567.89"},
		{Vietnamese.Number(-0.001, 2), "0,00"},
		{Vietnamese.Number(-1234, 0), "-1.234"},
		{Vietnamese.Percent(&p), "87,50 %"},
		{English.Percent(&p), "87.50%"},
		{Vietnamese.Percent(nil), "–"},
		{Vietnamese.Share(0.9677), "96,8 %"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// BenchmarkLeaguePage renders the league page of a period whose figures
// are cached (the steady state under load), through the whole app.
func BenchmarkLeaguePage(b *testing.B) {
	a, cookie := pagesApp(b)
	req := func() {
		r := httptest.NewRequest("GET", "/league?period=2025-08", nil)
		r.Header.Set("Cookie", cookie)
		resp, err := a.Fiber().Test(r, -1)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("%v %v", resp, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	req()
	b.ResetTimer()
	for range b.N {
		req()
	}
}
