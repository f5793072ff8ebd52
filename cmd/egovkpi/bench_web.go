package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"egovkpi/collector/bench"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
)

// leagueTable is in a league page whose table was drawn (not a notice);
// leagueEmpty says the table has no data.
const (
	leagueTable = `id="league-table"`
	leagueEmpty = `id="league-empty"`
)

// loadResult is what a closed-loop load run measured.
type loadResult struct {
	Requests, Errors int64
	Took             time.Duration
	Latencies        []time.Duration
}

func (r loadResult) perSec() float64 { return float64(r.Requests) / r.Took.Seconds() }

// benchWeb loads the league-table page over loopback HTTP: concurrency
// clients, each sending its next request when the last one is answered,
// for duration, over the league pages of both blocks and several KPIs (the
// app as served: figures cache on, session looked up per request). The
// baseline in the same run is /healthz under the same load: what the HTTP
// stack and the load generator cost on this machine.
func benchWeb(ctx context.Context, c *cli, db *database, last time.Time, years, workers, concurrency int, duration time.Duration, period string, reuse bool) error {
	reg, err := refdata.Load()
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if !reuse {
		sim := simulator.New(simulator.Options{Seed: 1, Registry: reg})
		if err := writeNational(ctx, c, store.New(db.Conn, quiet), sim, last, years, workers); err != nil {
			return err
		}
	}
	cookie, err := benchSession(ctx, db)
	if err != nil {
		return err
	}
	today := last.AddDate(0, 0, 1).Add(12 * time.Hour)
	actx, stop := context.WithCancel(ctx)
	defer stop()
	base, err := serveForBench(actx, db, today, 0, quiet)
	if err != nil {
		return err
	}
	q := lastWholeQuarter(last)
	if period != "" {
		if q, err = metrics.ParsePeriod(period, today); err != nil {
			return usagef("--period: %v", err)
		}
	}
	var pages []string
	for _, block := range []string{"province", "ministry"} {
		for _, kpi := range []string{"online_rate", "on_time_rate", "online_payment_rate", "index766"} {
			pages = append(pages, fmt.Sprintf("%s/league?block=%s&kpi=%s&period=%s", base, block, kpi, q))
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}}
	// Warm up: each page once (computes and caches its figures).
	t0 := time.Now()
	if res, err := load(ctx, client, pages, leagueTable, cookie, 1, 0, len(pages)); err != nil || res.Errors > 0 {
		return fmt.Errorf("warm-up: %d of %d pages without a table with data: %v", res.Errors, len(pages), err)
	}
	fmt.Fprintf(c.stdout, "web: %d league pages of %s (both blocks, 4 KPIs), first requests (computing the figures) in %s\n", len(pages), q, time.Since(t0).Round(time.Millisecond))
	fmt.Fprintf(c.stdout, "  closed loop: %d clients for %s each, keep-alive, loopback; the load generator shares the machine\n", concurrency, duration)
	var results []loadResult
	for _, r := range []struct {
		name, want string
		urls       []string
	}{
		{"baseline: GET /healthz", "ok", []string{base + "/healthz"}},
		{"league-table pages (HTML, signed in)", leagueTable, pages},
	} {
		res, err := load(ctx, client, r.urls, r.want, cookie, concurrency, duration, 0)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		fmt.Fprintf(c.stdout, "  %-40s %7d requests %5d errors  %7.0f req/s  p50 %7s p95 %7s p99 %7s max %7s\n", r.name, res.Requests, res.Errors, res.perSec(),
			ms(bench.Percentile(res.Latencies, 50)), ms(bench.Percentile(res.Latencies, 95)), ms(bench.Percentile(res.Latencies, 99)), ms(bench.Percentile(res.Latencies, 100)))
		results = append(results, res)
	}
	healthz, league := results[0], results[1]
	fmt.Fprintf(c.stdout, "  league-table pages vs the baseline: %.2fx its req/s, %.2fx its p95\n", league.perSec()/healthz.perSec(),
		bench.Percentile(league.Latencies, 95).Seconds()/bench.Percentile(healthz.Latencies, 95).Seconds())
	fmt.Fprintln(c.stdout, "  target: league-table page >= 500 req/s with p99 <= 200ms")
	return nil
}

// load runs n closed-loop clients over urls (round robin) for d, or until
// count requests are done when count > 0. A status other than 200 counts
// as an error, and so does a body without want (a page whose table part
// ran out of time shows a notice with status 200) or with an empty table;
// a failed connection ends the run. A request cut by the end of the run
// is not counted.
func load(ctx context.Context, client *http.Client, urls []string, want, cookie string, n int, d time.Duration, count int) (loadResult, error) {
	var (
		next   atomic.Int64
		errs   atomic.Int64
		mu     sync.Mutex
		lat    []time.Duration
		wg     sync.WaitGroup
		failed error
	)
	lctx := ctx
	if d > 0 {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	start := time.Now()
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			defer func() { mu.Lock(); lat = append(lat, mine...); mu.Unlock() }()
			for lctx.Err() == nil {
				i := next.Add(1) - 1
				if count > 0 && i >= int64(count) {
					return
				}
				req, _ := http.NewRequestWithContext(lctx, http.MethodGet, urls[int(i)%len(urls)], nil)
				req.Header.Set("Cookie", cookie)
				s := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					if lctx.Err() == nil {
						mu.Lock()
						failed = err
						mu.Unlock()
					}
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if lctx.Err() != nil {
					return // cut by the end of the run
				}
				mine = append(mine, time.Since(s))
				if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(want)) || bytes.Contains(body, []byte(leagueEmpty)) {
					errs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	return loadResult{Requests: int64(len(lat)), Errors: errs.Load(), Took: took, Latencies: lat}, failed
}
