package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"egovkpi"
	"egovkpi/collector"
	"egovkpi/collector/bench"
	"egovkpi/collector/pull"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
)

func benchCommand() command {
	return command{
		name:  "bench",
		usage: " ingest|collect|backfill|figures|web|workbook",
		summary: "Measure against baselines in one run, in a scratch database dropped afterwards: ingest (the writer vs clickhouse-client CSV of the same rows), " +
			"collect (one day from every simulated portal, some faulty), backfill (days of every portal), " +
			"figures (league tables and the 766 index at national scale vs the fact table, and the rollup refresh after a day's collection), " +
			"web (the league-table page under load on loopback vs /healthz), " +
			"workbook (the leadership workbook of the last whole quarter at national scale, wall time and peak RSS, vs an excelize stream of 100k×20 cells).",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			rows := fs.Int("rows", 10_000_000, "ingest: rows to insert each way")
			chunk := fs.Int("chunk", 500_000, "ingest: rows per load")
			rounds := fs.Int("rounds", 4, "ingest: rounds, each way once per round, in alternate order")
			dayS := fs.String("day", "2026-11-20", "collect: the day; backfill: the last day")
			days := fs.Int("days", 365, "backfill: days to collect")
			faulty := fs.Float64("faulty", 0.1, "collect: share of portals given a fault")
			workers := fs.Int("workers", 8, "collect, backfill: runs at once")
			years := fs.Int("years", 6, "figures: calendar years of data, the last one up to --day")
			requests := fs.Int("requests", 100, "figures: requests per table")
			keep := fs.Bool("keep", false, "keep the scratch database (its name is printed) for a look afterwards")
			reuse := fs.String("reuse", "", "figures, web: measure on this kept database instead of writing a new one (not dropped)")
			concurrency := fs.Int("concurrency", 32, "web: clients at once")
			duration := fs.Duration("duration", 20*time.Second, "web: how long each load runs")
			period := fs.String("period", "", "web: the period of the league pages (default: the last whole quarter up to --day)")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("want one of: ingest, collect, backfill, figures, web, workbook")
				}
				day, err := egovkpi.ParseDate(*dayS)
				if err != nil {
					return usagef("--day: %v", err)
				}
				cfg, log, err := cf.load()
				if err != nil {
					return err
				}
				cfg.ClickHouse.Database = fmt.Sprintf("egovkpi_bench_%d", time.Now().Unix())
				if *reuse != "" {
					if args[0] != "figures" && args[0] != "web" && args[0] != "workbook" {
						return usagef("--reuse: only for figures, web and workbook")
					}
					cfg.ClickHouse.Database, *keep = *reuse, true
				}
				db, err := openDatabase(ctx, cfg, log)
				if err != nil {
					return err
				}
				defer db.Close()
				defer func() {
					if *keep {
						fmt.Fprintf(c.stdout, "scratch database kept: %s\n", cfg.ClickHouse.Database)
						return
					}
					if err := db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+cfg.ClickHouse.Database); err != nil {
						log.Warn("scratch database not dropped", slog.String("database", cfg.ClickHouse.Database), slog.Any("err", err))
					}
				}()
				if _, err := db.Runner().Up(ctx); err != nil {
					return err
				}
				switch args[0] {
				case "ingest":
					return benchIngest(ctx, c, cfg, db, *rows, *chunk, *rounds)
				case "collect":
					return benchCollect(ctx, c, db, log, day, day, *faulty, *workers)
				case "backfill":
					return benchCollect(ctx, c, db, log, day.AddDate(0, 0, -*days+1), day, 0, *workers)
				case "figures":
					return benchFigures(ctx, c, db, day, *years, *requests, *workers, *reuse != "")
				case "web":
					if *concurrency < 1 || *duration <= 0 {
						return usagef("--concurrency and --duration must be positive")
					}
					return benchWeb(ctx, c, db, day, *years, *workers, *concurrency, *duration, *period, *reuse != "")
				case "workbook":
					return benchWorkbook(ctx, c, cfg, db, day, *years, *workers, *reuse != "")
				}
				return usagef("unknown benchmark %q (ingest, collect, backfill, figures, web, workbook)", args[0])
			}
		},
	}
}

