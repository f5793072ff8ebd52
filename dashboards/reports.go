package dashboards

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

// The quarterly reports' pages: the list of reports with the reporting
// rates (reports.go), one report's form and its review (reportform.go),
// one version and what changed (reportversion.go), its Excel template
// down and up, the leadership workbook and the reminders' outbox
// (reportfiles.go), and the official snapshots (snapshots.go).
// Every check of role and unit made here is made again by the workflow
// store, which refuses what a page should not have offered.

// reportStore is the report store, or the 404 of a server without
// reports.
func (a *App) reportStore(lang Lang) (*workflow.Store, error) {
	if a.deps.Reports == nil {
		return nil, fiber.NewError(fiber.StatusNotFound, lang.T("reports.disabled"))
	}
	return a.deps.Reports, nil
}

// reportActor is the signed-in user as the workflow sees them (the guard
// has looked the session up).
func (a *App) reportActor(c *fiber.Ctx) workflow.Actor {
	s, _, _ := a.session(c)
	return workflow.Actor{Login: s.User.Login, Role: s.User.Role, UnitID: s.User.UnitID, IP: c.IP()}
}

// reportRequest is a request about one report: the page's language, the
// store, the report, its unit and who asks.
type reportRequest struct {
	lang  Lang
	st    *workflow.Store
	key   workflow.Key
	unit  egovkpi.Unit
	actor workflow.Actor
}

// openReport reads the report of a path (:unit, an id such as p34-08,
// and :quarter, such as 2025Q3) and checks that the user may see it and
// that it can exist: 404 without reports, 400 for a malformed quarter,
// 404 for an unknown unit, 403 for another unit's reporter, 404 for a
// unit not in force at the quarter's end or a quarter not begun.
func (a *App) openReport(c *fiber.Ctx) (reportRequest, error) {
	r := reportRequest{lang: a.lang(c), actor: a.reportActor(c)}
	lang := r.lang
	var err error
	if r.st, err = a.reportStore(lang); err != nil {
		return r, err
	}
	q, err := workflow.ParseQuarter(c.Params("quarter"))
	if err != nil {
		return r, paramError("quarter", err)
	}
	id := strings.Clone(c.Params("unit"))
	u, ok := a.reg.ByID(id)
	if !ok {
		return r, fiber.NewError(fiber.StatusNotFound, lang.T("unit.unknown", id))
	}
	r.key, r.unit = workflow.Key{UnitID: u.ID, Quarter: q}, u
	if !workflow.MayView(r.actor, r.key) {
		return r, fiber.NewError(fiber.StatusForbidden, lang.T("report.forbidden"))
	}
	if !u.ValidOn(q.Last()) {
		return r, fiber.NewError(fiber.StatusNotFound, lang.T("report.not_in_force", u.Name(string(lang)), quarterLabel(lang, q), u.Validity()))
	}
	if q.First().After(a.today()) {
		return r, fiber.NewError(fiber.StatusNotFound, lang.T("report.not_begun", quarterLabel(lang, q)))
	}
	return r, nil
}

// periodParam is the request's ?period=, by default the last whole
// quarter; 400 when it does not read.
func (a *App) periodParam(c *fiber.Ctx) (metrics.Period, error) {
	s := c.Query("period")
	if s == "" {
		return a.defaultPeriod(), nil
	}
	p, err := metrics.ParsePeriod(s, a.today())
	if err != nil {
		return p, paramError("period", err)
	}
	return p, nil
}

// reportError turns a refusal of the workflow into its answer: 403 for a
// role or unit that may not act or a locked report, 409 for a report not
// in a state for the action, 404 for a report that cannot exist. Other
// errors pass through (a 500 page); a report changed meanwhile is the
// callers' to answer (reportRefused, reportUpload).
func reportError(lang Lang, err error) error {
	switch {
	case errors.Is(err, workflow.ErrForbidden):
		return fiber.NewError(fiber.StatusForbidden, lang.T("report.forbidden_action"))
	case errors.Is(err, workflow.ErrLocked):
		return fiber.NewError(fiber.StatusForbidden, lang.T("report.locked_refused"))
	case errors.Is(err, workflow.ErrState):
		return fiber.NewError(fiber.StatusConflict, lang.T("report.state_refused"))
	case errors.Is(err, workflow.ErrNoSuchReport):
		return fiber.NewError(fiber.StatusNotFound, lang.T("report.none"))
	}
	return err
}

