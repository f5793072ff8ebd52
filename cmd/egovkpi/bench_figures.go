package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"egovkpi"
	"egovkpi/collector"
	"egovkpi/collector/bench"
	"egovkpi/collector/pull"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/dashboards"
	"egovkpi/internal/auth"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
)

// benchFigures measures serving figures at national scale: it writes the
// simulator's data of every unit for years up to last (both eras), builds
// the rollups, then times league tables and the 766 index over real HTTP
// (requests each) against baselines in the same run (each period's online
// rates computed from the fact table), and the rollup refresh after a
// one-day collection of every unit over HTTP.
func benchFigures(ctx context.Context, c *cli, db *database, last time.Time, years, requests, workers int, reuse bool) error {
	reg, err := refdata.Load()
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	sim := simulator.New(simulator.Options{Seed: 1, Registry: reg})
	st := store.New(db.Conn, quiet)
	if !reuse {
		if err := writeNational(ctx, c, st, sim, last, years, workers); err != nil {
			return err
		}
	}
	data, err := dataRows(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "  %s\n", data)

	// The web app over real HTTP, with "today" the day after the data:
	// once without the figures cache (every request computed from the
	// rollups) and once with it.
	today := last.AddDate(0, 0, 1).Add(12 * time.Hour)
	actx, stop := context.WithCancel(ctx)
	defer stop()
	cookie, err := benchSession(ctx, db)
	if err != nil {
		return err
	}
	uncached, err := serveForBench(actx, db, today, -1, quiet)
	if err != nil {
		return err
	}
	cached, err := serveForBench(actx, db, today, 0, quiet)
	if err != nil {
		return err
	}

	// The last whole quarter and year of the data.
	q := lastWholeQuarter(last)
	y, _ := metrics.Containing(metrics.Year, last)
	if !y.To.Equal(last) {
		y = y.Previous()
	}
	// Each period's baseline (baselineQuery); the league tables and
	// indexes of the period are measured against it.
	fmt.Fprintf(c.stdout, "  baseline: the period's online rates of every unit from usage_facts, one query, no HTTP (10 each):\n")
	baselineP95 := map[metrics.Period]time.Duration{}
	for _, p := range []metrics.Period{q, y} {
		bds, err := timeBaseline(ctx, db, p)
		if err != nil {
			return fmt.Errorf("baseline of %s: %w", p, err)
		}
		baselineP95[p] = bench.Percentile(bds, 95)
		fmt.Fprintf(c.stdout, "    %-44s p50 %7s  p95 %7s\n", "figures of "+p.String()+" from usage_facts", ms(bench.Percentile(bds, 50)), ms(baselineP95[p]))
	}
	fmt.Fprintf(c.stdout, "  requests (%d each, sequential, the first included), uncached | cached; p95 as a multiple of the period's baseline p95:\n", requests)
	for _, r := range []struct {
		name, path string
		period     metrics.Period
	}{
		{"league, provinces, quarter " + q.String(), "/api/v1/league?block=province&kpi=online_rate&period=" + q.String(), q},
		{"league, provinces, year " + y.String(), "/api/v1/league?block=province&kpi=online_rate&period=" + y.String(), y},
		{"league, ministries, quarter " + q.String(), "/api/v1/league?block=ministry&kpi=on_time_rate&period=" + q.String(), q},
		{"league (catalogue KPI), provinces, " + q.String(), "/api/v1/league?block=province&kpi=full_process_online_rate&period=" + q.String(), q},
		{"766 index, provinces, quarter " + q.String(), "/api/v1/index766?block=province&period=" + q.String(), q},
		{"766 index, provinces, year " + y.String(), "/api/v1/index766?block=province&period=" + y.String(), y},
	} {
		line := fmt.Sprintf("    %-44s", r.name)
		var ratios []string
		for _, base := range []string{uncached, cached} {
			ds, err := timeRequests(ctx, base+r.path, cookie, requests)
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			p95 := bench.Percentile(ds, 95)
			line += fmt.Sprintf("  p50 %7s p95 %7s max %7s |", ms(bench.Percentile(ds, 50)), ms(p95), ms(bench.Percentile(ds, 100)))
			ratios = append(ratios, fmt.Sprintf("%.2fx", p95.Seconds()/baselineP95[r.period].Seconds()))
		}
		fmt.Fprintf(c.stdout, "%s  p95 vs baseline %s  (target p95 <= 100ms)\n", strings.TrimSuffix(line, " |"), strings.Join(ratios, " | "))
	}

	// One day of every unit over HTTP, then the rollup refresh alone.
	day := last.AddDate(0, 0, 1)
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() {
		if err := srv.Serve(sln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			quiet.Error("simulator", slog.Any("err", err))
		}
	}()
	defer srv.Close()
	col := collector.New(st, reg, collector.Options{Log: quiet, Client: &pull.Client{MaxRetryAfter: 5 * time.Second}})
	srcs := bench.Sources(sim, "http://"+sln.Addr().String(), day, day)
	cs, refresh, err := bench.CollectThenRefresh(ctx, col, srcs, day, day, 8)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "  one-day collection of every unit (%s, %d portals): %s, %d rows, runs %v\n", day.Format(egovkpi.DateLayout), cs.Sources, cs.Took.Round(time.Millisecond), cs.Accepted, cs.ByStatus)
	for _, p := range cs.Problems {
		fmt.Fprintf(c.stdout, "    %s\n", p)
	}
	fmt.Fprintf(c.stdout, "  rollup refresh after it: %s (target <= 10s)\n", refresh.Round(time.Millisecond))
	return nil
}

