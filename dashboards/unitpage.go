package dashboards

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
	"egovkpi/dashboards/charts"
	"egovkpi/metrics"
)

// unitKPI is one KPI of the unit page: the unit's figure beside its block's
// and the nation's.
type unitKPI struct {
	KPI                 metrics.KPIJSON
	Unit, Block, All    metrics.FigureJSON
	Target              *metrics.TargetJSON
	BandClass, BandName string
}

// connection is the state of a portal feeding the unit.
type connection struct {
	Source, UnitID   string
	Watermark, Last  string
	Lag              string
	Errors           int
	LastError        string
	Healthy, Unknown bool
}

// unitPage shows one unit: every KPI of a period beside the national
// figures, one KPI over the last quarters against its block, its 766 groups,
// its weakest procedures, its data completeness and portal connection, and
// its predecessors or successor across the 2025 mergers. A reporter sees
// its own unit (and its predecessors) only.
func (a *App) unitPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	u, ok := a.reg.ByID(c.Params("code"))
	if !ok {
		var err error
		if u, err = a.reg.Resolve(c.Params("code"), a.today()); err != nil {
			return fiber.NewError(fiber.StatusNotFound, lang.T("unit.unknown", c.Params("code")))
		}
	}
	if !a.mayViewUnit(c, u.ID) {
		return fiber.NewError(fiber.StatusForbidden, lang.T("unit.forbidden"))
	}
	p := a.defaultPeriod()
	if s := c.Query("period"); s != "" {
		var err error
		if p, err = metrics.ParsePeriod(s, a.today()); err != nil {
			return paramError("period", err)
		}
	}
	var ended string
	if !u.ValidOn(p.To) {
		// A unit that ended is shown for the last quarter it was in force.
		if !u.ValidTo.IsZero() && u.ValidTo.Before(p.To) {
			p, _ = metrics.Containing(metrics.Quarter, u.ValidTo)
			p.To = u.ValidTo
			p.Kind = metrics.Range
			ended = lang.T("unit.ended", lang.FormatDate(u.ValidTo))
		} else {
			return fiber.NewError(fiber.StatusNotFound, lang.T("unit.not_yet", u.Name(string(lang)), lang.FormatDate(u.ValidFrom)))
		}
	}
	kpi, err := metrics.KPIByID(c.Query("kpi", "online_rate"))
	if err != nil {
		return paramError("kpi", err)
	}
	ctx := c.UserContext()
	ps := parts{a: a}
	var (
		figs   Part[[]unitKPI]
		compl  Part[float64]
		trend  Part[chart]
		notes  Part[[]string]
		index  Part[*metrics.IndexRowJSON]
		weak   Part[metrics.WeakProceduresJSON]
		conns  Part[[]connection]
		method Part[string]
	)
	load(&ps, ctx, "unit figures", &figs, func(ctx context.Context) ([]unitKPI, error) {
		rows, c, err := a.unitKPIs(ctx, lang, u, p)
		compl.V = c
		return rows, err
	})
	load(&ps, ctx, "unit trend", &trend, func(ctx context.Context) (chart, error) {
		ch, n, err := a.unitTrend(ctx, lang, u, kpi, p)
		notes.V = n
		return ch, err
	})
	load(&ps, ctx, "unit 766", &index, func(ctx context.Context) (*metrics.IndexRowJSON, error) {
		j, err := decoded[metrics.IndexTableJSON](a.index766JSON(ctx, IndexRequest{Block: u.Block, Period: p, Unit: u.ID}))
		if err != nil {
			return nil, err
		}
		method.V = pick(lang, j.Methodology.NameVI, j.Methodology.NameEN)
		if len(j.Rows) == 0 {
			return nil, nil
		}
		return &j.Rows[0], nil
	})
	load(&ps, ctx, "weakest procedures", &weak, func(ctx context.Context) (metrics.WeakProceduresJSON, error) {
		return decoded[metrics.WeakProceduresJSON](a.proceduresJSON(ctx, u, p))
	})
	load(&ps, ctx, "connection", &conns, func(ctx context.Context) ([]connection, error) { return a.connections(ctx, lang, u) })
	ps.wait()
	var kpis []option
	for _, k := range metrics.KPIs() {
		kpis = append(kpis, option{k.ID, pick(lang, k.NameVI, k.NameEN), k.ID == kpi.ID})
	}
	var periods []option
	for _, x := range a.periodChoices(p) {
		periods = append(periods, option{x.String(), periodLabel(lang, x), x.String() == p.String()})
	}
	var preds []unitRow
	for _, x := range a.reg.Predecessors(u.ID) {
		preds = append(preds, a.unitLink(lang, x))
	}
	var succ *unitRow
	if s, ok := a.reg.Successor(u.ID); ok {
		r := a.unitLink(lang, s)
		succ = &r
	}
	return a.render(c, "unit.html", map[string]any{
		"Lang": lang, "Title": u.Name(string(lang)), "SwitchURL": switchURL(c, lang), "Charts": true,
		"U": u, "Row": a.unitRow(lang, u), "Period": p, "PeriodLabel": periodLabel(lang, p), "Ended": ended,
		"KPIs": kpis, "KPI": kpi, "Periods": periods, "BlockName": lang.T("block." + string(u.Block)),
		"Figures": figs, "Completeness": compl.V, "Trend": trend, "Notes": notes.V, "Index": index, "Method": method.V,
		"Weak": weak, "Connections": conns, "Predecessors": preds, "Successor": succ,
	})
}

