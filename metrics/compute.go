package metrics

import (
	"context"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Value is one KPI of one unit over one period: its numerator and
// denominator (nil: no data).
type Value struct {
	UnitID string
	KPI    string
	Num    *float64
	Den    *float64
}

// Ratio is Num ÷ Den, nil when either is missing or Den is 0: no data is
// never 0 and never 100 %.
func (v Value) Ratio() *float64 {
	if v.Num == nil || v.Den == nil || *v.Den == 0 {
		return nil
	}
	r := *v.Num / *v.Den
	return &r
}

// Values holds KPI values by unit id, then KPI id.
type Values map[string]map[string]Value

func (vs Values) put(v Value) {
	if vs[v.UnitID] == nil {
		vs[v.UnitID] = map[string]Value{}
	}
	vs[v.UnitID][v.KPI] = v
}

// Compute returns the KPIs of every unit with data in the period, straight
// from the rollups: one query per source, no scan of the fact table.
func Compute(ctx context.Context, conn driver.Conn, p Period, kpis []KPI) (Values, error) {
	out := Values{}
	bySource := map[Source][]KPI{}
	for _, k := range kpis {
		bySource[k.Source] = append(bySource[k.Source], k)
	}
	for src, ks := range bySource {
		q, args := sourceQuery(src, ks, p)
		if err := scanValues(ctx, conn, q, args, ks, out); err != nil {
			return nil, fmt.Errorf("metrics: %s KPIs for %s: %w", src, p, err)
		}
	}
	return out, nil
}

// aggregates renders each KPI's numerator and denominator as nullable
// floats, in KPI order.
func aggregates(ks []KPI) string {
	var cols []string
	for _, k := range ks {
		cols = append(cols, "CAST("+k.Numerator+" AS Nullable(Float64))", "CAST("+k.Denominator+" AS Nullable(Float64))")
	}
	return strings.Join(cols, ",\n       ")
}

// catalogueInForce selects the catalogue rows of each unit's latest
// catalogue as of a day (its current load).
const catalogueInForce = `SELECT unit_id, procedure, service, eligible_full_process, fee_bearing, paper_result FROM catalogue
WHERE (unit_id, as_of, load_id) IN (
    SELECT unit_id, as_of, max(load_id) FROM catalogue_versions
    WHERE (unit_id, as_of) IN (SELECT unit_id, max(as_of) FROM catalogue_versions WHERE as_of <= toDate(?) GROUP BY unit_id)
    GROUP BY unit_id, as_of)`

func sourceQuery(src Source, ks []KPI, p Period) (string, []any) {
	from, to := p.From.Format("2006-01-02"), p.To.Format("2006-01-02")
	switch src {
	case ProcedureCatalogue:
		return `SELECT unit_id, ` + aggregates(ks) + `
FROM (` + catalogueInForce + `) AS c
ANY LEFT JOIN (
    SELECT unit_id, procedure,
           sum(received) AS p_received, sum(received_online) AS p_received_online,
           sum(full_process_online) AS p_full_process_online, sum(processed) AS p_processed, sum(e_result) AS p_e_result,
           sum(paid_online) AS p_paid_online
    FROM usage_unit_procedure_month
    WHERE month >= toStartOfMonth(toDate(?)) AND month <= toDate(?)
    GROUP BY unit_id, procedure
) AS p USING (unit_id, procedure)
GROUP BY unit_id`, []any{to, from, to}
	}
	return `SELECT unit_id, ` + aggregates(ks) + `
FROM usage_unit_day
WHERE day >= toDate(?) AND day <= toDate(?)
GROUP BY unit_id`, []any{from, to}
}

func scanValues(ctx context.Context, conn driver.Conn, q string, args []any, ks []KPI, out Values) error {
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]*float64, 2*len(ks))
	for rows.Next() {
		var unit string
		dest := []any{&unit}
		for i := range vals {
			vals[i] = nil
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for i, k := range ks {
			out.put(Value{UnitID: unit, KPI: k.ID, Num: vals[2*i], Den: vals[2*i+1]})
		}
	}
	return rows.Err()
}
