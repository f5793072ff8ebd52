package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/migrations"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

// TestBrowser drives Debian's Chromium (headless, through the DevTools
// protocol) against `egovkpi run` and its simulated portals: sign in, the
// overview, a league table, a unit page; the charts draw (canvases with
// non-blank pixels) while every host but loopback is unreachable; the
// language switch; the Excel download of a league table, read back with
// openpyxl; then a quarterly report's whole life through its pages, by
// the admin, a reporter and an analyst (walkReports). run uses the test's
// ClickHouse database so that the test can add those accounts. Any
// exception, console error or CSP violation in a page fails the test.
// Screenshots of each page go to var/screenshots (or
// $EGOVKPI_SCREENSHOTS) for review.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts egovkpi run and Chromium")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is missing: `.ci/install test` installs Debian's chromium")
	}
	shots := os.Getenv("EGOVKPI_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("..", "..", "var", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	const password = "browser-test-password"
	// run uses the test's ClickHouse database, not a private server, so
	// that the test can add the reporter and the analyst it signs in as.
	db := chtest.NewDB(t)
	current, _ := metrics.Containing(metrics.Quarter, time.Now())
	run := startRun(t, bin, filepath.Join(dir, "var"), "EGOVKPI_ADMIN_PASSWORD="+password, "EGOVKPI_DEMO_QUARTERS=2",
		"EGOVKPI_CLICKHOUSE_ADDR="+db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE="+db.Name, remindToday(current.Previous()))
	run.waitReady(t)
	checkRunMigrated(t, run, db)
	addAccounts(t, db)
	period := waitForRankedLeague(t, run)

	downloads := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		// The network beyond loopback is unavailable: no name resolves
		// but the loopback address the server listens on.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser and its tab
		t.Fatalf("start chromium: %v", err)
	}

	var mu sync.Mutex
	var requested, problems []string
	var suggested string
	downloaded := make(chan string, 1)
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requested = append(requested, e.Request.URL)
		case *runtime.EventExceptionThrown:
			problems = append(problems, fmt.Sprintf("exception: %s", e.ExceptionDetails.Text))
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				problems = append(problems, "console: "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, fmt.Sprintf("console.error: %v", e.Args))
			}
		case *browser.EventDownloadWillBegin:
			suggested = e.SuggestedFilename
		case *browser.EventDownloadProgress:
			if e.State == browser.DownloadProgressStateCompleted {
				select {
				case downloaded <- e.GUID:
				default:
				}
			}
		}
	}
	if err := chromedp.Listen(ctx, listen); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.ListenBrowser(ctx, listen); err != nil {
		t.Fatal(err)
	}
	tab := &browserTab{t: t, ctx: ctx, run: run, shots: shots}
	step, text, screenshot := tab.step, tab.text, tab.screenshot
	setup := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true)})
		return err
	})

	// Sign in through the form.
	step("sign in", chromedp.Steps(setup,
		chromedp.Navigate(run.url+"/login"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("nav-overview")),
	))

	// Overview: the trend and both band charts draw.
	step("overview", chromedp.Steps(chromedp.Navigate(run.url+"/?period="+period), chromedp.WaitVisible(chromedp.ID("headlines"))))
	waitCharts(t, ctx, 3)
	if h := text("h1"); !strings.Contains(h, "Tổng quan") {
		t.Errorf("overview heading %q, want Vietnamese first", h)
	}
	screenshot("overview")

	// League table of the provinces, in Vietnamese, with its tile map.
	step("league", chromedp.Steps(chromedp.Navigate(run.url+"/league?block=province&kpi=on_time_rate&period="+period), chromedp.WaitVisible(chromedp.ID("league-table"))))
	rows := evaluate[int](t, ctx, `document.querySelectorAll('#league-table tbody tr').length`)
	tiles := evaluate[int](t, ctx, `document.querySelectorAll('#tilemap rect.tile').length`)
	if rows != 34 || tiles != 34 {
		t.Errorf("league of the provinces: %d rows and %d tiles, want 34 and 34", rows, tiles)
	}
	if v := text("#league-table tbody tr td.value"); !strings.Contains(v, ",") || !strings.HasSuffix(v, " %") {
		t.Errorf("first value %q: want a Vietnamese percentage like 87,50 %%", v)
	}
	mapText := evaluate[string](t, ctx, `document.getElementById('tilemap').textContent`)
	for _, want := range []string{"Hoàng Sa", "Trường Sa"} {
		if !strings.Contains(mapText, want) {
			t.Errorf("the tile map does not mark %s", want)
		}
	}
	screenshot("league-vi")

	// Switch to English: same table, English words and numbers.
	// The switch loads the English page: wait for it, not for the
	// Vietnamese page's table that is already there.
	step("switch language", chromedp.Steps(chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #league-table`))))
	if h, v := text("h1"), text("#league-table tbody tr td.value"); !strings.Contains(h, "League tables") || !strings.HasSuffix(v, "%") || strings.Contains(v, ",") {
		t.Errorf("after switching: heading %q, first value %q", h, v)
	}
	screenshot("league-en")

	// Download the Excel of what is on screen and read it back.
	shown := evaluate[[][]string](t, ctx, `Array.from(document.querySelectorAll('#league-table tbody tr')).map(r => [r.querySelector('td a').textContent.trim(), r.querySelector('td.value').textContent.trim()])`)
	step("download Excel", chromedp.Click(chromedp.ID("download-xlsx")))
	var guid string
	select {
	case guid = <-downloaded:
	case <-time.After(30 * time.Second):
		t.Fatal("the Excel download did not complete")
	}
	mu.Lock()
	name := suggested
	mu.Unlock()
	if !strings.HasPrefix(name, "egovkpi-province-on_time_rate-"+period) || !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("the download is named %q", name)
	}
	xlsx := filepath.Join(downloads, "league.xlsx") // openpyxl goes by the extension
	if err := os.Rename(filepath.Join(downloads, guid), xlsx); err != nil {
		t.Fatal(err)
	}
	checkWorkbook(t, xlsx, shown)

	// A unit page: KPIs, trend chart, 766 groups, procedures, connection.
	step("unit page", chromedp.Steps(chromedp.Navigate(run.url+"/units/p34-01?period="+period+"&lang=vi"), chromedp.WaitVisible(chromedp.ID("unit-kpis"))))
	waitCharts(t, ctx, 1)
	if n := evaluate[int](t, ctx, `['unit-trend','unit-kpis','unit-766','unit-procedures','unit-connection'].filter(id => document.getElementById(id) && !document.querySelector('#'+id+' .notice')).length`); n != 5 {
		t.Errorf("unit page: %d of 5 sections drawn without a notice", n)
	}
	screenshot("unit")

	step("methodology", chromedp.Steps(chromedp.Navigate(run.url+"/methodology"), chromedp.WaitVisible(chromedp.ID("index766"))))
	screenshot("methodology")
	step("collection", chromedp.Steps(chromedp.Navigate(run.url+"/collection"), chromedp.WaitVisible(chromedp.ID("sources"))))
	screenshot("collection")

	walkReports(tab, period, password)

	mu.Lock()
	defer mu.Unlock()
	for _, u := range requested {
		if p, err := url.Parse(u); err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Hostname() != "127.0.0.1" {
			t.Errorf("the page asked for %s: everything must be served locally", u)
		}
	}
	for _, p := range problems {
		t.Errorf("browser: %s", p)
	}
	abs, _ := filepath.Abs(shots)
	t.Logf("screenshots in %s", abs)
}

