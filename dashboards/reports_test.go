package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/reports/form"
	"egovkpi/reports/remind"
	"egovkpi/reports/workflow"
)

// user is a signed-in account: its session cookie and CSRF token.
type user struct{ cookie, csrf string }

// reportsFixture is an app on 5 October 2025 (the third quarter is over;
// its reports are due on the 15th) with the quarterly reports, whose
// clock a test may move, and an account of every role: reporters of
// p34-08 and p34-01, an analyst, a leader and an admin.
type reportsFixture struct {
	a                                    *App
	mu                                   sync.Mutex
	now                                  time.Time
	rep08, rep01, analyst, leader, admin user
}

var q3 = workflow.Quarter{Year: 2025, Q: 3}

// p34-08's collected figures for 2025Q3: 10 dossiers a day over the 92
// days, 6 of them online.
const (
	collectedTotal  = "920"
	collectedOnline = "552"
)

func reportsApp(t *testing.T) *reportsFixture {
	t.Helper()
	base, col := uploadApp(t)
	f := &reportsFixture{now: time.Date(2025, 10, 5, 3, 0, 0, 0, time.UTC)}
	f.a = withReports(t, base, col, f.clock)
	// Parts (the snapshot's recomputed tables above all) have time even on
	// a busy machine; TestSlowPartDegradesToANotice covers slow parts.
	f.a.deps.PartTimeout = time.Minute
	f.writeUsage(t, "p34-08", 6)
	for _, u := range []struct {
		to   *user
		role auth.Role
		unit string
	}{{&f.rep08, auth.Reporter, "p34-08"}, {&f.rep01, auth.Reporter, "p34-01"}, {&f.analyst, auth.Analyst, ""}, {&f.leader, auth.Leader, ""}, {&f.admin, auth.Admin, ""}} {
		login := string(u.role)
		if u.unit != "" {
			login = "rep-" + u.unit
		}
		u.to.cookie, u.to.csrf = signIn(t, f.a, login, u.role, u.unit)
	}
	return f
}

