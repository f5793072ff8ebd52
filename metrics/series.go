package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/internal/refdata"
)

// Point is one step of a unit's series.
type Point struct {
	Period       Period
	Carried      []string // the units whose figures make the point
	Value        Value
	Completeness float64
}

// Series is a unit's KPI over consecutive periods.
type Series struct {
	Unit   egovkpi.Unit
	KPI    KPI
	Step   PeriodKind
	Points []Point
	Notes  []string // mergers and level changes the series crosses
}

// Steps cuts [from, to] into months, quarters, halves or years.
func Steps(from, to time.Time, step PeriodKind) ([]Period, error) {
	var out []Period
	for d := from; !d.After(to); {
		p, ok := Containing(step, d)
		if !ok {
			return nil, fmt.Errorf("unknown step %q (accepted: month, quarter, half, year)", step)
		}
		out = append(out, p)
		d = p.To.AddDate(0, 0, 1)
		if len(out) > 400 {
			return nil, fmt.Errorf("more than 400 steps: choose a longer step")
		}
	}
	return out, nil
}

// ResolveUnit finds a unit by id (p34-08, m-MOF) or by official code as of
// a day ("08" is Tuyên Quang of the 63 before 2025-07-01 and of the 34
// after).
func ResolveUnit(reg *refdata.Registry, ref string, day time.Time) (egovkpi.Unit, error) {
	if u, ok := reg.ByID(ref); ok {
		return u, nil
	}
	return reg.Resolve(ref, day)
}

// UnitSeries computes a unit's KPI step by step over [from, to]. Each point
// carries the unit's predecessors that existed in that step, summed
// (numerators and denominators, never ratios), so a series across the 2025
// mergers shows the successor all along.
func UnitSeries(ctx context.Context, conn driver.Conn, reg *refdata.Registry, u egovkpi.Unit, k KPI, from, to time.Time, step PeriodKind, today time.Time) (Series, error) {
	s := Series{Unit: u, KPI: k, Step: step}
	steps, err := Steps(from, to, step)
	if err != nil {
		return s, err
	}
	for _, p := range steps {
		fig, err := figuresOfLineage(ctx, conn, reg, u.ID, p, []KPI{k}, today)
		if err != nil {
			return s, err
		}
		s.Points = append(s.Points, Point{Period: p, Carried: fig.Carried[u.ID], Value: fig.Values[u.ID][k.ID], Completeness: fig.Completeness[u.ID]})
	}
	if preds := reg.Predecessors(u.ID); len(preds) > 0 && !u.ValidFrom.After(to) && u.ValidFrom.After(from) {
		var names []string
		for _, p := range preds {
			names = append(names, p.ID+" "+p.NameVI)
		}
		s.Notes = append(s.Notes, fmt.Sprintf("%s: %s (%s) took over from %s; earlier points sum their numerators and denominators",
			u.ValidFrom.Format(egovkpi.DateLayout), u.ID, u.NameVI, strings.Join(names, ", ")))
	}
	if from.Before(egovkpi.FullProcessDecree) && !to.Before(egovkpi.FullProcessDecree) {
		s.Notes = append(s.Notes, levelsNote)
	}
	return s, nil
}

// SeriesJSON is the JSON form of a series, the same for the API and the CLI.
type SeriesJSON struct {
	UnitID string      `json:"unit_id"`
	Code   string      `json:"code"`
	NameVI string      `json:"name_vi"`
	NameEN string      `json:"name_en"`
	KPI    KPIJSON     `json:"kpi"`
	Step   string      `json:"step"`
	From   string      `json:"from"`
	To     string      `json:"to"`
	Notes  []string    `json:"notes"`
	Points []PointJSON `json:"points"`
}

// PointJSON is one step of a series.
type PointJSON struct {
	Period       string   `json:"period"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	Carried      []string `json:"carried"`
	Numerator    *float64 `json:"numerator"`
	Denominator  *float64 `json:"denominator"`
	Value        *float64 `json:"value"`
	Published    *float64 `json:"published"`
	Completeness float64  `json:"completeness"`
}

// JSON renders the series.
func (s Series) JSON() SeriesJSON {
	out := SeriesJSON{UnitID: s.Unit.ID, Code: s.Unit.Code, NameVI: s.Unit.NameVI, NameEN: s.Unit.NameEN, KPI: DescribeKPI(s.KPI),
		Step: string(s.Step), Notes: append([]string{}, s.Notes...), Points: []PointJSON{}}
	if len(s.Points) > 0 {
		out.From = s.Points[0].Period.From.Format(egovkpi.DateLayout)
		out.To = s.Points[len(s.Points)-1].Period.To.Format(egovkpi.DateLayout)
	}
	for _, p := range s.Points {
		fig := Figure(p.Value)
		out.Points = append(out.Points, PointJSON{Period: p.Period.String(), From: p.Period.From.Format(egovkpi.DateLayout), To: p.Period.To.Format(egovkpi.DateLayout),
			Carried: p.Carried, Numerator: fig.Numerator, Denominator: fig.Denominator, Value: fig.Value, Published: fig.Published,
			Completeness: roundCompleteness(p.Completeness)})
	}
	return out
}

// MarshalIndent is the one JSON encoding of a series.
func (j SeriesJSON) MarshalIndent() ([]byte, error) { return json.MarshalIndent(j, "", "  ") }
