package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"egovkpi"
	"egovkpi/collector"
	"egovkpi/collector/store"
	"egovkpi/internal/config"
)

func collectCommand() command {
	return command{
		name:    "collect",
		summary: "Pull one source (or all) for a window now, e.g. a backfill: egovkpi collect --source p34-01 --from 2025-07-01 --to 2025-09-30.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			source := fs.String("source", "", "the source id from the sources file, or \"all\"")
			fromS := fs.String("from", "", "first day, YYYY-MM-DD (default: yesterday less the source's repull_days)")
			toS := fs.String("to", "", "last day, YYYY-MM-DD (default: yesterday in Vietnam)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *source == "" {
					return usagef("--source is required (a source id, or all)")
				}
				to := collector.Yesterday(time.Now())
				if *toS != "" {
					d, err := egovkpi.ParseDate(*toS)
					if err != nil {
						return usagef("--to: %v", err)
					}
					to = d
				}
				var from time.Time
				if *fromS != "" {
					d, err := egovkpi.ParseDate(*fromS)
					if err != nil {
						return usagef("--from: %v", err)
					}
					from = d
				}
				if !from.IsZero() && from.After(to) {
					return usagef("--from %s is after --to %s", from.Format(egovkpi.DateLayout), to.Format(egovkpi.DateLayout))
				}
				return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
					srcs, err := loadSources(cfg, c.getenv)
					if err != nil {
						return err
					}
					var chosen []collector.Source
					for _, s := range srcs {
						if *source == "all" || s.ID == *source {
							chosen = append(chosen, s)
						}
					}
					if len(chosen) == 0 {
						return usagef("--source %q is not in %s", *source, cfg.Collect.SourcesFile)
					}
					col, err := newCollector(ctx, db, log)
					if err != nil {
						return err
					}
					if err := collector.RegisterSources(ctx, col.Store(), chosen); err != nil {
						return err
					}
					bar := newProgressBar(c.stderr, log)
					var runs []store.Run
					for _, s := range chosen {
						f := from
						if f.IsZero() {
							f = to.AddDate(0, 0, -s.RepullDays)
						}
						run, err := col.Pull(ctx, s, f, to, bar.update)
						runs = append(runs, run)
						if err != nil {
							log.Warn("source failed", slog.String("source", s.ID), slog.Any("err", err))
						}
						if ctx.Err() != nil {
							break
						}
					}
					if err := col.Refresher.Flush(context.WithoutCancel(ctx)); err != nil {
						return err
					}
					failed := 0
					for _, r := range runs {
						fmt.Fprintf(c.stdout, "%s\t%s..%s\t%s\t%d accepted\t%d quarantined\t%d days\t%s\n", r.Source, r.From.Format(egovkpi.DateLayout), r.To.Format(egovkpi.DateLayout),
							r.Status, r.RowsAccepted, r.RowsQuarantined, r.DaysLoaded, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
						if r.Status == store.RunFailed || r.Status == store.RunAbandoned {
							failed++
						}
					}
					if failed > 0 {
						return fmt.Errorf("%d of %d runs did not finish (see egovkpi quarantine list and the run log)", failed, len(runs))
					}
					return nil
				})
			}
		},
	}
}
