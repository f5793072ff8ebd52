package dashboards

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

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
	Source, UnitID  string
	Watermark, Last string
	Lag             string
	Errors          int
	LastError       string
	Healthy         bool
}

// unitFigures are the unit page's KPI table and the unit's completeness.
type unitFigures struct {
	Rows         []unitKPI
	Completeness float64
}

// unitTrend is the unit page's chart and the notes of its series (mergers,
// level changes).
type unitTrend struct {
	Chart chart
	Notes []string
}

// unitIndex is the unit's row of its block's 766 table (nil without one)
// and the methodology that scored it.
type unitIndex struct {
	Row         *metrics.IndexRowJSON
	Methodology string
}

// resolveUnit finds the unit of a page or API path: an id, or an official
// code as of the end of the period.
func (a *App) resolveUnit(lang Lang, code string, p metrics.Period) (egovkpi.Unit, error) {
	u, err := metrics.ResolveUnit(a.reg, code, p.To)
	if err != nil {
		return u, fiber.NewError(fiber.StatusNotFound, lang.T("unit.unknown", code))
	}
	return u, nil
}

// unitPage shows one unit: every KPI of a period beside the national
// figures, one KPI over the last quarters against its block, its 766 groups,
// its weakest procedures, its data completeness and portal connection, and
// its predecessors or successor across the 2025 mergers. A reporter sees
// its own unit (and its predecessors) only.
func (a *App) unitPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	p, err := a.periodParam(c)
	if err != nil {
		return err
	}
	u, err := a.resolveUnit(lang, c.Params("code"), p)
	if err != nil {
		return err
	}
	if !a.mayViewUnit(c, u.ID) {
		return fiber.NewError(fiber.StatusForbidden, lang.T("unit.forbidden"))
	}
	var ended string
	if !u.ValidOn(p.To) {
		if u.ValidTo.IsZero() || !u.ValidTo.Before(p.To) {
			return fiber.NewError(fiber.StatusNotFound, lang.T("unit.not_yet", u.Name(string(lang)), lang.FormatDate(u.ValidFrom)))
		}
		// A unit that ended is shown for the last quarter it was in force,
		// cut at its last day when that is not the quarter's.
		p, _ = metrics.Containing(metrics.Quarter, u.ValidTo)
		if !p.To.Equal(u.ValidTo) {
			p.To, p.Kind = u.ValidTo, metrics.Range
		}
		ended = lang.T("unit.ended", lang.FormatDate(u.ValidTo))
	}
	kpi, err := metrics.KPIByID(c.Query("kpi", "online_rate"))
	if err != nil {
		return paramError("kpi", err)
	}
	ctx := c.UserContext()
	ps := parts{a: a}
	var (
		figs  Part[unitFigures]
		trend Part[unitTrend]
		index Part[unitIndex]
		weak  Part[metrics.WeakProceduresJSON]
		conns Part[[]connection]
	)
	load(&ps, ctx, "unit figures", &figs, func(ctx context.Context) (unitFigures, error) { return a.unitKPIs(ctx, lang, u, p) })
	load(&ps, ctx, "unit trend", &trend, func(ctx context.Context) (unitTrend, error) { return a.unitTrend(ctx, lang, u, kpi, p) })
	load(&ps, ctx, "unit 766", &index, func(ctx context.Context) (unitIndex, error) {
		j, err := decoded[metrics.IndexTableJSON](a.index766JSON(ctx, IndexRequest{Block: u.Block, Period: p}))
		if err != nil {
			return unitIndex{}, err
		}
		out := unitIndex{Methodology: pick(lang, j.Methodology.NameVI, j.Methodology.NameEN)}
		for i := range j.Rows {
			if j.Rows[i].UnitID == u.ID {
				out.Row = &j.Rows[i]
			}
		}
		return out, nil
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
		if u.ValidOn(x.To) || x.String() == p.String() { // periods the unit was in force at the end of
			periods = append(periods, option{x.String(), periodLabel(lang, x), x.String() == p.String()})
		}
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
		"Lang": lang, "Title": u.Name(string(lang)), "Charts": true,
		"U": u, "Row": a.unitRow(lang, u), "Period": p, "PeriodLabel": periodLabel(lang, p), "Ended": ended,
		"KPIs": kpis, "Periods": periods, "BlockName": lang.T("block." + string(u.Block)),
		"Figures": figs, "Trend": trend, "Index": index, "Weak": weak, "Connections": conns, "Predecessors": preds, "Successor": succ,
	})
}

