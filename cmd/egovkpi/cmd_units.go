package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"egovkpi"
	"egovkpi/collector"
	"egovkpi/internal/refdata"
)

func unitsCommand() command {
	return command{
		name:    "units",
		summary: "List the ministries, agencies and provinces in force on a date, from the embedded reference list.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			date := fs.String("date", "", "the day, YYYY-MM-DD (default: today in Vietnam)")
			block := fs.String("block", "all", "ministry, province or all")
			format := fs.String("format", "table", "table or csv")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				day := todayInVietnam()
				if *date != "" {
					d, err := egovkpi.ParseDate(*date)
					if err != nil {
						return usagef("--date: %v", err)
					}
					day = d
				}
				var b egovkpi.Block
				if *block != "all" {
					pb, err := egovkpi.ParseBlock(*block)
					if err != nil {
						return usagef("--block: %v (or all)", err)
					}
					b = pb
				}
				reg, err := refdata.Load()
				if err != nil {
					return err
				}
				units := reg.ValidOn(day, b)
				switch *format {
				case "table":
					return printUnitsTable(c, day, units)
				case "csv":
					return printUnitsCSV(c, units)
				}
				return usagef("--format: unknown format %q (accepted: table, csv)", *format)
			}
		},
	}
}

func todayInVietnam() time.Time {
	y, m, d := time.Now().In(collector.Vietnam).Date()
	return egovkpi.Date(y, m, d)
}

// vietnamTime shows a moment in Vietnam time, to the minute.
func vietnamTime(t time.Time) string { return t.In(collector.Vietnam).Format("2006-01-02 15:04") }

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(egovkpi.DateLayout)
}

func printUnitsTable(c *cli, day time.Time, units []egovkpi.Unit) error {
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CODE\tID\tBLOCK\tNAME\tNAME (EN)\tKIND\tREGION\tVALID FROM\tVALID TO\tSUCCESSOR\tMARK")
	count := map[egovkpi.Block]int{}
	for _, u := range units {
		count[u.Block]++
		mark := ""
		if u.Unverified() {
			mark = "UNVERIFIED"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Code, u.ID, u.Block, u.NameVI, u.NameEN, u.Kind, u.Region,
			dateOrEmpty(u.ValidFrom), dateOrEmpty(u.ValidTo), u.SuccessorID, mark)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	var parts []string
	if n := count[egovkpi.BlockMinistry]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d ministries and agencies", n))
	}
	if n := count[egovkpi.BlockProvince]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d provinces", n))
	}
	if len(parts) == 0 {
		parts = []string{"no unit"}
	}
	_, err := fmt.Fprintf(c.stdout, "\n%s in force on %s\n", strings.Join(parts, ", "), day.Format(egovkpi.DateLayout))
	return err
}

func printUnitsCSV(c *cli, units []egovkpi.Unit) error {
	w := csv.NewWriter(c.stdout)
	_ = w.Write([]string{"id", "code", "npsp_code", "block", "kind", "name_vi", "name_vi_full", "name_ascii", "name_en", "region", "valid_from", "valid_to", "successor_id", "unverified", "note"})
	for _, u := range units {
		_ = w.Write([]string{u.ID, u.Code, u.NPSPCode, string(u.Block), u.Kind, u.NameVI, u.NameVIFull, u.NameASCII, u.NameEN, u.Region,
			dateOrEmpty(u.ValidFrom), dateOrEmpty(u.ValidTo), u.SuccessorID, fmt.Sprint(u.Unverified()), u.Note})
	}
	w.Flush()
	return w.Error()
}
