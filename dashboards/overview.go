package dashboards

import (
	"context"
	"html/template"
	"sort"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"egovkpi"
	"egovkpi/dashboards/charts"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

// headline is one KPI of the overview: the national figures, the target
// and the change since the previous period (in percentage points).
type headline struct {
	KPI                        metrics.KPIJSON
	All, Ministries, Provinces metrics.FigureJSON
	Target                     *metrics.TargetJSON
	BandClass, BandName        string
	Change                     *float64
}

// chart is a chart ready for a template: its container and its data.
type chart struct {
	Container, Data template.HTML
}

func newChart(id string, height int, option []byte) chart {
	return chart{Container: charts.Container(id, height), Data: charts.ScriptTag(id, option)}
}

// bandCount is one band's number of units in a block.
type bandCount struct {
	Class, Name string
	Count       int
}

// mover is a unit whose 766 rank changed most since the previous period.
type mover struct {
	UnitID, Name string
	Rank         int
	Movement     *int
}

// blockSummary is a block's 766 index on the overview: its band
// distribution and its biggest movers.
type blockSummary struct {
	Block           egovkpi.Block
	Bands           []bandCount
	Chart           chart
	Risers, Fallers []mover
	Methodology     string
}

// overviewPage shows the national picture of a period: headline KPIs
// against their targets, their trend by quarter, the distribution of units
// by 766 band and what changed since the previous period. Each part loads
// on its own; a slow one shows a notice.
func (a *App) overviewPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	p, err := a.periodParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ps := parts{a: a}
	var (
		nat    Part[nationalPart]
		blocks [2]Part[blockSummary]
	)
	load(&ps, ctx, "national", &nat, func(ctx context.Context) (nationalPart, error) { return a.nationalPart(ctx, lang, p) })
	for i, b := range metrics.Blocks {
		load(&ps, ctx, "bands "+string(b), &blocks[i], func(ctx context.Context) (blockSummary, error) { return a.blockSummary(ctx, lang, b, p) })
	}
	// The reporting rates of the last whole quarter, whatever the period.
	var reporting *Part[[]rateRow]
	last := a.defaultPeriod()
	if st := a.deps.Reports; st != nil {
		reporting = &Part[[]rateRow]{}
		load(&ps, ctx, "reporting rates", reporting, func(ctx context.Context) ([]rateRow, error) {
			rs, err := st.Rates(ctx, workflow.QuartersOf(last, a.today()))
			return rateRows(lang, rs), err
		})
	}
	ps.wait()
	var periods []option
	for _, x := range a.periodChoices(p) {
		periods = append(periods, option{x.String(), periodLabel(lang, x), x.String() == p.String()})
	}
	return a.render(c, "overview.html", map[string]any{
		"Lang": lang, "Title": lang.T("overview.title"), "Charts": true,
		"Period": p, "PeriodLabel": periodLabel(lang, p), "Previous": periodLabel(lang, p.Previous()), "Periods": periods,
		"National": nat, "Blocks": blocks[:],
		"Reporting": reporting, "ReportingPeriod": last, "ReportingLabel": periodLabel(lang, last),
	})
}

// nationalPart is the overview's national figures: the headline KPIs and
// their trend chart.
type nationalPart struct {
	Headlines []headline
	Trend     chart
}

