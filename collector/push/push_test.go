package push_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"egovkpi/collector"
	"egovkpi/collector/protocol"
	"egovkpi/collector/push"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

type env struct {
	t   *testing.T
	db  *chtest.DB
	col *collector.Collector
	url string
	sim *simulator.Simulator
}

const bodyLimit = 4 << 20

func newEnv(t *testing.T) *env {
	db := testdb.Migrated(t)
	reg, _ := refdata.Load()
	col := collector.New(store.New(db.Conn, nil), reg, collector.Options{})
	h := push.New(col, nil)
	h.MaxBodyBytes = bodyLimit
	app := fiber.New(fiber.Config{BodyLimit: 2 * bodyLimit, DisableStartupMessage: true})
	app.Post("/api/v1/ingest/usage", h.Usage)
	app.Post("/api/v1/ingest/catalogue", h.Catalogue)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return &env{t: t, db: db, col: col, url: "http://" + ln.Addr().String(), sim: simulator.New(simulator.Options{Seed: 3, Registry: reg})}
}

func (e *env) token(unit string) string {
	tok, err := e.col.Store().CreateToken(context.Background(), unit, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *env) post(path, token string, body []byte) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out
}

func (e *env) count(table string) uint64 {
	var n uint64
	if err := e.db.Conn.QueryRow(context.Background(), "SELECT count() FROM "+table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) cataloguePage(unit, code, asOf string) []byte {
	procs, err := e.sim.Catalogue(unit, day(asOf))
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := json.Marshal(protocol.CataloguePage{Protocol: protocol.Version, Unit: code, AsOf: asOf, Procedures: procs})
	return b
}

func (e *env) usagePage(unit, code, from, to string) ([]byte, int) {
	recs, _, err := e.sim.Usage(unit, day(from), day(to))
	if err != nil {
		e.t.Fatal(err)
	}
	p := protocol.UsagePage{Protocol: protocol.Version, Unit: code, From: from, To: to}
	for _, r := range recs {
		raw, _ := json.Marshal(r)
		p.Records = append(p.Records, raw)
	}
	b, _ := json.Marshal(p)
	return b, len(recs)
}

func day(s string) time.Time { d, _ := time.Parse(protocol.DateLayout, s); return d }

func TestPushOwnUnit(t *testing.T) {
	e := newEnv(t)
	tok := e.token("p34-08")
	if code, out := e.post("/api/v1/ingest/catalogue", tok, e.cataloguePage("p34-08", "08", "2025-08-01")); code != 200 || out["accepted"].(float64) < 1000 {
		t.Fatalf("catalogue push: %d %v", code, out)
	}
	body, n := e.usagePage("p34-08", "08", "2025-08-04", "2025-08-05")
	code, out := e.post("/api/v1/ingest/usage", tok, body)
	if code != 200 || int(out["accepted"].(float64)) != n || out["days"].(float64) != 2 {
		t.Fatalf("usage push: %d %v (want %d accepted)", code, out, n)
	}
	if got := e.count("usage_facts"); int(got) != n {
		t.Fatalf("%d facts stored, want %d", got, n)
	}
	runs, _ := e.col.Store().Runs(context.Background(), store.RunFilter{})
	if len(runs) != 1 || runs[0].Kind != "push" || runs[0].RowsAccepted != n {
		t.Fatalf("run log: %+v", runs)
	}
}

// TestPushForAnotherUnitIsRefused: a token of unit A writing unit B gets 403
// and nothing is written.
func TestPushForAnotherUnitIsRefused(t *testing.T) {
	e := newEnv(t)
	tokA := e.token("p34-01")
	body, _ := e.usagePage("p34-08", "08", "2025-08-04", "2025-08-04")
	code, out := e.post("/api/v1/ingest/usage", tokA, body)
	if code != 403 || !strings.Contains(fmt.Sprint(out["error"]), "p34-01") || !strings.Contains(fmt.Sprint(out["error"]), "nothing was written") {
		t.Fatalf("cross-unit push: %d %v", code, out)
	}
	code, _ = e.post("/api/v1/ingest/catalogue", tokA, e.cataloguePage("p34-08", "08", "2025-08-01"))
	if code != 403 {
		t.Fatalf("cross-unit catalogue push: %d", code)
	}
	for _, table := range []string{"usage_facts", "usage_versions", "catalogue", "catalogue_versions", "quarantine", "collection_runs"} {
		if n := e.count(table); n != 0 {
			t.Errorf("%s has %d rows after a refused push", table, n)
		}
	}
}

func TestPushBadRequests(t *testing.T) {
	e := newEnv(t)
	tok := e.token("p34-08")
	for _, tc := range []struct {
		name, token string
		body        []byte
		status      int
		want        string
	}{
		{"no token", "", []byte(`{}`), 401, "missing bearer token"},
		{"unknown token", "egk_nope", []byte(`{}`), 401, "unknown or revoked token"},
		{"malformed JSON", tok, []byte(`{"protocol": "egovkpi-portal/1", "records": [`), 400, "malformed JSON"},
		{"wrong type", tok, []byte(`{"protocol": "egovkpi-portal/1", "unit": 8}`), 400, "field unit"},
		{"misspelt field", tok, []byte(`{"protocol":"egovkpi-portal/1","unit":"08","from":"2025-08-04","to":"2025-08-04","missing_day":["2025-08-04"],"records":[]}`), 400, `unknown field "missing_day"`},
		{"oversize", tok, bytes.Repeat([]byte(" "), bodyLimit+1), 413, "over the limit"},
		{"no catalogue", tok, func() []byte { b, _ := e.usagePage("p34-08", "08", "2025-08-04", "2025-08-04"); return b }(), 422, "no catalogue"},
	} {
		code, out := e.post("/api/v1/ingest/usage", tc.token, tc.body)
		msg := fmt.Sprint(out)
		if code != tc.status || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %s, want %d and %q", tc.name, code, msg, tc.status, tc.want)
		}
	}
	if n := e.count("usage_facts"); n != 0 {
		t.Errorf("%d facts written by bad pushes", n)
	}
	// The three unreadable bodies are kept for the operator.
	items, _ := e.col.Store().ListQuarantine(context.Background(), store.QuarantineFilter{Reason: "malformed JSON"})
	if len(items) != 3 {
		t.Fatalf("quarantine of the malformed bodies: %+v", items)
	}
	for _, it := range items {
		if it.Kind != store.KindPayload || it.UnitID != "p34-08" || it.Raw == "" {
			t.Errorf("quarantined body: %+v", it)
		}
	}
}
