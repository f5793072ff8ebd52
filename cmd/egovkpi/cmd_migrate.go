package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"egovkpi/migrations"
)

func migrateCommand() command {
	return command{
		name:    "migrate",
		summary: "Apply pending schema migrations, show their status (--status) or print the SQL without running it (--print).",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			print := fs.Bool("print", false, "print the SQL of every step for the target and exit; needs no database")
			status := fs.Bool("status", false, "list migrations with applied/pending/changed and exit")
			cluster := fs.String("cluster", "", "render (with --print) or apply ON CLUSTER NAME: Replicated engines and Distributed tables (overrides EGOVKPI_CLICKHOUSE_CLUSTER)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				cfg, log, err := cf.load()
				if err != nil {
					return err
				}
				if *cluster != "" {
					cfg.ClickHouse.Cluster = *cluster
				}
				target := migrations.Target{Database: cfg.ClickHouse.Database, Cluster: cfg.ClickHouse.Cluster}
				if *print {
					return migrations.PrintPlan(c.stdout, target)
				}
				if cfg.ClickHouse.Cluster != "" && cfg.ClickHouse.Embedded() {
					return usagef("--cluster applies to a configured cluster: set EGOVKPI_CLICKHOUSE_ADDR (or use --print to render it)")
				}
				db, err := openDatabase(ctx, cfg, log)
				if err != nil {
					return err
				}
				defer db.Close()
				r := db.Runner()
				if *status {
					return printStatus(ctx, c, r)
				}
				start := time.Now()
				n, err := r.Up(ctx)
				if err != nil {
					return err
				}
				log.Info("migrations done", slog.Int("applied", n), slog.String("database", target.Database), slog.Duration("took", time.Since(start)))
				fmt.Fprintf(c.stdout, "%d migration(s) applied to %s on %s\n", n, target.Database, db.describe())
				return nil
			}
		},
	}
}

func printStatus(ctx context.Context, c *cli, r *migrations.Runner) error {
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tSTATE\tAPPLIED AT")
	for _, s := range st {
		state, at := "pending", ""
		if s.Applied {
			state, at = "applied", s.AppliedAt.Format(time.RFC3339)
		}
		if s.Changed {
			state = "CHANGED after it was applied"
		}
		fmt.Fprintf(w, "%04d\t%s\t%s\t%s\n", s.Migration.Version, s.Migration.Name, state, at)
	}
	return w.Flush()
}
