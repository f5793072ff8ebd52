package main

import (
	"context"
	"flag"

	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
)

// figureParam is a flag of a figure command; its name is the API's query
// parameter.
type figureParam struct{ name, help string }

// The parameters of every table: block and period, and the region and
// kind filters.
var (
	blockParam   = figureParam{"block", "ministry or province"}
	periodParam  = figureParam{"period", metrics.PeriodFormats}
	filterParams = []figureParam{
		{"region", "only this region code (provinces)"},
		{"kind", "only this unit kind"},
	}
)

// figureJSON is the one JSON encoding the API also sends.
type figureJSON interface{ MarshalIndent() ([]byte, error) }

// figures are what a figure command prints: the API's JSON, or CSV, or a
// table.
type figures struct {
	json  figureJSON
	csv   func(*cli) error
	table func(*cli) error
}

// computeFigures computes a command's figures from the database.
type computeFigures func(ctx context.Context, db *database, s metrics.Settings) (figures, error)

// figureCommand builds a command that prints the figures of an API route in
// three formats (league, series, index766). parse checks the parameters
// exactly as the API does (a bad one exits 2 before the database is
// opened) and returns the computation; it returns the bad parameter's name
// with its error.
func figureCommand(name, summary string, params []figureParam, parse func(get func(string) string, reg *refdata.Registry) (computeFigures, string, error), before func(c *cli, get func(string) string) (bool, error)) command {
	return command{
		name:    name,
		summary: summary,
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			values := map[string]*string{}
			for _, p := range params {
				values[p.name] = fs.String(p.name, "", p.help)
			}
			format := fs.String("format", "table", "table, csv or json (the API's JSON)")
			get := func(k string) string {
				if v, ok := values[k]; ok {
					return *v
				}
				return ""
			}
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if before != nil {
					if done, err := before(c, get); done || err != nil {
						return err
					}
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				reg, err := refdata.Load()
				if err != nil {
					return err
				}
				compute, bad, err := parse(get, reg)
				if err != nil {
					if bad == "" {
						return err
					}
					return usagef("--%s: %v", bad, err)
				}
				return cf.withFigures(ctx, func(_ config.Config, db *database, s metrics.Settings) error {
					f, err := compute(ctx, db, s)
					if err != nil {
						return err
					}
					switch *format {
					case "json":
						b, err := f.json.MarshalIndent()
						if err != nil {
							return err
						}
						_, err = c.stdout.Write(b)
						return err
					case "csv":
						return f.csv(c)
					}
					return f.table(c)
				})
			}
		},
	}
}
