package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/form"
	"egovkpi/reports/prefill"
	"egovkpi/reports/workflow"
	"egovkpi/reports/xlsxform"
)

func reportTemplateCommand() command {
	return command{
		name:    "template",
		summary: "Write the Excel template of a unit's quarterly report, pre-filled with what the unit saved or else the figures egovkpi collected: egovkpi report template --unit 08 --quarter 2026Q3 [--out FILE].",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			unitRef := fs.String("unit", "", "unit id (p34-08) or official code as of the quarter's last day (08)")
			quarterFlag := fs.String("quarter", "", "the quarter, e.g. 2026Q3")
			out := fs.String("out", "", "the file to write (default: bao-cao-quy-UNIT-QUARTER.xlsx in the current directory)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *quarterFlag == "" {
					return usagef("--quarter is required, e.g. --quarter 2026Q3")
				}
				q, err := workflow.ParseQuarter(*quarterFlag)
				if err != nil {
					return usagef("--quarter: %v", err)
				}
				if *unitRef == "" {
					return usagef("--unit is required: a unit id (p34-08) or official code (08)")
				}
				reg, err := refdata.Load()
				if err != nil {
					return err
				}
				unit, err := metrics.ResolveUnit(reg, *unitRef, q.Last())
				if err != nil {
					return usagef("--unit: %v", err)
				}
				if !unit.ValidOn(q.Last()) {
					return usagef("--unit: %s (%s) is not in force at the end of %s (it is in force %s): the report is filed by the unit in force then", unit.ID, unit.NameVI, q, unit.Validity())
				}
				set, err := form.Builtin()
				if err != nil {
					return err
				}
				if _, err := set.For(q.First()); errors.Is(err, form.ErrNoVersion) {
					return usagef("--quarter: %v", err)
				} else if err != nil {
					return err
				}
				path := *out
				if path == "" {
					path = fmt.Sprintf("bao-cao-quy-%s-%s.xlsx", unit.ID, q)
				}
				return cf.withFigures(ctx, func(cfg config.Config, db *database, _ metrics.Settings) error {
					st, err := newReportStore(cfg, db, auth.New(db.Conn))
					if err != nil {
						return err
					}
					k := workflow.Key{UnitID: unit.ID, Quarter: q}
					vs, err := st.Versions(ctx, k)
					if err != nil {
						return fmt.Errorf("saved report of %s for %s: %w", unit.ID, q, err)
					}
					// The form version the report started with, or the
					// quarter's.
					def, err := st.DefinitionOf(k, vs)
					if err != nil {
						return err
					}
					var saved form.Answers
					state := workflow.NotStarted
					if len(vs) > 0 {
						saved, state = vs[len(vs)-1].Answers, vs[len(vs)-1].State
					}
					collected, err := prefill.Collected(ctx, db.Conn, reg, def, unit, q, todayInVietnam())
					if err != nil {
						return err
					}
					if err := writeFileAtomic(path, func(f *os.File) error {
						return xlsxform.WriteTemplate(f, def, unit, q, prefill.ForState(state, saved, collected))
					}); err != nil {
						return err
					}
					db.log.Info("report template written", slog.String("unit", unit.ID), slog.String("quarter", q.String()), slog.String("form", def.Version), slog.String("file", path))
					fmt.Fprintf(c.stdout, "Wrote %s: %s (%s), %s, form version %s; %d of %d indicators pre-filled from collected figures, %d saved answers.\n",
						path, unit.NameVI, unit.ID, q, def.Version, len(collected), len(def.Indicators()), len(saved))
					return nil
				})
			}
		},
	}
}