func (f *reportsFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// writeUsage loads unit's third quarter of 2025 (replacing what was
// there): 10 dossiers a day, online of them online.
func (f *reportsFixture) writeUsage(t *testing.T, unit string, online uint32) {
	t.Helper()
	st := f.a.deps.Store
	touched := writeDays(t, st, unit, egovkpi.Date(2025, time.July, 1), egovkpi.Date(2025, time.September, 30), online)
	if err := st.RefreshRollups(context.Background(), touched); err != nil {
		t.Fatal(err)
	}
	// The cached figures follow the load, as Serve's watcher has them do.
	if err := f.a.cache.Poll(context.Background(), f.a.deps.Conn); err != nil {
		t.Fatal(err)
	}
}

func (f *reportsFixture) get(t *testing.T, u user, target string) (int, string) {
	t.Helper()
	status, _, body := do(t, f.a, "GET", target, u.cookie, nil)
	checkTranslated(t, target, body)
	return status, body
}

// textNode is the text between two tags.
var textNode = regexp.MustCompile(`>([^<]+)<`)

// checkTranslated fails the test when a page shows a message key as text.
func checkTranslated(t *testing.T, target, body string) {
	t.Helper()
	for _, k := range untranslated(body) {
		t.Errorf("%s shows %q, a message key without a text", target, k)
	}
}

// untranslated lists the message keys a page shows as text (what Lang.T
// returns for a key it does not know): words made of a known key's first
// part, a dot and more.
func untranslated(body string) []string {
	prefixes := map[string]bool{}
	for k := range messages {
		p, _, _ := strings.Cut(k, ".")
		prefixes[p] = true
	}
	word := regexp.MustCompile(`\b([a-z][a-z0-9_]*)\.[a-z0-9_.]*[a-z_]\b`)
	var out []string
	for _, m := range textNode.FindAllStringSubmatch(body, -1) {
		for _, w := range word.FindAllStringSubmatch(html.UnescapeString(m[1]), -1) {
			if prefixes[w[1]] {
				out = append(out, w[0])
			}
		}
	}
	return out
}

func TestUntranslatedFindsKeys(t *testing.T) {
	body := `<h3>Quý 3/2025 <span>reports.due_on</span></h3><a href="/reports/p34-08/2025Q3">Tuyên Quang</a><p>Mục 4.6 · dichvucong.tuyenquang.gov.vn · mẫu 2022.1</p>`
	if got := untranslated(body); len(got) != 1 || got[0] != "reports.due_on" {
		t.Errorf("untranslated: %q, want [reports.due_on]", got)
	}
}

// post sends a form with u's session and CSRF token.
func (f *reportsFixture) post(t *testing.T, u user, target string, form url.Values) (int, string, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set(csrfField, u.csrf)
	status, loc, body := do(t, f.a, "POST", target, u.cookie, form)
	checkTranslated(t, target, body)
	return status, loc, body
}

// versions are every stored version of p34-08's (or unit's) report.
func (f *reportsFixture) versions(t *testing.T, unit string) []workflow.Version {
	t.Helper()
	vs, err := f.a.deps.Reports.Versions(context.Background(), workflow.Key{UnitID: unit, Quarter: q3})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func (f *reportsFixture) def(t *testing.T) *form.Definition {
	t.Helper()
	def, err := f.a.deps.Reports.Forms().For(q3.First())
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// completeForm answers every indicator so that every rule holds, with the
// collected figures as they are.
func completeForm(def *form.Definition, action string, base int) url.Values {
	v := url.Values{"action": {action}, "base": {fmt.Sprint(base)}}
	for _, ind := range def.Indicators() {
		val := "1"
		switch ind.Type {
		case form.YesNo:
			val = "yes"
		case form.Text:
			val = "https://dichvucong.tuyenquang.gov.vn"
		case form.Percent:
			val = "87,5"
		case form.Decimal:
			val = "12,5"
		}
		v.Set(valueField+ind.ID, val)
	}
	v.Set(valueField+"procedures_total", "1850")
	v.Set(valueField+"dossiers_total", collectedTotal)
	v.Set(valueField+"dossiers_online", collectedOnline)
	return v
}

// indicatorRow is the table row of one indicator on a report's page.
func indicatorRow(body, id string) string {
	return regexp.MustCompile(`(?s)<tr id="ind-` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q\n%s", what, w, body)
		}
	}
}

const form08 = "/reports/p34-08/2025Q3"

// A report goes through its whole workflow over HTTP: the reporter saves
// and submits, an analyst returns it with a comment, the reporter sees
// the comment and resubmits, the analyst approves, and a later save is
// refused with nothing written. Every other role is refused what it may
// not do, on the server.
func TestReportWorkflowThroughHTTP(t *testing.T) {
	f := reportsApp(t)
	def := f.def(t)

	// The empty form: collected figures beside the values, prefilled.
	status, body := f.get(t, f.rep08, form08)
	if status != 200 {
		t.Fatalf("the form: %d\n%s", status, body)
	}
	mustContain(t, "the new form", body, "Tuyên Quang · Quý 3/2025", `data-state="not_started"`, `name="base" value="0"`, "15/10/2025", "Chưa đến hạn",
		`id="report-save"`, `id="report-submit"`, "giả định của egovkpi")
	row := indicatorRow(body, "dossiers_total")
	mustContain(t, "dossiers_total's row", row, `<td class="num collected">920</td>`, `name="v.dossiers_total" value="920"`, `name="e.dossiers_total"`, "4.6", "hồ sơ")
	if strings.Contains(indicatorRow(body, "it_staff"), `name="e.it_staff"`) {
		t.Error("an indicator without a collected figure asks for an explanation")
	}

	_, body = f.get(t, f.rep08, form08+"?lang=en")
	mustContain(t, "the form in English", body, "Tuyen Quang · Q3 2025", "Save draft", "Not started", "2025-10-15", "egovkpi&#39;s assumption")
	_, body = f.get(t, f.analyst, "/reports?lang=en&period=2025Q3")
	mustContain(t, "the reports page in English", body, "Reporting rates by block", "Provinces", "Not started")

	// A draft: saved, and hidden from the reviewers.
	draft := url.Values{"action": {"save"}, "base": {"0"}, "v.notes": {"Bản nháp chưa gửi"}, "v.it_staff": {"12"}}
	if status, loc, body := f.post(t, f.rep08, form08, draft); status != 303 || loc != form08+"?notice=saved" {
		t.Fatalf("save: %d %q\n%s", status, loc, body)
	}
	_, body = f.get(t, f.rep08, form08+"?notice=saved")
	mustContain(t, "the saved draft", body, "Đã lưu bản nháp.", `data-state="draft"`, `name="v.it_staff" value="12"`, `id="report-tofix"`)
	_, body = f.get(t, f.analyst, form08)
	mustContain(t, "the analyst's view of a draft", body, `id="report-hidden"`, `data-state="draft"`)
	if strings.Contains(body, "Bản nháp chưa gửi") || strings.Contains(body, `id="review-form"`) {
		t.Error("an analyst sees the draft's content, or may review a draft")
	}
	if status, _ := f.get(t, f.analyst, form08+"/versions/1"); status != 404 {
		t.Errorf("an analyst opening the draft's version: %d, want 404", status)
	}

	// Submitted: on time, with the reviewers; the reporter cannot change it.
	submission := completeForm(def, "submit", 1)
	submission.Set("e.dossiers_online", "Đã đối chiếu với Cổng DVC")
	if status, loc, body := f.post(t, f.rep08, form08, submission); status != 303 || loc != form08+"?notice=submitted" {
		t.Fatalf("submit: %d %q\n%s", status, loc, body)
	}
	if status, _, _ := f.post(t, f.rep08, form08, completeForm(def, "save", 2)); status != 409 {
		t.Errorf("saving a submitted report: %d, want 409", status)
	}
	// Only analysts review; nobody else saves.
	for name, u := range map[string]user{"leader": f.leader, "admin": f.admin, "reporter": f.rep08} {
		for _, action := range []string{"return", "approve"} {
			if status, _, _ := f.post(t, u, form08, url.Values{"action": {action}, "base": {"2"}, "comment": {"x"}}); status != 403 {
				t.Errorf("%s %s: %d, want 403", name, action, status)
			}
		}
	}
	for name, u := range map[string]user{"leader": f.leader, "admin": f.admin, "analyst": f.analyst, "reporter of p34-01": f.rep01} {
		for _, action := range []string{"save", "submit"} {
			if status, _, _ := f.post(t, u, form08, completeForm(def, action, 2)); status != 403 {
				t.Errorf("%s %s: %d, want 403", name, action, status)
			}
		}
	}
	// A return needs a comment.
	if status, _, body := f.post(t, f.analyst, form08, url.Values{"action": {"return"}, "base": {"2"}, "comment": {"  "}}); status != 422 || !strings.Contains(body, "Cần ghi nội dung yêu cầu đơn vị sửa") {
		t.Errorf("a return without a comment: %d", status)
	} else {
		// The refused page still shows the unit's answers and explanations.
		mustContain(t, "the refused return's dossiers_total", indicatorRow(body, "dossiers_total"), `<span class="answer" data-value="920">920</span>`)
		mustContain(t, "the refused return's dossiers_online", indicatorRow(body, "dossiers_online"), "Đã đối chiếu với Cổng DVC")
	}
	if n := len(f.versions(t, "p34-08")); n != 2 {
		t.Fatalf("%d versions after the refused actions, want 2", n)
	}
	_, body = f.get(t, f.analyst, form08)
	mustContain(t, "the analyst's view of the submission", body, `data-state="submitted"`, `id="review-form"`, "Đúng hạn",
		`<span class="answer" data-value="920">920</span>`)
	comment := "Mục 4.6: số hồ sơ chưa khớp với Cổng DVC"
	if status, loc, body := f.post(t, f.analyst, form08, url.Values{"action": {"return"}, "base": {"2"}, "comment": {comment}}); status != 303 || loc != form08+"?notice=returned" {
		t.Fatalf("return: %d %q\n%s", status, loc, body)
	}

	// The reporter sees the return's comment, corrects and resubmits.
	_, body = f.get(t, f.rep08, form08)
	mustContain(t, "the returned report", body, `data-state="returned"`, `class="review-comment returned"`, "Báo cáo bị trả lại", comment, `id="report-submit"`)
	resubmit := completeForm(def, "submit", 3)
	resubmit.Set("v.dossiers_total", "930")
	if status, _, body := f.post(t, f.rep08, form08, resubmit); status != 422 || !strings.Contains(indicatorRow(body, "dossiers_total"), "cần giải trình") {
		t.Fatalf("a correction without its explanation: %d\n%s", status, body)
	}
	resubmit.Set("e.dossiers_total", "Cổng DVC tính thiếu 10 hồ sơ nộp trực tiếp")
	if status, loc, body := f.post(t, f.rep08, form08, resubmit); status != 303 || loc != form08+"?notice=submitted" {
		t.Fatalf("resubmit: %d %q\n%s", status, loc, body)
	}

	// A stale version is a conflict; the current one is approved.
	if status, _, body := f.post(t, f.analyst, form08, url.Values{"action": {"approve"}, "base": {"3"}}); status != 409 || !strings.Contains(body, "Báo cáo đã được thay đổi") {
		t.Errorf("approving version 3 when 4 exists: %d", status)
	}
	if status, loc, _ := f.post(t, f.analyst, form08, url.Values{"action": {"approve"}, "base": {"4"}, "comment": {"Đạt yêu cầu"}}); status != 303 || loc != form08+"?notice=approved" {
		t.Fatalf("approve: %d %q", status, loc)
	}
	_, body = f.get(t, f.rep08, form08)
	mustContain(t, "the approved report", body, `data-state="approved"`, `id="report-locked"`, "đã khoá", "Đạt yêu cầu")
	for _, absent := range []string{`id="report-save"`, `id="report-submit"`, `name="v.`} {
		if strings.Contains(body, absent) {
			t.Errorf("the approved report still offers %s", absent)
		}
	}
	// Locked: a later save is refused and nothing is written.
	if status, _, _ := f.post(t, f.rep08, form08, completeForm(def, "save", 5)); status != 403 {
		t.Errorf("saving an approved report: %d, want 403", status)
	}
	vs := f.versions(t, "p34-08")
	var got []string
	for _, v := range vs {
		got = append(got, v.Action+":"+string(v.State)+":"+v.Actor)
	}
	want := []string{"save:draft:rep-p34-08", "submit:submitted:rep-p34-08", "return:returned:analyst", "submit:resubmitted:rep-p34-08", "approve:approved:analyst"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("versions:\n got %v\nwant %v", got, want)
	}
	if a := vs[3].Answers["dossiers_total"]; a.Value != "930" || !a.Corrected() {
		t.Errorf("the correction: %+v", a)
	}

	// The versions: the list, and what changed.
	_, body = f.get(t, f.analyst, form08)
	for _, n := range []string{"2", "3", "4", "5"} {
		mustContain(t, "the analyst's versions", body, `<tr data-version="`+n+`"`)
	}
	if strings.Contains(body, `<tr data-version="1"`) {
		t.Error("the analyst's list shows the draft")
	}
	status, body = f.get(t, f.rep08, form08+"/versions/4")
	if status != 200 {
		t.Fatalf("version 4: %d", status)
	}
	mustContain(t, "version 4", body, "Thay đổi so với phiên bản 3", `<td class="before">920</td>`, "930", "Cổng DVC tính thiếu 10 hồ sơ")
	if status, _ := f.get(t, f.rep08, form08+"/versions/9"); status != 404 {
		t.Errorf("a version that does not exist: %d", status)
	}
}

// A form with problems comes back with each problem beside its indicator
// and what was typed, and nothing is saved.
func TestReportFormProblemsKeepWhatWasTyped(t *testing.T) {
	f := reportsApp(t)
	typed := url.Values{"action": {"save"}, "base": {"0"}, "v.it_staff": {"mười hai"}, "v.dossiers_total": {"12.500"}, "v.notes": {"Ghi chú đã nhập"}}
	status, _, body := f.post(t, f.rep08, form08, typed)
	if status != 422 {
		t.Fatalf("a save with two bad values: %d\n%s", status, body)
	}
	mustContain(t, "the refused save", body, "Chưa lưu gì: báo cáo có 2 lỗi cần sửa", "Ghi chú đã nhập")
	mustContain(t, "it_staff's row", indicatorRow(body, "it_staff"), `value="mười hai"`, "không phải là số", `class="has-problem"`)
	mustContain(t, "dossiers_total's row", indicatorRow(body, "dossiers_total"), `value="12.500"`, "không rõ là số nghìn hay số thập phân")
	if row := indicatorRow(body, "agencies_total"); strings.Contains(row, "problem") {
		t.Errorf("a blank indicator shows a problem on a draft: %s", row)
	}
	if n := len(f.versions(t, "p34-08")); n != 0 {
		t.Fatalf("a refused save wrote %d versions", n)
	}
	// A comment too long is refused with what was typed kept.
	long := url.Values{"comment": {strings.Repeat("x", form.MaxTextRunes+1)}}
	for k, v := range typed {
		long[k] = v
	}
	status, _, body = f.post(t, f.rep08, form08, long)
	if status != 422 {
		t.Fatalf("a save with a comment too long: %d\n%s", status, body)
	}
	mustContain(t, "the save with a comment too long", body, `value="mười hai"`, `value="12.500"`, "Ghi chú đã nhập")
	// In English too.
	status, _, body = f.post(t, f.rep08, form08+"?lang=en", typed)
	if status != 422 || !strings.Contains(indicatorRow(body, "it_staff"), "is not a number") {
		t.Errorf("in English: %d\n%s", status, indicatorRow(body, "it_staff"))
	}
	// A bad action or base is a 400.
	for _, form := range []url.Values{{"action": {"publish"}, "base": {"0"}}, {"action": {"save"}, "base": {"x"}}} {
		if status, _, _ := f.post(t, f.rep08, form08, form); status != 400 {
			t.Errorf("%v: %d, want 400", form, status)
		}
	}
}

// Reporters reach their own unit's report only, on every route; forms
// need the session's CSRF token; reporters' list shows their own unit
// only; a server without reports answers 404.
func TestReportsRefuseOtherUnits(t *testing.T) {
	f := reportsApp(t)
	for _, target := range []string{form08, form08 + "/template.xlsx", form08 + "/versions/1"} {
		if status, _ := f.get(t, f.rep01, target); status != 403 {
			t.Errorf("reporter of p34-01, GET %s: %d, want 403", target, status)
		}
	}
	if status, _, _ := f.post(t, f.rep01, form08, completeForm(f.def(t), "save", 0)); status != 403 {
		t.Errorf("reporter of p34-01 saving p34-08's report: %d", status)
	}
	if status, _ := postReportFile(t, f, f.rep01, "p34-08", url.Values{"base": {"0"}}, "a.xlsx", []byte("PK")); status != 403 {
		t.Errorf("reporter of p34-01 uploading p34-08's report: %d", status)
	}
	if status, _ := postReportFile(t, f, f.leader, "p34-08", url.Values{"base": {"0"}}, "a.xlsx", []byte("PK")); status != 403 {
		t.Errorf("a leader uploading: %d", status)
	}
	// Without the CSRF token (or with another's), nothing is done.
	for _, csrf := range []string{"", f.rep01.csrf} {
		form := completeForm(f.def(t), "save", 0)
		form.Set(csrfField, csrf)
		if status, _, body := do(t, f.a, "POST", form08, f.rep08.cookie, form); status != 403 || !strings.Contains(body, "CSRF") {
			t.Errorf("a save with CSRF %q: %d", csrf, status)
		}
	}
	if n := len(f.versions(t, "p34-08")); n != 0 {
		t.Fatalf("refused requests wrote %d versions", n)
	}
	// The reporter's list: its own quarters, no other unit.
	status, body := f.get(t, f.rep08, "/reports")
	if status != 200 {
		t.Fatalf("reporter's list: %d", status)
	}
	mustContain(t, "the reporter's list", body, `id="own-reports"`, `<tr data-quarter="2025Q3">`, `href="/reports/p34-08/2025Q3"`, "Tuyên Quang")
	for _, absent := range []string{"data-unit=", "p34-01", `id="rates-table"`, "workbook"} {
		if strings.Contains(body, absent) {
			t.Errorf("the reporter's list shows %q", absent)
		}
	}
	// Reports that cannot exist, and bad paths.
	for target, want := range map[string]int{"/reports/p34-08/2026Q1": 404, "/reports/p63-08/2025Q3": 403, "/reports/nowhere/2025Q3": 404, "/reports/p34-08/2025Q5": 400, "/reports/p34-08/2025Q3/versions/x": 400} {
		if status, _ := f.get(t, f.rep08, target); status != want {
			t.Errorf("reporter GET %s: %d, want %d", target, status, want)
		}
	}
	if status, _ := f.get(t, f.analyst, "/reports/p63-08/2025Q3"); status != 404 {
		t.Errorf("a unit merged away before the quarter's end: %d, want 404", status)
	}
	// A server without reports.
	plain := newApp(t, nil)
	cookie, _ := signIn(t, plain, "analyst", auth.Analyst, "")
	if status, _, body := do(t, plain, "GET", "/reports", cookie, nil); status != 404 || !strings.Contains(body, "chưa được bật") {
		t.Errorf("/reports without reports: %d", status)
	}
	if _, _, body := do(t, plain, "GET", "/methodology", cookie, nil); strings.Contains(body, `id="nav-reports"`) {
		t.Error("the navigation links the reports of a server without them")
	}
}

// The reports page's rates table shows what Store.Rates counts, and every
// expected unit's status.
func TestReportsRatesMatchTheStore(t *testing.T) {
	f := reportsApp(t)
	def := f.def(t)
	if status, _, body := f.post(t, f.rep08, form08, completeForm(def, "submit", 0)); status != 303 {
		t.Fatalf("submit: %d\n%s", status, body)
	}
	// p34-01 submits late, on the 16th in Vietnam.
	f.mu.Lock()
	f.now = time.Date(2025, 10, 15, 18, 0, 0, 0, time.UTC)
	f.mu.Unlock()
	if status, _, body := f.post(t, f.rep01, "/reports/p34-01/2025Q3", completeForm(def, "save", 0)); status != 303 {
		t.Fatalf("p34-01 save: %d\n%s", status, body)
	}
	if status, _, body := f.post(t, f.rep01, "/reports/p34-01/2025Q3", completeForm(def, "submit", 1)); status != 303 {
		t.Fatalf("p34-01 submit: %d\n%s", status, body)
	}
	status, body := f.get(t, f.leader, "/reports?period=2025Q3")
	if status != 200 {
		t.Fatalf("/reports: %d\n%s", status, body)
	}
	rates, err := f.a.deps.Reports.Rates(context.Background(), []workflow.Quarter{q3})
	if err != nil {
		t.Fatal(err)
	}
	cell := regexp.MustCompile(`<td class="num" data-col="(\w+)">([^<]*)</td>`)
	for _, r := range rates {
		row := regexp.MustCompile(`(?s)<tr data-block="` + string(r.Block) + `">.*?</tr>`).FindString(body)
		got := map[string]string{}
		for _, m := range cell.FindAllStringSubmatch(row, -1) {
			got[m[1]] = m[2]
		}
		want := map[string]string{"expected": fmt.Sprint(r.Expected), "submitted": fmt.Sprint(r.Submitted), "on_time": fmt.Sprint(r.OnTime),
			"late": fmt.Sprint(r.Late), "missing": fmt.Sprint(r.Missing), "pending": fmt.Sprint(r.Pending), "approved": fmt.Sprint(r.Approved),
			"submitted_share": shareText(Vietnamese, r.SubmittedShare()), "on_time_share": shareText(Vietnamese, r.OnTimeShare())}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s %s: page %q, store %q", r.Block, k, got[k], w)
			}
		}
		if r.Block == egovkpi.BlockProvince && (r.Expected != 34 || r.Submitted != 2 || r.OnTime != 1 || r.Late != 1 || r.Missing != 32) {
			t.Errorf("the store's province rates: %+v", r)
		}
	}
	mustContain(t, "the statuses", body, `<tr data-unit="p34-08">`, `<tr data-unit="p34-01">`, "Trễ hạn", "Đúng hạn", `href="/reports/p34-01/2025Q3"`,
		`href="/reports/workbook.xlsx?period=2025Q3"`, `id="nav-reports"`)
	// The overview shows the last whole quarter's rates (as of the 16th,
	// 2025Q3).
	status, body = f.get(t, f.leader, "/")
	if status != 200 {
		t.Fatalf("overview: %d", status)
	}
	overview := regexp.MustCompile(`(?s)<section id="reporting">.*?</section>`).FindString(body)
	mustContain(t, "the overview's reporting part", overview, "Quý 3/2025", `data-col="submitted_share">5,9 %</td>`, `data-col="on_time_share">2,9 %</td>`,
		`href="/reports?period=2025Q3"`, `id="overview-workbook"`)
	// A year sums its quarters.
	if status, body := f.get(t, f.analyst, "/reports?period=2025"); status != 200 || !strings.Contains(body, "Cộng dồn 4 quý") {
		t.Errorf("/reports of a year: %d", status)
	}
	if status, _ := f.get(t, f.analyst, "/reports?period=2025Q9"); status != 400 {
		t.Errorf("a bad period: %d", status)
	}
}

