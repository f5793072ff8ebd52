package dashboards

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"egovkpi/internal/auth"
	"egovkpi/internal/secret"
)

// apiToken creates an account of role (a reporter of unit) and an API
// token for it, valid for ttl.
func apiToken(t *testing.T, a *App, login string, role auth.Role, unit string, ttl time.Duration) string {
	t.Helper()
	ctx := context.Background()
	a.deps.Auth.SetBcryptCost(bcrypt.MinCost)
	if err := a.deps.Auth.AddUser(ctx, auth.User{Login: login, Role: role, UnitID: unit}, "a long password"); err != nil {
		t.Fatal(err)
	}
	_, token, err := a.deps.Auth.CreateAPIToken(ctx, login, "test", ttl)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// doBearer sends a request with "Authorization: Bearer token" (when not
// empty) and an optional cookie; it returns the status, the Location
// header and the body.
func doBearer(t *testing.T, a *App, method, target, token, cookie string) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return send(t, a, req)
}

const (
	leagueURL    = "/api/v1/league?block=province&period=2025-08&kpi=online_rate"
	ownSeriesURL = "/api/v1/units/p34-01/series?kpi=online_rate&from=2025Q3&to=2025Q3"
)

// TestAPITokenReadsTheFiguresAPI: an analyst's token reads the figures
// API without a cookie, but opens no page and does not push; a bad token
// is 401 even with a good cookie; revoking the token, disabling its
// account and its expiry refuse it at once; a reporter's token sees its own
// unit's series only; the table holds the token's hash, not the token.
func TestAPITokenReadsTheFiguresAPI(t *testing.T) {
	a := fullApp(t)
	ctx := context.Background()
	tok := apiToken(t, a, "an", auth.Analyst, "", auth.APITokenTTL)
	if s, _, body := doBearer(t, a, "GET", leagueURL, tok, ""); s != 200 {
		t.Fatalf("analyst's token, league: %d %s", s, body)
	}
	if s, _, body := doBearer(t, a, "GET", "/api/v1/kpis", "", ""); s != 401 {
		t.Fatalf("no token, no cookie: %d %s", s, body)
	}
	// Only GET: HEAD is not a way in either.
	if s, _, body := doBearer(t, a, "HEAD", leagueURL, tok, ""); s == 200 {
		t.Errorf("analyst's token, HEAD league: %d %s", s, body)
	}
	// Pages and sign-out do not take a token.
	if s, loc, _ := doBearer(t, a, "GET", "/", tok, ""); s != 303 || !strings.HasPrefix(loc, "/login?") {
		t.Errorf("token on a page: %d %q, want a redirect to the sign-in page", s, loc)
	}
	if s, _, _ := doBearer(t, a, "POST", "/logout", tok, ""); s != 401 {
		t.Errorf("token on POST /logout: %d, want 401", s)
	}
	// An API token is not a push token.
	if s, _, body := doBearer(t, a, "POST", "/api/v1/ingest/usage", tok, ""); s != 401 {
		t.Errorf("API token on the ingest API: %d %s, want 401", s, body)
	}
	// A bad token is refused, even with a valid cookie beside it.
	cookie, _ := signIn(t, a, "lan", auth.Leader, "")
	for _, bad := range []string{tok + "x", auth.APITokenPrefix + strings.Repeat("A", 43), "egk_" + strings.Repeat("0a", 32), "not-an-api-token"} {
		s, _, body := doBearer(t, a, "GET", "/api/v1/kpis", bad, cookie)
		if s != 401 || !strings.Contains(body, "invalid API token") {
			t.Errorf("bad token %q with a cookie: %d %s", bad, s, body)
		}
	}
	if s, _, _ := doBearer(t, a, "GET", "/api/v1/kpis", "", cookie); s != 200 {
		t.Errorf("the cookie alone: %d", s)
	}
	// Only the hash is stored.
	var hashed, plain uint64
	if err := a.deps.Conn.QueryRow(ctx, "SELECT countIf(token_hash = ?), countIf(position(concat(token_hash, id, login, name), ?) > 0) FROM api_tokens",
		secret.Hash(tok), tok[len(auth.APITokenPrefix):]).Scan(&hashed, &plain); err != nil || hashed != 1 || plain != 0 {
		t.Fatalf("api_tokens: %d rows with the hash, %d with the token (%v)", hashed, plain, err)
	}
	// Revoking takes effect at once (the token was just used, so cached).
	toks, err := a.deps.Auth.APITokens(ctx, "an")
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens of an: %+v %v", toks, err)
	}
	if _, _, err := a.deps.Auth.RevokeAPIToken(ctx, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	if s, _, body := doBearer(t, a, "GET", leagueURL, tok, ""); s != 401 || !strings.Contains(body, "invalid API token") {
		t.Errorf("revoked token: %d %s", s, body)
	}
	// A reporter's token: its own unit's series, not another's; disabling
	// the account refuses it at once.
	rep := apiToken(t, a, "rep", auth.Reporter, "p34-01", auth.APITokenTTL)
	if s, _, body := doBearer(t, a, "GET", ownSeriesURL, rep, ""); s != 200 {
		t.Errorf("reporter's token, own series: %d %s", s, body)
	}
	if s, _, body := doBearer(t, a, "GET", "/api/v1/units/p34-08/series?kpi=online_rate&from=2025Q3&to=2025Q3", rep, ""); s != 403 {
		t.Errorf("reporter's token, another unit's series: %d %s", s, body)
	}
	if err := a.deps.Auth.SetDisabled(ctx, "rep", true); err != nil {
		t.Fatal(err)
	}
	if s, _, body := doBearer(t, a, "GET", ownSeriesURL, rep, ""); s != 401 {
		t.Errorf("disabled account's token: %d %s", s, body)
	}
	// An expired token is refused.
	short := apiToken(t, a, "brief", auth.Analyst, "", time.Second)
	time.Sleep(1100 * time.Millisecond)
	if s, _, body := doBearer(t, a, "GET", leagueURL, short, ""); s != 401 {
		t.Errorf("expired token: %d %s", s, body)
	}
}