// browserTab is the browser's tab and what its steps report against: the
// test, the running egovkpi (its log tail goes with a failure) and where
// screenshots go.
type browserTab struct {
	t     *testing.T
	ctx   context.Context
	run   *runProc
	shots string
}

// step runs one action with a deadline (the browser's own context has
// none: its deadline would end the browser).
func (b *browserTab) step(what string, a chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(sctx, a); err != nil {
		b.t.Fatalf("%s: %v\nserver log tail:\n%s", what, err, tail(b.run.logs(), 40))
	}
}

// text is the visible text of the first element sel matches.
func (b *browserTab) text(sel string) string {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// screenshot saves the whole page as name.png.
func (b *browserTab) screenshot(name string) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// signIn signs out whoever is signed in, then signs in as u through the
// sign-in form that a visit to next leads to, and waits for sel on next.
func (b *browserTab) signIn(u auth.User, password, next, sel string) {
	b.t.Helper()
	if evaluate[bool](b.t, b.ctx, `document.getElementById('logout') !== null`) {
		b.step("sign out", chromedp.Steps(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form"))))
	}
	b.step("sign in as "+u.Login, chromedp.Steps(
		chromedp.Navigate(b.run.url+next),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), u.Login),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	))
	if who := b.text("#who"); !strings.Contains(who, cmp.Or(u.Name, u.Login)) || !strings.Contains(who, string(u.Role)) {
		b.t.Fatalf("signed in as %s, the page says %q", u.Login, who)
	}
}

// act clicks a report's button (save, submit, return, approve) and waits
// for the report's page in state want; a refusal fails the test with
// what the page says.
func (b *browserTab) act(button string, want workflow.State) {
	b.t.Helper()
	b.step("click "+button, chromedp.Steps(chromedp.Click(chromedp.ID(button)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#report-state[data-state=%q], #report-error`, want)))))
	if refused := evaluate[string](b.t, b.ctx, `[document.getElementById('report-error'), document.getElementById('report-problems'), document.getElementById('report-general')]
  .filter(e => e).map(e => e.innerText).join('\n')`); refused != "" {
		b.t.Fatalf("%s was refused:\n%s", button, refused)
	}
}

// The unit whose report the walk-through files, and the accounts it
// signs in as: the first admin, a reporter of the unit and an analyst
// (the test adds both, with accountPassword).
const (
	reportUnit      = "p34-08" // Tuyên Quang, a province since 1 July 2025
	accountPassword = "browser-test-account"
)

var (
	firstAdmin = auth.User{Login: "admin", Role: auth.Admin}
	reporter   = auth.User{Login: "reporter-tq", Name: "Báo cáo viên Tuyên Quang", Role: auth.Reporter, UnitID: reportUnit}
	analyst    = auth.User{Login: "analyst-vp", Name: "Chuyên viên phân tích", Role: auth.Analyst}
)

// addAccounts adds a reporter of reportUnit and an analyst to the
// database egovkpi run uses (run creates only the first admin).
func addAccounts(t *testing.T, db *chtest.DB) {
	t.Helper()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	known := func(id string) bool { _, ok := reg.ByID(id); return ok }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	accounts := auth.New(db.Conn)
	for _, u := range []auth.User{reporter, analyst} {
		if err := auth.CheckNew(u, accountPassword, known); err != nil {
			t.Fatalf("account %s: %v", u.Login, err)
		}
		if err := accounts.AddUser(ctx, u, accountPassword); err != nil {
			t.Fatalf("add account %s: %v", u.Login, err)
		}
	}
}

// checkRunMigrated checks that egovkpi run used the ClickHouse it was
// given (no private server) and brought it up to date.
func checkRunMigrated(t *testing.T, run *runProc, db *chtest.DB) {
	t.Helper()
	logs := run.logs()
	if strings.Contains(logs, "private clickhouse-server started") || !strings.Contains(logs, "migration applied") {
		t.Fatalf("egovkpi run did not migrate the given database %s:\n%s", db.Name, tail(logs, 40))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := migrations.NewRunner(db.Conn, migrations.Target{Database: db.Name}, slog.Default()).Check(ctx); err != nil {
		t.Fatalf("the database egovkpi run migrated is not current: %v", err)
	}
}

// remindToday is the setting that has egovkpi run's first reminder pass
// remind today every unit that has not submitted the report of period p,
// so that the outbox has messages to show: a reminder is current for a
// week only (remind.MaxAge), so the default days leave it empty on most
// days of the year.
func remindToday(p metrics.Period) string {
	q := workflow.QuarterOf(p.From)
	due := workflow.Deadlines{Days: config.Defaults().Reports.DeadlineDays}.Due(q)
	days := int(egovkpi.Day(time.Now().In(workflow.Vietnam)).Sub(due).Hours() / 24)
	if days > 0 {
		return "EGOVKPI_REMIND_AFTER_DAYS=" + strconv.Itoa(days)
	}
	return "EGOVKPI_REMIND_BEFORE_DAYS=" + strconv.Itoa(-days)
}

// fillReport is JavaScript that completes a report's form the way a
// careful reporter would: every empty value gets one (numbers 1, yes/no
// "yes", text "Ghi chú"); a whole it filled is raised to the sum of its
// parts and a part it filled under a whole already given is lowered to 0,
// so every part-of-whole rule holds; and every value that differs from
// the collected figure gets an explanation. It is called with the rules
// and returns how many values and explanations it filled.
const fillReport = `(rules) => {
  const input = id => document.getElementById('v-' + id);
  const num = s => Number(String(s).trim().replace(',', '.'));
  const val = id => input(id) ? num(input(id).value) : NaN;
  const set = (id, x) => { input(id).value = String(x).replace('.', ','); };
  const filled = new Set();
  for (const el of document.querySelectorAll('input[id^="v-"], select[id^="v-"], textarea[id^="v-"]')) {
    if (el.value.trim() !== '') continue;
    el.value = el.tagName === 'SELECT' ? 'yes' : el.tagName === 'TEXTAREA' ? 'Ghi chú' : '1';
    filled.add(el.id.slice(2));
  }
  for (let pass = 0; pass <= rules.length; pass++) {
    let changed = false;
    for (const r of rules) {
      const sum = r.parts.reduce((s, p) => s + val(p), 0);
      if (!(sum > val(r.whole))) continue;
      if (filled.has(r.whole)) { set(r.whole, sum); changed = true; continue; }
      for (const p of r.parts) if (filled.has(p) && val(p) !== 0) { set(p, 0); changed = true; }
    }
    if (!changed) break;
  }
  let explained = 0;
  for (const e of document.querySelectorAll('textarea[id^="e-"]')) {
    const id = e.id.slice(2);
    const collected = document.querySelector('#ind-' + id + ' td.collected').textContent.trim();
    if (collected === '' || e.value.trim() !== '') continue;
    if (val(id) !== Number(collected.replace(/\./g, '').replace(',', '.'))) {
      e.value = 'Đơn vị đã rà soát lại số liệu';
      explained++;
    }
  }
  return {filled: filled.size, explained: explained};
}`

// versionChanges is JavaScript reading a version page's changes: each
// changed indicator's code with its answer before and after.
const versionChanges = `Object.fromEntries(Array.from(document.querySelectorAll('#changes tbody tr'))
  .map(r => [r.cells[0].textContent.trim(), [r.cells[2].innerText.trim(), r.cells[3].innerText.trim()]]))`

// walkReports goes through a quarterly report's life in the browser: the
// admin sees the reporting rates (overview and /reports); the reporter of
// reportUnit sees only its unit's reports, saves a draft of the period's
// report (a collected figure corrected), completes and submits it; the
// analyst returns it with a comment, which the reporter sees on top, then
// approves the resubmission, which locks it; the versions show what
// changed; the analyst freezes the period; the admin sees the report
// approved and the reminders' outbox.
func walkReports(b *browserTab, period, adminPassword string) {
	t, ctx := b.t, b.ctx
	q, err := workflow.ParseQuarter(period)
	if err != nil {
		t.Fatalf("period %s is not a quarter: %v", period, err)
	}
	reportPath := "/reports/" + reportUnit + "/" + q.String()

	// The admin: the overview's reporting part, the rates and the status
	// of every unit expected to report.
	b.step("overview's reporting part", chromedp.Steps(chromedp.Navigate(b.run.url+"/?lang=vi"), chromedp.WaitVisible(chromedp.ID("reporting-rates"))))
	if h := b.text("#reporting h2"); !strings.Contains(h, "Tình hình nộp báo cáo quý") {
		t.Errorf("overview's reporting heading %q", h)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#reporting-rates tbody tr[data-block]').length`); n == 0 {
		t.Error("the overview's reporting rates have no block")
	}
	b.step("reports as admin", chromedp.Steps(chromedp.Navigate(b.run.url+"/reports?period="+period), chromedp.WaitVisible(chromedp.ID("rates-table"))))
	expected := evaluate[int](t, ctx, `Array.from(document.querySelectorAll('#rates-table td[data-col="expected"]')).reduce((s, td) => s + Number(td.textContent.replace(/\./g, '')), 0)`)
	listed := evaluate[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('#statuses table[data-quarter=%q] tbody tr[data-unit]').length`, period))
	if expected == 0 || listed != expected {
		t.Errorf("reports of %s: the rates expect %d units, the status table lists %d", period, expected, listed)
	}
	if s := b.text(fmt.Sprintf(`#statuses tr[data-unit=%q] .state`, reportUnit)); s != "Chưa bắt đầu" {
		t.Errorf("%s's report before anyone opened it: %q, want Chưa bắt đầu", reportUnit, s)
	}
	if h := b.text("h1"); !strings.Contains(h, "Báo cáo quý") {
		t.Errorf("reports heading %q, want Vietnamese", h)
	}
	b.screenshot("reports")

	// The reporter: only its unit's reports; a draft with a corrected
	// collected figure.
	b.signIn(reporter, accountPassword, "/reports", "#own-reports")
	own := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('#own-reports tbody tr a')).map(a => a.getAttribute('href'))`)
	if len(own) == 0 {
		t.Fatal("the reporter's list of reports is empty")
	}
	for _, href := range own {
		if !strings.HasPrefix(href, "/reports/"+reportUnit+"/") {
			t.Errorf("the reporter of %s is offered %s", reportUnit, href)
		}
	}
	if evaluate[bool](t, ctx, `document.getElementById('statuses') !== null || document.getElementById('rates-table') !== null`) {
		t.Error("the reporter sees every unit's statuses or the rates")
	}
	b.step("open the report", chromedp.Steps(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#own-reports tr[data-quarter=%q] a`, period))),
		chromedp.WaitVisible(chromedp.ID("report-form"))))
	quarterName := fmt.Sprintf("Quý %d/%d", q.Q, q.Year)
	if h, s := b.text("h1"), b.text("#report-state"); h != "Tuyên Quang · "+quarterName || s != "Chưa bắt đầu" {
		t.Errorf("the new report: heading %q, state %q", h, s)
	}
	collected := evaluate[string](t, ctx, `document.getElementById('v-procedures_total').value`)
	procedures, err := strconv.Atoi(collected)
	if err != nil {
		t.Fatalf("4.1 is not pre-filled with the collected number of procedures (%q): the demo should have collected %s's catalogue", collected, reportUnit)
	}
	corrected := strconv.Itoa(procedures + 1) // a whole: raising it breaks no rule
	b.step("type a draft", chromedp.Steps(
		chromedp.SendKeys(chromedp.ID("v-agencies_total"), "12"),
		chromedp.SendKeys(chromedp.ID("v-agencies_on_wan"), "10"),
		chromedp.SetValue(chromedp.ID("v-data_centre"), "yes"),
		chromedp.SendKeys(chromedp.ID("v-portal_url"), "https://tuyenquang.gov.vn"),
		chromedp.Clear(chromedp.ID("v-procedures_total")),
		chromedp.SendKeys(chromedp.ID("v-procedures_total"), corrected),
	))
	b.act("report-save", workflow.Draft)
	if n, s := b.text("#report-notice"), b.text("#report-state"); n != "Đã lưu bản nháp." || s != "Đang soạn" {
		t.Errorf("after saving: notice %q, state %q", n, s)
	}
	kept := evaluate[[]string](t, ctx, `['agencies_total', 'agencies_on_wan', 'data_centre', 'procedures_total'].map(id => document.getElementById('v-' + id).value)`)
	if strings.Join(kept, " ") != "12 10 yes "+corrected {
		t.Errorf("the saved draft shows %q, want 12 10 yes %s", kept, corrected)
	}
	if n := b.text("#report-tofix"); !strings.Contains(n, "cần hoàn thiện trước khi gửi") {
		t.Errorf("the incomplete draft's notice: %q", n)
	}
	if n := b.text("#ind-procedures_total .required-note"); n != "Bắt buộc: giá trị khác số liệu thu thập." {
		t.Errorf("the corrected figure's explanation note: %q", n)
	}
	b.screenshot("report-draft")

	// Complete it and submit.
	forms, err := form.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	version, err := forms.For(q.First())
	if err != nil {
		t.Fatal(err)
	}
	rules, err := json.Marshal(version.Rules)
	if err != nil {
		t.Fatal(err)
	}
	done := evaluate[struct{ Filled, Explained int }](t, ctx, "("+fillReport+")("+string(rules)+")")
	if done.Filled == 0 || done.Explained == 0 {
		t.Errorf("completing the form filled %d values and %d explanations: want some of each (4.1 was corrected)", done.Filled, done.Explained)
	}
	b.step("a note with the submission", chromedp.SendKeys(chromedp.ID("comment"), "Báo cáo quý của Sở Khoa học và Công nghệ"))
	b.act("report-submit", workflow.Submitted)
	if n, s := b.text("#report-notice"), b.text("#report-state"); n != "Đã gửi báo cáo." || s != "Đã gửi" {
		t.Errorf("after submitting: notice %q, state %q", n, s)
	}
	if evaluate[bool](t, ctx, `document.getElementById('report-save') !== null`) || !strings.Contains(b.text("#report-waiting"), "đang chờ duyệt") {
		t.Error("a submitted report is still editable, or does not say it waits for review")
	}
	b.screenshot("report-form")

	// The analyst returns it with a comment.
	const returnComment = "Đề nghị rà soát lại chỉ tiêu 1.1: số cơ quan, đơn vị trực thuộc."
	b.signIn(analyst, accountPassword, reportPath, "#review-comment-text")
	b.step("return with a comment", chromedp.SendKeys(chromedp.ID("review-comment-text"), returnComment))
	b.act("report-return", workflow.Returned)
	if n := b.text("#report-notice"); n != "Đã trả lại báo cáo cho đơn vị." {
		t.Errorf("after returning: notice %q", n)
	}

	// The reporter sees the comment on top, corrects and resubmits.
	b.signIn(reporter, accountPassword, reportPath, "#review-comment")
	if c := b.text("#review-comment"); !strings.Contains(c, "Báo cáo bị trả lại") || !strings.Contains(c, returnComment) || !strings.Contains(c, analyst.Login) {
		t.Errorf("the returned report's comment box says %q", c)
	}
	prominent := evaluate[string](t, ctx, `(() => {
  const c = document.getElementById('review-comment'), f = document.getElementById('report-form'), s = getComputedStyle(c);
  const problems = [];
  if (!c.classList.contains('returned') || c.getAttribute('role') !== 'alert') problems.push('not marked as a return (class returned, role alert)');
  if (c.getBoundingClientRect().top >= f.getBoundingClientRect().top) problems.push('below the form');
  if (c.getBoundingClientRect().top >= window.innerHeight) problems.push('not on the first screen');
  if (parseFloat(s.borderLeftWidth) < 3 || s.backgroundColor === 'rgba(0, 0, 0, 0)') problems.push('no coloured border or background');
  return problems.join(', ');
})()`)
	if prominent != "" {
		t.Errorf("the return comment is not prominent: %s", prominent)
	}
	if s := b.text("#report-state"); s != "Bị trả lại" {
		t.Errorf("returned report's state %q", s)
	}
	b.screenshot("report-returned")
	b.step("correct 1.1", chromedp.Steps(chromedp.Clear(chromedp.ID("v-agencies_total")), chromedp.SendKeys(chromedp.ID("v-agencies_total"), "14")))
	b.act("report-submit", workflow.Resubmitted)
	if s := b.text("#report-state"); s != "Đã gửi lại" {
		t.Errorf("resubmitted report's state %q", s)
	}

	// The analyst approves: the report is locked.
	b.signIn(analyst, accountPassword, reportPath, "#report-approve")
	b.act("report-approve", workflow.Approved)
	if n, s, l := b.text("#report-notice"), b.text("#report-state"), b.text("#report-locked"); n != "Đã duyệt báo cáo; báo cáo đã khoá." || s != "Đã duyệt" || l != "đã khoá" {
		t.Errorf("after approving: notice %q, state %q, lock %q", n, s, l)
	}

	// The reporter sees it locked, and what each version changed.
	b.signIn(reporter, accountPassword, reportPath, "#report-locked")
	if s := b.text("#report-state"); s != "Đã duyệt" {
		t.Errorf("the reporter sees the approved report as %q", s)
	}
	if left := evaluate[[]string](t, ctx, `['report-save', 'report-submit', 'report-file', 'report-return', 'report-approve'].filter(id => document.getElementById(id))`); len(left) > 0 {
		t.Errorf("the approved report still offers %v", left)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#versions tr[data-version]').length`); n != 5 {
		t.Errorf("the reporter sees %d versions, want 5 (save, submit, return, resubmit, approve)", n)
	}
	b.step("version 2", chromedp.Steps(chromedp.Navigate(b.run.url+reportPath+"/versions/2"), chromedp.WaitVisible(chromedp.ID("changes"))))
	if h, a := b.text("#changes h2"), b.text("#version-action"); h != "Thay đổi so với phiên bản 1" || a != "Gửi" {
		t.Errorf("version 2: changes heading %q, action %q", h, a)
	}
	changed := evaluate[map[string][]string](t, ctx, versionChanges)
	// Against the draft: the values the completion filled and the
	// explanations it added (4.1's among them); 1.1, typed in the draft,
	// did not change.
	if _, ok := changed["1.1"]; len(changed) != done.Filled+done.Explained || ok || !strings.Contains(changed["4.1"][1], "Đơn vị đã rà soát lại số liệu") {
		t.Errorf("version 2 against the draft: %d changes, want the %d values and %d explanations filled (4.1 explained, 1.1 unchanged): %v",
			len(changed), done.Filled, done.Explained, changed)
	}
	b.screenshot("report-version")
	b.step("version 4", chromedp.Steps(chromedp.Navigate(b.run.url+reportPath+"/versions/4"), chromedp.WaitVisible(chromedp.ID("changes"))))
	changed = evaluate[map[string][]string](t, ctx, versionChanges)
	if h := b.text("#changes h2"); h != "Thay đổi so với phiên bản 3" || len(changed) != 1 || strings.Join(changed["1.1"], " → ") != "12 → 14" {
		t.Errorf("the resubmission (version 4): %q %v, want only 1.1 12 → 14", h, changed)
	}

	// The analyst freezes the period.
	const note = "Số liệu chính thức quý, chốt để báo cáo lãnh đạo"
	b.signIn(analyst, accountPassword, "/snapshots", "#freeze-form")
	b.step("freeze", chromedp.Steps(
		chromedp.SetValue(chromedp.ID("period"), period),
		chromedp.SendKeys(chromedp.ID("note"), note),
		chromedp.Click(chromedp.ID("freeze")),
		chromedp.WaitVisible(chromedp.CSS("#snapshot-header, #snapshot-error")),
	))
	if e := evaluate[string](t, ctx, `(document.getElementById('snapshot-error') || {}).textContent || ''`); e != "" {
		t.Fatalf("freezing %s was refused: %s", period, e)
	}
	if h, hdr := b.text("h1"), b.text("#snapshot-header"); !strings.Contains(h, "Số liệu chốt") || !strings.Contains(h, "chính thức") || !strings.Contains(hdr, note) || !strings.Contains(hdr, analyst.Login) {
		t.Errorf("the new snapshot: heading %q, header %q", h, hdr)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#frozen tbody tr[data-row]').length`); n == 0 {
		t.Error("the snapshot's frozen table is empty")
	}
	b.screenshot("snapshot")

	// The admin: the report approved among the statuses, and the outbox.
	b.signIn(firstAdmin, adminPassword, "/reports?period="+period, "#rates-table")
	if s := b.text(fmt.Sprintf(`#statuses tr[data-unit=%q] .state`, reportUnit)); s != "Đã duyệt" {
		t.Errorf("the admin sees %s's report as %q, want Đã duyệt", reportUnit, s)
	}
	if n := evaluate[int](t, ctx, `Number(document.querySelector('#rates-table tr[data-block="province"] td[data-col="approved"]').textContent)`); n != 1 {
		t.Errorf("the provinces' rates count %d approved, want 1", n)
	}
	// The outbox: run's first reminder pass reminded every unit of the
	// period's report (see remindToday); no reporter has an address.
	b.step("outbox", chromedp.Steps(chromedp.Navigate(b.run.url+"/reports/outbox"), chromedp.WaitVisible(chromedp.ID("outbox"))))
	if h := b.text("h1"); h != "Hộp thư nhắc nộp báo cáo" {
		t.Errorf("outbox heading %q", h)
	}
	reminded := evaluate[[][]string](t, ctx, `Array.from(document.querySelectorAll('#outbox tbody tr[data-message]')).map(r => [r.cells[1].innerText, r.cells[2].innerText, r.cells[7].innerText])`)
	if len(reminded) != listed {
		t.Errorf("the outbox has %d reminders, want one for each of the %d units expected to report", len(reminded), listed)
	}
	for _, r := range reminded {
		if r[1] != quarterName || r[2] != "Không có người nhận" {
			t.Errorf("reminder %q: want %s and Không có người nhận", r, quarterName)
			break
		}
	}
	b.screenshot("outbox")
}

