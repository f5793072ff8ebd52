package dashboards

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// newApp returns an app over a fresh, migrated database with the reference
// units loaded.
func newApp(t *testing.T, ready func(context.Context) error) *App {
	t.Helper()
	db := testdb.Migrated(t)
	ctx := context.Background()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := refdata.Sync(ctx, db.Conn, reg); err != nil {
		t.Fatal(err)
	}
	a, err := New(Deps{Conn: db.Conn, Ready: ready, Now: func() time.Time { return time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// analyst returns the session cookie of an analyst (created once per app).
func analyst(t *testing.T, a *App) string {
	t.Helper()
	if c, ok := analystCookies[a]; ok {
		return c
	}
	c, _ := signIn(t, a, "analyst", auth.Analyst, "")
	analystCookies[a] = c
	return c
}

var analystCookies = map[*App]string{}

func get(t *testing.T, a *App, url string, cookies ...string) (int, string, map[string][]string) {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	resp, err := a.Fiber().Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

var countRe = regexp.MustCompile(`<section id="(\w+)">\s*<h2>[^<]*<span class="count" data-count="(\d+)"`)

func counts(body string) map[string]string {
	out := map[string]string{}
	for _, m := range countRe.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

func TestUnitsPageByEra(t *testing.T) {
	a := newApp(t, nil)
	for _, tc := range []struct {
		url                   string
		ministries, provinces string
		mustHave              []string
	}{
		{"/units?date=2024-12-31", "25", "63", []string{"Hà Giang", "Thừa Thiên Huế", "Tuyên Quang (08)", "31/12/2024", "63 tỉnh"}},
		{"/units?date=2025-07-01", "19", "34", []string{"Tuyên Quang", "Bộ Nông nghiệp và Môi trường", "34 tỉnh"}},
		{"/units", "19", "34", []string{`value="2026-11-22"`, "22/11/2026"}}, // today in Vietnam
	} {
		code, body, _ := get(t, a, tc.url, analyst(t, a))
		if code != 200 {
			t.Fatalf("%s: status %d\n%s", tc.url, code, body)
		}
		c := counts(body)
		if c["ministries"] != tc.ministries || c["provinces"] != tc.provinces {
			t.Errorf("%s: counts %v, want ministries %s provinces %s", tc.url, c, tc.ministries, tc.provinces)
		}
		for _, s := range tc.mustHave {
			if !strings.Contains(body, s) {
				t.Errorf("%s: page lacks %q", tc.url, s)
			}
		}
	}
	// Hà Giang no longer exists on 2025-07-01.
	if _, body, _ := get(t, a, "/units?date=2025-07-01", analyst(t, a)); strings.Contains(body, "Hà Giang</span>") {
		t.Error("2025-07-01 lists Hà Giang as a unit")
	}
	// UNVERIFIED marks stay visible.
	if _, body, _ := get(t, a, "/units?date=2025-01-01", analyst(t, a)); !strings.Contains(body, `class="badge unverified"`) || !strings.Contains(body, "UNVERIFIED") {
		t.Error("the unverified marks are not shown")
	}
}

func TestUnitsPageEnglishSwitchIsRemembered(t *testing.T) {
	a := newApp(t, nil)
	code, body, hdr := get(t, a, "/units?date=2024-12-31&lang=en", analyst(t, a))
	if code != 200 || !strings.Contains(body, "Provinces and centrally-run cities") || !strings.Contains(body, `<html lang="en">`) {
		t.Fatalf("English page: %d\n%s", code, body)
	}
	if !strings.Contains(body, `href="/units?date=2024-12-31&amp;lang=vi"`) {
		t.Error("English page has no switch back to Vietnamese for the same date")
	}
	cookie := strings.Split(strings.Join(hdr["Set-Cookie"], ";"), ";")[0]
	if cookie != "lang=en" {
		t.Fatalf("language cookie = %q", cookie)
	}
	_, body, _ = get(t, a, "/units?date=2024-12-31", cookie, analyst(t, a))
	if !strings.Contains(body, "Provinces and centrally-run cities") {
		t.Error("the language choice is not remembered")
	}
}

func TestUnitsPageBadDate(t *testing.T) {
	a := newApp(t, nil)
	code, body, _ := get(t, a, "/units?date=2024-13-45", analyst(t, a))
	if code != 400 || !strings.Contains(body, "2024-13-45") || !strings.Contains(body, "YYYY-MM-DD") {
		t.Fatalf("bad date: %d\n%s", code, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newApp(t, nil)
	_, _, hdr := get(t, a, "/")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if len(hdr[h]) == 0 {
			t.Errorf("missing header %s", h)
		}
	}
	if code, body, _ := get(t, a, "/static/app.css"); code != 200 || !strings.Contains(body, "table.units") {
		t.Errorf("static css: %d", code)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	a := newApp(t, nil)
	if code, body, _ := get(t, a, "/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthz: %d %s", code, body)
	}
	if code, body, _ := get(t, a, "/readyz"); code != 200 || !strings.Contains(body, `"ready"`) {
		t.Fatalf("readyz: %d %s", code, body)
	}
	notReady := newApp(t, func(context.Context) error { return errors.New("migrations: 1 pending (0002_x.sql)") })
	if code, body, _ := get(t, notReady, "/readyz"); code != 503 || !strings.Contains(body, "0002_x.sql") {
		t.Fatalf("readyz with pending migrations: %d %s", code, body)
	}
}
