package dashboards

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"egovkpi/reports/form"
	"egovkpi/reports/prefill"
	"egovkpi/reports/workflow"
)

// Form field names of a report: the value and the explanation of each
// indicator are "v.<id>" and "e.<id>".
const (
	valueField       = "v."
	explanationField = "e."
)

// indicatorView is one indicator of a report's page.
type indicatorView struct {
	form.Indicator
	Name, Measure, Help string
	// Collected is the collected figure for reading ("" without one).
	Collected string
	// Value is the input's value; Display the value for reading.
	Value, Display string
	Explanation    string
	// ShowExplanation: the indicator has a collected figure (a value that
	// differs from it needs an explanation) or an explanation was given.
	ShowExplanation bool
	// Corrected: the value differs from the collected figure, so the
	// explanation is required.
	Corrected bool
	// Problems are why a save or submission was refused; ToFix what a
	// submission of the saved draft would be refused for.
	Problems, ToFix []string
}

// sectionView is a section of a report's page.
type sectionView struct {
	Code, Title string
	Indicators  []indicatorView
}

// commentView is a reviewer's comment.
type commentView struct {
	Action, Actor, At, Comment string
	// Return: the comment says what to fix.
	Return bool
}

// versionRow is one version in a report's history.
type versionRow struct {
	N                                 int
	URL                               string
	Action, Actor, At, State, Comment string
	Current                           bool
}

// reportView is everything a report's page shows.
type reportView struct {
	Key                                workflow.Key
	UnitName, QuarterLabel, URL        string
	FormTitle, FormVersion             string
	State                              workflow.State
	StateLabel                         string
	Status                             statusRow
	Collected                          Part[map[string]float64]
	Sections                           []sectionView
	Base                               int
	CanEdit, CanReview, Locked         bool
	WithReviewers, HiddenDraft, Editor bool
	// MayTemplate: the user may download the Excel template (the unit's
	// reporters, admins and analysts).
	MayTemplate bool
	LastComment *commentView
	Versions    []versionRow
	// Notice is what the last action did; Error why it was refused.
	Notice, Error string
	// General are problems not tied to one indicator; ToFix counts what
	// a submission of the saved draft would be refused for.
	General []string
	ToFix   int
	// ProblemList links every problem of a refused save to its indicator.
	ProblemList []problemLink
	Comment     string
}

// problemLink is a problem in the list at the top of a refused form.
type problemLink struct {
	ID, Code, Name, Reason string
}

// reportInput is what a refused POST carried, shown again with its
// problems.
type reportInput struct {
	raw      map[string]form.Raw
	comment  string
	problems []form.Problem
	err      string
}

// reportNotices are the notices a redirect after an action may ask for.
var reportNotices = map[string]string{"saved": "report.notice.saved", "submitted": "report.notice.submitted",
	"returned": "report.notice.returned", "approved": "report.notice.approved", "uploaded": "report.notice.uploaded"}

// reportPage shows a report's form: every section and indicator with the
// collected figure beside the value, the state, the deadline, the
// reviewer's last comment, the buttons the user's role and the state
// allow, and the versions. Reporters see their own unit's report only;
// the others see what reached the reviewers, never a draft.
func (a *App) reportPage(c *fiber.Ctx) error {
	r, err := a.openReport(c)
	if err != nil {
		return err
	}
	lang := r.lang
	v, err := a.buildReport(c.UserContext(), r, nil)
	if err != nil {
		return reportError(lang, err)
	}
	if key, ok := reportNotices[c.Query("notice")]; ok {
		v.Notice = lang.T(key)
	}
	return a.renderReport(c, lang, v)
}

func (a *App) renderReport(c *fiber.Ctx, lang Lang, v reportView) error {
	return a.render(c, "report.html", map[string]any{"Lang": lang, "Title": v.UnitName + " · " + v.QuarterLabel, "R": v})
}

