package tilegrid

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"egovkpi"
	"egovkpi/internal/refdata"
)

//go:embed layout.csv
var layoutCSV []byte

// layoutColumns is the exact header of layout.csv.
var layoutColumns = []string{"unit_id", "row", "col", "abbr"}

// Position is the cell of one province on the grid, as layout.csv places it.
type Position struct {
	// UnitID is the refdata id of the province: "p63-01", "p34-01".
	UnitID string
	// Row counts from 0 at the top (north); Col from 0 at the left (west).
	Row, Col int
	// Abbr is the short name drawn in the tile: "HN", "HCM", "ĐN".
	Abbr string
}

var loadLayout = sync.OnceValues(func() (map[string]Position, error) {
	return parseLayout(bytes.NewReader(layoutCSV))
})

// parseLayout reads a layout file: the header unit_id,row,col,abbr, then one
// province per row. Every problem found is reported, each with its line.
func parseLayout(r io.Reader) (map[string]Position, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(layoutColumns)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("tilegrid: layout.csv header: %w", err)
	}
	if strings.Join(header, ",") != strings.Join(layoutColumns, ",") {
		return nil, fmt.Errorf("tilegrid: layout.csv header is %q, expected %q",
			strings.Join(header, ","), strings.Join(layoutColumns, ","))
	}
	var (
		errs []error
		out  = map[string]Position{}
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tilegrid: layout.csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("tilegrid: layout.csv line %d: %s", line, fmt.Sprintf(format, args...)))
		}
		p := Position{UnitID: strings.TrimSpace(rec[0]), Abbr: strings.TrimSpace(rec[3])}
		ok := true
		if p.UnitID == "" {
			fail("empty unit_id")
			ok = false
		}
		if p.Row, err = strconv.Atoi(strings.TrimSpace(rec[1])); err != nil || p.Row < 0 {
			fail("row %q is not a non-negative integer", rec[1])
			ok = false
		}
		if p.Col, err = strconv.Atoi(strings.TrimSpace(rec[2])); err != nil || p.Col < 0 {
			fail("col %q is not a non-negative integer", rec[2])
			ok = false
		}
		if n := utf8.RuneCountInString(p.Abbr); n < 2 || n > 4 {
			fail("abbr %q of %s must have 2 to 4 letters", p.Abbr, p.UnitID)
			ok = false
		}
		if _, dup := out[p.UnitID]; dup {
			fail("unit %s placed twice", p.UnitID)
			ok = false
		}
		if ok {
			out[p.UnitID] = p
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// grid is the map of one day: the provinces in force and their cells.
type grid struct {
	day   time.Time
	units []egovkpi.Unit // refdata order
	pos   []Position     // parallel to units
	rows  int            // 1 + the largest row
	cols  int            // 1 + the largest column
}

// Layout returns the cells of the provinces in force on the calendar day of
// day (the 63 before 2025-07-01, the 34 from then), in refdata order. It
// fails, naming the units, if one of them has no cell in layout.csv or two
// of them share a cell, so that a change to the reference data cannot go
// unnoticed.
func Layout(day time.Time) ([]Position, error) {
	g, err := build(day)
	if err != nil {
		return nil, err
	}
	return g.pos, nil
}

// build loads the reference data and the layout and arranges the provinces
// in force on day.
func build(day time.Time) (grid, error) {
	reg, err := refdata.Load()
	if err != nil {
		return grid{}, fmt.Errorf("tilegrid: %w", err)
	}
	layout, err := loadLayout()
	if err != nil {
		return grid{}, err
	}
	return arrange(egovkpi.Day(day), reg.ValidOn(day, egovkpi.BlockProvince), layout)
}

// arrange places units on the grid of layout, checking that each has exactly
// one cell of its own.
func arrange(day time.Time, units []egovkpi.Unit, layout map[string]Position) (grid, error) {
	if len(units) == 0 {
		return grid{}, fmt.Errorf("tilegrid: no province in force on %s", day.Format(egovkpi.DateLayout))
	}
	g := grid{day: day, units: units, pos: make([]Position, len(units))}
	var errs []error
	taken := map[[2]int]string{}
	for i, u := range units {
		p, ok := layout[u.ID]
		if !ok {
			errs = append(errs, fmt.Errorf("tilegrid: unit %s (%s), in force on %s, has no position in layout.csv",
				u.ID, u.NameVI, day.Format(egovkpi.DateLayout)))
			continue
		}
		cell := [2]int{p.Row, p.Col}
		if other, dup := taken[cell]; dup {
			errs = append(errs, fmt.Errorf("tilegrid: units %s and %s, both in force on %s, share row %d col %d in layout.csv",
				other, u.ID, day.Format(egovkpi.DateLayout), p.Row, p.Col))
			continue
		}
		taken[cell] = u.ID
		g.pos[i] = p
		g.rows = max(g.rows, p.Row+1)
		g.cols = max(g.cols, p.Col+1)
	}
	if len(errs) > 0 {
		return grid{}, errors.Join(errs...)
	}
	return g, nil
}
