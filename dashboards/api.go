package dashboards

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
	"egovkpi/collector/protocol"
	"egovkpi/metrics"
)

// badParam answers 400 naming the parameter and what it accepts.
func badParam(c *fiber.Ctx, name string, err error) error {
	return c.Status(fiber.StatusBadRequest).JSON(protocol.Error{Error: fmt.Sprintf("parameter %s: %v", name, err)})
}

// apiKPIs lists the KPI catalogue.
func (a *App) apiKPIs(c *fiber.Ctx) error {
	var out []metrics.KPIJSON
	for _, k := range metrics.KPIs() {
		out = append(out, metrics.DescribeKPI(k))
	}
	return c.JSON(fiber.Map{"kpis": out})
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
func ParseLeagueRequest(param func(string) string, today func() time.Time) (LeagueRequest, string, error) {
	var r LeagueRequest
	b, err := egovkpi.ParseBlock(param("block"))
	if err != nil {
		return r, "block", err
	}
	r.Block = b
	if param("period") == "" {
		return r, "period", fmt.Errorf("missing (accepted: %s)", metrics.PeriodFormats)
	}
	p, err := metrics.ParsePeriod(param("period"), today())
	if err != nil {
		return r, "period", err
	}
	r.Period = p
	if param("kpi") == "" {
		return r, "kpi", fmt.Errorf("missing (see /api/v1/kpis)")
	}
	k, err := metrics.KPIByID(param("kpi"))
	if err != nil {
		return r, "kpi", err
	}
	r.KPI = k
	if reg := param("region"); reg != "" {
		if _, ok := egovkpi.RegionByCode(reg); !ok {
			var codes []string
			for _, x := range egovkpi.Regions {
				codes = append(codes, x.Code)
			}
			return r, "region", fmt.Errorf("unknown region %q (accepted: %s)", reg, strings.Join(codes, ", "))
		}
		r.Filter.Region = reg
	}
	r.Filter.Kind = param("kind")
	return r, "", nil
}

// apiLeague answers GET /api/v1/league.
func (a *App) apiLeague(c *fiber.Ctx) error {
	req, name, err := ParseLeagueRequest(func(k string) string { return c.Query(k) }, a.today)
	if err != nil {
		return badParam(c, name, err)
	}
	t, err := metrics.League(c.UserContext(), a.deps.Conn, a.reg, req.Block, req.Period, req.KPI, metrics.DefaultRules, req.Filter, a.today())
	if err != nil {
		return err
	}
	body, err := t.JSON(a.reg).MarshalIndent()
	if err != nil {
		return err
	}
	c.Type("json", "utf-8")
	return c.Send(body)
}
