package metrics

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/internal/refdata"
)

// Blocks are the two leagues, in the order pages show them.
var Blocks = []egovkpi.Block{egovkpi.BlockMinistry, egovkpi.BlockProvince}

// NationalTable is every KPI over one period summed over the units of each
// block and of both: numerators and denominators add up, so a national
// figure weighs each unit by its volume (never a mean of rates).
type NationalTable struct {
	Period Period
	KPIs   []KPI
	// Sums per block ("ministry", "province") and "all", per KPI id.
	Sums map[string]map[string]Value
	// Completeness per block: the mean of the block's units' completeness.
	Completeness map[string]float64
}

// AllBlocks is the key of the national sums over both blocks.
const AllBlocks = "all"

// National computes every KPI of kpis over p for each block and for both
// (units in force at the end of the period, their predecessors carried):
// one computation over both blocks' units, then sums per block.
func National(ctx context.Context, conn driver.Conn, reg *refdata.Registry, p Period, kpis []KPI, today time.Time) (NationalTable, error) {
	t := NationalTable{Period: p, KPIs: kpis, Sums: map[string]map[string]Value{}, Completeness: map[string]float64{}}
	shown := map[string][]string{}
	units := make([][]string, len(Blocks)) // each block's shown units, sorted
	for i, b := range Blocks {
		for id, carried := range Shown(reg, b, p) {
			shown[id] = carried
			units[i] = append(units[i], id)
		}
		sort.Strings(units[i])
	}
	fig, err := figuresOfShown(ctx, conn, reg, shown, p, kpis, today)
	if err != nil {
		return t, err
	}
	all := map[string]Value{}
	for _, k := range kpis {
		all[k.ID] = Value{UnitID: AllBlocks, KPI: k.ID}
	}
	for i, b := range Blocks {
		sums := map[string]Value{}
		for _, k := range kpis {
			sum := Value{UnitID: string(b), KPI: k.ID}
			for _, id := range units[i] {
				sum = addValues(sum, fig.Values[id][k.ID])
			}
			sums[k.ID] = sum
			all[k.ID] = addValues(all[k.ID], sum)
		}
		t.Sums[string(b)] = sums
		total := 0.0
		for _, id := range units[i] {
			total += fig.Completeness[id]
		}
		if n := len(units[i]); n > 0 {
			t.Completeness[string(b)] = total / float64(n)
		}
	}
	t.Sums[AllBlocks] = all
	return t, nil
}

// addValues adds v's numerator and denominator to sum's (addNullable: a
// part without data adds nothing, and no data at all stays no data, nil,
// never 0); sum keeps its unit and KPI.
func addValues(sum, v Value) Value {
	sum.Num = addNullable(sum.Num, v.Num)
	sum.Den = addNullable(sum.Den, v.Den)
	return sum
}

// NationalJSON is the JSON form of a national table, the same for the API
// and the pages.
type NationalJSON struct {
	Period       string             `json:"period"`
	PeriodFrom   string             `json:"period_from"`
	PeriodTo     string             `json:"period_to"`
	Completeness map[string]float64 `json:"completeness"`
	KPIs         []NationalKPIJSON  `json:"kpis"`
}

// NationalKPIJSON is one KPI's national figures: for ministries, provinces
// and all, each with its target when there is one.
type NationalKPIJSON struct {
	KPI        KPIJSON     `json:"kpi"`
	Ministries FigureJSON  `json:"ministries"`
	Provinces  FigureJSON  `json:"provinces"`
	All        FigureJSON  `json:"all"`
	Target     *TargetJSON `json:"target"`
	Attainment *float64    `json:"attainment"`
}

// FigureJSON is a summed figure: numerator, denominator, value (a share)
// and the published percentage (2 decimals), null without data.
type FigureJSON struct {
	Numerator   *float64 `json:"numerator"`
	Denominator *float64 `json:"denominator"`
	Value       *float64 `json:"value"`
	Published   *float64 `json:"published"`
}

// Figure renders a value.
func Figure(v Value) FigureJSON {
	f := FigureJSON{Numerator: v.Num, Denominator: v.Den, Value: v.Ratio()}
	if f.Value != nil {
		p := Published(*f.Value)
		f.Published = &p
	}
	return f
}

// JSON renders the table; the national target (block "all") is the one
// compared with the figure of both blocks.
func (t NationalTable) JSON() NationalJSON {
	out := NationalJSON{Period: t.Period.String(), PeriodFrom: t.Period.From.Format(egovkpi.DateLayout), PeriodTo: t.Period.To.Format(egovkpi.DateLayout),
		Completeness: map[string]float64{}, KPIs: []NationalKPIJSON{}}
	for b, c := range t.Completeness {
		out.Completeness[b] = roundCompleteness(c)
	}
	ts, _ := Targets()
	for _, k := range t.KPIs {
		row := NationalKPIJSON{KPI: DescribeKPI(k),
			Ministries: Figure(t.Sums[string(egovkpi.BlockMinistry)][k.ID]),
			Provinces:  Figure(t.Sums[string(egovkpi.BlockProvince)][k.ID]),
			All:        Figure(t.Sums[AllBlocks][k.ID])}
		row.Target, row.Attainment = targetJSON(ts, k.ID, egovkpi.Block(AllBlocks), t.Period, t.Sums[AllBlocks][k.ID])
		out.KPIs = append(out.KPIs, row)
	}
	return out
}

// MarshalIndent is the one JSON encoding of a national table.
func (j NationalJSON) MarshalIndent() ([]byte, error) { return json.MarshalIndent(j, "", "  ") }