// buildReport reads a report and lays it out for the user who asks; in
// is what a refused POST carried (nil on a GET).
func (a *App) buildReport(ctx context.Context, r reportRequest, in *reportInput) (reportView, error) {
	lang, st, actor, k, u := r.lang, r.st, r.actor, r.key, r.unit
	vs, err := st.Versions(ctx, k)
	if err != nil {
		return reportView{}, err
	}
	def, err := st.DefinitionOf(k, vs)
	if err != nil {
		return reportView{}, err
	}
	visible := workflow.Visible(actor, k, vs)
	state, base := workflow.NotStarted, 0
	if len(vs) > 0 {
		state, base = vs[len(vs)-1].State, vs[len(vs)-1].N
	}
	v := reportView{
		Key: k, UnitName: u.Name(string(lang)), QuarterLabel: quarterLabel(lang, k.Quarter), URL: reportURL(k),
		FormTitle: pick(lang, def.TitleVI, def.TitleEN), FormVersion: def.Version,
		State: state, StateLabel: state.Label(string(lang)), Base: base,
		Editor:        workflow.MayEdit(actor, k),
		WithReviewers: state == workflow.Submitted || state == workflow.Resubmitted,
		Locked:        state == workflow.Approved,
		Status:        a.statusRow(lang, st.StatusOf(k, vs)),
	}
	v.CanEdit = v.Editor && state.Editable()
	v.CanReview = workflow.MayReview(actor) && v.WithReviewers
	v.MayTemplate = mayTemplate(actor, k)
	v.HiddenDraft = len(visible) == 0 && len(vs) > 0
	ps := parts{a: a}
	load(&ps, ctx, "collected figures", &v.Collected, func(ctx context.Context) (map[string]float64, error) {
		return prefill.Collected(ctx, a.deps.Conn, a.reg, def, u, k.Quarter, a.today())
	})
	ps.wait()

	var shown form.Answers // the answers the user sees
	if len(visible) > 0 {
		shown = visible[len(visible)-1].Answers
	}
	var problems, toFix map[string][]string
	switch {
	case in != nil:
		problems, v.General = problemsOf(lang, def, in.problems)
		v.Comment, v.Error = in.comment, in.err
		for _, p := range in.problems {
			if ind, ok := def.Indicator(p.Indicator); ok {
				v.ProblemList = append(v.ProblemList, problemLink{ID: ind.ID, Code: ind.Code, Name: ind.Name(string(lang)), Reason: p.Reason(string(lang))})
			}
		}
	case v.CanEdit && len(vs) > 0:
		var general []string
		toFix, general = problemsOf(lang, def, def.Validate(vs[len(vs)-1].Answers))
		v.ToFix = len(general)
		for _, ps := range toFix {
			v.ToFix += len(ps)
		}
	}
	for _, sec := range def.Sections {
		sv := sectionView{Code: sec.Code, Title: sec.Title(string(lang))}
		for _, ind := range sec.Indicators {
			iv := indicatorView{Indicator: ind, Name: ind.Name(string(lang)), Measure: pick(lang, ind.UnitVI, ind.UnitEN),
				Help: pick(lang, ind.HelpVI, ind.HelpEN), Problems: problems[ind.ID], ToFix: toFix[ind.ID]}
			ans, answered := shown[ind.ID]
			// The collected figure: the live one where the report can
			// still change (a save attaches it), else the one saved with
			// the answer.
			collected, hasCollected := v.Collected.V[ind.ID]
			if !v.CanEdit && answered {
				hasCollected = ans.Collected != nil
				if hasCollected {
					collected = *ans.Collected
				}
			}
			if hasCollected {
				iv.Collected = numberText(lang, collected)
			}
			switch {
			case in != nil && in.raw != nil: // what a refused save or submission carried
				r := in.raw[ind.ID]
				iv.Value, iv.Explanation = r.Value, r.Explanation
				if canon, p := ind.Canonical(r.Value); p == nil && hasCollected {
					iv.Corrected = form.Answer{Value: canon, Collected: &collected}.Corrected()
				}
			case ans.Value != "" || ans.Explanation != "": // saved
				iv.Value, iv.Explanation = inputText(lang, ind, ans.Value), ans.Explanation
				iv.Corrected = hasCollected && form.Answer{Value: ans.Value, Collected: &collected}.Corrected()
			case v.CanEdit && hasCollected: // not answered: the collected figure, as the Excel template does
				iv.Value = inputText(lang, ind, strconv.FormatFloat(collected, 'f', -1, 64))
			}
			iv.Display = valueText(lang, ind, ans.Value)
			iv.ShowExplanation = hasCollected || iv.Explanation != ""
			sv.Indicators = append(sv.Indicators, iv)
		}
		v.Sections = append(v.Sections, sv)
	}
	for i := len(visible) - 1; i >= 0; i-- {
		x := visible[i]
		if v.LastComment == nil && x.Comment != "" && (x.Action == workflow.ActionReturn || x.Action == workflow.ActionApprove) {
			v.LastComment = &commentView{Action: actionLabel(lang, x.Action), Actor: x.Actor, At: a.when(lang, x.At), Comment: x.Comment,
				Return: x.Action == workflow.ActionReturn && state == workflow.Returned}
		}
		v.Versions = append(v.Versions, a.versionRow(lang, k, x))
	}
	if len(v.Versions) > 0 {
		v.Versions[0].Current = true
	}
	return v, nil
}