// waitForRankedLeague waits until the demo's collection has filled the
// last whole quarter enough to rank provinces, and returns that quarter.
func waitForRankedLeague(t *testing.T, run *runProc) string {
	t.Helper()
	q, _ := metrics.Containing(metrics.Quarter, time.Now())
	period := q.Previous().String()
	client := signInHTTP(t, run.url, "admin", "browser-test-password")
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		code, body := httpGetWith(t, client, run.url+"/api/v1/league?block=province&kpi=on_time_rate&period="+period)
		var table metrics.TableJSON
		if code == 200 && json.Unmarshal([]byte(body), &table) == nil {
			ranked := 0
			for _, r := range table.Rows {
				if r.Rank != nil {
					ranked++
				}
			}
			if ranked == len(table.Rows) && ranked > 0 {
				return period
			}
		}
		time.Sleep(2 * time.Second)
	}
	t.Fatalf("the demo collection did not fill %s in 5 minutes:\n%s", period, tail(run.logs(), 40))
	return ""
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func ptr[T any](v T) *T { return &v }

// waitCharts waits until n charts report drawn, then checks that each
// canvas has non-blank pixels.
func waitCharts(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var ready int
	for time.Now().Before(deadline) {
		if failed := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('.chart-error')).map(e => e.dataset.chart + ': ' + e.textContent + ' ' + (document.getElementById(e.dataset.chart) || {}).textContent)`); len(failed) > 0 {
			t.Fatalf("charts could not be drawn: %v", failed)
		}
		if ready = evaluate[int](t, ctx, `document.querySelectorAll('.chart[data-chart-ready="1"]').length`); ready >= n {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if ready < n {
		t.Fatalf("%d of %d charts drawn after 30 s", ready, n)
	}
	inked := evaluate[[]int](t, ctx, `Array.from(document.querySelectorAll('.chart canvas')).map(c => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
  return n;
})`)
	if len(inked) < n {
		t.Fatalf("%d canvases, want %d", len(inked), n)
	}
	for i, px := range inked {
		if px < 2000 {
			t.Errorf("canvas %d has %d drawn pixels: blank", i, px)
		}
	}
}

// checkWorkbook reads the downloaded workbook with openpyxl and compares
// its unit rows with what the page showed (names and values, in order).
func checkWorkbook(t *testing.T, path string, shown [][]string) {
	t.Helper()
	script := `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb.active
rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
print(json.dumps({"sheet": ws.title, "rows": rows}, default=str))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl could not read the download: %v\n%s", err, out)
	}
	var wb struct {
		Sheet string  `json:"sheet"`
		Rows  [][]any `json:"rows"`
	}
	if err := json.Unmarshal(out, &wb); err != nil {
		t.Fatalf("openpyxl output: %v\n%s", err, out)
	}
	header := -1
	for i, r := range wb.Rows {
		if len(r) > 0 && r[0] == "Rank" {
			header = i
			break
		}
	}
	if header < 0 {
		t.Fatalf("no English header row (Rank …) in sheet %q: %v", wb.Sheet, wb.Rows)
	}
	units := wb.Rows[header+1:]
	if len(units) != len(shown) {
		t.Fatalf("workbook has %d unit rows, the page %d", len(units), len(shown))
	}
	for i, r := range units {
		name, _ := r[3].(string)
		value, ok := r[5].(float64)
		want := strings.TrimSuffix(shown[i][1], "%")
		if name != shown[i][0] || !ok || fmt.Sprintf("%.2f", value) != strings.ReplaceAll(want, ",", "") {
			t.Errorf("row %d: workbook %q %v, page %q %q", i+1, name, r[5], shown[i][0], shown[i][1])
		}
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