func benchIngest(ctx context.Context, c *cli, cfg config.Config, db *database, rows, chunk, rounds int) error {
	st := store.New(db.Conn, slog.Default())
	fmt.Fprintf(c.stdout, "ingest: %d rows of usage_facts (26 columns: keys, a reported bitmask, 21 counts), %d rows per load\n", rows, chunk)
	dir, err := os.MkdirTemp("", "egovkpi-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	csvPath, err := bench.TempCSV(dir, rows, chunk)
	if err != nil {
		return err
	}
	st2, _ := os.Stat(csvPath)
	fmt.Fprintf(c.stdout, "  CSV written for the baseline: %d MiB in %s (not timed)\n", st2.Size()>>20, time.Since(t0).Round(time.Millisecond))
	if err := db.Conn.Exec(ctx, "CREATE TABLE usage_facts_csv AS usage_facts"); err != nil {
		return err
	}
	_, port, err := net.SplitHostPort(db.Options.Addr)
	if err != nil {
		return err
	}
	// Rounds in alternate order, tables emptied before each: neither way
	// always runs while the other's parts are being merged.
	var clientTook, writerTook time.Duration
	for round := 1; round <= rounds; round++ {
		for _, t := range []string{"usage_facts", "usage_versions", "usage_facts_csv"} {
			if err := db.Conn.Exec(ctx, "TRUNCATE TABLE "+t); err != nil {
				return err
			}
		}
		runClient := func() error {
			r, err := bench.ClientCSV(ctx, port, cfg.ClickHouse.Database, "usage_facts_csv", csvPath, rows)
			if err == nil {
				clientTook += r.Took
				fmt.Fprintf(c.stdout, "  round %d  %-40s %10d rows in %8s  %9.0f rows/s\n", round, r.Name, r.Rows, r.Took.Round(time.Millisecond), r.PerSec)
			}
			return err
		}
		runWriter := func() error {
			r, err := bench.Writer(ctx, st, rows, chunk)
			if err == nil {
				writerTook += r.Took
				fmt.Fprintf(c.stdout, "  round %d  %-40s %10d rows in %8s  %9.0f rows/s\n", round, r.Name, r.Rows, r.Took.Round(time.Millisecond), r.PerSec)
			}
			return err
		}
		order := []func() error{runClient, runWriter}
		if round%2 == 0 {
			order = []func() error{runWriter, runClient}
		}
		for _, f := range order {
			if err := f(); err != nil {
				return err
			}
		}
		var a, b uint64
		_ = db.Conn.QueryRow(ctx, "SELECT count() FROM usage_facts").Scan(&a)
		_ = db.Conn.QueryRow(ctx, "SELECT count() FROM usage_facts_csv").Scan(&b)
		if a != uint64(rows) || b != uint64(rows) {
			return fmt.Errorf("bench: round %d stored %d and %d rows, want %d each", round, a, b, rows)
		}
	}
	cw := float64(rounds*rows) / clientTook.Seconds()
	ww := float64(rounds*rows) / writerTook.Seconds()
	fmt.Fprintf(c.stdout, "  overall: client %.0f rows/s, writer %.0f rows/s, ratio writer / client %.2fx (target >= 1.0x)\n", cw, ww, ww/cw)
	return nil
}

func benchCollect(ctx context.Context, c *cli, db *database, log *slog.Logger, from, to time.Time, faulty float64, workers int) error {
	reg, err := refdata.Load()
	if err != nil {
		return err
	}
	sim := simulator.New(simulator.Options{Seed: 1, Registry: reg})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("simulator", slog.Any("err", err))
		}
	}()
	defer srv.Close()
	quiet := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	col := collector.New(store.New(db.Conn, quiet), reg, collector.Options{Log: quiet, Client: &pull.Client{MaxRetryAfter: 5 * time.Second}})
	srcs := bench.Sources(sim, "http://"+ln.Addr().String(), from, to)
	var ids []string
	for _, s := range srcs {
		ids = append(ids, s.UnitID)
	}
	bad := bench.SetFaults(sim, ids, faulty)
	fmt.Fprintf(c.stdout, "collect %s..%s: %d portals, %d faulty %v, %d workers\n", from.Format(egovkpi.DateLayout), to.Format(egovkpi.DateLayout), len(srcs), len(bad), bad, workers)
	s := bench.CollectAll(ctx, col, srcs, from, to, workers)
	fmt.Fprintf(c.stdout, "  took %s: %d runs %v, %d rows accepted (%.0f rows/s), %d quarantined\n",
		s.Took.Round(time.Millisecond), s.Sources, s.ByStatus, s.Accepted, float64(s.Accepted)/s.Took.Seconds(), s.Quarantined)
	for _, p := range s.Problems {
		fmt.Fprintf(c.stdout, "    %s\n", p)
	}
	var facts uint64
	_ = db.Conn.QueryRow(ctx, "SELECT count() FROM usage_facts").Scan(&facts)
	fmt.Fprintf(c.stdout, "  usage_facts rows: %d\n", facts)
	return nil
}
