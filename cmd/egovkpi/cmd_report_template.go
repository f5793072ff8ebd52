package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/form"
	"egovkpi/reports/prefill"
	"egovkpi/reports/workflow"
	"egovkpi/reports/xlsxform"
)

// savedAnswers is what a unit saved of its report for a quarter: the
// latest version's answers and the form version they follow ("" when
// nothing is saved).
func savedAnswers(ctx context.Context, db *database, reg *refdata.Registry, forms *form.Set, unitID string, q workflow.Quarter) (form.Answers, string, error) {
	r, err := workflow.New(db.Conn, reg, forms, nil, workflow.Options{}).Report(ctx, workflow.Key{UnitID: unitID, Quarter: q})
	if err != nil || r.Latest.N == 0 {
		return nil, "", err
	}
	return r.Latest.Answers, r.Latest.Form, nil
}

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
				def, err := set.For(q.First())
				if errors.Is(err, form.ErrNoVersion) {
					return usagef("--quarter: %v", err)
				} else if err != nil {
					return err
				}
				path := *out
				if path == "" {
					path = fmt.Sprintf("bao-cao-quy-%s-%s.xlsx", unit.ID, q)
				}
				return cf.withFigures(ctx, func(db *database, _ metrics.Settings) error {
					saved, version, err := savedAnswers(ctx, db, reg, set, unit.ID, q)
					if err != nil {
						return fmt.Errorf("saved report of %s for %s: %w", unit.ID, q, err)
					}
					if version != "" && version != def.Version {
						// A report keeps the form version it was started with.
						if def, err = set.Version(version); err != nil {
							return err
						}
					}
					collected, err := prefill.Collected(ctx, db.Conn, reg, def, unit, q, todayInVietnam())
					if err != nil {
						return err
					}
					if err := saveTemplateFile(path, func(f *os.File) error {
						return xlsxform.WriteTemplate(f, def, unit, q, prefill.Attach(saved, collected))
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

// saveTemplateFile writes path through a temporary file in the same
// directory, so a failure never leaves half a file under its name.
func saveTemplateFile(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".egovkpi-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
