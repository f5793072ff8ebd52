package dashboards

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"egovkpi/internal/auth"
	"egovkpi/reports/form"
	"egovkpi/reports/prefill"
	"egovkpi/reports/remind"
	"egovkpi/reports/workbook"
	"egovkpi/reports/workflow"
	"egovkpi/reports/xlsxform"
)

// mayTemplate says whether actor may download k's Excel template: the
// unit's reporters, admins and analysts.
func mayTemplate(actor workflow.Actor, k workflow.Key) bool {
	return workflow.MayEdit(actor, k) || actor.Role == auth.Admin || actor.Role == auth.Analyst
}

// reportTemplate sends a report's Excel template, pre-filled with the
// answers the user may see (a draft for its own unit's reporters, what
// reached the reviewers for the others) and the collected figures (see
// prefill.Live and prefill.Attach).
func (a *App) reportTemplate(c *fiber.Ctx) error {
	r, err := a.openReport(c)
	if err != nil {
		return err
	}
	lang, st, k, u, actor, ctx := r.lang, r.st, r.key, r.unit, r.actor, c.UserContext()
	if !mayTemplate(actor, k) {
		return fiber.NewError(fiber.StatusForbidden, lang.T("report.template_forbidden"))
	}
	vs, err := st.Versions(ctx, k)
	if err != nil {
		return err
	}
	def, err := st.DefinitionOf(k, vs)
	if err != nil {
		return reportError(lang, err)
	}
	var saved form.Answers
	if visible := workflow.Visible(actor, k, vs); len(visible) > 0 {
		saved = visible[len(visible)-1].Answers
	}
	collected, err := prefill.Collected(ctx, a.deps.Conn, a.reg, def, u, k.Quarter, a.today())
	if err != nil {
		return err
	}
	answers := prefill.ForState(st.StatusOf(k, vs).State, saved, collected)
	var buf bytes.Buffer
	if err := xlsxform.WriteTemplate(&buf, def, u, k.Quarter, answers); err != nil {
		return err
	}
	c.Attachment(fmt.Sprintf("egovkpi-bao-cao-quy-%s-%s.xlsx", k.UnitID, k.Quarter))
	return c.Send(buf.Bytes())
}

// uploadProblem is one problem of an uploaded template, for the page.
type uploadProblem struct {
	Sheet, Cell, Code, Indicator, Reason string
}

// reportUpload takes a unit's filled-in Excel template (its own unit's
// reporters only). A file with problems is shown with every problem
// (sheet, cell, indicator, reason) and nothing is saved, with a button to
// save its valid part as a draft (the same file sent again with
// keep_valid=1); a file without problems is saved as a draft.
func (a *App) reportUpload(c *fiber.Ctx) error {
	r, err := a.openReport(c)
	if err != nil {
		return err
	}
	lang, st, k, u, actor, ctx := r.lang, r.st, r.key, r.unit, r.actor, c.UserContext()
	if !workflow.MayEdit(actor, k) {
		return fiber.NewError(fiber.StatusForbidden, lang.T("report.edit_forbidden"))
	}
	page := map[string]any{"Lang": lang, "Title": lang.T("report.upload_title"), "UnitName": u.Name(string(lang)),
		"QuarterLabel": quarterLabel(lang, k.Quarter), "URL": reportURL(k)}
	refuse := func(status int, why string) error {
		page["Error"] = why
		c.Status(status)
		return a.render(c, "report_upload.html", page)
	}
	// fasthttp has read the body (up to the server's BodyLimit) before
	// this runs: a body over twice the limit (room for a file sent back
	// base64-encoded) is refused before its form is parsed, then the
	// file's own size is checked.
	limit := int64(xlsxform.MaxFileBytes)
	if n := c.Request().Header.ContentLength(); int64(n) > 2*limit {
		return refuse(fiber.StatusRequestEntityTooLarge, lang.T("report.upload_large", limit>>20))
	}
	data, name, err := uploadedFile(c, limit)
	var big *tooLargeError
	switch {
	case errors.As(err, &big):
		return refuse(fiber.StatusRequestEntityTooLarge, lang.T("report.upload_large", limit>>20))
	case errors.Is(err, errNoFile):
		return refuse(fiber.StatusBadRequest, lang.T("upload.no_file"))
	case err != nil:
		return err
	}
	base, err := strconv.Atoi(c.FormValue("base"))
	if err != nil || base < 0 {
		return paramError("base", fmt.Errorf("%q: want the number of the version the form was opened at", c.FormValue("base")))
	}
	def, err := st.Definition(ctx, k)
	if err != nil {
		return reportError(lang, err)
	}
	collected, err := prefill.Collected(ctx, a.deps.Conn, a.reg, def, u, k.Quarter, a.today())
	if err != nil {
		return err
	}
	up, err := xlsxform.Read(bytes.NewReader(data), int64(len(data)), xlsxform.Expect{Def: def, UnitID: k.UnitID, Quarter: k.Quarter, Collected: collected})
	var fe *xlsxform.FileError
	if errors.As(err, &fe) {
		where := fe.Sheet
		if fe.Cell != "" {
			where += "!" + fe.Cell
		}
		msg := lang.T("report.upload_refused", name, fe.Reason(string(lang)))
		if where != "" {
			msg += " (" + where + ")"
		}
		return refuse(fiber.StatusUnprocessableEntity, msg)
	}
	if err != nil {
		return err
	}
	keepValid := c.FormValue("keep_valid") == "1"
	if len(up.Problems) > 0 && !keepValid {
		page["Problems"], page["File"], page["Base"] = a.uploadProblems(lang, def, up.Problems), name, base
		page["Data"] = base64.StdEncoding.EncodeToString(data)
		return refuse(fiber.StatusUnprocessableEntity, lang.T("report.upload_problems", name, len(up.Problems)))
	}
	edit := workflow.Edit{Base: base, Raw: up.Raw, Collected: collected, Upload: true}
	if keepValid {
		// The refused cells' indicators keep their saved answers.
		edit.KeepValid, edit.Keep = true, up.Refused
	}
	_, err = st.Save(ctx, actor, k, edit)
	var inv *workflow.InvalidError
	if errors.As(err, &inv) {
		page["Problems"] = a.uploadProblems(lang, def, up.Place(inv.Problems))
		return refuse(fiber.StatusUnprocessableEntity, lang.T("report.upload_problems", name, len(inv.Problems)))
	}
	if errors.Is(err, workflow.ErrConflict) {
		return refuse(fiber.StatusConflict, lang.T("report.changed"))
	}
	if err != nil {
		return reportError(lang, err)
	}
	return c.Redirect(reportURL(k)+"?notice=uploaded", fiber.StatusSeeOther)
}