// unitLink is a unit for a link: its id, name and validity.
func (a *App) unitLink(lang Lang, u egovkpi.Unit) unitRow {
	r := a.unitRow(lang, u)
	r.Code = u.ID
	return r
}

// unitKPIs reads every KPI of u over p (with its target) beside its
// block's and the national figures, and the unit's completeness.
func (a *App) unitKPIs(ctx context.Context, lang Lang, u egovkpi.Unit, p metrics.Period) (unitFigures, error) {
	f, err := decoded[metrics.UnitFiguresJSON](a.unitFiguresJSON(ctx, u, p))
	if err != nil {
		return unitFigures{}, err
	}
	n, err := decoded[metrics.NationalJSON](a.nationalJSON(ctx, p))
	if err != nil {
		return unitFigures{}, err
	}
	out := unitFigures{Completeness: f.Completeness}
	for i, k := range f.KPIs {
		row := unitKPI{KPI: k.KPI, Unit: k.FigureJSON, Target: k.Target}
		if i < len(n.KPIs) {
			row.All, row.Block = n.KPIs[i].All, blockFigure(n.KPIs[i], u.Block)
		}
		row.BandClass, row.BandName = attainmentBand(lang, k.Attainment, k.Target != nil)
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// blockFigure is a national KPI's figure of one block.
func blockFigure(k metrics.NationalKPIJSON, b egovkpi.Block) metrics.FigureJSON {
	if b == egovkpi.BlockMinistry {
		return k.Ministries
	}
	return k.Provinces
}

// unitTrend draws a KPI of u by quarter against its block's figure.
func (a *App) unitTrend(ctx context.Context, lang Lang, u egovkpi.Unit, k metrics.KPI, p metrics.Period) (unitTrend, error) {
	qs := metrics.TrendQuarters(p)
	var s metrics.SeriesJSON
	var nats []metrics.NationalJSON
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		s, err = decoded[metrics.SeriesJSON](a.seriesJSON(gctx, SeriesRequest{Unit: u, KPI: k, From: qs[0], To: qs[len(qs)-1], Step: metrics.Quarter}))
		return err
	})
	g.Go(func() (err error) { nats, err = a.nationals(gctx, qs); return err })
	if err := g.Wait(); err != nil {
		return unitTrend{}, err
	}
	unitLine := charts.Line{Name: u.Name(string(lang))}
	blockLine := charts.Line{Name: lang.T("unit.block_figure", lang.T("block."+string(u.Block)))}
	for i, q := range qs {
		label := periodLabel(lang, q)
		var v, nv *float64
		if i < len(s.Points) {
			v = s.Points[i].Published
		}
		for _, x := range nats[i].KPIs {
			if x.KPI.ID == k.ID {
				nv = blockFigure(x, u.Block).Published
			}
		}
		unitLine.Points = append(unitLine.Points, charts.Point{Label: label, Value: v})
		blockLine.Points = append(blockLine.Points, charts.Point{Label: label, Value: nv})
	}
	option, err := charts.Trend(pick(lang, k.NameVI, k.NameEN), []charts.Line{unitLine, blockLine}, "%", string(lang))
	if err != nil {
		return unitTrend{}, err
	}
	return unitTrend{Chart: newChart("chart-unit-trend", 320, option), Notes: s.Notes}, nil
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
	var out []connection
	for _, s := range srcs {
		if !ids[s.UnitID] {
			continue
		}
		c := connection{Source: s.ID, UnitID: s.UnitID, Errors: s.ConsecutiveErrors, LastError: s.LastError, Healthy: s.ConsecutiveErrors == 0,
			Lag: lagDays(a.today(), s.Watermark)}
		if !s.Watermark.IsZero() {
			c.Watermark = lang.FormatDate(s.Watermark)
		}
		if !s.LastSuccess.IsZero() {
			c.Last = s.LastSuccess.In(a.loc).Format("02/01/2006 15:04")
		}
		out = append(out, c)
	}
	return out, nil
}