// nationalPart reads the national tables of p, the period before and the
// trend's quarters (at once, each cached) and lays them out.
func (a *App) nationalPart(ctx context.Context, lang Lang, p metrics.Period) (nationalPart, error) {
	qs := metrics.TrendQuarters(p)
	tables, err := a.nationals(ctx, append([]metrics.Period{p, p.Previous()}, qs...))
	if err != nil {
		return nationalPart{}, err
	}
	cur, prev := tables[0], tables[1]
	var out nationalPart
	for i, k := range cur.KPIs {
		h := headline{KPI: k.KPI, All: k.All, Ministries: k.Ministries, Provinces: k.Provinces, Target: k.Target}
		h.BandClass, h.BandName = attainmentBand(lang, k.Attainment, k.Target != nil)
		if i < len(prev.KPIs) && k.All.Published != nil && prev.KPIs[i].All.Published != nil {
			d := *k.All.Published - *prev.KPIs[i].All.Published
			h.Change = &d
		}
		out.Headlines = append(out.Headlines, h)
	}
	var lines []charts.Line
	for _, id := range metrics.HeadlineKPIs {
		line := charts.Line{}
		for i, q := range qs {
			for _, k := range tables[2+i].KPIs {
				if k.KPI.ID == id {
					line.Name = pick(lang, k.KPI.NameVI, k.KPI.NameEN)
					line.Points = append(line.Points, charts.Point{Label: periodLabel(lang, q), Value: k.All.Published})
				}
			}
		}
		lines = append(lines, line)
	}
	option, err := charts.Trend("", lines, "%", string(lang))
	if err != nil {
		return out, err
	}
	out.Trend = newChart("chart-trend", 400, option)
	return out, nil
}

// nationals reads the national tables of periods, at most four computed
// at once (each is cached).
func (a *App) nationals(ctx context.Context, periods []metrics.Period) ([]metrics.NationalJSON, error) {
	out := make([]metrics.NationalJSON, len(periods))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, p := range periods {
		g.Go(func() (err error) {
			out[i], err = decoded[metrics.NationalJSON](a.nationalJSON(gctx, p))
			return err
		})
	}
	return out, g.Wait()
}

// bandColours are the fill colours of the 766 bands, as in app.css.
var bandColours = map[string]string{"excellent": "#1a7f37", "good": "#5aa469", "average": "#d4a017", "weak": "#c0392b", "": "#9aa5b1"}

// blockSummary reads a block's 766 index for p: units per band and the
// biggest rank changes.
func (a *App) blockSummary(ctx context.Context, lang Lang, b egovkpi.Block, p metrics.Period) (blockSummary, error) {
	s := blockSummary{Block: b}
	j, err := decoded[metrics.IndexTableJSON](a.index766JSON(ctx, IndexRequest{Block: b, Period: p}))
	if err != nil {
		return s, err
	}
	s.Methodology = pick(lang, j.Methodology.NameVI, j.Methodology.NameEN)
	counts := map[string]int{}
	for _, r := range j.Rows {
		id := ""
		if r.Band != nil {
			id = r.Band.ID
		}
		counts[id]++
		if r.Rank != nil {
			if r.Movement != nil && *r.Movement != 0 {
				m := mover{UnitID: r.UnitID, Name: pick(lang, r.NameVI, r.NameEN), Rank: *r.Rank, Movement: r.Movement}
				if *m.Movement > 0 {
					s.Risers = append(s.Risers, m)
				} else {
					s.Fallers = append(s.Fallers, m)
				}
			}
		}
	}
	var labels []string
	var values []float64
	var colours []string
	for _, band := range j.Methodology.Bands {
		name := pick(lang, band.NameVI, band.NameEN)
		s.Bands = append(s.Bands, bandCount{Class: "band-" + band.ID, Name: name, Count: counts[band.ID]})
		labels, values, colours = append(labels, name), append(values, float64(counts[band.ID])), append(colours, bandColours[band.ID])
	}
	s.Bands = append(s.Bands, bandCount{Class: "band-none", Name: lang.T("league.no_data"), Count: counts[""]})
	labels, values, colours = append(labels, lang.T("league.no_data")), append(values, float64(counts[""])), append(colours, bandColours[""])
	sort.SliceStable(s.Risers, func(i, k int) bool { return *s.Risers[i].Movement > *s.Risers[k].Movement })
	sort.SliceStable(s.Fallers, func(i, k int) bool { return *s.Fallers[i].Movement < *s.Fallers[k].Movement })
	s.Risers, s.Fallers = s.Risers[:min(5, len(s.Risers))], s.Fallers[:min(5, len(s.Fallers))]
	option, err := charts.Bars(lang.T("overview.bands", lang.T("block."+string(b))), labels, values, colours, string(lang))
	if err != nil {
		return s, err
	}
	s.Chart = newChart("chart-bands-"+string(b), 240, option)
	return s, nil
}
