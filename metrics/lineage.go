package metrics

import (
	"time"

	"egovkpi"
	"egovkpi/internal/refdata"
)

// Shown returns the units a period shows in a block: those in force on the
// period's last day (the 34 provinces from 2025-07-01, the ministries of
// 2025-03-01 on), each with the units whose figures it carries: itself and,
// recursively, every predecessor that existed during the period.
func Shown(reg *refdata.Registry, block egovkpi.Block, p Period) map[string][]string {
	out := map[string][]string{}
	for _, u := range reg.ValidOn(p.To, block) {
		out[u.ID] = lineage(reg, u.ID, p)
	}
	return out
}

func lineage(reg *refdata.Registry, id string, p Period) []string {
	ids := []string{id}
	for _, pred := range reg.Predecessors(id) {
		if pred.ValidTo.IsZero() || !pred.ValidTo.Before(p.From) {
			ids = append(ids, lineage(reg, pred.ID, p)...)
		}
	}
	return ids
}

// Carry sums, for each shown unit, the numerators and denominators of the
// units it carries; a State KPI keeps the shown unit's own figure. A sum of
// missing values is missing; a missing value added to a present one counts
// as nothing.
func Carry(vs Values, shown map[string][]string, kpis []KPI) Values {
	out := Values{}
	for unit, carried := range shown {
		for _, k := range kpis {
			v := Value{UnitID: unit, KPI: k.ID}
			from := carried
			if k.State {
				from = carried[:1]
			}
			for _, c := range from {
				cv, ok := vs[c][k.ID]
				if !ok {
					continue
				}
				v = addValues(v, cv)
			}
			out.put(v)
		}
	}
	return out
}

func addNullable(a, b *float64) *float64 {
	switch {
	case b == nil:
		return a
	case a == nil:
		x := *b
		return &x
	}
	x := *a + *b
	return &x
}

// ExpectedDays counts the days of the period on which the unit or a unit it
// carries existed, up to the day before today (data for today is not due):
// the denominator of data completeness. A unit that existed for part of the
// period is expected for that part only.
func ExpectedDays(reg *refdata.Registry, carried []string, p Period, today time.Time) int {
	last := p.To
	if y := today.AddDate(0, 0, -1); y.Before(last) {
		last = y
	}
	n := 0
	for d := p.From; !d.After(last); d = d.AddDate(0, 0, 1) {
		for _, id := range carried {
			if u, ok := reg.ByID(id); ok && u.ValidOn(d) {
				n++
				break
			}
		}
	}
	return n
}
