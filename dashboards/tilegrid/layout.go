package tilegrid

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
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

// position is the cell of one province on the grid, as layout.csv places it.
type position struct {
	// UnitID is the refdata id of the province: "p63-01", "p34-01".
	UnitID string
	// Row counts from 0 at the top (north); Col from 0 at the left (west).
	Row, Col int
	// Abbr is the short name drawn in the tile: "HN", "HCM", "ĐN".
	Abbr string
}

var loadLayout = sync.OnceValues(func() (map[string]position, error) {
	return parseLayout(bytes.NewReader(layoutCSV))
})

// parseLayout reads a layout file: the header unit_id,row,col,abbr, then one
// province per row. Every problem found is reported, each with its line.
func parseLayout(r io.Reader) (map[string]position, error) {
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
		out  = map[string]position{}
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
		p := position{UnitID: strings.TrimSpace(rec[0]), Abbr: strings.TrimSpace(rec[3])}
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

// grid is the map of one era: the provinces in force and their cells, and
// what every Render of the era writes the same (the frame and the
// archipelagos). A grid is built once per era and only read afterwards.
type grid struct {
	from  time.Time      // first day of the era
	units []egovkpi.Unit // refdata order
	pos   []position     // parallel to units
	geo   []geometry     // parallel to units
	index map[string]int // unit id -> index in units
	rows  int            // 1 + the largest row
	cols  int            // 1 + the largest column
	// head and tail are the SVG before and after the tiles, by langIndex.
	head, tail [2][]byte
}

// atlas is what every era's grid is built from.
type atlas struct {
	// starts are the days on which the set of provinces in force changes
	// (a province's ValidFrom or the day after its ValidTo), ascending.
	starts []time.Time
	reg    *refdata.Registry
	layout map[string]position

	mu    sync.Mutex
	grids map[time.Time]*grid // by era start; built on first use
}

var loadAtlas = sync.OnceValues(func() (*atlas, error) {
	reg, err := refdata.Load()
	if err != nil {
		return nil, fmt.Errorf("tilegrid: %w", err)
	}
	layout, err := loadLayout()
	if err != nil {
		return nil, err
	}
	a := &atlas{reg: reg, layout: layout, grids: map[time.Time]*grid{}}
	for _, u := range reg.All() {
		if u.Block != egovkpi.BlockProvince {
			continue
		}
		a.starts = append(a.starts, u.ValidFrom)
		if !u.ValidTo.IsZero() {
			a.starts = append(a.starts, u.ValidTo.AddDate(0, 0, 1))
		}
	}
	slices.SortFunc(a.starts, time.Time.Compare)
	a.starts = slices.CompactFunc(a.starts, time.Time.Equal)
	return a, nil
})

// eraStart returns the first day of the era holding the calendar day d: the
// last change of the provinces in force on or before d. ok is false before
// the first province.
func (a *atlas) eraStart(d time.Time) (time.Time, bool) {
	i, found := slices.BinarySearchFunc(a.starts, d, time.Time.Compare)
	if found {
		return a.starts[i], true
	}
	if i == 0 {
		return time.Time{}, false
	}
	return a.starts[i-1], true
}

// gridOn returns the grid of the provinces in force on the calendar day of
// day. Grids are memoized by the first day of their era, so that a change of
// the reference data on any day starts a grid of its own; a failure is not
// memoized and names day.
func gridOn(day time.Time) (*grid, error) {
	a, err := loadAtlas()
	if err != nil {
		return nil, err
	}
	day = egovkpi.Day(day)
	from, ok := a.eraStart(day)
	if !ok {
		return nil, fmt.Errorf("tilegrid: no province in force on %s", day.Format(egovkpi.DateLayout))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if g, ok := a.grids[from]; ok {
		return g, nil
	}
	g, err := arrange(day, a.reg.ValidOn(from, egovkpi.BlockProvince), a.layout)
	if err != nil {
		return nil, err
	}
	g.from = from
	a.grids[from] = g
	return g, nil
}

// positionsOn returns the cells of the provinces in force on the calendar
// day of day (the 63 before 2025-07-01, the 34 from then), in refdata
// order. It fails, naming the units, if one of them has no cell in
// layout.csv or two of them share a cell, so that a change to the reference
// data cannot go unnoticed.
func positionsOn(day time.Time) ([]position, error) {
	g, err := gridOn(day)
	if err != nil {
		return nil, err
	}
	return slices.Clone(g.pos), nil
}

// arrange places units on the grid of layout, checking that each has exactly
// one cell of its own and that the archipelagos' anchor provinces are among
// them, and writes the parts of the SVG that do not depend on the tiles. day
// only names the era in errors.
func arrange(day time.Time, units []egovkpi.Unit, layout map[string]position) (*grid, error) {
	if len(units) == 0 {
		return nil, fmt.Errorf("tilegrid: no province in force on %s", day.Format(egovkpi.DateLayout))
	}
	g := &grid{units: units, pos: make([]position, len(units)), geo: make([]geometry, len(units)), index: make(map[string]int, len(units))}
	var errs []error
	taken := map[[2]int]string{}
	for i, u := range units {
		g.index[u.ID] = i
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
		g.geo[i] = geometryOf(p)
		g.rows = max(g.rows, p.Row+1)
		g.cols = max(g.cols, p.Col+1)
	}
	// The anchor of each archipelago: the row of its province.
	anchorRows := make([]int, len(archipelagos))
	for k, a := range archipelagos {
		i := slices.IndexFunc(units, func(u egovkpi.Unit) bool { return u.Code == a.anchorCode })
		if i < 0 {
			errs = append(errs, fmt.Errorf("tilegrid: no province with code %s in force on %s for %s",
				a.anchorCode, day.Format(egovkpi.DateLayout), a.label("en")))
			continue
		}
		anchorRows[k] = g.pos[i].Row
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for li, lang := range []string{"vi", "en"} {
		g.head[li] = svgHead(g, lang)
		g.tail[li] = svgTail(g, anchorRows, lang)
	}
	return g, nil
}