func (a *App) versionRow(lang Lang, k workflow.Key, x workflow.Version) versionRow {
	return versionRow{N: x.N, URL: reportURL(k) + "/versions/" + strconv.Itoa(x.N), Action: actionLabel(lang, x.Action),
		Actor: x.Actor, At: a.when(lang, x.At), State: x.State.Label(string(lang)), Comment: x.Comment}
}

// problemsOf sorts problems into those of the definition's indicators
// (by id) and the others, each reason in lang.
func problemsOf(lang Lang, def *form.Definition, probs []form.Problem) (map[string][]string, []string) {
	by := map[string][]string{}
	var general []string
	for _, p := range probs {
		if _, ok := def.Indicator(p.Indicator); ok {
			by[p.Indicator] = append(by[p.Indicator], p.Reason(string(lang)))
			continue
		}
		reason := p.Reason(string(lang))
		if p.Indicator != "" {
			reason = p.Indicator + ": " + reason
		}
		general = append(general, reason)
	}
	return by, general
}

// actionLabel names what made a version.
func actionLabel(lang Lang, action string) string {
	return lang.T("report.action." + action)
}

// numberText writes a number for reading, with as many decimals as it
// has (at most 6).
func numberText(lang Lang, x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	decimals := 0
	if _, frac, ok := strings.Cut(s, "."); ok {
		decimals = min(len(frac), 6)
	}
	return lang.Number(x, decimals)
}

// valueText writes a saved answer for reading: numbers as the language
// writes them, yes/no as Có/Không.
func valueText(lang Lang, ind form.Indicator, stored string) string {
	switch {
	case stored == "":
		return ""
	case ind.Type == form.YesNo:
		return lang.T("report.answer." + stored)
	case ind.Numeric():
		f, err := strconv.ParseFloat(stored, 64)
		if err != nil {
			return stored
		}
		return numberText(lang, f)
	}
	return stored
}

// inputText writes a saved (canonical) value into an input so that
// sending it back reads the same value: a decimal comma in Vietnamese, no
// thousands separators, and a trailing zero where three decimals would
// read as thousands (1,234 → 1,2340).
func inputText(lang Lang, ind form.Indicator, stored string) string {
	if !ind.Numeric() || stored == "" {
		return stored
	}
	s := stored
	if lang != English {
		s = strings.Replace(s, ".", ",", 1)
	}
	for _, cand := range []string{s, s + "0"} {
		if v, p := ind.Canonical(cand); p == nil && v == stored {
			return cand
		}
	}
	return stored
}

// typedAnswers reads every indicator of def from a report's form.
func typedAnswers(c *fiber.Ctx, def *form.Definition) map[string]form.Raw {
	raw := map[string]form.Raw{}
	for _, ind := range def.Indicators() {
		raw[ind.ID] = form.Raw{Value: c.FormValue(valueField + ind.ID), Explanation: c.FormValue(explanationField + ind.ID)}
	}
	return raw
}

