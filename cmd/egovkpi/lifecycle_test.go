package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRunLifecycle builds the real binary and runs "egovkpi run" on the
// embedded default as a person would: it serves the units page, Ctrl-C
// (SIGINT) stops it with no clickhouse-server left behind, a second run keeps
// the data (nothing re-applied or re-loaded), and a killed egovkpi (SIGKILL)
// takes its clickhouse-server down with it.
func TestRunLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts ClickHouse three times")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	dataDir := filepath.Join(dir, "var")

	first := startRun(t, bin, dataDir)
	first.waitReady(t)
	// Pages need a session: the first admin's password is printed once.
	if resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(first.url + "/"); err != nil || resp.StatusCode != 303 {
		t.Fatalf("anonymous page: %v %v, want a redirect to sign in", resp, err)
	}
	m := regexp.MustCompile(`first admin created: login admin, password (\S+)`).FindStringSubmatch(first.logs())
	if m == nil {
		t.Fatalf("no first admin password in the logs:\n%s", first.logs())
	}
	client := signInHTTP(t, first.url, "admin", m[1])
	code, body := httpGetWith(t, client, first.url+"/units?date=2024-12-31")
	if code != 200 || !strings.Contains(body, `data-count="63"`) || !strings.Contains(body, "Hà Nội") || !strings.Contains(body, `id="logout"`) {
		t.Fatalf("units page: %d\n%s", code, body)
	}
	chPID := first.clickhousePID(t, dataDir)
	first.interrupt(t)
	assertGone(t, chPID, dataDir)

	second := startRun(t, bin, dataDir)
	second.waitReady(t)
	logs := second.logs()
	if strings.Contains(logs, "migration applied") || !strings.Contains(logs, "inserted=0 unchanged=124") {
		t.Fatalf("second run did not find the first run's data:\n%s", logs)
	}
	second.interrupt(t)
	assertGone(t, second.clickhousePIDFromLog(t), dataDir)

	third := startRun(t, bin, dataDir)
	third.waitReady(t)
	chPID = third.clickhousePID(t, dataDir)
	if err := third.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = third.cmd.Wait()
	assertGone(t, chPID, dataDir)
}

type runProc struct {
	cmd *exec.Cmd
	url string
	mu  sync.Mutex
	buf bytes.Buffer
}

// buildBinary builds egovkpi into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "egovkpi")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func (p *runProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Write(b)
}

func (p *runProc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

func startRun(t *testing.T, bin, dataDir string, extraEnv ...string) *runProc {
	t.Helper()
	port := freePort(t)
	p := &runProc{url: "http://127.0.0.1:" + strconv.Itoa(port)}
	p.cmd = exec.Command(bin, "run")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EGOVKPI_") {
			env = append(env, kv)
		}
	}
	p.cmd.Env = append(append(env, "EGOVKPI_DATA_DIR="+dataDir, "EGOVKPI_LISTEN=127.0.0.1:"+strconv.Itoa(port)), extraEnv...)
	p.cmd.Stdout = p
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

func (p *runProc) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("egovkpi run not ready after 90 s:\n%s", p.logs())
}

// interrupt sends Ctrl-C and waits for a clean exit.
func (p *runProc) interrupt(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("egovkpi run exited with %v after SIGINT:\n%s", err, p.logs())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("egovkpi run still running 60 s after SIGINT:\n%s", p.logs())
	}
	if !strings.Contains(p.logs(), "private clickhouse-server stopped") {
		t.Fatalf("no orderly stop of the private server in the log:\n%s", p.logs())
	}
}

func (p *runProc) clickhousePID(t *testing.T, dataDir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "clickhouse", "clickhouse-server.pid"))
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

var startedPID = regexp.MustCompile(`private clickhouse-server started.*pid=(\d+)`)

func (p *runProc) clickhousePIDFromLog(t *testing.T) int {
	t.Helper()
	m := startedPID.FindStringSubmatch(p.logs())
	if m == nil {
		t.Fatalf("no start line in the log:\n%s", p.logs())
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// assertGone waits for the server process to end and checks that no
// clickhouse-server on dataDir is left.
func assertGone(t *testing.T, pid int, dataDir string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := serversOn(dataDir)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("clickhouse-server still running (pids %v, expected pid %d gone)", left, pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serversOn lists live clickhouse-server processes using dataDir's config.
func serversOn(dataDir string) []int {
	cfg, _ := filepath.Abs(filepath.Join(dataDir, "clickhouse", "config.xml"))
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !bytes.Contains(cmdline, []byte(cfg)) {
			continue
		}
		stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// signInHTTP signs in through the sign-in form, as a browser does, and
// returns a client holding the session cookie.
func signInHTTP(t *testing.T, base, login, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	_, page := httpGetWith(t, c, base+"/login")
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in page:\n%s", page)
	}
	resp, err := c.PostForm(base+"/login", url.Values{"_csrf": {m[1]}, "login": {login}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" {
		t.Fatalf("sign in as %s: %d at %s", login, resp.StatusCode, resp.Request.URL)
	}
	return c
}

func httpGetWith(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
