package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

	"egovkpi"
	"egovkpi/internal/refdata"
)

// Filter narrows a league table; empty fields match everything.
type Filter struct {
	Region string // region code, e.g. DBSH
	Kind   string // unit kind, e.g. municipality
}

// Table is a league table: one block, one KPI, one period.
type Table struct {
	Block    egovkpi.Block
	Period   Period
	Previous Period
	KPI      KPI
	Rules    Rules
	Entries  []Entry
}

// Empty reports whether no unit has data in the period.
func (t Table) Empty() bool {
	for _, e := range t.Entries {
		if e.Published != nil {
			return false
		}
	}
	return true
}

// League computes a league table from the rollups: the units in force at the
// end of the period (with their predecessors' figures carried), their data
// completeness, ranks on the published figure and movement against the
// previous comparable period.
func League(ctx context.Context, conn driver.Conn, reg *refdata.Registry, block egovkpi.Block, p Period, k KPI, rules Rules, f Filter, today time.Time) (Table, error) {
	t := Table{Block: block, Period: p, Previous: p.Previous(), KPI: k, Rules: rules}
	var cur, prev []Entry
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { cur, err = entries(gctx, conn, reg, block, p, k, rules, f, today); return })
	g.Go(func() (err error) {
		prev, err = entries(gctx, conn, reg, block, t.Previous, k, rules, f, today)
		return
	})
	if err := g.Wait(); err != nil {
		return t, err
	}
	Move(cur, prev)
	t.Entries = cur
	return t, nil
}

func entries(ctx context.Context, conn driver.Conn, reg *refdata.Registry, block egovkpi.Block, p Period, k KPI, rules Rules, f Filter, today time.Time) ([]Entry, error) {
	fig, err := figuresOf(ctx, conn, reg, block, p, []KPI{k}, f, today)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(fig.Units))
	for _, id := range fig.Units {
		out = append(out, Entry{UnitID: id, Value: fig.Values[id][k.ID], Completeness: fig.Completeness[id]})
	}
	Rank(out, k.HigherIsBetter, rules)
	return out, nil
}

// figures are a block's KPIs over a period: the units shown (sorted), their
// values with their predecessors carried, and their data completeness.
type figures struct {
	Units        []string
	Carried      map[string][]string
	Values       Values
	Completeness map[string]float64
}

func figuresOf(ctx context.Context, conn driver.Conn, reg *refdata.Registry, block egovkpi.Block, p Period, kpis []KPI, f Filter, today time.Time) (figures, error) {
	shown := Shown(reg, block, p)
	for id := range shown {
		u, _ := reg.ByID(id)
		if (f.Region != "" && u.Region != f.Region) || (f.Kind != "" && u.Kind != f.Kind) {
			delete(shown, id)
		}
	}
	return figuresOfShown(ctx, conn, reg, shown, p, kpis, today)
}

// figuresOfShown computes kpis over p for the shown units (each with the
// units whose figures it carries, as Shown returns them): one
// computeWithDays over every carried unit, then Carry and each shown unit's
// completeness. National passes both blocks' units at once, FiguresOfUnit
// and UnitSeries one unit with its lineage.
func figuresOfShown(ctx context.Context, conn driver.Conn, reg *refdata.Registry, shown map[string][]string, p Period, kpis []KPI, today time.Time) (figures, error) {
	units := []string{} // not nil: a filter that leaves no unit reads none
	for _, carried := range shown {
		units = append(units, carried...)
	}
	sort.Strings(units)
	vals, days, err := computeWithDays(ctx, conn, p, kpis, units)
	if err != nil {
		return figures{}, err
	}
	fig := figures{Carried: shown, Values: Carry(vals, shown, kpis), Completeness: map[string]float64{}}
	for id, units := range shown {
		fig.Units = append(fig.Units, id)
		fig.Completeness[id] = completeness(reg, units, days, p, today)
	}
	sort.Strings(fig.Units)
	return fig, nil
}

// figuresOfLineage computes kpis over p for one unit, carrying its
// predecessors that existed during p (lineage), whatever its block and
// whether or not it is in force at the end of p.
func figuresOfLineage(ctx context.Context, conn driver.Conn, reg *refdata.Registry, id string, p Period, kpis []KPI, today time.Time) (figures, error) {
	return figuresOfShown(ctx, conn, reg, map[string][]string{id: lineage(reg, id, p)}, p, kpis, today)
}

// completeness is the share of expected days (ExpectedDays) a load covered,
// over the carried units, at most 1.
func completeness(reg *refdata.Registry, carried []string, days map[string]int, p Period, today time.Time) float64 {
	exp := ExpectedDays(reg, carried, p, today)
	if exp == 0 {
		return 0
	}
	with := 0
	for _, u := range carried {
		with += days[u]
	}
	return min(1, float64(with)/float64(exp))
}

// daysCovered is an internal figure read with the day-based KPIs (one
// scan of usage_unit_day, not two): the days of the period a load covered,
// the numerator of data completeness.
var daysCovered = KPI{ID: "_days_covered", Source: UnitDay, Numerator: "count()", Denominator: "count()"}

