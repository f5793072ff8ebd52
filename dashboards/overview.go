package dashboards

import (
	"context"
	"html/template"
	"sort"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
	"egovkpi/dashboards/charts"
	"egovkpi/metrics"
)

// trendQuarters is how many quarters the trend charts show.
const trendQuarters = 8

// headlineKPIs are the KPIs of the overview's trend chart.
var headlineKPIs = []string{"online_rate", "on_time_rate", "online_payment_rate", "digitization_rate", "full_process_online_rate"}

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
	Block            egovkpi.Block
	Bands            []bandCount
	Chart            chart
	Risers, Fallers  []mover
	Methodology      string
	Ranked, NotRated int
}

// overviewPage shows the national picture of a period: headline KPIs
// against their targets, their trend by quarter, the distribution of units
// by 766 band and what changed since the previous period. Each part loads
// on its own; a slow one shows a notice.
func (a *App) overviewPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	p := a.defaultPeriod()
	if s := c.Query("period"); s != "" {
		var err error
		if p, err = metrics.ParsePeriod(s, a.today()); err != nil {
			return paramError("period", err)
		}
	}
	ctx := c.UserContext()
	ps := parts{a: a}
	var (
		heads  Part[[]headline]
		trend  Part[chart]
		blocks [2]Part[blockSummary]
	)
	load(&ps, ctx, "headlines", &heads, func(ctx context.Context) ([]headline, error) { return a.headlines(ctx, lang, p) })
	load(&ps, ctx, "trend", &trend, func(ctx context.Context) (chart, error) { return a.trendChart(ctx, lang, p) })
	for i, b := range metrics.Blocks {
		load(&ps, ctx, "bands "+string(b), &blocks[i], func(ctx context.Context) (blockSummary, error) { return a.blockSummary(ctx, lang, b, p) })
	}
	ps.wait()
	var periods []option
	for _, x := range a.periodChoices(p) {
		periods = append(periods, option{x.String(), periodLabel(lang, x), x.String() == p.String()})
	}
	return a.render(c, "overview.html", map[string]any{
		"Lang": lang, "Title": lang.T("overview.title"), "SwitchURL": switchURL(c, lang), "Charts": true,
		"Period": p, "PeriodLabel": periodLabel(lang, p), "Previous": periodLabel(lang, p.Previous()), "Periods": periods,
		"Headlines": heads, "Trend": trend, "Blocks": blocks[:],
	})
}

// headlines are every KPI's national figures for p against the target and
// the previous period.
func (a *App) headlines(ctx context.Context, lang Lang, p metrics.Period) ([]headline, error) {
	cur, err := decoded[metrics.NationalJSON](a.nationalJSON(ctx, p))
	if err != nil {
		return nil, err
	}
	prev, err := decoded[metrics.NationalJSON](a.nationalJSON(ctx, p.Previous()))
	if err != nil {
		return nil, err
	}
	var out []headline
	for i, k := range cur.KPIs {
		h := headline{KPI: k.KPI, All: k.All, Ministries: k.Ministries, Provinces: k.Provinces, Target: k.Target}
		h.BandClass, h.BandName = attainmentBand(lang, k.Attainment, k.Target != nil)
		if i < len(prev.KPIs) && prev.KPIs[i].KPI.ID == k.KPI.ID && k.All.Published != nil && prev.KPIs[i].All.Published != nil {
			d := *k.All.Published - *prev.KPIs[i].All.Published
			h.Change = &d
		}
		out = append(out, h)
	}
	return out, nil
}

// quartersTo are the trendQuarters quarters ending with the one that
// contains p's last day.
func quartersTo(p metrics.Period) []metrics.Period {
	q, _ := metrics.Containing(metrics.Quarter, p.To)
	out := make([]metrics.Period, trendQuarters)
	for i := trendQuarters - 1; i >= 0; i-- {
		out[i] = q
		q = q.Previous()
	}
	return out
}

// trendChart draws the headline KPIs' national figures by quarter.
func (a *App) trendChart(ctx context.Context, lang Lang, p metrics.Period) (chart, error) {
	qs := quartersTo(p)
	byKPI := map[string][]charts.Point{}
	names := map[string]string{}
	for _, q := range qs {
		n, err := decoded[metrics.NationalJSON](a.nationalJSON(ctx, q))
		if err != nil {
			return chart{}, err
		}
		for _, k := range n.KPIs {
			names[k.KPI.ID] = pick(lang, k.KPI.NameVI, k.KPI.NameEN)
			byKPI[k.KPI.ID] = append(byKPI[k.KPI.ID], charts.Point{Label: periodLabel(lang, q), Value: k.All.Published})
		}
	}
	var lines []charts.Line
	for _, id := range headlineKPIs {
		lines = append(lines, charts.Line{Name: names[id], Points: byKPI[id]})
	}
	option, err := charts.Trend("", lines, "%", string(lang))
	if err != nil {
		return chart{}, err
	}
	return newChart("chart-trend", 400, option), nil
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
			s.Ranked++
			if r.Movement != nil && *r.Movement != 0 {
				m := mover{UnitID: r.UnitID, Name: pick(lang, r.NameVI, r.NameEN), Rank: *r.Rank, Movement: r.Movement}
				if *m.Movement > 0 {
					s.Risers = append(s.Risers, m)
				} else {
					s.Fallers = append(s.Fallers, m)
				}
			}
		} else {
			s.NotRated++
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
