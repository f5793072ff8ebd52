package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"

	"egovkpi/dashboards"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

func index766Command() command {
	return figureCommand("index766",
		"Print the Decision 766 index of a block's units with bands and ranks, the same figures as GET /api/v1/index766: egovkpi index766 --block province --period 2025Q3.",
		append([]figureParam{blockParam, periodParam,
			{"unit", "only this unit's row (id or official code as of the period's end), ranked in its block"},
		}, filterParams...),
		func(get func(string) string, reg *refdata.Registry) (computeFigures, string, error) {
			req, name, err := dashboards.ParseIndexRequest(get, todayInVietnam, reg)
			if err != nil {
				return nil, name, err
			}
			return func(ctx context.Context, db *database, s metrics.Settings) (figures, error) {
				t, err := metrics.Index766(ctx, db.Conn, reg, s.Methodology, req.Block, req.Period, s.Rules, req.Filter, todayInVietnam())
				if errors.Is(err, m766.ErrNoVersion) {
					return figures{}, usagef("--period: %v", err)
				}
				if err != nil {
					return figures{}, err
				}
				j := t.JSON(reg, req.Unit)
				return figures{json: j, csv: func(c *cli) error { return printIndexCSV(c, j) }, table: func(c *cli) error { return printIndexTable(c, j) }}, nil
			}, "", nil
		}, nil)
}

func printIndexTable(c *cli, j metrics.IndexTableJSON) error {
	fmt.Fprintf(c.stdout, "Bộ chỉ số 766 (version %s) — %s, %s (%s..%s), previous %s\n", j.Methodology.Version, j.Block, j.Period, j.PeriodFrom, j.PeriodTo, j.PreviousPeriod)
	if len(j.NotCollected) > 0 {
		fmt.Fprintf(c.stdout, "%.0f points rest on inputs egovkpi does not collect (scored 0): %v\n", j.MissingPoints, j.NotCollected)
	}
	if j.Empty {
		fmt.Fprintln(c.stdout, j.Message)
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	head := "RANK\tUNIT\tNAME\tTOTAL\tBAND\t"
	for _, g := range groupsOf(j) {
		head += g + "\t"
	}
	fmt.Fprintln(w, head+"MOVE\tCOMPLETE %\tNOTE\t")
	for _, r := range j.Rows {
		band := ""
		if r.Band != nil {
			band = r.Band.Name.VI
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", intOr(r.Rank), r.UnitID, r.NameVI, num(r.Total, 2), band)
		for i := range groupsOf(j) {
			if i < len(r.Groups) {
				line += num(&r.Groups[i].Score, 2)
			}
			line += "\t"
		}
		complete := r.Completeness * 100
		fmt.Fprintf(w, "%s%s\t%s\t%s\t\n", line, intOr(r.Movement), num(&complete, 1), rowNote(r.NotEnoughData, r.Total))
	}
	return w.Flush()
}

// groupsOf lists the methodology's group ids, from the first scored row.
func groupsOf(j metrics.IndexTableJSON) []string {
	for _, r := range j.Rows {
		if len(r.Groups) > 0 {
			var ids []string
			for _, g := range r.Groups {
				ids = append(ids, g.ID)
			}
			return ids
		}
	}
	return nil
}

func printIndexCSV(c *cli, j metrics.IndexTableJSON) error {
	w := csv.NewWriter(c.stdout)
	groups := groupsOf(j)
	head := []string{"period", "block", "version", "rank", "unit_id", "code", "name_vi", "name_en", "total", "band"}
	head = append(head, groups...)
	_ = w.Write(append(head, "movement", "completeness", "not_enough_data", "dossiers", "complaints"))
	for _, r := range j.Rows {
		band := ""
		if r.Band != nil {
			band = r.Band.ID
		}
		rec := []string{j.Period, j.Block, j.Methodology.Version, intOr(r.Rank), r.UnitID, r.Code, r.NameVI, r.NameEN, num(r.Total, 2), band}
		for i := range groups {
			s := ""
			if i < len(r.Groups) {
				s = num(&r.Groups[i].Score, 2)
			}
			rec = append(rec, s)
		}
		_ = w.Write(append(rec, intOr(r.Movement), num(&r.Completeness, -1), strconv.FormatBool(r.NotEnoughData), num(r.Dossiers, -1), num(r.Complaints, -1)))
	}
	w.Flush()
	return w.Error()
}
