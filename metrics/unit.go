package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/internal/refdata"
)

// UnitFigures are every KPI of one unit over one period, its predecessors'
// figures carried, with its data completeness.
type UnitFigures struct {
	Unit         egovkpi.Unit
	Period       Period
	Carried      []string
	KPIs         []KPI
	Values       map[string]Value
	Completeness float64
}

// FiguresOfUnit computes kpis for u over p. The unit must be in force at
// the end of p.
func FiguresOfUnit(ctx context.Context, conn driver.Conn, reg *refdata.Registry, u egovkpi.Unit, p Period, kpis []KPI, today time.Time) (UnitFigures, error) {
	out := UnitFigures{Unit: u, Period: p, KPIs: kpis}
	if !u.ValidOn(p.To) {
		return out, fmt.Errorf("%s (%s) is not in force on %s", u.ID, u.NameVI, p.To.Format(egovkpi.DateLayout))
	}
	fig, err := figuresOf(ctx, conn, reg, u.Block, p, kpis, Filter{Unit: u.ID}, today)
	if err != nil {
		return out, err
	}
	out.Carried = fig.Carried[u.ID]
	out.Values = fig.Values[u.ID]
	out.Completeness = fig.Completeness[u.ID]
	return out, nil
}

// UnitFiguresJSON is the JSON form of a unit's figures.
type UnitFiguresJSON struct {
	UnitID       string              `json:"unit_id"`
	Code         string              `json:"code"`
	NameVI       string              `json:"name_vi"`
	NameEN       string              `json:"name_en"`
	Period       string              `json:"period"`
	PeriodFrom   string              `json:"period_from"`
	PeriodTo     string              `json:"period_to"`
	Carried      []string            `json:"carried"`
	Completeness float64             `json:"completeness"`
	KPIs         []UnitKPIFigureJSON `json:"kpis"`
}

// UnitKPIFigureJSON is one KPI of a unit.
type UnitKPIFigureJSON struct {
	KPI KPIJSON `json:"kpi"`
	FigureJSON
}

// JSON renders the figures.
func (f UnitFigures) JSON() UnitFiguresJSON {
	out := UnitFiguresJSON{UnitID: f.Unit.ID, Code: f.Unit.Code, NameVI: f.Unit.NameVI, NameEN: f.Unit.NameEN,
		Period: f.Period.String(), PeriodFrom: f.Period.From.Format(egovkpi.DateLayout), PeriodTo: f.Period.To.Format(egovkpi.DateLayout),
		Carried: append([]string{}, f.Carried...), Completeness: roundCompleteness(f.Completeness), KPIs: []UnitKPIFigureJSON{}}
	sort.Strings(out.Carried)
	for _, k := range f.KPIs {
		out.KPIs = append(out.KPIs, UnitKPIFigureJSON{KPI: DescribeKPI(k), FigureJSON: Figure(f.Values[k.ID])})
	}
	return out
}

// MarshalIndent is the one JSON encoding of a unit's figures.
func (j UnitFiguresJSON) MarshalIndent() ([]byte, error) { return json.MarshalIndent(j, "", "  ") }

// ProcedureFigures are one procedure's dossiers over a period.
type ProcedureFigures struct {
	Procedure string  `json:"procedure"`
	Name      string  `json:"name"`
	Received  float64 `json:"received"`
	Offline   float64 `json:"offline"` // received other than online
	Late      float64 `json:"late"`    // processed late plus in progress overdue
}

// WeakProceduresJSON are a unit's weakest procedures: those with the most
// dossiers received offline and those with the most late dossiers.
type WeakProceduresJSON struct {
	UnitID      string             `json:"unit_id"`
	Period      string             `json:"period"`
	MonthsFrom  string             `json:"months_from"`
	MonthsTo    string             `json:"months_to"`
	MostOffline []ProcedureFigures `json:"most_offline"`
	MostLate    []ProcedureFigures `json:"most_late"`
}

// MarshalIndent is the one JSON encoding of a unit's weakest procedures.
func (j WeakProceduresJSON) MarshalIndent() ([]byte, error) { return json.MarshalIndent(j, "", "  ") }