// reportPost acts on a report by the form's action: save (a draft) or
// submit, by the unit's reporters; return (with a comment saying what to
// fix) or approve, by analysts. Problems with the answers show the form
// again with every problem beside its indicator and what was typed; a
// report changed meanwhile is 409; success goes back to the report's page
// with a notice.
func (a *App) reportPost(c *fiber.Ctx) error {
	r, err := a.openReport(c)
	if err != nil {
		return err
	}
	lang, st, k, u, actor, ctx := r.lang, r.st, r.key, r.unit, r.actor, c.UserContext()
	action := c.FormValue("action")
	base, err := strconv.Atoi(c.FormValue("base"))
	if err != nil || base < 0 {
		return paramError("base", fmt.Errorf("%q: want the number of the version the form was opened at", c.FormValue("base")))
	}
	comment := strings.TrimSpace(c.FormValue("comment"))
	in := &reportInput{comment: comment}
	refuse := func(status int, why string) error {
		in.err = why
		v, err := a.buildReport(ctx, r, in)
		if err != nil {
			return reportError(lang, err)
		}
		c.Status(status)
		return a.renderReport(c, lang, v)
	}
	var def *form.Definition
	if action == workflow.ActionSave || action == workflow.ActionSubmit {
		// What was typed, read first so that every refusal shows it again.
		if !workflow.MayEdit(actor, k) {
			return fiber.NewError(fiber.StatusForbidden, lang.T("report.edit_forbidden"))
		}
		if def, err = st.Definition(ctx, k); err != nil {
			return reportError(lang, err)
		}
		in.raw = typedAnswers(c, def)
	}
	if utf8.RuneCountInString(comment) > form.MaxTextRunes {
		return refuse(fiber.StatusUnprocessableEntity, lang.T("report.comment_long", form.MaxTextRunes))
	}
	var notice string
	switch action {
	case workflow.ActionSave, workflow.ActionSubmit:
		collected, err := prefill.Collected(ctx, a.deps.Conn, a.reg, def, u, k.Quarter, a.today())
		if err != nil {
			return err
		}
		e := workflow.Edit{Base: base, Raw: in.raw, Collected: collected, Comment: comment}
		if action == workflow.ActionSave {
			_, err = st.Save(ctx, actor, k, e)
			notice = "saved"
		} else {
			_, err = st.Submit(ctx, actor, k, e)
			notice = "submitted"
		}
		var inv *workflow.InvalidError
		if errors.As(err, &inv) {
			in.problems = inv.Problems
			return refuse(fiber.StatusUnprocessableEntity, lang.T("report.invalid", len(inv.Problems)))
		}
		if err != nil {
			return a.reportRefused(c, r, err)
		}
	case workflow.ActionReturn, workflow.ActionApprove:
		if !workflow.MayReview(actor) {
			return fiber.NewError(fiber.StatusForbidden, lang.T("report.review_forbidden"))
		}
		if action == workflow.ActionReturn {
			_, err = st.Return(ctx, actor, k, base, comment)
			notice = "returned"
		} else {
			_, err = st.Approve(ctx, actor, k, base, comment)
			notice = "approved"
		}
		if errors.Is(err, workflow.ErrCommentNeeded) {
			return refuse(fiber.StatusUnprocessableEntity, lang.T("report.comment_needed"))
		}
		if err != nil {
			return a.reportRefused(c, r, err)
		}
	default:
		return paramError("action", fmt.Errorf("%q: want save, submit, return or approve", action))
	}
	return c.Redirect(reportURL(k)+"?notice="+notice, fiber.StatusSeeOther)
}

// reportRefused answers a refused action: a report changed meanwhile
// shows its page as it is now (409) with what happened; other refusals
// are their error pages.
func (a *App) reportRefused(c *fiber.Ctx, r reportRequest, err error) error {
	if !errors.Is(err, workflow.ErrConflict) {
		return reportError(r.lang, err)
	}
	v, berr := a.buildReport(c.UserContext(), r, nil)
	if berr != nil {
		return reportError(r.lang, berr)
	}
	v.Error = r.lang.T("report.conflict")
	c.Status(fiber.StatusConflict)
	return a.renderReport(c, r.lang, v)
}
