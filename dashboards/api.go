package dashboards

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
)

// apiKPIs lists the KPI catalogue.
func (a *App) apiKPIs(c *fiber.Ctx) error {
	var out []metrics.KPIJSON
	for _, k := range metrics.KPIs() {
		out = append(out, metrics.DescribeKPI(k))
	}
	return c.JSON(fiber.Map{"kpis": out})
}

// sendJSON answers with an API body or the error of making it.
func sendJSON(c *fiber.Ctx, body []byte, err error) error {
	if err != nil {
		return err
	}
	c.Type("json", "utf-8")
	return c.Send(body)
}

// LeagueRequest is a parsed league table request, shared by the API and the
// CLI so that both accept and refuse the same things.
type LeagueRequest struct {
	Block  egovkpi.Block
	Period metrics.Period
	KPI    metrics.KPI
	Filter metrics.Filter
}

// ParseLeagueRequest checks the parameters of a league table. param returns
// a parameter's value ("" when absent). A bad parameter is returned with
// its name.
func ParseLeagueRequest(param func(string) string, today func() time.Time, reg *refdata.Registry) (LeagueRequest, string, error) {
	var r LeagueRequest
	var name string
	var err error
	if r.Block, r.Period, r.Filter, name, err = parseBlockPeriod(param, today, reg); err != nil {
		return r, name, err
	}
	if param("kpi") == "" {
		return r, "kpi", fmt.Errorf("missing (see /api/v1/kpis)")
	}
	if r.KPI, err = metrics.KPIByID(param("kpi")); err != nil {
		return r, "kpi", err
	}
	return r, "", nil
}

// parseBlockPeriod checks what every table needs: block, period and the
// optional region and kind filters.
func parseBlockPeriod(param func(string) string, today func() time.Time, reg *refdata.Registry) (egovkpi.Block, metrics.Period, metrics.Filter, string, error) {
	var f metrics.Filter
	b, err := egovkpi.ParseBlock(param("block"))
	if err != nil {
		return b, metrics.Period{}, f, "block", err
	}
	if param("period") == "" {
		return b, metrics.Period{}, f, "period", fmt.Errorf("missing (accepted: %s)", metrics.PeriodFormats)
	}
	p, err := metrics.ParsePeriod(param("period"), today())
	if err != nil {
		return b, p, f, "period", err
	}
	if reg := param("region"); reg != "" {
		if _, ok := egovkpi.RegionByCode(reg); !ok {
			var codes []string
			for _, x := range egovkpi.Regions {
				codes = append(codes, x.Code)
			}
			return b, p, f, "region", fmt.Errorf("unknown region %q (accepted: %s)", reg, strings.Join(codes, ", "))
		}
		f.Region = reg
	}
	if kind := param("kind"); kind != "" {
		kinds := unitKinds(reg, b)
		if !slices.Contains(kinds, kind) {
			return b, p, f, "kind", fmt.Errorf("unknown kind %q for %s (accepted: %s)", kind, b, strings.Join(kinds, ", "))
		}
		f.Kind = kind
	}
	return b, p, f, "", nil
}

// unitKinds lists the kinds of the block's units, of both eras.
func unitKinds(reg *refdata.Registry, b egovkpi.Block) []string {
	var kinds []string
	for _, u := range reg.All() {
		if u.Block == b && !slices.Contains(kinds, u.Kind) {
			kinds = append(kinds, u.Kind)
		}
	}
	sort.Strings(kinds)
	return kinds
}

// IndexRequest is a parsed Decision 766 request, shared by the API and the
// CLI.
type IndexRequest struct {
	Block  egovkpi.Block
	Period metrics.Period
	Filter metrics.Filter
	// Unit, when set, keeps only that unit's row (ranked in its block).
	Unit string
}

// ParseIndexRequest checks the parameters of a 766 table: block, period,
// region and kind as for a league table, and an optional unit (id or
// official code as of the period's end) that must be shown in the block.
func ParseIndexRequest(param func(string) string, today func() time.Time, reg *refdata.Registry) (IndexRequest, string, error) {
	var r IndexRequest
	var name string
	var err error
	if r.Block, r.Period, r.Filter, name, err = parseBlockPeriod(param, today, reg); err != nil {
		return r, name, err
	}
	if ref := param("unit"); ref != "" {
		u, err := metrics.ResolveUnit(reg, ref, r.Period.To)
		if err != nil {
			return r, "unit", err
		}
		if _, shown := metrics.Shown(reg, r.Block, r.Period)[u.ID]; !shown {
			return r, "unit", fmt.Errorf("%s (%s) is not a %s unit in force on %s", u.ID, u.NameVI, r.Block, r.Period.To.Format(egovkpi.DateLayout))
		}
		r.Unit = u.ID
	}
	return r, "", nil
}

// apiLeague answers GET /api/v1/league.
func (a *App) apiLeague(c *fiber.Ctx) error {
	req, name, err := ParseLeagueRequest(func(k string) string { return c.Query(k) }, a.today, a.reg)
	if err != nil {
		return paramError(name, err)
	}
	body, err := a.leagueJSON(c.UserContext(), req)
	return sendJSON(c, body, err)
}

