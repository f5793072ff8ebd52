package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"egovkpi/collector"
	"egovkpi/collector/simulator"
	"egovkpi/internal/config"
)

func runCommand() command {
	return command{
		name: "run",
		summary: "All in one: start the private ClickHouse (unless EGOVKPI_CLICKHOUSE_ADDR is set), apply migrations, load the reference units, " +
			"start the simulated portals (unless EGOVKPI_SOURCES_FILE is set), collect the demo window in the background and serve the dashboard until Ctrl-C.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
					if _, err := db.Runner().Up(ctx); err != nil {
						return err
					}
					if err := db.LoadReference(ctx); err != nil {
						return err
					}
					col, err := newCollector(ctx, db, log)
					if err != nil {
						return err
					}
					var (
						srcs     []collector.Source
						backfill *[2]time.Time
					)
					if cfg.Collect.SourcesFile != "" {
						if srcs, err = loadSources(cfg, c.getenv); err != nil {
							return err
						}
					} else {
						var stop func()
						srcs, stop, err = startSimulator(ctx, cfg, col, log)
						if err != nil {
							return err
						}
						defer stop()
						to := collector.Yesterday(time.Now())
						from := collector.QuarterStart(to).AddDate(0, -3*(cfg.Collect.DemoQuarters-1), 0)
						backfill = &[2]time.Time{from, to}
						log.Info("demo: collecting from the simulated portals, most recent days first",
							slog.String("from", from.Format("2006-01-02")), slog.String("to", to.Format("2006-01-02")), slog.Int("sources", len(srcs)))
					}
					return serveAll(ctx, c, cfg, db, col, srcs, backfill, log)
				})
			}
		},
	}
}

// startSimulator serves the simulated portals of every unit on a loopback
// port and returns a source for each, with faults from the configuration.
func startSimulator(ctx context.Context, cfg config.Config, col *collector.Collector, log *slog.Logger) ([]collector.Source, func(), error) {
	sim := simulator.New(simulator.Options{Seed: int64(cfg.Collect.SimulatorSeed), Registry: col.Units()})
	if strings.TrimSpace(cfg.Collect.SimulatorFaults) != "" {
		faults, err := simulator.ParseFaults(cfg.Collect.SimulatorFaults)
		if err != nil {
			return nil, nil, usagef("EGOVKPI_SIMULATOR_FAULTS: %v", err)
		}
		for id, f := range faults {
			sim.SetFault(id, f)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("simulator: listen: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("simulator", slog.Any("err", err))
		}
	}()
	base := "http://" + ln.Addr().String() + "/portals/"
	var srcs []collector.Source
	for _, u := range col.Units().All() {
		srcs = append(srcs, collector.Source{
			ID: u.ID, UnitID: u.ID, URL: base + u.ID, Token: sim.Token(u.ID), TokenRef: "simulator",
			Schedule: collector.DefaultSchedule, Timeout: 30 * time.Second, Concurrency: collector.DefaultConcurrency,
			RepullDays: collector.DefaultRepullDays, Enabled: true,
		})
	}
	log.Info("simulated portals serving", slog.String("url", base), slog.Int("units", len(srcs)))
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	return srcs, stop, nil
}
