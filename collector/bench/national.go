package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"egovkpi/collector/protocol"
	"egovkpi/collector/record"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
)

// NationalSummary describes the data National wrote.
type NationalSummary struct {
	// Loads counts the usage loads (one per unit and month), Catalogues the
	// catalogues written (one per unit and month).
	Units, Loads, Catalogues int
	Rows                     int64
	Took                     time.Duration
	// Touched are the (month, unit) slices written: the rollups to build.
	Touched store.Touched
}

// National writes the simulator's clean statistics of every unit for the
// days from..to (each unit within its validity) straight through the store,
// one load per unit and month, plus each unit's catalogue of every such
// month, as of the month's first day (or the unit's first day, for the month
// it began). There is no HTTP, JSON or checking of the unit and catalogue
// rules: it makes national-scale data for the benchmarks of figures, not of
// collection. Rollups are not refreshed (see NationalSummary.Touched).
// progress, if not nil, gets the rows written so far now and then.
func National(ctx context.Context, st *store.Store, sim *simulator.Simulator, from, to time.Time, workers int, progress func(rows int64)) (NationalSummary, error) {
	start := time.Now()
	type job struct {
		unit     string
		from, to time.Time
		asOf     time.Time // of the month's catalogue
	}
	var jobs []job
	units := map[string]bool{}
	for _, u := range sim.Units() {
		for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
			f, t := m, m.AddDate(0, 1, -1)
			if f.Before(from) {
				f = from
			}
			if t.After(to) {
				t = to
			}
			if f.Before(u.ValidFrom) {
				f = u.ValidFrom
			}
			if !u.ValidTo.IsZero() && t.After(u.ValidTo) {
				t = u.ValidTo
			}
			if f.After(t) {
				continue
			}
			asOf := m
			if !u.ValidOn(asOf) {
				asOf = u.ValidFrom
			}
			jobs = append(jobs, job{u.ID, f, t, asOf})
			units[u.ID] = true
		}
	}
	var (
		mu      sync.Mutex
		sum     = NationalSummary{Units: len(units), Touched: store.Touched{}}
		rows    atomic.Int64
		firstEr error
		next    atomic.Int64
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstEr == nil {
			firstEr = err
		}
		mu.Unlock()
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) || ctx.Err() != nil {
					return
				}
				j := jobs[i]
				if err := writeCatalogueAsOf(ctx, st, sim, j.unit, j.asOf); err != nil {
					fail(err)
					return
				}
				mu.Lock()
				sum.Catalogues++
				mu.Unlock()
				n, touched, err := writeMonth(ctx, st, sim, j.unit, j.from, j.to)
				if err != nil {
					fail(err)
					return
				}
				total := rows.Add(int64(n))
				mu.Lock()
				sum.Loads++
				sum.Touched.Merge(touched)
				mu.Unlock()
				if progress != nil && i%200 == 0 {
					progress(total)
				}
			}
		}()
	}
	wg.Wait()
	if firstEr == nil {
		firstEr = ctx.Err()
	}
	sum.Rows = rows.Load()
	sum.Took = time.Since(start)
	return sum, firstEr
}

// writeMonth writes one load of a unit's days from..to (the simulator's
// outage days are left out of the load: they stay without data).
func writeMonth(ctx context.Context, st *store.Store, sim *simulator.Simulator, unit string, from, to time.Time) (int, store.Touched, error) {
	recs, missing, err := sim.Usage(unit, from, to)
	if err != nil {
		return 0, nil, err
	}
	out := map[time.Time]bool{}
	for _, d := range missing {
		out[d] = true
	}
	var days []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if !out[d] {
			days = append(days, d)
		}
	}
	rows := make([]record.Usage, 0, len(recs))
	for _, r := range recs {
		u, err := usageOf(r)
		if err != nil {
			return 0, nil, fmt.Errorf("bench: %s %s %s: %w", unit, r.Date, r.Procedure, err)
		}
		u.UnitID = unit
		rows = append(rows, u)
	}
	t, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), Source: "bench", UnitID: unit, Days: days, Rows: rows})
	return len(rows), t, err
}

// writeCatalogueAsOf writes the simulator's catalogue of unit as of asOf.
func writeCatalogueAsOf(ctx context.Context, st *store.Store, sim *simulator.Simulator, unit string, asOf time.Time) error {
	ps, err := sim.Catalogue(unit, asOf)
	if err != nil {
		return err
	}
	procs := make([]record.Procedure, 0, len(ps))
	for _, p := range ps {
		pr, err := record.ProcedureOf(p, asOf)
		if err != nil {
			return fmt.Errorf("bench: catalogue of %s as of %s: %w", unit, asOf.Format(protocol.DateLayout), err)
		}
		procs = append(procs, pr)
	}
	return st.WriteCatalogue(ctx, store.CatalogueLoad{LoadID: st.NewLoadID(), Source: "bench", UnitID: unit, AsOf: asOf, Procedures: procs})
}

// usageOf turns a clean protocol record into a stored one, with the same
// derived counts and part ≤ whole checks as DecodeUsage.
func usageOf(r protocol.Usage) (record.Usage, error) {
	d, err := time.Parse(protocol.DateLayout, r.Date)
	if err != nil {
		return record.Usage{}, err
	}
	u := record.Usage{Day: d, Procedure: r.Procedure}
	for f, v := range r.Counts() {
		if v != nil {
			u.SetValue(record.Field(f), uint32(*v))
		}
	}
	return u, u.Normalise()
}
