package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"egovkpi/collector"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// newCollector builds the collector over an open, migrated database.
func newCollector(ctx context.Context, db *database, log *slog.Logger) (*collector.Collector, error) {
	if err := db.Runner().Check(ctx); err != nil {
		return nil, fmt.Errorf("%s is not ready: %w", db.describe(), err)
	}
	reg, err := refdata.Load()
	if err != nil {
		return nil, err
	}
	return collector.New(store.New(db.Conn, log), reg, collector.Options{Log: log}), nil
}

// withCollector is withDatabase with the collector built over the database.
func (cf *configured) withCollector(ctx context.Context, fn func(config.Config, *collector.Collector, *slog.Logger) error) error {
	return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
		col, err := newCollector(ctx, db, log)
		if err != nil {
			return err
		}
		return fn(cfg, col, log)
	})
}

// withFigures opens the database for commands that print figures: the
// schema must be current; fn gets the configuration, and the ranking rules
// and methodology built from it.
func (cf *configured) withFigures(ctx context.Context, fn func(config.Config, *database, metrics.Settings) error) error {
	return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
		settings, err := figureSettings(cfg)
		if err != nil {
			return err
		}
		if err := db.Runner().Check(ctx); err != nil {
			return fmt.Errorf("%s is not ready: %w", db.describe(), err)
		}
		return fn(cfg, db, settings)
	})
}

// figureSettings reads the ranking rules and the 766 methodology (the
// embedded one, or EGOVKPI_METHODOLOGY_FILE) from the configuration.
func figureSettings(cfg config.Config) (metrics.Settings, error) {
	s, err := metrics.DefaultSettings()
	if err != nil {
		return s, err
	}
	s.Rules = metrics.Rules{MinDenominator: float64(cfg.Metrics.MinVolume), MinCompleteness: float64(cfg.Metrics.MinCompletenessPercent) / 100}
	if f := cfg.Metrics.MethodologyFile; f != "" {
		if s.Methodology, err = m766.LoadFile(f); err != nil {
			return s, fmt.Errorf("EGOVKPI_METHODOLOGY_FILE: %w", err)
		}
	}
	return s, nil
}

// checkFormat accepts the output formats of the figure commands.
func checkFormat(format string) error {
	if format != "table" && format != "csv" && format != "json" {
		return usagef("--format: unknown format %q (accepted: table, csv, json)", format)
	}
	return nil
}

// serveAll runs the collector's background parts, the report reminders
// and the web app until ctx ends, then waits for the background to stop.
// The reminders and the web app share one report store, so that each
// sees the other's writes at once.
func serveAll(ctx context.Context, c *cli, cfg config.Config, db *database, col *collector.Collector, srcs []collector.Source, backfill *[2]time.Time, log *slog.Logger) error {
	if err := ensureAdmin(ctx, c.stderr, cfg, db, log); err != nil {
		return err
	}
	accounts := auth.New(db.Conn)
	reports, err := newReportStore(cfg, db, accounts)
	if err != nil {
		return err
	}
	stopReminders, err := startReminders(ctx, cfg, db, reports, accounts, log)
	if err != nil {
		return err
	}
	wait := background(ctx, cfg, col, srcs, backfill, log)
	err = serveWeb(ctx, cfg, db, col, accounts, reports, log)
	stopReminders()
	wait()
	return err
}

// loadSources reads the sources file named in the configuration.
func loadSources(cfg config.Config, getenv func(string) (string, bool)) ([]collector.Source, error) {
	if cfg.Collect.SourcesFile == "" {
		return nil, usagef("no sources file: set EGOVKPI_SOURCES_FILE or --sources-file (see docs/sources.md)")
	}
	reg, err := refdata.Load()
	if err != nil {
		return nil, err
	}
	return collector.LoadSources(cfg.Collect.SourcesFile, getenv, reg)
}

// progressBar draws a collection's advance on a terminal, or logs it every
// few seconds elsewhere.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	start time.Time
	last  time.Time
	log   *slog.Logger
}

