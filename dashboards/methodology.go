package dashboards

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// methodKPI is a KPI as the methodology page explains it.
type methodKPI struct {
	metrics.KPIJSON
	Name, Description string
	Targets           []string
}

// methodIndicator is a 766 indicator with how egovkpi scores it.
type methodIndicator struct {
	m766.Indicator
	Name, Rule string
	Collected  bool
}

// methodGroup is a 766 group and its indicators.
type methodGroup struct {
	Name       string
	Points     float64
	Indicators []methodIndicator
}

// methodVersion is a 766 version.
type methodVersion struct {
	*m766.Version
	Name    string
	InForce bool
	Groups  []methodGroup
}

// methodologyPage explains every KPI, the 766 versions (the one in force
// marked), the level mapping across 2022, the ranking rules, and what is
// assumed or unconfirmed.
func (a *App) methodologyPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	ts, _ := metrics.Targets()
	var kpis []methodKPI
	for _, k := range metrics.KPIs() {
		m := methodKPI{KPIJSON: metrics.DescribeKPI(k), Name: pick(lang, k.NameVI, k.NameEN), Description: pick(lang, k.DescVI, k.DescEN)}
		for _, t := range ts {
			if t.KPI == k.ID {
				m.Targets = append(m.Targets, lang.T("method.target", lang.Number(t.Value*100, 0), t.Year, lang.T("block."+t.Block), t.Source))
			}
		}
		kpis = append(kpis, m)
	}
	inForce, _ := a.deps.Figures.Methodology.ForDay(a.today())
	var versions []methodVersion
	for _, v := range a.deps.Figures.Methodology.Versions() {
		mv := methodVersion{Version: v, Name: pick(lang, v.Name.VI, v.Name.EN), InForce: v == inForce}
		for _, g := range v.Groups {
			mg := methodGroup{Name: pick(lang, g.Name.VI, g.Name.EN), Points: g.Points}
			for _, ind := range v.Indicators {
				if ind.Group != g.ID {
					continue
				}
				mg.Indicators = append(mg.Indicators, methodIndicator{Indicator: ind, Name: pick(lang, ind.Name.VI, ind.Name.EN),
					Rule: ruleText(lang, ind.Rule), Collected: collected(ind)})
			}
			mv.Groups = append(mv.Groups, mg)
		}
		versions = append(versions, mv)
	}
	var unverified []unitRow
	for _, u := range a.reg.All() {
		if u.Unverified() {
			unverified = append(unverified, a.unitRow(lang, u))
		}
	}
	return a.render(c, "methodology.html", map[string]any{
		"Lang": lang, "Title": lang.T("method.title"),
		"KPIs": kpis, "Versions": versions, "Rules": a.deps.Figures.Rules, "Unverified": unverified,
	})
}

// ruleText says how an indicator scores, in the language.
func ruleText(lang Lang, r m766.Rule) string {
	switch r.Type {
	case m766.RuleProportional:
		return lang.T("method.rule.proportional")
	case m766.RuleCapped:
		return lang.T("method.rule.capped", lang.Number(r.Threshold*100, 0))
	case m766.RulePayment:
		return lang.T("method.rule.payment", lang.Number(r.AWeight, 0), lang.Number(r.BWeight, 0), lang.Number(r.BCap, 0), lang.Number(r.CWeight, 1))
	}
	return fmt.Sprint(r.Type)
}

// collected reports whether egovkpi computes every input of a 766
// indicator (each is a KPI): an indicator with an input it does not is
// scored 0.
func collected(ind m766.Indicator) bool {
	for _, in := range ind.Inputs() {
		if _, err := metrics.KPIByID(in); err != nil {
			return false
		}
	}
	return true
}
