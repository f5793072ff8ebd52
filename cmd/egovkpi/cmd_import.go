package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"egovkpi/collector"
	"egovkpi/collector/fileimport"
	"egovkpi/internal/config"
)

func importCommand() command {
	return command{
		name:    "import",
		usage:   " FILE.csv|FILE.xlsx",
		summary: "Load a unit's statistics from a file in the template (egovkpi template writes it); refused rows are listed with their row and column and quarantined.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			unit := fs.String("unit", "", "refuse the file unless every row is of this unit id")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usagef("want one file")
				}
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				st, err := f.Stat()
				if err != nil {
					return err
				}
				return cf.withCollector(ctx, func(cfg config.Config, col *collector.Collector, log *slog.Logger) error {
					res, err := col.ImportFile(ctx, filepath.Base(args[0]), f, st.Size(), "file:"+filepath.Base(args[0]), *unit)
					if err != nil {
						return err
					}
					if err := col.Refresher.Flush(context.WithoutCancel(ctx)); err != nil {
						return err
					}
					fmt.Fprintf(c.stdout, "%s: %d rows read, %d accepted, %d refused (quarantined), %d days loaded for %s\n",
						res.File, res.Rows, res.Accepted, res.Quarantined, res.Days, strings.Join(res.Units, ", "))
					for _, p := range res.Problems {
						fmt.Fprintln(c.stdout, "  "+p)
					}
					if res.Quarantined > len(res.Problems) {
						fmt.Fprintf(c.stdout, "  … and %d more (egovkpi quarantine list --source file:%s)\n", res.Quarantined-len(res.Problems), filepath.Base(args[0]))
					}
					return nil
				})
			}
		},
	}
}

func templateCommand() command {
	return command{
		name:    "template",
		summary: "Write the file template for units without an API: CSV or XLSX (with a Vietnamese and English instructions sheet).",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			format := fs.String("format", "xlsx", "xlsx or csv")
			unit := fs.String("unit", "", "the unit code to put in the example rows")
			example := fs.Bool("example", false, "add two example rows")
			out := fs.String("o", "", "file to write (default: egovkpi-template.FORMAT; - for standard output)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *format != "xlsx" && *format != "csv" {
					return usagef("--format: unknown format %q (accepted: xlsx, csv)", *format)
				}
				path := *out
				if path == "" {
					path = "egovkpi-template." + *format
				}
				if path == "-" {
					return fileimport.WriteTemplate(c.stdout, *format, *unit, *example)
				}
				f, err := os.Create(path)
				if err != nil {
					return err
				}
				if err := fileimport.WriteTemplate(f, *format, *unit, *example); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "template written to %s\n", path)
				return nil
			}
		},
	}
}