// baselineQuery is the baseline of the figures: every unit's online rate
// over a period from the fact table (the current load of every day), as a
// reader without rollups would compute it.
const baselineQuery = `SELECT unit_id, sum(received_online), sum(received) FROM usage_facts
WHERE day >= toDate(?) AND day <= toDate(?) AND (unit_id, day, load_id) IN (
    SELECT unit_id, day, max(load_id) FROM usage_versions WHERE day >= toDate(?) AND day <= toDate(?) GROUP BY unit_id, day)
GROUP BY unit_id`

// timeBaseline runs baselineQuery over p ten times, reading every row,
// and returns each run's duration.
func timeBaseline(ctx context.Context, db *database, p metrics.Period) ([]time.Duration, error) {
	var ds []time.Duration
	f, t := p.From.Format(egovkpi.DateLayout), p.To.Format(egovkpi.DateLayout)
	for range 10 {
		s := time.Now()
		rows, err := db.Conn.Query(ctx, baselineQuery, f, t, f, t)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		ds = append(ds, time.Since(s))
	}
	return ds, nil
}

// dataRows counts the rows of the fact table and of the rollups the
// figures read, for the bench's report.
func dataRows(ctx context.Context, db *database) (string, error) {
	var n [3]uint64
	for i, table := range []string{"usage_facts", "usage_unit_day", "usage_unit_procedure_month"} {
		if err := db.Conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n[i]); err != nil {
			return "", fmt.Errorf("rows of %s: %w", table, err)
		}
	}
	return fmt.Sprintf("usage_facts %d rows; rollups: usage_unit_day %d, usage_unit_procedure_month %d", n[0], n[1], n[2]), nil
}

// serveForBench serves the web app on a loopback port until ctx ends,
// with "today" fixed and cacheEntries as dashboards.Deps says; it returns
// the base URL.
func serveForBench(ctx context.Context, db *database, today time.Time, cacheEntries int, log *slog.Logger) (string, error) {
	app, err := dashboards.New(dashboards.Deps{Conn: db.Conn, Log: log, Now: func() time.Time { return today }, CacheEntries: cacheEntries})
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go func() { _ = app.Serve(ctx, ln, 5*time.Second) }()
	return "http://" + ln.Addr().String(), nil
}

// lastWholeQuarter is the last quarter that ends on or before last.
func lastWholeQuarter(last time.Time) metrics.Period {
	q, _ := metrics.Containing(metrics.Quarter, last)
	if !q.To.Equal(last) {
		q = q.Previous()
	}
	return q
}

// benchSession signs an analyst in (created in the scratch database if
// missing) and returns the session cookie the timed requests send.
func benchSession(ctx context.Context, db *database) (string, error) {
	st := auth.New(db.Conn)
	if _, err := st.User(ctx, "bench"); errors.Is(err, auth.ErrNotFound) {
		if err := st.AddUser(ctx, auth.User{Login: "bench", Name: "egovkpi bench", Role: auth.Analyst}, auth.RandomToken(16)); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	token, _, err := st.StartSession(ctx, "bench")
	if err != nil {
		return "", err
	}
	return dashboards.SessionCookie + "=" + token, nil
}

// timeRequests GETs url n times with the session cookie and returns each
// one's duration; any answer other than 200 is an error.
func timeRequests(ctx context.Context, url, cookie string, n int) ([]time.Duration, error) {
	var ds []time.Duration
	for range n {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Cookie", cookie)
		s := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("status %d: %s", resp.StatusCode, body)
		}
		ds = append(ds, time.Since(s))
	}
	return ds, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// writeNational writes the simulator's data of every unit for years up to
// last and builds the rollups from scratch.
func writeNational(ctx context.Context, c *cli, st *store.Store, sim *simulator.Simulator, last time.Time, years, workers int) error {
	from := egovkpi.Date(last.Year()-years+1, 1, 1)
	fmt.Fprintf(c.stdout, "figures: national data %s..%s from the simulator (every unit of both eras), %d workers\n", from.Format(egovkpi.DateLayout), last.Format(egovkpi.DateLayout), workers)
	sum, err := bench.National(ctx, st, sim, from, last, workers, func(rows int64) {
		fmt.Fprintf(c.stderr, "\r  %d rows written", rows)
	})
	fmt.Fprintln(c.stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "  written: %d rows, %d loads, %d catalogues, %d units in %s (%.0f rows/s; not a target)\n",
		sum.Rows, sum.Loads, sum.Catalogues, sum.Units, sum.Took.Round(time.Second), float64(sum.Rows)/sum.Took.Seconds())
	t0 := time.Now()
	if err := st.RefreshRollups(ctx, sum.Touched); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "  rollups built from scratch: %d (month, unit) slices in %s\n", sum.Touched.Slices(), time.Since(t0).Round(time.Millisecond))
	return nil
}
