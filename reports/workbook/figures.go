package workbook

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// TrendQuarters is how many quarters the KPI and trend sheets show, ending
// with the quarter that holds the period's last day (metrics.TrendQuarters,
// as the overview page).
const TrendQuarters = metrics.TrendLength

// parallel is how many computations run at once: each is one to three
// ClickHouse queries, themselves run concurrently by package metrics.
const parallel = 3

// figures are every number the workbook shows, computed by the same
// metrics calls as the JSON API.
type figures struct {
	period   metrics.Period
	previous metrics.Period
	quarters []metrics.Period // oldest first; the last holds period.To
	kpis     []metrics.KPI

	// national holds the API's /national answer of the period, the
	// previous period and every trend quarter, by period (String).
	national map[string]metrics.NationalJSON
	// index holds the API's /index766 answer of each block for the period;
	// absent (with indexNote) when no 766 version covers the period.
	index     map[egovkpi.Block]metrics.IndexTableJSON
	indexNote string
	version   *m766.Version // the 766 version of the period, nil when none

	// units are the units the period shows, by block, in code order.
	units map[egovkpi.Block][]egovkpi.Unit
	// byQuarter are the shown units' KPIs per trend quarter, as their
	// series give them (and, for a period that is a quarter, the last
	// one as its league tables give them).
	byQuarter []metrics.Values
}

// compute reads the figures of in.Period: the national tables, the 766
// index of both blocks and every shown unit's KPIs per quarter, several at
// once.
func compute(ctx context.Context, conn driver.Conn, reg *refdata.Registry, in Input) (*figures, error) {
	p := in.Period
	fig := &figures{period: p, previous: p.Previous(), quarters: metrics.TrendQuarters(p), kpis: metrics.KPIs(),
		national: map[string]metrics.NationalJSON{}, index: map[egovkpi.Block]metrics.IndexTableJSON{},
		units: map[egovkpi.Block][]egovkpi.Unit{}}
	for _, b := range metrics.Blocks {
		for id := range metrics.Shown(reg, b, p) {
			u, _ := reg.ByID(id)
			fig.units[b] = append(fig.units[b], u)
		}
		sort.Slice(fig.units[b], func(i, j int) bool { return fig.units[b][i].Code < fig.units[b][j].Code })
	}
	if v, err := in.Settings.Methodology.ForDay(p.To); err == nil {
		fig.version = v
	} else if !errors.Is(err, m766.ErrNoVersion) {
		return nil, fmt.Errorf("766 methodology of %s: %w", p, err)
	}

	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	// The 766 index first: each computes two periods.
	if fig.version == nil {
		fig.indexNote = fmt.Sprintf("Kỳ %s trước phiên bản đầu tiên của phương pháp Bộ chỉ số 766: không có chỉ số. / %s is before the first Decision 766 methodology: no index.", p, p)
	} else {
		for _, b := range metrics.Blocks {
			g.Go(func() error {
				t, err := metrics.Index766(gctx, conn, reg, in.Settings.Methodology, b, p, in.Settings.Rules, metrics.Filter{}, in.Today)
				if err != nil {
					return fmt.Errorf("766 index of the %s block for %s: %w", b, p, err)
				}
				mu.Lock()
				defer mu.Unlock()
				fig.index[b] = t.JSON(reg, "")
				return nil
			})
		}
	}
	// The national tables: the period, the one before (for the change)
	// and the trend's quarters, each once.
	for _, q := range uniquePeriods(append([]metrics.Period{p, fig.previous}, fig.quarters...)) {
		g.Go(func() error {
			t, err := metrics.National(gctx, conn, reg, q, fig.kpis, in.Today)
			if err != nil {
				return fmt.Errorf("national figures of %s: %w", q, err)
			}
			mu.Lock()
			defer mu.Unlock()
			fig.national[q.String()] = t.JSON()
			return nil
		})
	}
	fig.byQuarter = make([]metrics.Values, len(fig.quarters))
	for i, q := range fig.quarters {
		g.Go(func() (err error) {
			fig.byQuarter[i], err = unitValues(gctx, conn, reg, q, p.To, fig.kpis)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return fig, nil
}

// unitValues computes kpis over step for the units in force on end (both
// blocks), each carrying its predecessors that existed during step: the
// figures of their series (metrics.UnitSeries) at that step, and, when
// step ends on end, those of their league tables (metrics.League).
//
// metrics.Shown over the span step.From..end gives exactly that lineage:
// the units in force on the span's last day, each with every predecessor
// still in existence on or after the span's first day. One Compute over
// every carried unit then reads each source once for all units (its
// figures per unit do not depend on which other units are read), and
// Carry sums them as the league tables and series do.
func unitValues(ctx context.Context, conn driver.Conn, reg *refdata.Registry, step metrics.Period, end time.Time, kpis []metrics.KPI) (metrics.Values, error) {
	span := metrics.Period{Kind: metrics.Range, From: step.From, To: end}
	shown := map[string][]string{}
	units := []string{}
	for _, b := range metrics.Blocks {
		for id, carried := range metrics.Shown(reg, b, span) {
			shown[id] = carried
			units = append(units, carried...)
		}
	}
	sort.Strings(units)
	raw, err := metrics.Compute(ctx, conn, step, kpis, units)
	if err != nil {
		return nil, fmt.Errorf("figures of every unit for %s: %w", step, err)
	}
	return metrics.Carry(raw, shown, kpis), nil
}

// uniquePeriods drops repeated periods, keeping the first of each.
func uniquePeriods(ps []metrics.Period) []metrics.Period {
	seen := map[string]bool{}
	var out []metrics.Period
	for _, p := range ps {
		if !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	return out
}

// value is a unit's KPI ratio in vs, nil without data.
func value(vs metrics.Values, unit, kpi string) *float64 {
	return vs[unit][kpi].Ratio()
}
