package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

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

// FiguresOfUnit computes kpis for u over p, its predecessors that existed
// during p carried. The unit must be in force at the end of p.
func FiguresOfUnit(ctx context.Context, conn driver.Conn, reg *refdata.Registry, u egovkpi.Unit, p Period, kpis []KPI, today time.Time) (UnitFigures, error) {
	out := UnitFigures{Unit: u, Period: p, KPIs: kpis}
	if err := inForceAtEnd(u, p); err != nil {
		return out, err
	}
	fig, err := figuresOfLineage(ctx, conn, reg, u.ID, p, kpis, today)
	if err != nil {
		return out, err
	}
	out.Carried = fig.Carried[u.ID]
	out.Values = fig.Values[u.ID]
	out.Completeness = fig.Completeness[u.ID]
	return out, nil
}

// inForceAtEnd refuses a unit not in force on the last day of p.
func inForceAtEnd(u egovkpi.Unit, p Period) error {
	if !u.ValidOn(p.To) {
		return fmt.Errorf("%s (%s) is not in force on %s", u.ID, u.NameVI, p.To.Format(egovkpi.DateLayout))
	}
	return nil
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

// UnitKPIFigureJSON is one KPI of a unit, with the target of the unit's
// block in force for the period (null when there is none) and the
// attainment, value ÷ target (null without a target or data).
type UnitKPIFigureJSON struct {
	KPI KPIJSON `json:"kpi"`
	FigureJSON
	Target     *TargetJSON `json:"target"`
	Attainment *float64    `json:"attainment"`
}

// JSON renders the figures.
func (f UnitFigures) JSON() UnitFiguresJSON {
	out := UnitFiguresJSON{UnitID: f.Unit.ID, Code: f.Unit.Code, NameVI: f.Unit.NameVI, NameEN: f.Unit.NameEN,
		Period: f.Period.String(), PeriodFrom: f.Period.From.Format(egovkpi.DateLayout), PeriodTo: f.Period.To.Format(egovkpi.DateLayout),
		Carried: append([]string{}, f.Carried...), Completeness: roundCompleteness(f.Completeness), KPIs: []UnitKPIFigureJSON{}}
	sort.Strings(out.Carried)
	ts, _ := Targets()
	for _, k := range f.KPIs {
		row := UnitKPIFigureJSON{KPI: DescribeKPI(k), FigureJSON: Figure(f.Values[k.ID])}
		row.Target, row.Attainment = targetJSON(ts, k.ID, f.Unit.Block, f.Period, f.Values[k.ID])
		out.KPIs = append(out.KPIs, row)
	}
	return out
}

// MarshalIndent is the one JSON encoding of a unit's figures.
func (j UnitFiguresJSON) MarshalIndent() ([]byte, error) { return json.MarshalIndent(j, "", "  ") }

// ProcedureFigures are one procedure's dossiers over a period; a count
// no row reported is null, never 0.
type ProcedureFigures struct {
	Procedure string   `json:"procedure"`
	Name      string   `json:"name"`
	Received  *float64 `json:"received"`
	Offline   *float64 `json:"offline"` // received other than online: received − received_online
	Late      *float64 `json:"late"`    // processed late (the overdue backlog, a stock, is left out)
}

// WeakProceduresJSON are a unit's weakest procedures: those with the most
// dossiers received offline and those with the most dossiers processed
// late, over the whole months from MonthsFrom (the first day of the
// period's first month) to MonthsTo (the last day of its last month).
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

// WeakestProcedures lists u's n procedures with the most dossiers received
// offline and the n with the most dossiers processed late, its
// predecessors' procedures included. The procedure rollup is monthly, so
// the whole months that overlap p are read: MonthsTo is the last day of
// p.To's month. Late dossiers are those processed late only: the overdue
// backlog (in_progress_overdue) is an end-of-day stock, which the monthly
// rollup sums over days, so adding it would count old backlog many times.
// A procedure whose figure a list ranks on is missing (no row reported it)
// or 0 is not in that list; ties go by procedure code. Names come from the
// catalogue in force at the end of p. The unit must be in force at the end
// of p.
func WeakestProcedures(ctx context.Context, conn driver.Conn, reg *refdata.Registry, u egovkpi.Unit, p Period, n int) (WeakProceduresJSON, error) {
	from := time.Date(p.From.Year(), p.From.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(p.To.Year(), p.To.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	out := WeakProceduresJSON{UnitID: u.ID, Period: p.String(), MonthsFrom: from.Format(egovkpi.DateLayout), MonthsTo: to.Format(egovkpi.DateLayout),
		MostOffline: []ProcedureFigures{}, MostLate: []ProcedureFigures{}}
	if err := inForceAtEnd(u, p); err != nil {
		return out, err
	}
	if n <= 0 {
		return out, nil
	}
	units := lineage(reg, u.ID, p)
	var offline, late []ProcedureFigures
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		offline, err = topProcedures(gctx, conn, units, from, to, "pf_offline", n)
		return err
	})
	g.Go(func() (err error) { late, err = topProcedures(gctx, conn, units, from, to, "pf_late", n); return err })
	if err := g.Wait(); err != nil {
		return out, fmt.Errorf("weakest procedures of %s: %w", u.ID, err)
	}
	names, err := procedureNames(ctx, conn, p.To, units, append(offline[:len(offline):len(offline)], late...))
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

// topProcedures reads, from the months [from, to] of the units, the n
// procedures with the largest figure by (pf_offline or pf_late) above 0,
// largest first, ties by code. Sums over Nullable columns are NULL when no
// row reported the column, and a NULL figure is not above 0.
func topProcedures(ctx context.Context, conn driver.Conn, units []string, from, to time.Time, by string, n int) ([]ProcedureFigures, error) {
	cond, args := unitFilter(units)
	rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT procedure,
    toFloat64(sum(received)) AS pf_received,
    toFloat64(sum(received)) - toFloat64(sum(received_online)) AS pf_offline,
    toFloat64(sum(processed_late)) AS pf_late
FROM usage_unit_procedure_month
WHERE month >= toDate(?) AND month <= toDate(?) AND %s
GROUP BY procedure
HAVING %s > 0
ORDER BY %s DESC, procedure
LIMIT %d`, cond, by, by, n), append([]any{from.Format(egovkpi.DateLayout), to.Format(egovkpi.DateLayout)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProcedureFigures
	for rows.Next() {
		var f ProcedureFigures
		if err := rows.Scan(&f.Procedure, &f.Received, &f.Offline, &f.Late); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
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
