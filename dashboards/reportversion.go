package dashboards

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

// changeRow is an indicator whose answer changed between two versions.
type changeRow struct {
	Code, Name                  string
	Before, After               string
	BeforeExpl, AfterExpl       string
	BeforeMissing, AfterMissing bool
}

// answerRow is one indicator's answer in a version.
type answerRow struct {
	Code, Name, Measure string
	Value, Collected    string
	Explanation         string
	Corrected           bool
}

// answerSection is a section's answers in a version.
type answerSection struct {
	Code, Title string
	Rows        []answerRow
}

// reportVersionPage shows one version of a report, read-only, and what
// changed from the version before it that the user may see (a unit's
// reporters see every version; the others what reached the reviewers).
func (a *App) reportVersionPage(c *fiber.Ctx) error {
	r, err := a.openReport(c)
	if err != nil {
		return err
	}
	lang, st, k, u := r.lang, r.st, r.key, r.unit
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 {
		return paramError("n", fmt.Errorf("%q is not a version number", c.Params("n")))
	}
	vs, err := st.Versions(c.UserContext(), k)
	if err != nil {
		return err
	}
	visible := workflow.Visible(r.actor, k, vs)
	i := -1
	for j, v := range visible {
		if v.N == n {
			i = j
		}
	}
	if i < 0 {
		return fiber.NewError(fiber.StatusNotFound, lang.T("report.no_version", n, quarterLabel(lang, k.Quarter)))
	}
	v := visible[i]
	def, err := st.Forms().Version(v.Form)
	if err != nil {
		return err
	}
	var before form.Answers
	prev := 0
	if i > 0 {
		before, prev = visible[i-1].Answers, visible[i-1].N
	}
	var changes []changeRow
	for _, ch := range def.Diff(before, v.Answers) {
		ind, ok := def.Indicator(ch.Indicator)
		if !ok {
			ind = form.Indicator{ID: ch.Indicator, Code: ch.Indicator, NameVI: ch.Indicator, NameEN: ch.Indicator}
		}
		changes = append(changes, changeRow{Code: ind.Code, Name: ind.Name(string(lang)),
			Before: valueText(lang, ind, ch.Before.Value), After: valueText(lang, ind, ch.After.Value),
			BeforeExpl: ch.Before.Explanation, AfterExpl: ch.After.Explanation,
			BeforeMissing: ch.Before.Value == "", AfterMissing: ch.After.Value == ""})
	}
	var sections []answerSection
	for _, sec := range def.Sections {
		s := answerSection{Code: sec.Code, Title: sec.Title(string(lang))}
		for _, ind := range sec.Indicators {
			ans := v.Answers[ind.ID]
			r := answerRow{Code: ind.Code, Name: ind.Name(string(lang)), Measure: pick(lang, ind.UnitVI, ind.UnitEN),
				Value: valueText(lang, ind, ans.Value), Explanation: ans.Explanation, Corrected: ans.Corrected()}
			if ans.Collected != nil {
				r.Collected = numberText(lang, *ans.Collected)
			}
			s.Rows = append(s.Rows, r)
		}
		sections = append(sections, s)
	}
	return a.render(c, "report_version.html", map[string]any{
		"Lang": lang, "Title": u.Name(string(lang)) + " · " + quarterLabel(lang, k.Quarter) + " · " + lang.T("report.version_n", n),
		"UnitName": u.Name(string(lang)), "QuarterLabel": quarterLabel(lang, k.Quarter), "URL": reportURL(k),
		"V": a.versionRow(lang, k, v), "FormVersion": def.Version, "Previous": prev, "Changes": changes, "Sections": sections,
	})
}
