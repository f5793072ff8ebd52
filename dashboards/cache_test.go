package dashboards

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/testdb"
	"egovkpi/metrics"
)

// TestFiguresCacheFollowsLoads: over real HTTP, a league table is served
// from the cache until a load changes its month; then, within the poll
// interval, the new figure is served.
func TestFiguresCacheFollowsLoads(t *testing.T) {
	db := testdb.Migrated(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := store.New(db.Conn, nil)
	load := func(received uint32) {
		t.Helper()
		u := record.Usage{UnitID: "p34-01", Day: egovkpi.Date(2025, 8, 4), Procedure: "1.000001"}
		u.SetValue(record.Received, received)
		u.SetValue(record.ReceivedOnline, 10)
		touched, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), UnitID: "p34-01", Days: []time.Time{u.Day}, Rows: []record.Usage{u}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RefreshRollups(ctx, touched); err != nil {
			t.Fatal(err)
		}
	}
	load(100)
	a, err := New(Deps{Conn: db.Conn, CachePoll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Serve(ctx, ln, time.Second) }()
	url := "http://" + ln.Addr().String() + "/api/v1/league?block=province&period=2025-08&kpi=online_rate"
	cookie, _ := signIn(t, a, "analyst", auth.Analyst, "")
	denominator := func() float64 {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Cookie", cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var j metrics.TableJSON
		if err := json.Unmarshal(b, &j); err != nil || len(j.Rows) == 0 || j.Rows[0].Denominator == nil {
			t.Fatalf("league: %v %s", err, b)
		}
		return *j.Rows[0].Denominator
	}
	if d := denominator(); d != 100 {
		t.Fatalf("denominator %v, want 100", d)
	}
	time.Sleep(200 * time.Millisecond) // the load's own change is polled
	if d := denominator(); d != 100 || a.cache.Len() != 1 {
		t.Fatalf("second request: %v, %d cached", d, a.cache.Len())
	}
	load(40)
	deadline := time.Now().Add(5 * time.Second)
	for denominator() != 40 {
		if time.Now().After(deadline) {
			t.Fatal("the cached table was not refreshed after the load")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