// TestAPITokenAuthorisation walks every guarded route with a token and
// with a session of every role: on the figures API (GET under /api/v1/,
// not ingest) the token gets in exactly where its account's session does;
// anywhere else it never does. A reporter (of p34-01) asks for p34-08.
func TestAPITokenAuthorisation(t *testing.T) {
	a := fullApp(t)
	ctx := context.Background()
	tokens, cookies := map[auth.Role]string{}, map[auth.Role]string{}
	for _, r := range auth.Roles {
		unit := ""
		if r == auth.Reporter {
			unit = "p34-01"
		}
		cookies[r], _ = signIn(t, a, string(r), r, unit)
		_, tok, err := a.deps.Auth.CreateAPIToken(ctx, string(r), "matrix", auth.APITokenTTL)
		if err != nil {
			t.Fatal(err)
		}
		tokens[r] = tok
	}
	// Targets where the route's path alone is not a useful request.
	targets := map[string]string{
		"/api/v1/league":             leagueURL,
		"/api/v1/units/:code/series": "/api/v1/units/p34-08/series?kpi=online_rate&from=2025Q3&to=2025Q3",
		"/api/v1/index766":           "/api/v1/index766?block=province&period=2025-08",
	}
	in := func(status int, loc string) bool {
		return !(status == 401 || status == 403 || (status == 303 && strings.HasPrefix(loc, "/login?")))
	}
	for _, r := range a.table() {
		if r.perm.public {
			continue // a token changes nothing there
		}
		target, ok := targets[r.path]
		if !ok {
			target = strings.NewReplacer(":code", "p34-08", ":format", "csv", ":id", "1").Replace(r.path)
		}
		figures := r.method == "GET" && strings.HasPrefix(r.path, "/api/v1/") && !strings.HasPrefix(r.path, "/api/v1/ingest/")
		for _, role := range auth.Roles {
			want := false
			if figures {
				status, loc, _ := doBearer(t, a, r.method, target, "", cookies[role])
				want = in(status, loc)
			}
			status, loc, body := doBearer(t, a, r.method, target, tokens[role], "")
			if got := in(status, loc); got != want {
				t.Errorf("%s %s with the token of a %s: %d %s %.80s (let in: %v, want %v)", r.method, r.path, role, status, loc, body, got, want)
			}
		}
	}
	// The series row does keep the reporter out, so the walk is not vacuous.
	if s, _, _ := doBearer(t, a, "GET", targets["/api/v1/units/:code/series"], tokens[auth.Reporter], ""); s != 403 {
		t.Errorf("reporter's token, another unit's series: %d, want 403", s)
	}
	if s, _, _ := doBearer(t, a, "GET", leagueURL, tokens[auth.Reporter], ""); s != 200 {
		t.Errorf("reporter's token, league: %d, want 200", s)
	}
}

// TestAPITokenRefusalsLimited: refused bearer tokens are audited and
// limited per address like failed sign-ins: after 20 in 15 minutes the
// address gets 429 with Retry-After, even with a good token, without
// touching its sign-in budget or cookie sessions.
func TestAPITokenRefusalsLimited(t *testing.T) {
	a := fullApp(t)
	ctx := context.Background()
	tok := apiToken(t, a, "an", auth.Analyst, "", auth.APITokenTTL)
	cookie, _ := signIn(t, a, "lan", auth.Leader, "")
	for i := range 20 {
		bad := auth.APITokenPrefix + auth.RandomToken(32)
		if i%2 == 1 {
			bad = "egk_" + strings.Repeat("0a", 32) // a push token on the figures API
		}
		if s, _, body := doBearer(t, a, "GET", "/api/v1/kpis", bad, ""); s != 401 {
			t.Fatalf("refused token %d: %d %s", i+1, s, body)
		}
	}
	for _, token := range []string{auth.APITokenPrefix + auth.RandomToken(32), tok} {
		req := httptest.NewRequest("GET", leagueURL, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := a.Fiber().Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if secs, _ := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 429 || secs < 1 || secs > 15*60+1 {
			t.Errorf("over the limit: %d, Retry-After %q; want 429 and up to 15 minutes", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if s, _, body := doBearer(t, a, "GET", "/api/v1/kpis", "", cookie); s != 200 {
		t.Errorf("a cookie from the limited address: %d %s", s, body)
	}
	log, err := a.deps.Auth.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, e := range log {
		if e.Action == auth.ActionAPITokenRefused {
			refused++
			if e.IP == "" || e.Actor != "" || !strings.Contains(e.Detail, "GET /api/v1/kpis") {
				t.Errorf("audit entry %+v", e)
			}
			if blocked, _ := a.addrLimit.Blocked("ip:" + e.IP); blocked {
				t.Error("refused tokens used up the address's sign-in budget")
			}
		}
	}
	if refused != 20 {
		t.Errorf("%d refusals audited, want 20 (not the 429s)", refused)
	}
}
