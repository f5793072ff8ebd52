// Package prefill works out the figures egovkpi already collected for a
// unit's quarterly report: each indicator that names collected terms
// ("online_rate.den", "-full_process_coverage.num") gets the sum of those
// KPI numerators and denominators over the quarter, the unit's
// predecessors carried. An indicator with any term missing gets no figure:
// missing is never 0.
package prefill

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

// Collected computes the collected figure of every pre-filled indicator of
// def for unit over quarter q (today bounds the data completeness of a
// quarter still running), by indicator id. The unit must be in force on
// the quarter's last day.
func Collected(ctx context.Context, conn driver.Conn, reg *refdata.Registry, def *form.Definition, unit egovkpi.Unit, q workflow.Quarter, today time.Time) (map[string]float64, error) {
	p := metrics.QuarterOf(q.Year, q.Q)
	if !unit.ValidOn(p.To) {
		return nil, fmt.Errorf("prefill: %s (%s) is not in force at the end of %s (%s, in force %s): the report of %s is filed by the unit in force then",
			unit.ID, unit.NameVI, q, p.To.Format(egovkpi.DateLayout), unit.Validity(), q)
	}
	kpis, err := kpisOf(def)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	if len(kpis) == 0 {
		return out, nil
	}
	fig, err := metrics.FiguresOfUnit(ctx, conn, reg, unit, p, kpis, today)
	if err != nil {
		return nil, fmt.Errorf("prefill: figures of %s for %s: %w", unit.ID, q, err)
	}
	for _, ind := range def.Indicators() {
		if v, ok := sum(ind.Collected, fig.Values); ok {
			out[ind.ID] = v
		}
	}
	return out, nil
}

// term is one collected term: a KPI's numerator or denominator, added or
// subtracted.
type term struct {
	kpi   string
	den   bool
	minus bool
}

// parseTerm reads "kpi.num", "kpi.den", "-kpi.num" (form.Parse has checked
// the shape).
func parseTerm(s string) term {
	t := term{minus: strings.HasPrefix(s, "-")}
	kpi, part, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	t.kpi, t.den = kpi, part == "den"
	return t
}

// kpisOf lists the KPIs def's collected terms name, each once.
func kpisOf(def *form.Definition) ([]metrics.KPI, error) {
	var kpis []metrics.KPI
	seen := map[string]bool{}
	for _, ind := range def.Indicators() {
		for _, s := range ind.Collected {
			t := parseTerm(s)
			if seen[t.kpi] {
				continue
			}
			k, err := metrics.KPIByID(t.kpi)
			if err != nil {
				return nil, fmt.Errorf("prefill: report version %s, indicator %s %s: %w", def.Version, ind.Code, ind.ID, err)
			}
			seen[t.kpi] = true
			kpis = append(kpis, k)
		}
	}
	return kpis, nil
}

// sum adds an indicator's terms; ok is false when there are none or any is
// missing.
func sum(terms []string, values map[string]metrics.Value) (float64, bool) {
	total := 0.0
	for _, s := range terms {
		t := parseTerm(s)
		v := values[t.kpi]
		x := v.Num
		if t.den {
			x = v.Den
		}
		if x == nil {
			return 0, false
		}
		if t.minus {
			total -= *x
		} else {
			total += *x
		}
	}
	return total, len(terms) > 0
}

// Attach gives saved answers the collected figures they show: an answer
// saved with a collected figure keeps it (a correction stays beside the
// figure it corrected); any other indicator with a collected figure gets
// the current one, and an indicator nothing was saved for is a blank
// answer carrying it (the template and the form pre-fill the value from
// it). saved is not changed.
//
// Attach is for a report that can no longer change (with the reviewers or
// approved): it shows what was filed, beside the figures it was filed
// with. For a report its unit may still edit, use Live.
func Attach(saved form.Answers, collected map[string]float64) form.Answers {
	out := form.Answers{}
	for id, a := range saved {
		out[id] = a
	}
	for id, c := range collected {
		a := out[id]
		if a.Collected == nil {
			a.Collected = &c
		}
		out[id] = a
	}
	return out
}

// Live gives saved answers today's collected figures: every indicator
// carries the figure collected now (none where nothing is collected now),
// whatever figure it was saved with, and an indicator nothing was saved
// for is a blank answer carrying it. saved is not changed.
//
// Live is for a report its unit may still edit (workflow.State.Editable):
// the next save stores today's figures beside the answers (see
// workflow.Edit.Collected), so the form and the Excel template show them,
// and an uploaded template is compared with them.
func Live(saved form.Answers, collected map[string]float64) form.Answers {
	out := form.Answers{}
	for id, a := range saved {
		a.Collected = nil
		if a.Value != "" || a.Explanation != "" {
			out[id] = a
		}
	}
	for id, c := range collected {
		a := out[id]
		a.Collected = &c
		out[id] = a
	}
	return out
}

// ForState pre-fills a report in the given state: Live while its unit may
// still edit it, Attach once it is with the reviewers or approved. The web
// form, its Excel download and `egovkpi report template` all use it.
func ForState(state workflow.State, saved form.Answers, collected map[string]float64) form.Answers {
	if state.Editable() {
		return Live(saved, collected)
	}
	return Attach(saved, collected)
}
