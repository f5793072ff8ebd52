package collector

import (
	"context"
	"log/slog"
	"time"

	"egovkpi/collector/protocol"
	"egovkpi/collector/store"
)

// BackfillPhases splits [from, to] into phases, most recent first: the last
// week, then the rest of the last quarter, then everything before. Each
// phase is collected for every source before the next starts, so recent
// figures appear first for all units.
func BackfillPhases(from, to time.Time) [][2]time.Time {
	var phases [][2]time.Time
	edges := []time.Time{to.AddDate(0, 0, -6), to.AddDate(0, -3, 0)}
	end := to
	for _, start := range edges {
		if !start.After(from) {
			break
		}
		phases = append(phases, [2]time.Time{start, end})
		end = start.AddDate(0, 0, -1)
	}
	if !end.Before(from) {
		phases = append(phases, [2]time.Time{from, end})
	}
	return phases
}

// Backfill pulls [from, to] of every source phase by phase (BackfillPhases),
// logging its progress, and returns the runs.
func (c *Collector) Backfill(ctx context.Context, srcs []Source, from, to time.Time, workers int) []store.Run {
	start := time.Now()
	var runs []store.Run
	phases := BackfillPhases(from, to)
	for i, p := range phases {
		if ctx.Err() != nil {
			break
		}
		t0 := time.Now()
		rs := c.PullAll(ctx, srcs, p[0], p[1], workers)
		accepted, quarantined, failed := 0, 0, 0
		for _, r := range rs {
			accepted += r.RowsAccepted
			quarantined += r.RowsQuarantined
			if r.Status == store.RunFailed {
				failed++
			}
		}
		c.log.Info("backfill phase done", slog.Int("phase", i+1), slog.Int("phases", len(phases)),
			slog.String("from", p[0].Format(protocol.DateLayout)), slog.String("to", p[1].Format(protocol.DateLayout)),
			slog.Int("runs", len(rs)), slog.Int("failed", failed), slog.Int("accepted", accepted), slog.Int("quarantined", quarantined),
			slog.Duration("took", time.Since(t0).Round(time.Millisecond)))
		runs = append(runs, rs...)
	}
	c.log.Info("backfill done", slog.String("from", from.Format(protocol.DateLayout)), slog.String("to", to.Format(protocol.DateLayout)),
		slog.Int("runs", len(runs)), slog.Duration("took", time.Since(start).Round(time.Millisecond)))
	return runs
}

// QuarterStart returns the first day of the quarter of d.
func QuarterStart(d time.Time) time.Time {
	q := (int(d.Month()) - 1) / 3
	return time.Date(d.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
}
