package metrics

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"egovkpi"
)

//go:embed targets.csv
var targetsCSV string

// Target is a national target for a KPI, a year and a block.
type Target struct {
	KPI    string // a KPI id, or "[name]" for one egovkpi does not compute yet
	Year   int
	Block  string // ministry, province or all
	Value  float64
	Source string
	Note   string
}

// Computed reports whether egovkpi computes the target's KPI.
func (t Target) Computed() bool { return !strings.HasPrefix(t.KPI, "[") }

// Targets returns the embedded targets.
func Targets() ([]Target, error) { return embeddedTargets() }

var embeddedTargets = sync.OnceValues(func() ([]Target, error) { return ParseTargets(strings.NewReader(targetsCSV)) })

// ParseTargets reads targets in the shape of targets.csv (# lines are
// comments); every error names the line.
func ParseTargets(r io.Reader) ([]Target, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("targets: %w", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "kpi,year,block,target,source,note" {
		return nil, fmt.Errorf("targets: the header must be kpi,year,block,target,source,note")
	}
	var out []Target
	for i, rec := range recs[1:] {
		where := fmt.Sprintf("targets: row %d (%s)", i+1, rec[0])
		t := Target{KPI: rec[0], Block: rec[2], Source: rec[4], Note: rec[5]}
		if t.Computed() {
			if _, err := KPIByID(t.KPI); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		if t.Year, err = strconv.Atoi(rec[1]); err != nil || t.Year < 2000 || t.Year > 2100 {
			return nil, fmt.Errorf("%s: year %q", where, rec[1])
		}
		if t.Block != "all" {
			if _, err := egovkpi.ParseBlock(t.Block); err != nil {
				return nil, fmt.Errorf("%s: %w (or all)", where, err)
			}
		}
		if t.Value, err = strconv.ParseFloat(rec[3], 64); err != nil || t.Value <= 0 || t.Value > 1 {
			return nil, fmt.Errorf("%s: target %q: want a share above 0 and at most 1", where, rec[3])
		}
		if strings.TrimSpace(t.Source) == "" {
			return nil, fmt.Errorf("%s: a target needs its source", where)
		}
		out = append(out, t)
	}
	return out, nil
}

// TargetFor returns the target of a KPI for a block in force for a period:
// the one of the period's year, or the latest earlier year (a target once
// reached stays the bar). ok is false when there is none.
func TargetFor(ts []Target, kpi string, block egovkpi.Block, p Period) (Target, bool) {
	var best Target
	found := false
	for _, t := range ts {
		if t.KPI != kpi || (t.Block != "all" && t.Block != string(block)) || t.Year > p.To.Year() {
			continue
		}
		if !found || t.Year > best.Year || (t.Year == best.Year && t.Block != "all") {
			best, found = t, true
		}
	}
	return best, found
}

// Attainment is a value against its target: value ÷ target (1 or more:
// met), nil when the value is missing.
func Attainment(v Value, t Target) (ratio *float64, met bool) {
	r := v.Ratio()
	if r == nil {
		return nil, false
	}
	a := *r / t.Value
	return &a, a >= 1
}

// targetJSON is the target of kpi for block in force for p (nil when there
// is none) and v's attainment of it (nil without a target or data).
func targetJSON(ts []Target, kpi string, block egovkpi.Block, p Period, v Value) (*TargetJSON, *float64) {
	tg, ok := TargetFor(ts, kpi, block, p)
	if !ok {
		return nil, nil
	}
	att, _ := Attainment(v, tg)
	return &TargetJSON{Value: tg.Value, Year: tg.Year, Source: tg.Source, Note: tg.Note}, att
}

// Target statuses: how a figure stands against its target, as the pages
// colour it and the leadership workbook marks it.
const (
	TargetMet   = "met"
	TargetNear  = "near"
	TargetBelow = "below"
)

// NearTarget is the attainment from which a figure is near its target.
const NearTarget = 0.9

// TargetStatus says how a figure stands against its target from its
// attainment (value ÷ target, see Attainment): TargetMet from 1,
// TargetNear from NearTarget, else TargetBelow; "" when attainment is nil
// (no target or no value).
func TargetStatus(attainment *float64) string {
	switch {
	case attainment == nil:
		return ""
	case *attainment >= 1:
		return TargetMet
	case *attainment >= NearTarget:
		return TargetNear
	}
	return TargetBelow
}
