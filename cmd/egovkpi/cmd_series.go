package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"text/tabwriter"

	"egovkpi/dashboards"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
)

func seriesCommand() command {
	return figureCommand("series",
		"Print a unit's KPI over time, the same figures as GET /api/v1/units/{code}/series: egovkpi series --unit 08 --kpi online_rate --from 2025Q1 --to 2025Q4.",
		[]figureParam{
			{"unit", "unit id (p34-08) or official code as of the end of the series (08)"},
			{"kpi", "a KPI id"},
			{"from", "first period (" + metrics.PeriodFormats + ")"},
			{"to", "last period"},
			{"step", "month, quarter (default), half or year"},
		},
		func(get func(string) string, reg *refdata.Registry) (computeFigures, string, error) {
			req, name, err := dashboards.ParseSeriesRequest(get, todayInVietnam, reg)
			if err != nil {
				return nil, name, err
			}
			return func(ctx context.Context, db *database, _ metrics.Settings) (figures, error) {
				s, err := metrics.UnitSeries(ctx, db.Conn, reg, req.Unit, req.KPI, req.From.From, req.To.To, req.Step, todayInVietnam())
				if err != nil {
					return figures{}, err
				}
				j := s.JSON()
				return figures{json: j, csv: func(c *cli) error { return printSeriesCSV(c, j) }, table: func(c *cli) error { return printSeriesTable(c, j) }}, nil
			}, "", nil
		}, nil)
}

func printSeriesCSV(c *cli, j metrics.SeriesJSON) error {
	w := csv.NewWriter(c.stdout)
	_ = w.Write([]string{"unit_id", "kpi", "period", "from", "to", "carried", "numerator", "denominator", "value", "published", "completeness"})
	for _, p := range j.Points {
		_ = w.Write([]string{j.UnitID, j.KPI.ID, p.Period, p.From, p.To, strings.Join(p.Carried, ";"), num(p.Numerator, -1), num(p.Denominator, -1),
			num(p.Value, -1), num(p.Published, 2), num(&p.Completeness, -1)})
	}
	w.Flush()
	return w.Error()
}

func printSeriesTable(c *cli, j metrics.SeriesJSON) error {
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
}
