package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"text/tabwriter"

	"egovkpi/dashboards"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
)

func leagueCommand() command {
	return figureCommand("league",
		"Print a league table, the same figures as GET /api/v1/league: egovkpi league --block province --period 2025Q3 --kpi online_rate.",
		append([]figureParam{blockParam, periodParam,
			{"kpi", "a KPI id (egovkpi league --kpi list prints them)"},
		}, filterParams...),
		func(get func(string) string, reg *refdata.Registry) (computeFigures, string, error) {
			req, name, err := dashboards.ParseLeagueRequest(get, todayInVietnam, reg)
			if err != nil {
				return nil, name, err
			}
			return func(ctx context.Context, db *database, s metrics.Settings) (figures, error) {
				t, err := metrics.League(ctx, db.Conn, reg, req.Block, req.Period, req.KPI, s.Rules, req.Filter, todayInVietnam())
				if err != nil {
					return figures{}, err
				}
				j := t.JSON(reg)
				return figures{json: j, csv: func(c *cli) error { return printLeagueCSV(c, j) }, table: func(c *cli) error { return printLeagueTable(c, j) }}, nil
			}, "", nil
		},
		func(c *cli, get func(string) string) (bool, error) {
			if get("kpi") != "list" {
				return false, nil
			}
			for _, k := range metrics.KPIs() {
				fmt.Fprintf(c.stdout, "%-34s %s\n", k.ID, k.NameEN)
			}
			return true, nil
		})
}

func num(p *float64, decimals int) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', decimals, 64)
}

// rowNote says why a row of a table has no rank: too little data to rank
// it, or no figure at all.
func rowNote(notEnoughData bool, value *float64) string {
	switch {
	case notEnoughData:
		return "not enough data"
	case value == nil:
		return "no data"
	}
	return ""
}

func intOr(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func printLeagueTable(c *cli, j metrics.TableJSON) error {
	fmt.Fprintf(c.stdout, "%s — %s, %s (%s..%s), previous %s\n", j.KPI.NameVI, j.Block, j.Period, j.PeriodFrom, j.PeriodTo, j.PreviousPeriod)
	if j.Empty {
		fmt.Fprintln(c.stdout, j.Message)
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "RANK\tUNIT\tNAME\tVALUE %\tNUMERATOR\tDENOMINATOR\tMOVE\tCOMPLETE %\tNOTE\t")
	for _, r := range j.Rows {
		complete := r.Completeness * 100
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", intOr(r.Rank), r.UnitID, r.NameVI, num(r.Published, 2), num(r.Numerator, 0), num(r.Denominator, 0),
			intOr(r.Movement), num(&complete, 1), rowNote(r.NotEnoughData, r.Value))
	}
	return w.Flush()
}

func printLeagueCSV(c *cli, j metrics.TableJSON) error {
	w := csv.NewWriter(c.stdout)
	_ = w.Write([]string{"period", "block", "kpi", "rank", "unit_id", "code", "name_vi", "name_en", "numerator", "denominator", "value", "published", "movement", "completeness", "not_enough_data"})
	for _, r := range j.Rows {
		_ = w.Write([]string{j.Period, j.Block, j.KPI.ID, intOr(r.Rank), r.UnitID, r.Code, r.NameVI, r.NameEN, num(r.Numerator, -1), num(r.Denominator, -1),
			num(r.Value, -1), num(r.Published, 2), intOr(r.Movement), num(&r.Completeness, -1), strconv.FormatBool(r.NotEnoughData)})
	}
	w.Flush()
	return w.Error()
}