// requirePython fails the test when /usr/bin/python3 cannot read Excel
// files.
func requirePython(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").CombinedOutput(); err != nil {
		t.Fatalf("/usr/bin/python3 with openpyxl is needed to read the Excel files back (%v: %s): run .ci/install test", err, out)
	}
}

// fillTemplate writes values into a template with openpyxl, as a person
// would in Excel: each indicator's value (column F; a list is value and
// explanation) by its row's key (column H). It returns the file and, per
// indicator, the row, collected figure and value the template held.
func fillTemplate(t *testing.T, template []byte, values map[string]any) ([]byte, map[string][3]any) {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.xlsx"), filepath.Join(dir, "out.xlsx")
	if err := os.WriteFile(in, template, 0o600); err != nil {
		t.Fatal(err)
	}
	if values == nil {
		values = map[string]any{}
	}
	js, _ := json.Marshal(values)
	script := `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Báo cáo"]
rows = {}
for row in ws.iter_rows():
    key = row[7].value
    if key and not str(key).startswith("#"):
        rows[key] = row[0].row
held = {k: [r, ws.cell(r, 5).value, ws.cell(r, 6).value] for k, r in rows.items()}
for k, v in json.loads(sys.argv[3]).items():
    if isinstance(v, list):
        ws.cell(rows[k], 6).value, ws.cell(rows[k], 7).value = v
    else:
        ws.cell(rows[k], 6).value = v
wb.save(sys.argv[2])
print(json.dumps(held))
`
	res, err := exec.Command("/usr/bin/python3", "-c", script, in, out, string(js)).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, res)
	}
	var held map[string][3]any
	if err := json.Unmarshal(res, &held); err != nil {
		t.Fatalf("openpyxl's answer %q: %v", res, err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b, held
}

// postReportFile uploads a file to unit's 2025Q3 report as u.
func postReportFile(t *testing.T, f *reportsFixture, u user, unit string, fields url.Values, name string, content []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField(csrfField, u.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest("POST", "/reports/"+unit+"/2025Q3/upload", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Cookie", u.cookie)
	status, loc, b := send(t, f.a, req)
	if loc != "" {
		b = "Location: " + loc + "\n" + b
	}
	return status, b
}

// The Excel template goes out pre-filled and comes back filled in (by
// openpyxl, a real reader and writer) as a draft; a file with problems
// shows each problem with its sheet and cell and saves nothing, until the
// reporter asks to save its valid part.
func TestReportTemplateRoundTrip(t *testing.T) {
	requirePython(t)
	f := reportsApp(t)
	def := f.def(t)
	status, _, tpl := do(t, f.a, "GET", form08+"/template.xlsx", f.rep08.cookie, nil)
	if status != 200 || !strings.HasPrefix(tpl, "PK") {
		t.Fatalf("template: %d", status)
	}
	values := map[string]any{}
	for _, ind := range def.Indicators() {
		switch ind.Type {
		case form.YesNo:
			values[ind.ID] = "Có"
		case form.Text:
			values[ind.ID] = "Cổng dịch vụ công tỉnh"
		case form.Percent, form.Decimal:
			values[ind.ID] = 12.5
		default:
			values[ind.ID] = 1
		}
	}
	values["procedures_total"], values["it_staff"] = 1850, 7
	delete(values, "dossiers_total") // left as pre-filled
	delete(values, "dossiers_online")
	filled, held := fillTemplate(t, []byte(tpl), values)
	if h := held["dossiers_total"]; fmt.Sprint(h[1]) != collectedTotal || fmt.Sprint(h[2]) != collectedTotal {
		t.Errorf("the template's dossiers_total row (row, collected, value): %v, want %s collected and pre-filled", h, collectedTotal)
	}
	if status, body := postReportFile(t, f, f.rep08, "p34-08", url.Values{"base": {"0"}}, "bao-cao.xlsx", filled); status != 303 || !strings.Contains(body, form08+"?notice=uploaded") {
		t.Fatalf("upload: %d\n%s", status, body)
	}
	vs := f.versions(t, "p34-08")
	if len(vs) != 1 || vs[0].Action != workflow.ActionUpload || vs[0].State != workflow.Draft {
		t.Fatalf("after the upload: %+v", vs)
	}
	a := vs[0].Answers
	if a["it_staff"].Value != "7" || a["dossiers_total"].Value != collectedTotal || a["data_centre"].Value != "yes" || a["budget_spent"].Value != "12.5" || a["notes"].Value != "Cổng dịch vụ công tỉnh" {
		t.Errorf("the uploaded answers: %+v", a)
	}
	if probs := def.Validate(a); len(probs) != 0 {
		t.Errorf("the uploaded draft cannot be submitted: %v", probs)
	}

	// The saved answers go out again; two bad cells come back.
	_, _, tpl = do(t, f.a, "GET", form08+"/template.xlsx", f.rep08.cookie, nil)
	bad, held := fillTemplate(t, []byte(tpl), map[string]any{"it_staff": "mười hai", "dossiers_online": "=F20*2", "budget_spent": 99})
	if fmt.Sprint(held["it_staff"][2]) != "7" {
		t.Errorf("the second template's it_staff: %v, want the saved 7", held["it_staff"])
	}
	status, body := postReportFile(t, f, f.rep08, "p34-08", url.Values{"base": {"1"}}, "bao-cao.xlsx", bad)
	if status != 422 {
		t.Fatalf("an upload with problems: %d\n%s", status, body)
	}
	for _, id := range []string{"it_staff", "dossiers_online"} {
		mustContain(t, "the upload's problems", body, fmt.Sprintf(`data-cell="F%v"`, held[id][0]))
	}
	mustContain(t, "the upload's problems", body, "Báo cáo", "Số cán bộ", "Lưu phần hợp lệ làm bản nháp", "có 2 lỗi, chưa lưu gì")
	if n := len(f.versions(t, "p34-08")); n != 1 {
		t.Fatalf("an upload with problems wrote a version (%d)", n)
	}
	// Save the valid part: the same file, sent back with keep_valid=1.
	m := regexp.MustCompile(`name="data" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no file to send back in\n%s", body)
	}
	status, loc, body := f.post(t, f.rep08, form08+"/upload", url.Values{"keep_valid": {"1"}, "base": {"1"}, "name": {"bao-cao.xlsx"}, "data": {html.UnescapeString(m[1])}})
	if status != 303 || loc != form08+"?notice=uploaded" {
		t.Fatalf("saving the valid part: %d %q\n%s", status, loc, body)
	}
	vs = f.versions(t, "p34-08")
	if len(vs) != 2 {
		t.Fatalf("%d versions after saving the valid part, want 2", len(vs))
	}
	a = vs[1].Answers
	if a["budget_spent"].Value != "99" || a["it_staff"].Value != "7" || a["dossiers_online"].Value != collectedOnline {
		t.Errorf("the valid part: budget_spent %q (want 99), it_staff %q and dossiers_online %q (want the saved 7 and %s)",
			a["budget_spent"].Value, a["it_staff"].Value, a["dossiers_online"].Value, collectedOnline)
	}
	// A file that is not a template is refused whole.
	if status, body := postReportFile(t, f, f.rep08, "p34-08", url.Values{"base": {"2"}}, "ghi-chu.xlsx", []byte("không phải Excel")); status != 422 || !strings.Contains(body, "Không đọc được tệp ghi-chu.xlsx") {
		t.Errorf("not a template: %d\n%s", status, body)
	}
	if status, body := postReportFile(t, f, f.rep08, "p34-08", url.Values{"base": {"2"}}, "", nil); status != 400 || !strings.Contains(body, "Chưa chọn tệp") {
		t.Errorf("no file: %d\n%s", status, body)
	}
	if status, _, body := f.post(t, f.rep08, form08+"/upload", url.Values{"keep_valid": {"1"}, "base": {"2"}, "name": {"bao-cao.xlsx"}, "data": {"không phải base64"}}); status != 400 || !strings.Contains(body, "not base64") {
		t.Errorf("a file sent back garbled: %d\n%s", status, body)
	}
	if status, body := postReportFile(t, f, f.rep08, "p34-08", url.Values{"base": {"2"}}, "lon.xlsx", make([]byte, 5<<20+1)); status != 413 || !strings.Contains(body, "Tệp lớn quá 5 MiB") {
		t.Errorf("a file over the limit: %d\n%.300s", status, body)
	}
	// An upload over a version that changed meanwhile saves nothing.
	if status, body := postReportFile(t, f, f.rep08, "p34-08", url.Values{"base": {"1"}}, "bao-cao.xlsx", filled); status != 409 || !strings.Contains(body, "chưa lưu gì") {
		t.Errorf("an upload over version 1 when 2 exists: %d\n%.300s", status, body)
	}
	if n := len(f.versions(t, "p34-08")); n != 2 {
		t.Errorf("refused uploads wrote versions: %d, want 2", n)
	}
	// Staff download the template of what reached them: nothing yet, so
	// the collected figures.
	if status, _, tpl := do(t, f.a, "GET", form08+"/template.xlsx", f.analyst.cookie, nil); status != 200 || !strings.HasPrefix(tpl, "PK") {
		t.Errorf("the analyst's template: %d", status)
	} else if _, held := fillTemplate(t, []byte(tpl), nil); (held["it_staff"][2] != nil && held["it_staff"][2] != "") || fmt.Sprint(held["dossiers_total"][2]) != collectedTotal {
		t.Errorf("the analyst's template shows a draft: it_staff %v, dossiers_total %v", held["it_staff"], held["dossiers_total"])
	}
}

// The leadership workbook downloads for leaders (and admins, analysts),
// never for reporters, and opens in a real reader with its sheets.
func TestReportsWorkbookDownload(t *testing.T) {
	requirePython(t)
	f := reportsApp(t)
	status, _, body := do(t, f.a, "GET", "/reports/workbook.xlsx?period=2025Q3", f.leader.cookie, nil)
	if status != 200 || !strings.HasPrefix(body, "PK") {
		t.Fatalf("the leader's workbook: %d\n%.300s", status, body)
	}
	path := filepath.Join(t.TempDir(), "w.xlsx")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("/usr/bin/python3", "-c", "import sys, openpyxl; print('\\n'.join(openpyxl.load_workbook(sys.argv[1], read_only=True).sheetnames))", path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Tình hình nộp báo cáo") || !strings.Contains(string(out), "Tổng quan") {
		t.Errorf("the workbook's sheets: %s", out)
	}
	if status, _, _ := do(t, f.a, "GET", "/reports/workbook.xlsx?period=2025Q3", f.rep08.cookie, nil); status != 403 {
		t.Errorf("a reporter's workbook: %d, want 403", status)
	}
	if status, _, _ := do(t, f.a, "GET", "/reports/workbook.xlsx?period=Q3", f.leader.cookie, nil); status != 400 {
		t.Errorf("a bad period: %d, want 400", status)
	}
}

// Analysts freeze a period; everyone signed in sees the snapshots, the
// official one marked, and what moved since a snapshot.
func TestSnapshotsPages(t *testing.T) {
	f := reportsApp(t)
	for name, u := range map[string]user{"leader": f.leader, "admin": f.admin, "reporter": f.rep08} {
		if status, _, _ := f.post(t, u, "/snapshots", url.Values{"period": {"2025Q3"}}); status != 403 {
			t.Errorf("%s freezing: %d, want 403", name, status)
		}
	}
	if status, _, body := f.post(t, f.analyst, "/snapshots", url.Values{"period": {"2025Q4"}}); status != 422 || !strings.Contains(body, "chưa kết thúc") {
		t.Errorf("freezing a quarter not over: %d", status)
	}
	status, loc, body := f.post(t, f.analyst, "/snapshots", url.Values{"period": {"2025Q3"}, "note": {"Chốt số liệu quý 3"}})
	if status != 303 || !strings.HasPrefix(loc, "/snapshots/2025Q3-") {
		t.Fatalf("freeze: %d %q\n%s", status, loc, body)
	}
	status, body = f.get(t, f.leader, "/snapshots")
	if status != 200 {
		t.Fatalf("list: %d", status)
	}
	mustContain(t, "the list", body, `data-snapshot="`+strings.TrimPrefix(loc, "/snapshots/")+`" class="official"`, "Quý 3/2025", "chính thức", "Chốt số liệu quý 3")
	if strings.Contains(body, `id="freeze-form"`) {
		t.Error("a leader is offered the freeze form")
	}
	status, body = f.get(t, f.rep08, loc+"?block=province&table=online_rate")
	if status != 200 {
		t.Fatalf("the snapshot: %d\n%s", status, body)
	}
	mustContain(t, "the snapshot", body, "analyst", "Chốt số liệu quý 3", `id="no-moves"`, `<tr data-row="p34-08"`, "60,00 %", "Tỷ lệ hồ sơ trực tuyến")
	// Corrected data: p34-08 moves.
	f.writeUsage(t, "p34-08", 9)
	_, body = f.get(t, f.analyst, loc)
	moved := regexp.MustCompile(`(?s)<section id="changes">.*?</section>`).FindString(body)
	mustContain(t, "what moved", moved, `<tr data-unit="p34-08">`, "60,00 %", "90,00 %")
	if status, _ := f.get(t, f.analyst, "/snapshots/2025Q3-ffffffff"); status != 404 {
		t.Errorf("an unknown snapshot: %d", status)
	}
}

// Admins read the reminders' outbox.
func TestOutboxPage(t *testing.T) {
	f := reportsApp(t)
	r := remind.New(f.a.deps.Conn, f.a.deps.Reports, f.a.deps.Auth, f.a.reg, remind.Options{Deadlines: f.a.deps.Reports.Deadlines(), Before: []int{14}})
	res, err := r.Run(context.Background(), f.clock())
	if err != nil || res.Planned == 0 {
		t.Fatalf("a reminder pass: %+v %v", res, err)
	}
	status, body := f.get(t, f.admin, "/reports/outbox")
	if status != 200 {
		t.Fatalf("outbox: %d\n%s", status, body)
	}
	mustContain(t, "the outbox", body, `data-message="2025Q3/p34-08/before-14"`, "Không có người nhận", "Tuyên Quang")
	if status, body := f.get(t, f.admin, "/reports/outbox?unit=p34-01&quarter=2025Q3"); status != 200 || strings.Contains(body, "p34-08/before") {
		t.Errorf("the outbox of p34-01: %d", status)
	}
	if status, _ := f.get(t, f.analyst, "/reports/outbox"); status != 403 {
		t.Errorf("an analyst reading the outbox: %d", status)
	}
}

// A saved value put back into the form reads as the same value when it is
// sent again, in both languages, whatever its decimals.
func TestInputTextReadsBack(t *testing.T) {
	dec := form.Indicator{ID: "x", Code: "1", Type: form.Decimal}
	integer := form.Indicator{ID: "n", Code: "2", Type: form.Integer}
	for _, tc := range []struct {
		ind            form.Indicator
		stored, vi, en string
	}{
		{dec, "1.234", "1,2340", "1.2340"}, // three decimals alone read as thousands
		{dec, "12.5", "12,5", "12.5"},
		{dec, "0.234", "0,234", "0.234"},
		{dec, "1234.567", "1234,567", "1234.567"},
		{integer, "1234567", "1234567", "1234567"},
		{integer, "1234", "1234", "1234"},
	} {
		for lang, want := range map[Lang]string{Vietnamese: tc.vi, English: tc.en} {
			got := inputText(lang, tc.ind, tc.stored)
			if got != want {
				t.Errorf("inputText(%s, %s) = %q, want %q", lang, tc.stored, got, want)
			}
			if back, p := tc.ind.Canonical(got); p != nil || back != tc.stored {
				t.Errorf("%q (%s) reads back as %q, %v; want %s", got, lang, back, p, tc.stored)
			}
		}
	}
	if got := numberText(Vietnamese, 1234567.25); got != "1.234.567,25" {
		t.Errorf("numberText: %q", got)
	}
}