// uploadedFile is the request's file: the multipart part "file" (see
// readFormFile), or the same file sent back base64-encoded in "data"
// (with its "name") to save its valid part.
func uploadedFile(c *fiber.Ctx, limit int64) (data []byte, name string, err error) {
	enc := c.FormValue("data")
	if enc == "" {
		return readFormFile(c, limit)
	}
	if int64(len(enc)) > int64(base64.StdEncoding.EncodedLen(int(limit))) {
		return nil, "", &tooLargeError{int64(base64.StdEncoding.DecodedLen(len(enc)))}
	}
	if data, err = base64.StdEncoding.DecodeString(enc); err != nil {
		return nil, "", paramError("data", fmt.Errorf("the file sent back is not base64: %w", err))
	}
	return data, safeFileName(c.FormValue("name")), nil
}

// uploadProblems lays out an upload's problems, each with its indicator's
// name.
func (a *App) uploadProblems(lang Lang, def *form.Definition, probs []xlsxform.CellProblem) []uploadProblem {
	out := make([]uploadProblem, len(probs))
	for i, p := range probs {
		out[i] = uploadProblem{Sheet: p.Sheet, Cell: p.Cell, Code: p.Code, Indicator: p.Indicator, Reason: p.Reason(string(lang))}
		if ind, ok := def.Indicator(p.Indicator); ok {
			out[i].Indicator = ind.Name(string(lang))
		}
	}
	return out
}

// reportsWorkbook sends the leadership workbook of a period (?period=,
// by default the last whole quarter): figures, league tables, trends, the
// reports' submission status and the methodology.
func (a *App) reportsWorkbook(c *fiber.Ctx) error {
	st, err := a.reportStore(a.lang(c))
	if err != nil {
		return err
	}
	p, err := a.periodParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	status, rates, err := workbook.ReadSubmissions(ctx, st, p, a.today())
	if err != nil {
		return err
	}
	s, _, _ := a.session(c)
	var buf bytes.Buffer
	in := workbook.Input{Period: p, Settings: *a.deps.Figures, Status: status, Rates: rates, Today: a.today(),
		GeneratedAt: a.deps.Now(), GeneratedBy: s.User.Login}
	if err := workbook.Write(ctx, &buf, a.deps.Conn, a.reg, in); err != nil {
		return err
	}
	c.Attachment(workbook.FileName(p))
	return c.Send(buf.Bytes())
}

// outboxLimit is how many reminders the outbox page lists.
const outboxLimit = 300

// outboxRow is one reminder on the outbox page.
type outboxRow struct {
	remind.Message
	Name, Quarter, Created, Sent, Due, StatusLabel, KindLabel string
}

// reminderKind says a reminder's kind ("before-7", "after-1") in words.
func reminderKind(lang Lang, kind string) string {
	when, days, ok := strings.Cut(kind, "-")
	n, err := strconv.Atoi(days)
	if !ok || err != nil || (when != "before" && when != "after") {
		return kind
	}
	if n == 0 {
		return lang.T("outbox.kind.due")
	}
	return lang.T("outbox.kind."+when, n)
}

// outboxPage lists the reminders' outbox, newest first: each message
// with its unit, quarter, recipients and whether it was sent, is waiting,
// or failed and why.
func (a *App) outboxPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	if _, err := a.reportStore(lang); err != nil {
		return err
	}
	f := remind.Filter{UnitID: c.Query("unit"), Unsent: c.Query("unsent") == "1", Limit: outboxLimit}
	if s := c.Query("quarter"); s != "" {
		q, err := workflow.ParseQuarter(s)
		if err != nil {
			return paramError("quarter", err)
		}
		f.Quarter = q
	}
	ms, err := remind.Outbox(c.UserContext(), a.deps.Conn, f)
	if err != nil {
		return err
	}
	rows := make([]outboxRow, len(ms))
	for i, m := range ms {
		r := outboxRow{Message: m, Name: a.unitName(lang, m.UnitID), Quarter: quarterLabel(lang, m.Quarter), Created: a.when(lang, m.CreatedAt),
			Due: lang.FormatDate(m.Due), StatusLabel: lang.T("outbox.status." + string(m.Status)), KindLabel: reminderKind(lang, m.Kind)}
		if m.SentAt != nil {
			r.Sent = a.when(lang, *m.SentAt)
		}
		rows[i] = r
	}
	return a.render(c, "outbox.html", map[string]any{"Lang": lang, "Title": lang.T("outbox.title"), "Messages": rows, "F": f,
		"Quarter": c.Query("quarter"), "Limit": outboxLimit})
}
