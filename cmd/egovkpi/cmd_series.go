package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"egovkpi/dashboards"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
)

func seriesCommand() command {
	return command{
		name:    "series",
		summary: "Print a unit's KPI over time, the same figures as GET /api/v1/units/{code}/series: egovkpi series --unit 08 --kpi online_rate --from 2025Q1 --to 2025Q4.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			params := map[string]*string{
				"unit": fs.String("unit", "", "unit id (p34-08) or official code as of the end of the series (08)"),
				"kpi":  fs.String("kpi", "", "a KPI id"),
				"from": fs.String("from", "", "first period ("+metrics.PeriodFormats+")"),
				"to":   fs.String("to", "", "last period"),
				"step": fs.String("step", "", "month, quarter (default), half or year"),
			}
			format := fs.String("format", "table", "table, csv or json (the API's JSON)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if err := checkFormat(*format); err != nil {
					return err
				}
				req, name, err := dashboards.ParseSeriesRequest(func(k string) string { return *params[k] }, todayInVietnam)
				if err != nil {
					if name == "" {
						return err
					}
					return usagef("--%s: %v", name, err)
				}
				return cf.withFigures(ctx, func(db *database, reg *refdata.Registry) error {
					s, err := metrics.UnitSeries(ctx, db.Conn, reg, req.Unit, req.KPI, req.From.From, req.To.To, req.Step, todayInVietnam())
					if err != nil {
						return err
					}
					j := s.JSON()
					switch *format {
					case "json":
						b, err := j.MarshalIndent()
						if err != nil {
							return err
						}
						_, err = c.stdout.Write(b)
						return err
					case "csv":
						w := csv.NewWriter(c.stdout)
						_ = w.Write([]string{"unit_id", "kpi", "period", "from", "to", "carried", "numerator", "denominator", "value", "published", "completeness"})
						for _, p := range j.Points {
							_ = w.Write([]string{j.UnitID, j.KPI.ID, p.Period, p.From, p.To, strings.Join(p.Carried, ";"), num(p.Numerator, -1), num(p.Denominator, -1),
								num(p.Value, -1), num(p.Published, 2), fmt.Sprint(p.Completeness)})
						}
						w.Flush()
						return w.Error()
					}
					fmt.Fprintf(c.stdout, "%s (%s) — %s\n", j.NameVI, j.UnitID, j.KPI.NameVI)
					for _, n := range j.Notes {
						fmt.Fprintln(c.stdout, "note: "+n)
					}
					w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
					fmt.Fprintln(w, "PERIOD\tVALUE %\tNUMERATOR\tDENOMINATOR\tCOMPLETE %\tFROM UNITS\t")
					for _, p := range j.Points {
						complete := p.Completeness * 100
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t\n", p.Period, num(p.Published, 2), num(p.Numerator, 0), num(p.Denominator, 0), num(&complete, 1), strings.Join(p.Carried, " "))
					}
					return w.Flush()
				})
			}
		},
	}
}