// unitLink is a unit for a link: its id, name and validity.
func (a *App) unitLink(lang Lang, u egovkpi.Unit) unitRow {
	r := a.unitRow(lang, u)
	r.Code = u.ID
	return r
}

// unitKPIs reads every KPI of u over p beside its block's and the national
// figures; it returns the unit's completeness too.
func (a *App) unitKPIs(ctx context.Context, lang Lang, u egovkpi.Unit, p metrics.Period) ([]unitKPI, float64, error) {
	f, err := decoded[metrics.UnitFiguresJSON](a.unitFiguresJSON(ctx, u, p))
	if err != nil {
		return nil, 0, err
	}
	n, err := decoded[metrics.NationalJSON](a.nationalJSON(ctx, p))
	if err != nil {
		return nil, 0, err
	}
	national := map[string]metrics.NationalKPIJSON{}
	for _, k := range n.KPIs {
		national[k.KPI.ID] = k
	}
	ts, _ := metrics.Targets()
	var out []unitKPI
	for _, k := range f.KPIs {
		nk := national[k.KPI.ID]
		row := unitKPI{KPI: k.KPI, Unit: k.FigureJSON, All: nk.All, Block: nk.Provinces}
		if u.Block == egovkpi.BlockMinistry {
			row.Block = nk.Ministries
		}
		var att *float64
		if tg, ok := metrics.TargetFor(ts, k.KPI.ID, u.Block, p); ok {
			row.Target = &metrics.TargetJSON{Value: tg.Value, Year: tg.Year, Source: tg.Source, Note: tg.Note}
			if k.Value != nil {
				x := *k.Value / tg.Value
				att = &x
			}
		}
		row.BandClass, row.BandName = attainmentBand(lang, att, row.Target != nil)
		out = append(out, row)
	}
	return out, f.Completeness, nil
}

// unitTrend draws a KPI of u by quarter against its block's figure.
func (a *App) unitTrend(ctx context.Context, lang Lang, u egovkpi.Unit, k metrics.KPI, p metrics.Period) (chart, []string, error) {
	qs := quartersTo(p)
	s, err := decoded[metrics.SeriesJSON](a.seriesJSON(ctx, SeriesRequest{Unit: u, KPI: k, From: qs[0], To: qs[len(qs)-1], Step: metrics.Quarter}))
	if err != nil {
		return chart{}, nil, err
	}
	unitLine := charts.Line{Name: u.Name(string(lang))}
	blockLine := charts.Line{Name: lang.T("unit.block_figure", lang.T("block."+string(u.Block)))}
	for i, q := range qs {
		label := periodLabel(lang, q)
		var v *float64
		if i < len(s.Points) {
			v = s.Points[i].Published
		}
		unitLine.Points = append(unitLine.Points, charts.Point{Label: label, Value: v})
		n, err := decoded[metrics.NationalJSON](a.nationalJSON(ctx, q))
		if err != nil {
			return chart{}, nil, err
		}
		var nv *float64
		for _, x := range n.KPIs {
			if x.KPI.ID == k.ID {
				nv = x.Provinces.Published
				if u.Block == egovkpi.BlockMinistry {
					nv = x.Ministries.Published
				}
			}
		}
		blockLine.Points = append(blockLine.Points, charts.Point{Label: label, Value: nv})
	}
	option, err := charts.Trend(pick(lang, k.NameVI, k.NameEN), []charts.Line{unitLine, blockLine}, "%", string(lang))
	if err != nil {
		return chart{}, nil, err
	}
	return newChart("chart-unit-trend", 320, option), s.Notes, nil
}

// connections are the portals that feed u (or its predecessors).
func (a *App) connections(ctx context.Context, lang Lang, u egovkpi.Unit) ([]connection, error) {
	if a.deps.Store == nil {
		return nil, nil
	}
	srcs, err := a.deps.Store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{u.ID: true}
	for _, x := range a.reg.Predecessors(u.ID) {
		ids[x.ID] = true
	}
	today := a.today()
	var out []connection
	for _, s := range srcs {
		if !ids[s.UnitID] {
			continue
		}
		c := connection{Source: s.ID, UnitID: s.UnitID, Errors: s.ConsecutiveErrors, LastError: s.LastError, Healthy: s.ConsecutiveErrors == 0}
		if !s.Watermark.IsZero() {
			c.Watermark = lang.FormatDate(s.Watermark)
			c.Lag = fmt.Sprintf("%d", int(today.Sub(s.Watermark).Hours()/24))
		}
		if !s.LastSuccess.IsZero() {
			c.Last = s.LastSuccess.In(a.loc).Format("02/01/2006 15:04")
		} else {
			c.Unknown = true
		}
		out = append(out, c)
	}
	return out, nil
}
