package collector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector"
	"egovkpi/collector/protocol"
	"egovkpi/collector/pull"
	"egovkpi/collector/record"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

type env struct {
	t    *testing.T
	db   *chtest.DB
	st   *store.Store
	col  *collector.Collector
	sim  *simulator.Simulator
	srv  *httptest.Server
	reg  *refdata.Registry
	srcs map[string]collector.Source
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testdb.Migrated(t)
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db.Conn, nil)
	sim := simulator.New(simulator.Options{Seed: 7, Registry: reg})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	client := &pull.Client{Backoff: 20 * time.Millisecond, MaxRetryAfter: 5 * time.Second}
	col := collector.New(st, reg, collector.Options{Client: client})
	e := &env{t: t, db: db, st: st, col: col, sim: sim, srv: srv, reg: reg, srcs: map[string]collector.Source{}}
	for _, u := range reg.All() {
		e.srcs[u.ID] = collector.Source{ID: u.ID, UnitID: u.ID, URL: srv.URL + "/portals/" + u.ID, Token: sim.Token(u.ID),
			Timeout: 10 * time.Second, Concurrency: 2, RepullDays: 7, Enabled: true}
	}
	return e
}

func day(s string) time.Time {
	d, err := time.Parse(egovkpi.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func (e *env) pull(unit, from, to string) store.Run {
	e.t.Helper()
	run, err := e.col.Pull(context.Background(), e.srcs[unit], day(from), day(to), nil)
	if err != nil {
		e.t.Fatalf("pull %s %s..%s: %v (run %+v)", unit, from, to, err, run)
	}
	if err := e.col.Refresher.Flush(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	return run
}

// flush refreshes the rollups.
func (e *env) flush() {
	e.t.Helper()
	if err := e.col.Refresher.Flush(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// count runs a SELECT count() query.
func (e *env) count(query string, args ...any) uint64 {
	e.t.Helper()
	var n uint64
	if err := e.db.Conn.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// sources reads the sources' state.
func (e *env) sources() []store.SourceRow {
	e.t.Helper()
	rows, err := e.st.Sources(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

// totals are sums per unit and procedure of every field.
type totals map[string][record.NumFields]uint64

func (tt totals) add(unit string, u record.Usage) {
	k := unit + " " + u.Procedure
	v := tt[k]
	for f := record.Field(0); f < record.NumFields; f++ {
		if x, ok := u.Get(f); ok {
			v[f] += uint64(x)
		}
	}
	tt[k] = v
}

// expected is what the simulator serves for the window, normalised by the
// collector's rules and without the records a fault corrupts.
func (e *env) expected(unit, from, to string) (totals, int) {
	e.t.Helper()
	u, _ := e.reg.ByID(unit)
	f, l := day(from), day(to)
	if f.Before(u.ValidFrom) {
		f = u.ValidFrom
	}
	if !u.ValidTo.IsZero() && l.After(u.ValidTo) {
		l = u.ValidTo
	}
	recs, _, err := e.sim.Usage(unit, f, l)
	if err != nil {
		e.t.Fatal(err)
	}
	tt := totals{}
	n := 0
	for _, r := range recs {
		if e.sim.Corrupted(unit, r) {
			continue
		}
		raw, _ := json.Marshal(r)
		u, err := record.DecodeUsage(raw)
		if err != nil {
			e.t.Fatalf("clean simulator record refused: %v: %s", err, raw)
		}
		tt.add(unit, u)
		n++
	}
	return tt, n
}

// stored reads the current loads of the window back.
func (e *env) stored(units []string, from, to string) (totals, int) {
	e.t.Helper()
	var cols []string
	for _, f := range record.Fields() {
		cols = append(cols, "sum("+f.Name()+")")
	}
	rows, err := e.db.Conn.Query(context.Background(), `SELECT unit_id, procedure, count(), `+strings.Join(cols, ", ")+` FROM usage_facts
WHERE day >= toDate(?) AND day <= toDate(?) AND has(?, unit_id)
  AND (unit_id, day, load_id) IN (SELECT unit_id, day, max(load_id) FROM usage_versions GROUP BY unit_id, day)
GROUP BY unit_id, procedure`, from, to, units)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	tt := totals{}
	n := 0
	for rows.Next() {
		var unit, proc string
		var cnt uint64
		vals := make([]*uint64, record.NumFields)
		dest := []any{&unit, &proc, &cnt}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			e.t.Fatal(err)
		}
		var v [record.NumFields]uint64
		for i, x := range vals {
			if x != nil {
				v[i] = *x
			}
		}
		tt[unit+" "+proc] = v
		n += int(cnt)
	}
	return tt, n
}

func diff(want, got totals) string {
	var out []string
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			out = append(out, fmt.Sprintf("%s: want %v got %v", k, w, g))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			out = append(out, k+": stored but not served")
		}
	}
	sort.Strings(out)
	if len(out) > 5 {
		out = append(out[:5], fmt.Sprintf("… %d differences", len(out)))
	}
	return strings.Join(out, "\n")
}

func merge(ts ...totals) totals {
	out := totals{}
	for _, t := range ts {
		for k, v := range t {
			out[k] = v
		}
	}
	return out
}

// TestCollectionMatchesTheSimulatorExactly collects a window across the
// province merger for an old province, its successor and a ministry, and
// checks every sum per unit and procedure; then collects it twice more and
// in shuffled overlapping windows: nothing is counted twice.
func TestCollectionMatchesTheSimulatorExactly(t *testing.T) {
	e := newEnv(t)
	const from, to = "2025-06-20", "2025-07-10"
	units := []string{"p63-02", "p63-08", "p34-08", "m-MOF"}
	var want []totals
	wantRows := 0
	for _, u := range units {
		tt, n := e.expected(u, from, to)
		want = append(want, tt)
		wantRows += n
	}
	all := merge(want...)
	if wantRows == 0 {
		t.Fatal("the simulator served nothing")
	}
	for round := 0; round < 3; round++ {
		for _, u := range units {
			run := e.pull(u, from, to)
			if run.Status != store.RunOK {
				t.Fatalf("round %d %s: %+v", round, u, run)
			}
		}
		got, n := e.stored(units, from, to)
		if d := diff(all, got); d != "" || n != wantRows {
			t.Fatalf("round %d: %d rows stored, want %d\n%s", round, n, wantRows, d)
		}
	}
	// Shuffled, overlapping windows.
	windows := [][2]string{{"2025-07-01", "2025-07-10"}, {"2025-06-20", "2025-06-28"}, {"2025-06-25", "2025-07-03"}, {"2025-07-05", "2025-07-06"}}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 8; i++ {
		w := windows[r.Intn(len(windows))]
		e.pull(units[r.Intn(len(units))], w[0], w[1])
	}
	got, n := e.stored(units, from, to)
	if d := diff(all, got); d != "" || n != wantRows {
		t.Fatalf("after shuffled windows: %d rows, want %d\n%s", n, wantRows, d)
	}
	// The rollups agree with the facts.
	var rollup, facts uint64
	if err := e.db.Conn.QueryRow(context.Background(), "SELECT sum(received) FROM usage_unit_day WHERE day >= toDate(?) AND day <= toDate(?)", from, to).Scan(&rollup); err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		facts += v[record.Received]
	}
	if rollup != facts {
		t.Fatalf("usage_unit_day received %d, facts %d", rollup, facts)
	}
}

// TestCatalogueIsPulledOncePerMonth: the chunks of a window in one month,
// pulled at once, share its catalogue: it is asked for and stored once.
func TestCatalogueIsPulledOncePerMonth(t *testing.T) {
	e := newEnv(t)
	var catalogueRequests atomic.Int64 // first pages
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, protocol.CataloguePath) && r.URL.Query().Get("page_token") == "" {
			catalogueRequests.Add(1) // a listing begins
		}
		e.sim.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	src := e.srcs["p34-08"]
	src.URL = srv.URL + "/portals/p34-08"
	src.Concurrency = 3
	run, err := e.col.Pull(context.Background(), src, day("2025-08-01"), day("2025-08-21"), nil)
	if err != nil || run.Status != store.RunOK || run.DaysLoaded != 21 {
		t.Fatalf("pull: %v %+v", err, run)
	}
	var stored uint64
	if err := e.db.Conn.QueryRow(context.Background(), "SELECT count() FROM catalogue_versions WHERE unit_id = 'p34-08'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if n := catalogueRequests.Load(); n != 1 || stored != 1 {
		t.Fatalf("catalogue asked for %d times and stored %d times for three chunks of one month, want once", n, stored)
	}
}
