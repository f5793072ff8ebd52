package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"egovkpi/collector/fileimport"
	"egovkpi/collector/protocol"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
)

// ImportResult says what a file import did.
type ImportResult struct {
	File        string
	Units       []string // unit ids loaded
	Rows        int      // data rows read
	Accepted    int
	Quarantined int
	Days        int
	// Problems are the refused rows, each naming its place in the file
	// (the first 200).
	Problems []string
}

// ErrOtherUnit is wrapped when a file for one unit holds another's rows.
var ErrOtherUnit = fmt.Errorf("the file holds rows of another unit")

// ImportFile reads a CSV or XLSX file in the template (see fileimport) and
// loads it like any other way in: every row is checked, refused rows go to
// quarantine naming their row and column, good rows are stored. For each
// unit, the days present in the file replace what egovkpi has for those
// days; days absent are left alone. When onlyUnit is set (an upload with a
// unit's token), a row of any other unit refuses the whole file and nothing
// is written.
func (c *Collector) ImportFile(ctx context.Context, name string, r io.ReaderAt, size int64, source, onlyUnit string) (ImportResult, error) {
	res := ImportResult{File: name}
	start := time.Now()
	rows, problems, err := fileimport.Read(name, r, size)
	if err != nil {
		return res, err
	}
	res.Rows = len(rows) + len(problems)
	// Refused rows are quarantined as protocol records (so that they can be
	// replayed), their place in the file in the reason.
	var bad []store.Quarantined
	note := func(msg, unitID string, rec json.RawMessage, day time.Time, proc string) {
		if len(res.Problems) < 200 {
			res.Problems = append(res.Problems, msg)
		}
		bad = append(bad, store.Quarantined{Source: source, Kind: store.KindUsage, UnitID: unitID, Day: day, Procedure: proc, Reason: name + ", " + msg, Raw: string(record.Compact(rec))})
	}
	for _, p := range problems {
		note(p.Error(), onlyUnit, nil, time.Time{}, "")
	}
	// Group rows by the unit their code means on their date.
	type group struct {
		rows  []fileimport.Row
		dates map[string]bool
	}
	groups := map[string]*group{}
	var others []string
	for _, row := range rows {
		d, derr := protocol.ParseDate(row.Date)
		if derr != nil {
			note(place(row.Sheet, row.Line)+fmt.Sprintf(", column date: %q is not a date YYYY-MM-DD", row.Date), onlyUnit, row.Record, time.Time{}, row.Procedure)
			continue
		}
		u, rerr := c.units.Resolve(row.Unit, d)
		if rerr != nil {
			note(place(row.Sheet, row.Line)+", column unit: "+rerr.Error(), onlyUnit, row.Record, d, row.Procedure)
			continue
		}
		if onlyUnit != "" && u.ID != onlyUnit {
			if len(others) < 5 {
				others = append(others, fmt.Sprintf("%s is unit %s", place(row.Sheet, row.Line), u.ID))
			}
			continue
		}
		g := groups[u.ID]
		if g == nil {
			g = &group{dates: map[string]bool{}}
			groups[u.ID] = g
		}
		g.rows = append(g.rows, row)
		g.dates[row.Date] = true
	}
	if len(others) > 0 {
		return res, fmt.Errorf("%w: this upload is for unit %s, but %s; nothing was saved", ErrOtherUnit, onlyUnit, strings.Join(others, "; "))
	}
	units := make([]string, 0, len(groups))
	for id := range groups {
		units = append(units, id)
	}
	sort.Strings(units)
	for _, id := range units {
		g := groups[id]
		unit, _ := c.units.ByID(id)
		var dates []string
		for d := range g.dates {
			dates = append(dates, d)
		}
		sort.Strings(dates)
		page := protocol.UsagePage{Protocol: protocol.Version, Unit: unit.Code, From: dates[0], To: dates[len(dates)-1]}
		from, _ := protocol.ParseDate(page.From)
		to, _ := protocol.ParseDate(page.To)
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if ds := d.Format(protocol.DateLayout); !g.dates[ds] {
				page.MissingDays = append(page.MissingDays, ds)
			}
		}
		for _, row := range g.rows {
			page.Records = append(page.Records, json.RawMessage(row.Record))
		}
		b := c.checker.Usage(id, []protocol.UsagePage{page})
		for _, rj := range b.Bad {
			row := g.rows[rj.Index]
			note(place(row.Sheet, row.Line)+": "+rj.Reason, id, row.Record, rj.Day, rj.Procedure)
		}
		b.Bad = nil
		if _, err := c.StoreUsage(ctx, source, b); err != nil {
			return res, err
		}
		res.Units = append(res.Units, id)
		res.Accepted += len(b.Good)
		res.Days += len(b.Days)
		run := store.Run{ID: uuid.New(), Source: source, UnitID: id, Kind: "file", From: from, To: to, StartedAt: start, FinishedAt: time.Now(),
			Status: store.RunOK, RowsAccepted: len(b.Good), DaysLoaded: len(b.Days), Requests: 1, Error: name}
		if err := c.store.SaveRun(context.WithoutCancel(ctx), run); err != nil {
			return res, err
		}
	}
	res.Quarantined = len(bad)
	if err := c.store.Quarantine(context.WithoutCancel(ctx), bad); err != nil {
		return res, err
	}
	return res, nil
}

func place(sheet string, line int) string {
	if sheet != "" {
		return fmt.Sprintf("sheet %s, row %d", sheet, line)
	}
	return fmt.Sprintf("row %d", line)
}