// quarterLabel names a quarter for people: "Quý 3/2025", "Q3 2025".
func quarterLabel(lang Lang, q workflow.Quarter) string {
	return periodLabel(lang, metrics.QuarterOf(q.Year, q.Q))
}

// reportURL is the path of a report's page.
func reportURL(k workflow.Key) string { return "/reports/" + k.UnitID + "/" + k.Quarter.String() }

// when writes an instant in Vietnam time: 05/10/2025 14:30, or
// 2025-10-05 14:30 in English.
func (a *App) when(lang Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == English {
		return t.In(a.loc).Format("2006-01-02 15:04")
	}
	return t.In(a.loc).Format("02/01/2006 15:04")
}

// statusRow is one unit's report status on a page.
type statusRow struct {
	workflow.UnitStatus
	URL, Code, Name string
	StateLabel      string
	Updated, First  string
	Due             string
	// Timeliness says on time, late, missing or not yet due; its class
	// colours it.
	Timeliness, TimelinessClass string
}

// statusRow lays out a unit's status.
func (a *App) statusRow(lang Lang, st workflow.UnitStatus) statusRow {
	r := statusRow{UnitStatus: st, URL: reportURL(workflow.Key{UnitID: st.UnitID, Quarter: st.Quarter}), Code: st.UnitID, Name: st.UnitID,
		StateLabel: st.State.Label(string(lang)), Due: lang.FormatDate(st.Due)}
	if u, ok := a.reg.ByID(st.UnitID); ok {
		r.Code, r.Name = u.Code, u.Name(string(lang))
	}
	if st.UpdatedAt != nil {
		r.Updated = a.when(lang, *st.UpdatedAt)
	}
	if st.FirstSubmitted != nil {
		r.First = a.when(lang, *st.FirstSubmitted)
	}
	switch {
	case st.OnTime:
		r.Timeliness, r.TimelinessClass = lang.T("col.on_time"), "on-time"
	case st.Late:
		r.Timeliness, r.TimelinessClass = lang.T("col.late"), "late"
	case st.Missing:
		r.Timeliness, r.TimelinessClass = lang.T("report.missing"), "missing"
	default:
		r.Timeliness, r.TimelinessClass = lang.T("col.pending"), "pending"
	}
	return r
}

// rateRow is one block's reporting rate on a page.
type rateRow struct {
	workflow.Rate
	BlockName                   string
	SubmittedShare, OnTimeShare string
}

func rateRows(lang Lang, rates []workflow.Rate) []rateRow {
	out := make([]rateRow, len(rates))
	for i, r := range rates {
		out[i] = rateRow{Rate: r, BlockName: lang.T("block." + string(r.Block)),
			SubmittedShare: shareText(lang, r.SubmittedShare()), OnTimeShare: shareText(lang, r.OnTimeShare())}
	}
	return out
}

// shareText writes a share (0..1) or "–" for none.
func shareText(lang Lang, x *float64) string {
	if x == nil {
		return "–"
	}
	return lang.Share(*x)
}

// quarterStatuses are the statuses of every expected unit for one quarter.
type quarterStatuses struct {
	Quarter    workflow.Quarter
	Label, Due string
	Rows       []statusRow
}

// ownReport is a quarter of a reporter's own unit.
type ownReport struct {
	Label string
	Row   statusRow
}