// computeWithDays is Compute plus each unit's days covered.
func computeWithDays(ctx context.Context, conn driver.Conn, p Period, kpis []KPI, units []string) (Values, map[string]int, error) {
	vals, err := Compute(ctx, conn, p, append(kpis[:len(kpis):len(kpis)], daysCovered), units)
	if err != nil {
		return nil, nil, err
	}
	days := map[string]int{}
	for unit, byKPI := range vals {
		if v, ok := byKPI[daysCovered.ID]; ok && v.Num != nil {
			days[unit] = int(*v.Num)
		}
		delete(byKPI, daysCovered.ID)
	}
	return vals, days, nil
}

// TableJSON is the JSON form of a league table, the same for the API and
// the CLI.
type TableJSON struct {
	Block          string      `json:"block"`
	Period         string      `json:"period"`
	PeriodFrom     string      `json:"period_from"`
	PeriodTo       string      `json:"period_to"`
	PreviousPeriod string      `json:"previous_period"`
	KPI            KPIJSON     `json:"kpi"`
	Rules          RulesJSON   `json:"rules"`
	Empty          bool        `json:"empty"`
	Message        string      `json:"message,omitempty"`
	Target         *TargetJSON `json:"target"`
	Rows           []RowJSON   `json:"rows"`
}

// TargetJSON is the national target in force for the table's KPI and block.
type TargetJSON struct {
	Value  float64 `json:"value"`
	Year   int     `json:"year"`
	Source string  `json:"source"`
	Note   string  `json:"note,omitempty"`
}

// KPIJSON describes a KPI.
type KPIJSON struct {
	ID             string `json:"id"`
	NameVI         string `json:"name_vi"`
	NameEN         string `json:"name_en"`
	DescriptionVI  string `json:"description_vi,omitempty"`
	DescriptionEN  string `json:"description_en,omitempty"`
	Source         string `json:"source,omitempty"`
	HigherIsBetter bool   `json:"higher_is_better"`
	Assumption     string `json:"assumption,omitempty"`
}

// RulesJSON says when a unit is ranked.
type RulesJSON struct {
	MinDenominator  float64 `json:"min_denominator"`
	MinCompleteness float64 `json:"min_completeness"`
}

// RowJSON is one unit of a league table. Value is null when there is no
// data; Published is the percentage with two decimals that ranks follow.
type RowJSON struct {
	Rank          *int     `json:"rank"`
	UnitID        string   `json:"unit_id"`
	Code          string   `json:"code"`
	NameVI        string   `json:"name_vi"`
	NameEN        string   `json:"name_en"`
	Region        string   `json:"region,omitempty"`
	Numerator     *float64 `json:"numerator"`
	Denominator   *float64 `json:"denominator"`
	Value         *float64 `json:"value"`
	Published     *float64 `json:"published"`
	Movement      *int     `json:"movement"`
	Completeness  float64  `json:"completeness"`
	NotEnoughData bool     `json:"not_enough_data"`
	// Attainment is value ÷ target (≥ 1: met), null without a target or data.
	Attainment *float64 `json:"attainment"`
}

// DescribeKPI returns a KPI's JSON description.
func DescribeKPI(k KPI) KPIJSON {
	return KPIJSON{ID: k.ID, NameVI: k.NameVI, NameEN: k.NameEN, DescriptionVI: k.DescVI, DescriptionEN: k.DescEN,
		Source: string(k.Source), HigherIsBetter: k.HigherIsBetter, Assumption: k.Assumption}
}

// JSON renders the table.
func (t Table) JSON(reg *refdata.Registry) TableJSON {
	out := TableJSON{
		Block: string(t.Block), Period: t.Period.String(), PeriodFrom: t.Period.From.Format(egovkpi.DateLayout), PeriodTo: t.Period.To.Format(egovkpi.DateLayout),
		PreviousPeriod: t.Previous.String(), KPI: DescribeKPI(t.KPI),
		Rules: RulesJSON{MinDenominator: t.Rules.MinDenominator, MinCompleteness: t.Rules.MinCompleteness},
		Empty: t.Empty(), Rows: []RowJSON{},
	}
	if out.Empty {
		out.Message = fmt.Sprintf("no data for %s in %s: the table is empty", t.KPI.ID, t.Period)
	}
	ts, _ := Targets()
	out.Target, _ = targetJSON(ts, t.KPI.ID, t.Block, t.Period, Value{})
	for _, e := range t.Entries {
		u, _ := reg.ByID(e.UnitID)
		// Published is the entry's, the figure ranks follow (Rank sets it
		// as Figure would).
		fig := Figure(e.Value)
		r := RowJSON{UnitID: e.UnitID, Code: u.Code, NameVI: u.NameVI, NameEN: u.NameEN, Region: u.Region,
			Numerator: fig.Numerator, Denominator: fig.Denominator, Value: fig.Value, Published: e.Published, Movement: e.Movement,
			Completeness: roundCompleteness(e.Completeness), NotEnoughData: e.NotEnoughData}
		if e.Rank > 0 {
			rank := e.Rank
			r.Rank = &rank
		}
		_, r.Attainment = targetJSON(ts, t.KPI.ID, t.Block, t.Period, e.Value)
		out.Rows = append(out.Rows, r)
	}
	return out
}

// roundCompleteness keeps 4 decimals of a share (0.9677, i.e. 96.77 %).
func roundCompleteness(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// MarshalIndent is the one JSON encoding of a table, so the API and the CLI
// print the same bytes.
func (j TableJSON) MarshalIndent() ([]byte, error) { return json.MarshalIndent(j, "", "  ") }