// apiIndex766 answers GET /api/v1/index766.
func (a *App) apiIndex766(c *fiber.Ctx) error {
	req, name, err := ParseIndexRequest(func(k string) string { return c.Query(k) }, a.today, a.reg)
	if err != nil {
		return paramError(name, err)
	}
	body, err := a.index766JSON(c.UserContext(), req)
	if isNoVersion(err) {
		return paramError("period", err)
	}
	return sendJSON(c, body, err)
}

// SeriesRequest is a parsed series request, shared by the API and the CLI.
type SeriesRequest struct {
	Unit     egovkpi.Unit
	KPI      metrics.KPI
	From, To metrics.Period
	Step     metrics.PeriodKind
}

// ParseSeriesRequest checks the parameters of a unit series: unit (id or
// official code, as of the end of the series), kpi, from and to (periods;
// the series runs from the first day of from to the last of to) and step
// (month, quarter, half or year; default quarter).
func ParseSeriesRequest(param func(string) string, today func() time.Time, reg *refdata.Registry) (SeriesRequest, string, error) {
	var r SeriesRequest
	for _, name := range []string{"unit", "kpi", "from", "to"} {
		if param(name) == "" {
			return r, name, fmt.Errorf("missing")
		}
	}
	k, err := metrics.KPIByID(param("kpi"))
	if err != nil {
		return r, "kpi", err
	}
	r.KPI = k
	if r.From, err = metrics.ParsePeriod(param("from"), today()); err != nil {
		return r, "from", err
	}
	if r.To, err = metrics.ParsePeriod(param("to"), today()); err != nil {
		return r, "to", err
	}
	if r.To.To.Before(r.From.From) {
		return r, "to", fmt.Errorf("%s ends before %s starts", r.To, r.From)
	}
	r.Step = metrics.Quarter
	if s := param("step"); s != "" {
		r.Step = metrics.PeriodKind(s)
	}
	if _, err := metrics.Steps(r.From.From, r.To.To, r.Step); err != nil {
		return r, "step", err
	}
	if r.Unit, err = metrics.ResolveUnit(reg, param("unit"), r.To.To); err != nil {
		return r, "unit", err
	}
	return r, "", nil
}

// apiSeries answers GET /api/v1/units/:code/series.
func (a *App) apiSeries(c *fiber.Ctx) error {
	param := func(k string) string {
		if k == "unit" {
			return c.Params("code")
		}
		return c.Query(k)
	}
	req, name, err := ParseSeriesRequest(param, a.today, a.reg)
	if err != nil {
		return paramError(name, err)
	}
	if !a.mayViewUnit(c, req.Unit.ID) {
		return fiber.NewError(fiber.StatusForbidden, "a reporter sees the detail of its own unit only")
	}
	body, err := a.seriesJSON(c.UserContext(), req)
	return sendJSON(c, body, err)
}

// apiNational answers GET /api/v1/national: every KPI summed over each
// block and over both, for one period.
func (a *App) apiNational(c *fiber.Ctx) error {
	p, err := a.requiredPeriod(c)
	if err != nil {
		return err
	}
	body, err := a.nationalJSON(c.UserContext(), p)
	return sendJSON(c, body, err)
}

// paramError is a 400 naming the parameter and what it accepts (JSON for
// the API, a page otherwise: see handleError).
func paramError(name string, err error) error {
	return fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("parameter %s: %v", name, err))
}

// requiredPeriod is the request's ?period=, which must be given (see
// periodParam); 400 when it is missing or does not read.
func (a *App) requiredPeriod(c *fiber.Ctx) (metrics.Period, error) {
	if c.Query("period") == "" {
		return metrics.Period{}, paramError("period", fmt.Errorf("missing (accepted: %s)", metrics.PeriodFormats))
	}
	return a.periodParam(c)
}

// unitPeriod reads a unit-detail request: the unit of :code (in force at
// the end of the period, and one the user may see) and ?period=.
func (a *App) unitPeriod(c *fiber.Ctx) (egovkpi.Unit, metrics.Period, error) {
	p, err := a.requiredPeriod(c)
	if err != nil {
		return egovkpi.Unit{}, p, err
	}
	u, err := metrics.ResolveUnit(a.reg, c.Params("code"), p.To)
	if err != nil {
		return u, p, paramError("unit", err)
	}
	if !u.ValidOn(p.To) {
		return u, p, paramError("unit", fmt.Errorf("%s (%s) is not in force on %s", u.ID, u.NameVI, p.To.Format(egovkpi.DateLayout)))
	}
	if !a.mayViewUnit(c, u.ID) {
		return u, p, fiber.NewError(fiber.StatusForbidden, "a reporter sees the detail of its own unit only")
	}
	return u, p, nil
}

// apiUnitFigures answers GET /api/v1/units/:code/figures: every KPI of a
// unit for one period.
func (a *App) apiUnitFigures(c *fiber.Ctx) error {
	u, p, err := a.unitPeriod(c)
	if err != nil {
		return err
	}
	body, err := a.unitFiguresJSON(c.UserContext(), u, p)
	return sendJSON(c, body, err)
}

// apiUnitProcedures answers GET /api/v1/units/:code/procedures: a unit's
// weakest procedures (most offline and most late dossiers) over a period.
func (a *App) apiUnitProcedures(c *fiber.Ctx) error {
	u, p, err := a.unitPeriod(c)
	if err != nil {
		return err
	}
	body, err := a.proceduresJSON(c.UserContext(), u, p)
	return sendJSON(c, body, err)
}