// WeakestProcedures lists u's n procedures with the most offline dossiers
// and the n with the most late ones over the months that overlap p (the
// procedure rollup is monthly), its predecessors' procedures included;
// names come from the catalogue in force at the end of p.
func WeakestProcedures(ctx context.Context, conn driver.Conn, reg *refdata.Registry, u egovkpi.Unit, p Period, n int) (WeakProceduresJSON, error) {
	from := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := WeakProceduresJSON{UnitID: u.ID, Period: p.String(), MonthsFrom: from.Format(egovkpi.DateLayout), MonthsTo: p.To.Format(egovkpi.DateLayout),
		MostOffline: []ProcedureFigures{}, MostLate: []ProcedureFigures{}}
	units := lineage(reg, u.ID, p)
	cond, args := unitFilter(units)
	rows, err := conn.Query(ctx, `SELECT procedure,
    toFloat64(sum(ifNull(received, 0))),
    toFloat64(sum(ifNull(received, 0)) - sum(ifNull(received_online, 0))),
    toFloat64(sum(ifNull(processed_late, 0)) + sum(ifNull(in_progress_overdue, 0)))
FROM usage_unit_procedure_month
WHERE month >= toDate(?) AND month <= toDate(?) AND `+cond+`
GROUP BY procedure`, append([]any{from.Format(egovkpi.DateLayout), p.To.Format(egovkpi.DateLayout)}, args...)...)
	if err != nil {
		return out, fmt.Errorf("weakest procedures of %s: %w", u.ID, err)
	}
	defer rows.Close()
	var all []ProcedureFigures
	for rows.Next() {
		var f ProcedureFigures
		if err := rows.Scan(&f.Procedure, &f.Received, &f.Offline, &f.Late); err != nil {
			return out, fmt.Errorf("weakest procedures of %s: %w", u.ID, err)
		}
		all = append(all, f)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("weakest procedures of %s: %w", u.ID, err)
	}
	top := func(by func(ProcedureFigures) float64) []ProcedureFigures {
		s := append([]ProcedureFigures(nil), all...)
		sort.SliceStable(s, func(i, j int) bool {
			if by(s[i]) != by(s[j]) {
				return by(s[i]) > by(s[j])
			}
			return s[i].Procedure < s[j].Procedure
		})
		var keep []ProcedureFigures
		for _, f := range s {
			if len(keep) == n || by(f) == 0 {
				break
			}
			keep = append(keep, f)
		}
		return keep
	}
	offline, late := top(func(f ProcedureFigures) float64 { return f.Offline }), top(func(f ProcedureFigures) float64 { return f.Late })
	names, err := procedureNames(ctx, conn, p.To, units, append(offline, late...))
	if err != nil {
		return out, err
	}
	for _, f := range offline {
		f.Name = names[f.Procedure]
		out.MostOffline = append(out.MostOffline, f)
	}
	for _, f := range late {
		f.Name = names[f.Procedure]
		out.MostLate = append(out.MostLate, f)
	}
	return out, nil
}

// procedureNames reads the names of procs in the catalogues in force on day.
func procedureNames(ctx context.Context, conn driver.Conn, day time.Time, units []string, procs []ProcedureFigures) (map[string]string, error) {
	names := map[string]string{}
	if len(procs) == 0 {
		return names, nil
	}
	cat, err := cataloguesInForce(ctx, conn, day, units)
	if err != nil || len(cat.loads) == 0 {
		return names, err
	}
	codes := make([]any, 0, len(procs))
	for _, f := range procs {
		codes = append(codes, f.Procedure)
	}
	rows, err := conn.Query(ctx, `SELECT procedure, any(name) FROM catalogue
WHERE as_of >= toDate(?) AND as_of <= toDate(?) AND load_id IN ? AND procedure IN ?
GROUP BY procedure`, cat.from, cat.to, clickhouse.GroupSet{Value: cat.loads}, clickhouse.GroupSet{Value: codes})
	if err != nil {
		return nil, fmt.Errorf("procedure names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, fmt.Errorf("procedure names: %w", err)
		}
		names[code] = name
	}
	return names, rows.Err()
}
