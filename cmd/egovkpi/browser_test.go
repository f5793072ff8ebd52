package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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

	"egovkpi/metrics"
)

// TestBrowser drives Debian's Chromium (headless, through the DevTools
// protocol) against `egovkpi run` and its simulated portals: sign in, the
// overview, a league table, a unit page; the charts draw (canvases with
// non-blank pixels) while every host but loopback is unreachable; the
// language switch; the Excel download of a league table, read back with
// openpyxl. Screenshots of each page go to var/screenshots (or
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
	run := startRun(t, bin, filepath.Join(dir, "var"), "EGOVKPI_ADMIN_PASSWORD="+password, "EGOVKPI_DEMO_QUARTERS=2")
	run.waitReady(t)
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
	// step runs one action with a deadline (the browser's own context has
	// none: its deadline would end the browser).
	step := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := chromedp.Do(sctx, a); err != nil {
			t.Fatalf("%s: %v\nserver log tail:\n%s", what, err, tail(run.logs(), 40))
		}
	}
	text := func(sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