// reportChoices are the periods the reports page offers: this quarter and
// the eight before it, this year and the two before.
func (a *App) reportChoices(lang Lang, current metrics.Period) []option {
	today := a.today()
	var ps []metrics.Period
	q, _ := metrics.Containing(metrics.Quarter, today)
	for range 9 {
		ps = append(ps, q)
		q = q.Previous()
	}
	y, _ := metrics.Containing(metrics.Year, today)
	for range 3 {
		ps = append(ps, y)
		y = y.Previous()
	}
	var out []option
	found := false
	for _, p := range ps {
		sel := p.String() == current.String()
		found = found || sel
		out = append(out, option{p.String(), periodLabel(lang, p), sel})
	}
	if !found {
		out = append([]option{{current.String(), periodLabel(lang, current), true}}, out...)
	}
	return out
}

// reportsPage lists the quarterly reports. Admins, analysts and leaders
// see the reporting rates of each block for the chosen period (a quarter,
// by default the last whole one, or a year) and the status of every
// expected unit; a reporter sees its own unit's reports only.
func (a *App) reportsPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	st, err := a.reportStore(lang)
	if err != nil {
		return err
	}
	actor := a.reportActor(c)
	data := map[string]any{"Lang": lang, "Title": lang.T("reports.title")}
	if actor.Role == auth.Reporter {
		own, err := a.ownReports(c.UserContext(), lang, st, actor.UnitID)
		if err != nil {
			return err
		}
		data["Own"], data["Reporter"] = own, true
		if u, ok := a.reg.ByID(actor.UnitID); ok {
			data["UnitName"] = u.Name(string(lang))
		}
		return a.render(c, "reports.html", data)
	}
	p, err := a.periodParam(c)
	if err != nil {
		return err
	}
	quarters := workflow.QuartersOf(p, a.today())
	ps := parts{a: a}
	var (
		statuses Part[[]quarterStatuses]
		all      []workflow.UnitStatus // every quarter's, for the rates
	)
	load(&ps, c.UserContext(), "report statuses", &statuses, func(ctx context.Context) ([]quarterStatuses, error) {
		var out []quarterStatuses
		for i := len(quarters) - 1; i >= 0; i-- { // the latest quarter first
			q := quarters[i]
			ss, err := st.Statuses(ctx, q, "")
			if err != nil {
				return nil, err
			}
			all = append(all, ss...)
			qs := quarterStatuses{Quarter: q, Label: quarterLabel(lang, q), Due: lang.FormatDate(st.Deadlines().Due(q))}
			for _, s := range ss {
				qs.Rows = append(qs.Rows, a.statusRow(lang, s))
			}
			out = append(out, qs)
		}
		return out, nil
	})
	ps.wait()
	// The rates count the statuses just read: they stand or fall with them.
	rates := Part[[]rateRow]{Err: statuses.Err, Reason: statuses.Reason}
	if !statuses.Failed() {
		rates.V = rateRows(lang, workflow.Tally(quarters, all))
	}
	data["Period"], data["PeriodLabel"], data["Periods"] = p, periodLabel(lang, p), a.reportChoices(lang, p)
	data["Rates"], data["Statuses"], data["Quarters"] = rates, statuses, len(quarters)
	return a.render(c, "reports.html", data)
}

// ownQuarters is how many quarters a reporter's list goes back.
const ownQuarters = 8

// ownReports are a reporter's unit's reports: the current quarter and the
// ownQuarters before it, those the unit was in force at the end of.
func (a *App) ownReports(ctx context.Context, lang Lang, st *workflow.Store, unitID string) ([]ownReport, error) {
	u, ok := a.reg.ByID(unitID)
	if !ok {
		return nil, fmt.Errorf("dashboards: the reporter's unit %q is unknown", unitID)
	}
	var out []ownReport
	q := workflow.QuarterOf(a.today())
	for range ownQuarters + 1 {
		if u.ValidOn(q.Last()) {
			k := workflow.Key{UnitID: u.ID, Quarter: q}
			vs, err := st.Versions(ctx, k)
			if err != nil {
				return nil, err
			}
			out = append(out, ownReport{Label: quarterLabel(lang, q), Row: a.statusRow(lang, st.StatusOf(k, vs))})
		}
		q = q.Prev()
	}
	return out, nil
}