func newProgressBar(w io.Writer, log *slog.Logger) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, tty: tty, start: time.Now(), log: log}
}

func (p *progressBar) update(pr collector.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	done := pr.DaysDone == pr.DaysAll
	if !done && now.Sub(p.last) < 200*time.Millisecond || (!p.tty && !done && now.Sub(p.last) < 5*time.Second) {
		return
	}
	p.last = now
	rate := float64(pr.Accepted) / max(now.Sub(p.start).Seconds(), 0.001)
	if !p.tty {
		p.log.Info("collect progress", slog.String("source", pr.Source), slog.Int("days_done", pr.DaysDone), slog.Int("days", pr.DaysAll),
			slog.Int("accepted", pr.Accepted), slog.Int("quarantined", pr.Rejected), slog.Float64("rows_per_s", float64(int(rate))))
		return
	}
	const width = 30
	filled := width * pr.DaysDone / max(pr.DaysAll, 1)
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d days  %d accepted  %d quarantined  %.0f rows/s ", pr.Source,
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), pr.DaysDone, pr.DaysAll, pr.Accepted, pr.Rejected, rate)
	if done {
		fmt.Fprintln(p.w)
	}
}

// background runs the collector's long-lived parts until ctx ends: the
// rollup refresher (after repairing rollups a crash left stale), the
// scheduler of srcs and, when backfill is set, a first collection of
// [backfill[0], backfill[1]]. wait returns when all have stopped.
func background(ctx context.Context, cfg config.Config, col *collector.Collector, srcs []collector.Source, backfill *[2]time.Time, log *slog.Logger) (wait func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		col.Refresher.Run(ctx)
	}()
	if stale, err := col.Store().StaleSlices(ctx); err != nil {
		log.Error("looking for stale rollups", slog.Any("err", err))
	} else if len(stale) > 0 {
		log.Warn("refreshing rollups left stale by an earlier stop", slog.Int("slices", stale.Slices()))
		col.Refresher.Add(stale)
	}
	if len(srcs) > 0 {
		if err := collector.RegisterSources(ctx, col.Store(), srcs); err != nil {
			log.Error("registering sources", slog.Any("err", err))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := col.Schedule(ctx, srcs, cfg.Collect.Workers); err != nil {
				log.Error("scheduler", slog.Any("err", err))
			}
		}()
	}
	if backfill != nil && len(srcs) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			col.Backfill(ctx, srcs, backfill[0], backfill[1], cfg.Collect.Workers)
		}()
	}
	return wg.Wait
}

// ensureAdmin creates the first admin (login admin) when there is no
// account: with EGOVKPI_ADMIN_PASSWORD, or a generated password written
// once to the terminal (stderr), never to the structured log.
func ensureAdmin(ctx context.Context, stderr io.Writer, cfg config.Config, db *database, log *slog.Logger) error {
	st := auth.New(db.Conn)
	n, err := st.Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	pw, generated := cfg.AdminPassword, false
	if pw == "" {
		pw, generated = auth.RandomToken(12), true
	}
	u := auth.User{Login: "admin", Name: "Administrator", Role: auth.Admin}
	if err := auth.CheckNew(u, pw, nil); err != nil {
		return fmt.Errorf("EGOVKPI_ADMIN_PASSWORD: %w", err)
	}
	if err := st.AddUser(ctx, u, pw); err != nil {
		return err
	}
	if err := st.Audit(ctx, auth.Entry{Actor: "egovkpi", Action: auth.ActionUserAdded, Target: "admin", Detail: "first admin"}); err != nil {
		return err
	}
	if generated {
		log.Warn("first admin created with a generated password, written to the terminal once")
		fmt.Fprintf(stderr, "first admin created: login admin, password %s (shown only now; change it with egovkpi users reset admin)\n", pw)
	} else {
		log.Info("first admin created from EGOVKPI_ADMIN_PASSWORD", slog.String("login", "admin"))
	}
	return nil
}
