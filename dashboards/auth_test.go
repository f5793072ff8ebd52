package dashboards

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"egovkpi/collector"
	"egovkpi/collector/push"
	"egovkpi/internal/auth"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

// fullApp is an app with every part: collector, uploads, push API, the
// quarterly reports (due 15 days after each quarter).
func fullApp(t testing.TB) *App {
	t.Helper()
	a, col := uploadApp(t)
	return withReports(t, a, col, a.deps.Now)
}

// withReports is an app like a with every part, the quarterly reports
// included, on the clock now.
func withReports(t testing.TB, a *App, col *collector.Collector, now func() time.Time) *App {
	t.Helper()
	forms, err := form.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	au := auth.New(a.deps.Conn)
	reports := workflow.New(a.deps.Conn, a.reg, forms, au, workflow.Options{Deadlines: workflow.Deadlines{Days: 15}, Now: now})
	a2, err := New(Deps{Conn: a.deps.Conn, Store: col.Store(), Collector: col, Push: push.New(col, nil), Now: now, Auth: au, Reports: reports})
	if err != nil {
		t.Fatal(err)
	}
	return a2
}

// signIn creates an account of role (a reporter of unit) and a session for
// it, and returns the session cookie and its CSRF token.
func signIn(t testing.TB, a *App, login string, role auth.Role, unit string) (cookie, csrf string) {
	t.Helper()
	ctx := context.Background()
	a.deps.Auth.SetBcryptCost(bcrypt.MinCost)
	if err := a.deps.Auth.AddUser(ctx, auth.User{Login: login, Role: role, UnitID: unit}, "a long password"); err != nil {
		t.Fatal(err)
	}
	token, csrf, err := a.deps.Auth.StartSession(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	return SessionCookie + "=" + token, csrf
}

// do sends a request with an optional cookie and form; it returns the
// status and the Location header.
func do(t *testing.T, a *App, method, target, cookie string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return send(t, a, req)
}

// send sends req through the app and returns the status, the Location
// header and the body.
func send(t *testing.T, a *App, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := a.Fiber().Test(req, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// freshSession starts another session of login.
func freshSession(t *testing.T, a *App, login string) struct{ name, cookie, csrf string } {
	t.Helper()
	token, csrf, err := a.deps.Auth.StartSession(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	return struct{ name, cookie, csrf string }{login, SessionCookie + "=" + token, csrf}
}

// TestAuthorisationMatrix walks every route for anonymous and every role,
// and checks who gets in. "in" means the handler ran (any answer but 401,
// 403 and a redirect to the sign-in page).
func TestAuthorisationMatrix(t *testing.T) {
	a := fullApp(t)
	type actor = struct{ name, cookie, csrf string }
	actors := []actor{{name: "anonymous"}}
	for _, r := range []struct {
		role auth.Role
		unit string
	}{{auth.Admin, ""}, {auth.Analyst, ""}, {auth.Leader, ""}, {auth.Reporter, "p34-01"}} {
		cookie, csrf := signIn(t, a, string(r.role), r.role, r.unit)
		actors = append(actors, actor{name: string(r.role), cookie: cookie, csrf: csrf})
	}
	// Who gets in, per route: the request to send, and the actors let in.
	all := []string{"anonymous", "admin", "analyst", "leader", "reporter"}
	signedIn := []string{"admin", "analyst", "leader", "reporter"}
	cases := map[string]struct {
		target string
		in     []string
	}{
		"GET /healthz":                              {"/healthz", all},
		"GET /readyz":                               {"/readyz", all},
		"GET /metrics":                              {"/metrics", all},
		"GET /login":                                {"/login", all},
		"POST /login":                               {"/login", all}, // refused by its own CSRF check (403), see below
		"POST /logout":                              {"/logout", signedIn},
		"GET /":                                     {"/?period=2025-08", signedIn},
		"GET /league":                               {"/league?block=province&period=2025-08&kpi=online_rate", signedIn},
		"GET /league.:format":                       {"/league.xlsx?block=province&period=2025-08&kpi=index766", signedIn},
		"GET /units":                                {"/units?date=2025-08-01", signedIn},
		"GET /units/:code":                          {"/units/p34-08?period=2025-08", []string{"admin", "analyst", "leader"}},
		"GET /methodology":                          {"/methodology", signedIn},
		"GET /collection":                           {"/collection", []string{"admin", "analyst"}},
		"GET /collection/quarantine":                {"/collection/quarantine?reason=x", []string{"admin", "analyst"}},
		"GET /collection/quarantine/:id":            {"/collection/quarantine/00000000-0000-0000-0000-000000000000", []string{"admin", "analyst"}},
		"GET /api/v1/kpis":                          {"/api/v1/kpis", signedIn},
		"GET /api/v1/league":                        {"/api/v1/league?block=province&period=2025-08&kpi=online_rate", signedIn},
		"GET /api/v1/units/:code/series":            {"/api/v1/units/p34-08/series?kpi=online_rate&from=2025Q3&to=2025Q3", []string{"admin", "analyst", "leader"}},
		"GET /api/v1/index766":                      {"/api/v1/index766?block=province&period=2025-08", signedIn},
		"GET /api/v1/national":                      {"/api/v1/national?period=2025-08", signedIn},
		"GET /api/v1/units/:code/figures":           {"/api/v1/units/p34-08/figures?period=2025-08", []string{"admin", "analyst", "leader"}},
		"GET /api/v1/units/:code/procedures":        {"/api/v1/units/p34-08/procedures?period=2025-08", []string{"admin", "analyst", "leader"}},
		"GET /reports":                              {"/reports", signedIn},
		"GET /reports/workbook.xlsx":                {"/reports/workbook.xlsx?period=2025Q2", []string{"admin", "analyst", "leader"}},
		"GET /reports/outbox":                       {"/reports/outbox", []string{"admin"}},
		"GET /reports/:unit/:quarter":               {"/reports/p34-08/2025Q3", []string{"admin", "analyst", "leader"}}, // the reporter is p34-01's
		"POST /reports/:unit/:quarter":              {"/reports/p34-01/2025Q3?action=save&base=0", []string{"reporter"}},
		"GET /reports/:unit/:quarter/versions/:n":   {"/reports/p34-08/2025Q3/versions/1", []string{"admin", "analyst", "leader"}},
		"GET /reports/:unit/:quarter/template.xlsx": {"/reports/p34-08/2025Q3/template.xlsx", []string{"admin", "analyst"}},
		"POST /reports/:unit/:quarter/upload":       {"/reports/p34-01/2025Q3/upload", []string{"reporter"}}, // own unit; no file: 400
		"GET /snapshots":                            {"/snapshots", signedIn},
		"POST /snapshots":                           {"/snapshots", []string{"analyst"}}, // no period: 422
		"GET /snapshots/:id":                        {"/snapshots/2025Q3-00000000", signedIn},
		"GET /upload":                               {"/upload", all},
		"GET /upload/template.:format":              {"/upload/template.csv", all},
		"POST /upload":                              {"/upload", []string{"reporter"}}, // a unit token, or a reporter's session (own unit)
		"POST /api/v1/ingest/usage":                 {"/api/v1/ingest/usage", nil},
		"POST /api/v1/ingest/catalogue":             {"/api/v1/ingest/catalogue", nil},
	}
	for _, r := range a.table() {
		key := r.method + " " + r.path
		tc, ok := cases[key]
		if !ok {
			t.Errorf("route %s has no row in the authorisation matrix", key)
			continue
		}
		delete(cases, key)
		for _, ac := range actors {
			if key == "POST /logout" && ac.cookie != "" {
				ac = freshSession(t, a, ac.name) // signing out must not end the actor's session for the next rows
			}
			var form url.Values
			if r.method == "POST" {
				form = url.Values{csrfField: {ac.csrf}}
			}
			status, loc, body := do(t, a, r.method, tc.target, ac.cookie, form)
			got := !(status == 401 || status == 403 || (status == 303 && strings.HasPrefix(loc, "/login?")))
			if key == "POST /login" {
				// Public, so the handler itself answers: its own CSRF check
				// refuses a form without the sign-in cookie, on its page.
				got = status == 403 && strings.Contains(body, "login-error")
			}
			want := false
			for _, n := range tc.in {
				want = want || n == ac.name
			}
			if got != want {
				t.Errorf("%s as %s: %d %s (let in: %v, want %v)", key, ac.name, status, loc, got, want)
			}
		}
	}
	for key := range cases {
		t.Errorf("matrix row %s matches no route", key)
	}
	// A reporter sees its own unit's detail (and its predecessors'), not
	// another's.
	rep := actors[4]
	if s, _, _ := do(t, a, "GET", "/api/v1/units/p34-01/series?kpi=online_rate&from=2025Q3&to=2025Q3", rep.cookie, nil); s != 200 {
		t.Errorf("reporter of p34-01, own series: %d", s)
	}
	if s, _, _ := do(t, a, "GET", "/api/v1/units/p63-01/series?kpi=online_rate&from=2025Q1&to=2025Q1", rep.cookie, nil); s != 200 {
		t.Errorf("reporter of p34-01, its predecessor's series: %d", s)
	}
	// Forms without their CSRF token are refused, with a wrong one too.
	for _, form := range []url.Values{{}, {csrfField: {"forged"}}} {
		if s, _, body := do(t, a, "POST", "/logout", actors[1].cookie, form); s != 403 || !strings.Contains(body, "CSRF") {
			t.Errorf("logout with CSRF %q: %d", form.Get(csrfField), s)
		}
	}
	if s, _, body := do(t, a, "POST", "/login", "", url.Values{"login": {"admin"}, "password": {"a long password"}}); s != 403 || !strings.Contains(body, "login-error") {
		t.Errorf("sign-in without the form's CSRF token: %d", s)
	}
}

// TestSignInFormAndLimits: the form signs in (audited, with a Secure,
// HttpOnly session cookie); five wrong passwords for a login lock it out
// with 429 and Retry-After, even with the right password, while another
// login still gets in; a sign-in never redirects off the site.
func TestSignInFormAndLimits(t *testing.T) {
	a := newApp(t, nil)
	ctx := context.Background()
	a.deps.Auth.SetBcryptCost(bcrypt.MinCost)
	for _, l := range []string{"lan", "minh"} {
		if err := a.deps.Auth.AddUser(ctx, auth.User{Login: l, Role: auth.Leader}, "the right password"); err != nil {
			t.Fatal(err)
		}
	}
	post := func(login, password string) (int, string, string, string) {
		t.Helper()
		token := auth.RandomToken(24)
		req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{
			csrfField: {token}, "login": {login}, "password": {password}, "next": {"/api/v1/kpis"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", loginCSRFCookie+"="+token)
		resp, err := a.Fiber().Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var session string
		for _, c := range resp.Cookies() {
			if c.Name == SessionCookie && c.Value != "" {
				session = c.Name + "=" + c.Value
				if !c.Secure || !c.HttpOnly {
					t.Errorf("session cookie: Secure %v, HttpOnly %v", c.Secure, c.HttpOnly)
				}
			}
		}
		return resp.StatusCode, resp.Header.Get("Location") + resp.Header.Get("Retry-After"), session, string(b)
	}
	status, loc, cookie, _ := post("lan", "the right password")
	if status != 303 || loc != "/api/v1/kpis" || cookie == "" {
		t.Fatalf("sign in: %d %q %q", status, loc, cookie)
	}
	if s, _, _ := do(t, a, "GET", "/api/v1/kpis", cookie, nil); s != 200 {
		t.Fatalf("signed in, the API answers %d", s)
	}
	for i := range 5 {
		if status, _, _, body := post("minh", "wrong password"); status != 401 || !strings.Contains(body, "Sai tên đăng nhập hoặc mật khẩu") {
			t.Fatalf("wrong password %d: %d", i+1, status)
		}
	}
	status, retry, cookie, body := post("minh", "the right password")
	if status != 429 || retry == "" || cookie != "" || !strings.Contains(body, "Quá nhiều lần đăng nhập sai") {
		t.Fatalf("sixth attempt: %d retry %q cookie %q", status, retry, cookie)
	}
	if status, _, _, _ := post("lan", "the right password"); status != 303 {
		t.Fatalf("another login is locked out too: %d", status)
	}
	log, err := a.deps.Auth.AuditLog(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range log {
		counts[e.Action]++
	}
	if counts[auth.ActionSignIn] != 2 || counts[auth.ActionSignInRefused] != 6 {
		t.Fatalf("audit log: %v", counts)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/kpis?x=1":      "/api/v1/kpis?x=1",
		"https://evil.example/": "/",
		"//evil.example":        "/",
		"/\\evil.example":       "/",
		"/\t/evil.example":      "/",
		"/\n/evil.example":      "/",
		"":                      "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
