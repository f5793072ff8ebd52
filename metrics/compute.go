package metrics

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

	"egovkpi"
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

// Compute returns the KPIs of the units with data in the period, straight
// from the rollups, never from the fact table: one query per source, run
// concurrently (catalogue KPIs first read which catalogues are in force).
// units, when not nil, limits the work to those units.
func Compute(ctx context.Context, conn driver.Conn, p Period, kpis []KPI, units []string) (Values, error) {
	bySource := map[Source][]KPI{}
	for _, k := range kpis {
		bySource[k.Source] = append(bySource[k.Source], k)
	}
	var mu sync.Mutex
	out := Values{}
	g, gctx := errgroup.WithContext(ctx)
	for src, ks := range bySource {
		g.Go(func() error {
			vals, err := computeSource(gctx, conn, src, ks, p, units)
			if err != nil {
				return fmt.Errorf("metrics: %s KPIs for %s: %w", src, p, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, byKPI := range vals {
				for _, v := range byKPI {
					out.put(v)
				}
			}
			return nil
		})
	}
	return out, g.Wait()
}

func computeSource(ctx context.Context, conn driver.Conn, src Source, ks []KPI, p Period, units []string) (Values, error) {
	out := Values{}
	var cat catalogues
	if src == ProcedureCatalogue {
		var err error
		if cat, err = cataloguesInForce(ctx, conn, p.To, units); err != nil || len(cat.loads) == 0 {
			return out, err // none yet: no data
		}
	}
	q, args := sourceQuery(src, ks, p, cat, units)
	return out, scanValues(ctx, conn, q, args, ks, out)
}

// unitFilter returns an SQL condition limiting unit_id to units (nil: no
// limit) and its arguments.
func unitFilter(units []string) (string, []any) {
	if units == nil {
		return "1", nil
	}
	set := make([]any, len(units))
	for i, u := range units {
		set[i] = u
	}
	if len(set) == 0 {
		set = append(set, "") // IN () is not valid SQL; no unit has an empty id
	}
	return "unit_id IN ?", []any{clickhouse.GroupSet{Value: set}}
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

// catalogues are the catalogue loads in force on a day: each unit's
// latest catalogue as of that day, its current load.
type catalogues struct {
	from, to string // the earliest and latest as_of
	loads    []any  // load ids (unique across all catalogues)
}

// cataloguesInForce reads the catalogues in force on day from the small
// catalogue_versions table, so that the scan of the catalogue table is
// bounded by as_of (partitions, key ranges) and filtered on load_id alone.
func cataloguesInForce(ctx context.Context, conn driver.Conn, day time.Time, units []string) (catalogues, error) {
	cond, args := unitFilter(units)
	rows, err := conn.Query(ctx, `SELECT toString(as_of), max(load_id) FROM catalogue_versions
WHERE (unit_id, as_of) IN (SELECT unit_id, max(as_of) FROM catalogue_versions WHERE as_of <= toDate(?) AND `+cond+` GROUP BY unit_id)
GROUP BY unit_id, as_of`, append([]any{day.Format(egovkpi.DateLayout)}, args...)...)
	if err != nil {
		return catalogues{}, fmt.Errorf("catalogues in force on %s: %w", day.Format(egovkpi.DateLayout), err)
	}
	defer rows.Close()
	var c catalogues
	for rows.Next() {
		var asOf string
		var load uint64
		if err := rows.Scan(&asOf, &load); err != nil {
			return c, err
		}
		if c.from == "" || asOf < c.from {
			c.from = asOf
		}
		if asOf > c.to {
			c.to = asOf
		}
		c.loads = append(c.loads, load)
	}
	return c, rows.Err()
}

func sourceQuery(src Source, ks []KPI, p Period, cat catalogues, units []string) (string, []any) {
	from, to := p.From.Format(egovkpi.DateLayout), p.To.Format(egovkpi.DateLayout)
	cond, uargs := unitFilter(units)
	switch src {
	case ProcedureCatalogue:
		// Both sides are keyed on a hash of (unit, procedure): grouping
		// and joining on one UInt64 is about three times faster than on
		// two strings (a collision among ~10^5 keys is ~10^-9 likely).
		return `SELECT unit_id, ` + aggregates(ks) + `
FROM (
    SELECT cityHash64(unit_id, procedure) AS k, unit_id, service, eligible_full_process, fee_bearing, paper_result
    FROM catalogue
    WHERE as_of >= toDate(?) AND as_of <= toDate(?) AND load_id IN ?
) AS c
ANY LEFT JOIN (
    SELECT cityHash64(unit_id, procedure) AS k,
           sum(received) AS p_received, sum(received_online) AS p_received_online,
           sum(full_process_online) AS p_full_process_online, sum(processed) AS p_processed, sum(e_result) AS p_e_result,
           sum(paid_online) AS p_paid_online
    FROM usage_unit_procedure_month
    WHERE month >= toStartOfMonth(toDate(?)) AND month <= toDate(?) AND ` + cond + `
    GROUP BY k
) AS p USING (k)
GROUP BY unit_id`, append([]any{cat.from, cat.to, clickhouse.GroupSet{Value: cat.loads}, from, to}, uargs...)
	}
	return `SELECT unit_id, ` + aggregates(ks) + `
FROM usage_unit_day
WHERE day >= toDate(?) AND day <= toDate(?) AND ` + cond + `
GROUP BY unit_id`, append([]any{from, to}, uargs...)
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
