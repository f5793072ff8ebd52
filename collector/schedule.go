package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"egovkpi"
	"egovkpi/collector/pull"
	"egovkpi/collector/store"
)

// Vietnam is the time zone of schedules and of "yesterday" (egovkpi.Vietnam).
var Vietnam = egovkpi.Vietnam

// Yesterday is the last complete day in Vietnam at now.
func Yesterday(now time.Time) time.Time {
	y, m, d := now.In(Vietnam).AddDate(0, 0, -1).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// backoff is how long a source that failed n times in a row is left alone:
// 5 minutes doubling plus a jitter of a quarter to three quarters of that
// (so that sources failing together do not come back together), never
// more than a day. The jitter keeps the wait growing with the streak: the
// longest wait after n failures (1.75 d) is shorter than the shortest
// after n+1 (2.5 d).
func backoff(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	const most = 24 * time.Hour
	d := min(5*time.Minute<<min(n-1, 9), most)
	if d+d/4 >= most {
		// At the cap: somewhere in the day's last three hours (21–23 h,
		// longer than any wait before the cap, 18.7 h at most), so that
		// sources failing together still come back apart.
		return most - pull.Jitter(2*time.Hour)
	}
	return d + pull.Jitter(d/2)
}

// Pull collects [from, to] of src like Collect and updates the source's
// state: on success the error streak ends and the watermark advances; on
// failure the streak grows and the next check moves back (a failing portal
// is backed off, not hammered); a Retry-After beyond the client's patience
// sets the next check to the time the portal gave.
func (c *Collector) Pull(ctx context.Context, src Source, from, to time.Time, progress func(Progress)) (store.Run, error) {
	run, err := c.Collect(ctx, src, from, to, progress)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	row, serr := c.sourceRow(sctx, src)
	if serr != nil {
		return run, errors.Join(err, serr)
	}
	now := time.Now()
	var later *pull.RetryLaterError
	switch {
	case errors.As(err, &later):
		row.ConsecutiveErrors++
		row.LastError = err.Error()
		row.NextCheck = later.Until
	case err != nil: // a failed run comes with its error
		row.ConsecutiveErrors++
		row.LastError = err.Error()
		row.NextCheck = now.Add(backoff(row.ConsecutiveErrors))
	case run.Status == store.RunAbandoned:
		// Stopped by us, not the portal's fault.
	default:
		row.ConsecutiveErrors = 0
		row.LastError = ""
		row.LastSuccess = now
		row.NextCheck = now
		// The watermark is the last day a complete run loaded: the window
		// cut to the unit's validity, never a day the unit did not exist.
		if run.Status == store.RunOK && run.DaysLoaded > 0 && run.To.After(row.Watermark) {
			row.Watermark = run.To
		}
	}
	if serr := c.store.SaveSource(sctx, row); serr != nil {
		return run, errors.Join(err, serr)
	}
	return run, err
}

func (c *Collector) sourceRow(ctx context.Context, src Source) (store.SourceRow, error) {
	rows, err := c.store.Sources(ctx)
	if err != nil {
		return store.SourceRow{}, err
	}
	for _, r := range rows {
		if r.ID == src.ID {
			return r, nil
		}
	}
	return store.SourceRow{ID: src.ID, UnitID: src.UnitID, URL: src.URL, TokenRef: src.TokenRef, Schedule: src.Schedule,
		Timeout: src.Timeout, Concurrency: src.Concurrency, RepullDays: src.RepullDays, Enabled: src.Enabled}, nil
}

// Schedule runs every enabled source on its cron schedule (6 fields, in
// Asia/Ho_Chi_Minh) until ctx ends: each run pulls yesterday and the
// source's last repull_days days, through a pool of at most workers runs at
// once. A source whose next check is in the future (backed off after
// errors, or asked to wait) is skipped. On stop, runs in progress finish
// their current chunk; nothing is half-written.
func (c *Collector) Schedule(ctx context.Context, srcs []Source, workers int) error {
	if workers <= 0 {
		workers = 8
	}
	logger := cronLogger{c.log}
	cr := cron.New(cron.WithSeconds(), cron.WithLocation(Vietnam), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	pool := make(chan struct{}, workers)
	for _, src := range srcs {
		if !src.Enabled {
			continue
		}
		if _, err := cr.AddFunc(src.Schedule, func() { c.scheduled(ctx, src, pool) }); err != nil {
			return fmt.Errorf("collector: source %s: schedule %q: %w", src.ID, src.Schedule, err)
		}
	}
	cr.Start()
	c.log.Info("collection scheduler started", slog.Int("sources", len(cr.Entries())), slog.Int("workers", workers))
	<-ctx.Done()
	stopped := cr.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(60 * time.Second):
		c.log.Warn("collection runs still going after 60 s; leaving them")
	}
	return nil
}

func (c *Collector) scheduled(ctx context.Context, src Source, pool chan struct{}) {
	row, err := c.sourceRow(ctx, src)
	if err != nil {
		c.log.Error("scheduled run: read source state", slog.String("source", src.ID), slog.Any("err", err))
		return
	}
	if time.Now().Before(row.NextCheck) {
		c.log.Info("source backed off; skipped", slog.String("source", src.ID), slog.Time("next_check", row.NextCheck), slog.Int("errors", row.ConsecutiveErrors))
		return
	}
	select {
	case pool <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-pool }()
	to := Yesterday(time.Now())
	from := to.AddDate(0, 0, -src.RepullDays)
	if _, err := c.Pull(ctx, src, from, to, nil); err != nil {
		c.log.Warn("scheduled run failed", slog.String("source", src.ID), slog.Any("err", err))
	}
}

// PullAll pulls [from, to] of every enabled source through a pool of
// workers and waits for the rollups; it returns the runs.
func (c *Collector) PullAll(ctx context.Context, srcs []Source, from, to time.Time, workers int) []store.Run {
	runs := c.PullEach(ctx, srcs, from, to, workers)
	if err := c.Refresher.Flush(context.WithoutCancel(ctx)); err != nil {
		c.log.Error("rollup refresh", slog.Any("err", err))
	}
	return runs
}

// PullEach pulls [from, to] of every enabled source through a pool of
// workers (eight when workers ≤ 0) and returns the runs. Unlike PullAll it
// does not wait for the rollups: the slices the loads touched stay queued
// in the Refresher.
func (c *Collector) PullEach(ctx context.Context, srcs []Source, from, to time.Time, workers int) []store.Run {
	if workers <= 0 {
		workers = 8
	}
	var (
		mu   sync.Mutex
		runs []store.Run
		wg   sync.WaitGroup
		pool = make(chan struct{}, workers)
	)
	for _, src := range srcs {
		if !src.Enabled {
			continue
		}
		select {
		case pool <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-pool; wg.Done() }()
			run, err := c.Pull(ctx, src, from, to, nil)
			if err != nil {
				c.log.Warn("pull failed", slog.String("source", src.ID), slog.Any("err", err))
			}
			mu.Lock()
			runs = append(runs, run)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return runs
}

// cronLogger sends cron's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, slog.Any("err", err))...)
}
