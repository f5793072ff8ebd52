package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// clock is a settable time for the store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	store *workflow.Store
	audit *auth.Store
	clock *clock
	def   *form.Definition
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := testdb.Migrated(t)
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	forms, err := form.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 10, 5, 3, 0, 0, 0, time.UTC)}
	audit := auth.New(db.Conn)
	st := workflow.New(db.Conn, reg, forms, audit, workflow.Options{Deadlines: workflow.Deadlines{Days: 15}, Now: c.now})
	def, err := forms.For(q3.First())
	if err != nil {
		t.Fatal(err)
	}
	return fixture{store: st, audit: audit, clock: c, def: def}
}

var (
	q3        = workflow.Quarter{Year: 2026, Q: 3}
	keyA      = workflow.Key{UnitID: "p34-08", Quarter: q3}
	keyB      = workflow.Key{UnitID: "p34-01", Quarter: q3}
	reporterA = workflow.Actor{Login: "rep-a", Role: auth.Reporter, UnitID: "p34-08", IP: "10.0.0.1"}
	reporterB = workflow.Actor{Login: "rep-b", Role: auth.Reporter, UnitID: "p34-01"}
	analyst   = workflow.Actor{Login: "ana", Role: auth.Analyst}
	leader    = workflow.Actor{Login: "boss", Role: auth.Leader}
	admin     = workflow.Actor{Login: "root", Role: auth.Admin}
)

// complete answers every indicator so that every rule holds.
func complete(def *form.Definition) map[string]form.Raw {
	raw := map[string]form.Raw{}
	for _, ind := range def.Indicators() {
		switch ind.Type {
		case form.YesNo:
			raw[ind.ID] = form.Raw{Value: "có"}
		case form.Text:
			raw[ind.ID] = form.Raw{Value: "Ghi chú: đã hoàn thành"}
		case form.Percent:
			raw[ind.ID] = form.Raw{Value: "87,5"}
		default:
			raw[ind.ID] = form.Raw{Value: "1"}
		}
	}
	raw["procedures_total"] = form.Raw{Value: "1850"}
	return raw
}

func TestWorkflowByRole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	raw := complete(f.def)

	// A reporter of another unit, a leader, an analyst and an admin may
	// not fill in unit A's report.
	for _, a := range []workflow.Actor{reporterB, leader, analyst, admin} {
		if _, err := f.store.Save(ctx, a, keyA, workflow.Edit{Raw: raw}); !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("%s (%s of %q) saving %s: got %v, want ErrForbidden", a.Login, a.Role, a.UnitID, keyA, err)
		}
		if _, err := f.store.Submit(ctx, a, keyA, workflow.Edit{Raw: raw}); !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("%s submitting %s: got %v, want ErrForbidden", a.Login, keyA, err)
		}
	}
	if workflow.MayView(reporterB, keyA) {
		t.Error("a reporter of p34-01 may view p34-08's report")
	}

	// Unit A's reporter saves a draft with a missing required value: saved,
	// with what is still to fix.
	partial := map[string]form.Raw{"dossiers_total": {Value: "1.234.567"}, "notes": {Value: "Chưa đủ số liệu"}}
	saved, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Raw: partial})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version.N != 1 || saved.Version.State != workflow.Draft || saved.Version.Answers["dossiers_total"].Value != "1234567" {
		t.Fatalf("first save: %+v", saved.Version)
	}
	if len(saved.ToFix) == 0 {
		t.Error("a draft missing required values reports nothing to fix")
	}
	// Others see no drafts.
	vs, err := f.store.Versions(ctx, keyA)
	if err != nil {
		t.Fatal(err)
	}
	if got := workflow.Visible(analyst, keyA, vs); len(got) != 0 {
		t.Errorf("an analyst sees %d draft versions", len(got))
	}
	if got := workflow.Visible(reporterB, keyA, vs); len(got) != 0 {
		t.Errorf("another unit's reporter sees %d versions", len(got))
	}
	if got := workflow.Visible(reporterA, keyA, vs); len(got) != 1 {
		t.Errorf("the unit's reporter sees %d versions, want 1", len(got))
	}

	// Submitting with a missing required value saves nothing.
	_, err = f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Base: 1, Raw: partial})
	var inv *workflow.InvalidError
	if !errors.As(err, &inv) || !hasProblem(inv.Problems, "computers_total", "missing") {
		t.Fatalf("submitting an incomplete report: %v", err)
	}
	// A value refused as typed is one problem, not also "missing".
	typo := complete(f.def)
	typo["it_staff"] = form.Raw{Value: "mười hai"}
	_, err = f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Base: 1, Raw: typo})
	if !errors.As(err, &inv) || len(inv.Problems) != 1 || !hasProblem(inv.Problems, "it_staff", "not a number") {
		t.Fatalf("submitting with one bad value: %v", err)
	}
	// A stale version number is a conflict.
	if _, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Base: 0, Raw: raw}); !errors.Is(err, workflow.ErrConflict) {
		t.Fatalf("submitting over version 0 when 1 exists: %v", err)
	}
	sub, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Base: 1, Raw: raw, Comment: "Gửi báo cáo quý 3"})
	if err != nil {
		t.Fatal(err)
	}
	if sub.N != 2 || sub.State != workflow.Submitted {
		t.Fatalf("submit: %+v", sub)
	}
	// With the reviewers: the reporter cannot change it.
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Base: 2, Raw: raw}); !errors.Is(err, workflow.ErrState) {
		t.Errorf("saving a submitted report: %v", err)
	}
	// Only analysts review; a return needs a comment.
	for _, a := range []workflow.Actor{reporterA, leader, admin} {
		if _, err := f.store.Approve(ctx, a, keyA, 2, ""); !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("%s (%s) approving: %v", a.Login, a.Role, err)
		}
		if _, err := f.store.Return(ctx, a, keyA, 2, "sửa"); !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("%s (%s) returning: %v", a.Login, a.Role, err)
		}
	}
	if _, err := f.store.Return(ctx, analyst, keyA, 2, "  "); !errors.Is(err, workflow.ErrCommentNeeded) {
		t.Error("a return without a comment was accepted")
	}
	ret, err := f.store.Return(ctx, analyst, keyA, 2, "Mục 4.6: số hồ sơ chưa khớp với Cổng DVC")
	if err != nil {
		t.Fatal(err)
	}
	if ret.State != workflow.Returned || ret.Answers["procedures_total"].Value != "1850" {
		t.Fatalf("return: %+v", ret)
	}
	// The reporter answers the return: saves (still returned), resubmits.
	raw["dossiers_total"] = form.Raw{Value: "2000"}
	raw["dossiers_online"] = form.Raw{Value: "1200"}
	fix, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Base: 3, Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	if fix.Version.State != workflow.Returned {
		t.Errorf("saving a returned report made it %s", fix.Version.State)
	}
	re, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Base: 4, Raw: raw})
	if err != nil {
		t.Fatal(err)
	}
	if re.State != workflow.Resubmitted {
		t.Fatalf("resubmit: %s", re.State)
	}
	app, err := f.store.Approve(ctx, analyst, keyA, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	if app.State != workflow.Approved || app.N != 6 {
		t.Fatalf("approve: %+v", app)
	}
	// Approved is locked, for everyone.
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Base: 6, Raw: raw}); !errors.Is(err, workflow.ErrLocked) {
		t.Errorf("saving an approved report: %v", err)
	}
	if _, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Base: 6, Raw: raw}); !errors.Is(err, workflow.ErrLocked) {
		t.Errorf("submitting an approved report: %v", err)
	}
	if _, err := f.store.Return(ctx, analyst, keyA, 6, "sửa lại"); !errors.Is(err, workflow.ErrLocked) {
		t.Errorf("returning an approved report: %v", err)
	}

	// Every version is kept: who, when, what.
	vs, err = f.store.Versions(ctx, keyA)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action, actor string
		state         workflow.State
	}{
		{"save", "rep-a", workflow.Draft}, {"submit", "rep-a", workflow.Submitted}, {"return", "ana", workflow.Returned},
		{"save", "rep-a", workflow.Returned}, {"submit", "rep-a", workflow.Resubmitted}, {"approve", "ana", workflow.Approved},
	}
	if len(vs) != len(want) {
		t.Fatalf("%d versions kept, want %d", len(vs), len(want))
	}
	for i, w := range want {
		v := vs[i]
		if v.N != i+1 || v.Action != w.action || v.Actor != w.actor || v.State != w.state || v.At.IsZero() || v.Form != f.def.Version {
			t.Errorf("version %d: %d %s by %s → %s at %v (form %s), want %s by %s → %s", i+1, v.N, v.Action, v.Actor, v.State, v.At, v.Form, w.action, w.actor, w.state)
		}
	}
	if vs[0].Answers["dossiers_total"].Value != "1234567" || vs[5].Answers["dossiers_total"].Value != "2000" {
		t.Error("old versions' answers were not kept as they were")
	}
	changed := f.def.Diff(vs[2].Answers, vs[3].Answers)
	if len(changed) != 2 || changed[0].Indicator != "dossiers_total" || changed[1].Indicator != "dossiers_online" {
		t.Errorf("changes from version 3 to 4: %+v", changed)
	}
	// Staff see what reached them: the submissions, the return, the approval.
	if got := workflow.Visible(leader, keyA, vs); len(got) != 4 {
		t.Errorf("a leader sees %d versions, want 4 (submit, return, submit, approve)", len(got))
	}
	// Every change is in the audit log.
	log, err := f.audit.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var reportLines int
	for _, e := range log {
		if e.Target == keyA.String() && strings.HasPrefix(e.Action, "report-") {
			reportLines++
		}
	}
	if reportLines != 6 {
		t.Errorf("%d audit lines for %s, want 6: %+v", reportLines, keyA, log)
	}
}

func hasProblem(ps []form.Problem, id, reason string) bool {
	for _, p := range ps {
		if p.Indicator == id && strings.Contains(p.ReasonEN, reason) {
			return true
		}
	}
	return false
}

func TestSaveKeepsTheValidPartOnlyWhenAsked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Raw: map[string]form.Raw{"it_staff": {Value: "12"}, "dossiers_total": {Value: "500"}}}); err != nil {
		t.Fatal(err)
	}
	bad := map[string]form.Raw{"it_staff": {Value: "mười hai"}, "dossiers_total": {Value: "600"}, "dossiers_online": {Value: "12,5"}}
	_, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Base: 1, Raw: bad})
	var inv *workflow.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Fatalf("saving answers with two bad values: %v", err)
	}
	if r, _ := f.store.Report(ctx, keyA); r.Latest.N != 1 {
		t.Fatalf("an invalid save wrote version %d", r.Latest.N)
	}
	saved, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Base: 1, Raw: bad, KeepValid: true})
	if err != nil {
		t.Fatal(err)
	}
	a := saved.Version.Answers
	if a["dossiers_total"].Value != "600" || a["it_staff"].Value != "12" || a["dossiers_online"].Value != "" || len(saved.Dropped) != 2 {
		t.Errorf("valid part: %+v, dropped %v", a, saved.Dropped)
	}
	// An upload's refused cells (not in Raw at all) keep their saved
	// answers too.
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Base: 2, Raw: map[string]form.Raw{"dossiers_total": {Value: "700"}}, Keep: []string{"it_staff"}}); err == nil {
		t.Error("answers to keep were taken without KeepValid")
	}
	saved, err = f.store.Save(ctx, reporterA, keyA, workflow.Edit{Base: 2, Raw: map[string]form.Raw{"dossiers_total": {Value: "700"}}, Keep: []string{"it_staff"}, KeepValid: true})
	if err != nil {
		t.Fatal(err)
	}
	if a := saved.Version.Answers; a["dossiers_total"].Value != "700" || a["it_staff"].Value != "12" {
		t.Errorf("kept: %+v", a)
	}
}

func TestCorrectionNeedsAnExplanation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	raw := complete(f.def)
	collected := map[string]float64{"dossiers_total": 1, "dossiers_online": 3}
	_, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Raw: raw, Collected: collected})
	var inv *workflow.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 1 || !hasProblem(inv.Problems, "dossiers_online", "differs from the collected figure (3)") {
		t.Fatalf("a corrected figure without explanation: %v", err)
	}
	raw["dossiers_online"] = form.Raw{Value: "1", Explanation: "Cổng DVC tính trùng 2 hồ sơ"}
	v, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Raw: raw, Collected: collected})
	if err != nil {
		t.Fatal(err)
	}
	got := v.Answers["dossiers_online"]
	if !got.Corrected() || *got.Collected != 3 || got.Explanation == "" {
		t.Errorf("the correction is not kept beside the collected figure: %+v", got)
	}
}

func TestStatusesAndRates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	raw := complete(f.def)
	// p34-08 submits on time (5 October), p34-01 late (16 October, after
	// the 15th), m-MOF saves a draft only.
	if _, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Raw: raw}); err != nil {
		t.Fatal(err)
	}
	f.clock.t = time.Date(2026, 10, 15, 17, 30, 0, 0, time.UTC) // 00:30 on the 16th in Vietnam
	if _, err := f.store.Submit(ctx, reporterB, keyB, workflow.Edit{Raw: raw}); err != nil {
		t.Fatal(err)
	}
	mof := workflow.Actor{Login: "rep-mof", Role: auth.Reporter, UnitID: "m-MOF"}
	if _, err := f.store.Save(ctx, mof, workflow.Key{UnitID: "m-MOF", Quarter: q3}, workflow.Edit{Raw: raw}); err != nil {
		t.Fatal(err)
	}
	ss, err := f.store.Statuses(ctx, q3, egovkpi.BlockProvince)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 34 {
		t.Fatalf("%d provinces expected for 2026Q3, want 34", len(ss))
	}
	by := map[string]workflow.UnitStatus{}
	for _, s := range ss {
		by[s.UnitID] = s
	}
	if s := by["p34-08"]; !s.OnTime || s.State != workflow.Submitted {
		t.Errorf("p34-08: %+v", s)
	}
	if s := by["p34-01"]; !s.Late || s.OnTime {
		t.Errorf("p34-01 submitted at 00:30 on the 16th (Vietnam) is not late: %+v", s)
	}
	if s := by["p34-04"]; !s.Missing || s.State != workflow.NotStarted {
		t.Errorf("p34-04: %+v", s)
	}
	rates, err := f.store.Rates(ctx, []workflow.Quarter{q3})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rates {
		switch r.Block {
		case egovkpi.BlockProvince:
			if r.Expected != 34 || r.Submitted != 2 || r.OnTime != 1 || r.Late != 1 || r.Missing != 32 || r.Pending != 0 {
				t.Errorf("province rates: %+v", r)
			}
		case egovkpi.BlockMinistry:
			if r.Submitted != 0 || r.Missing != r.Expected || r.Expected == 0 {
				t.Errorf("ministry rates: %+v", r)
			}
		}
	}
	// Before the deadline the unsubmitted are pending, not missing.
	f.clock.t = time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)
	ss, err = f.store.Statuses(ctx, q3, egovkpi.BlockMinistry)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if !s.Pending || s.Missing {
			t.Errorf("%s before the deadline: %+v", s.UnitID, s)
		}
		if s.UnitID == "m-MOF" && (s.State != workflow.Draft || s.Version != 1) {
			t.Errorf("m-MOF: %+v", s)
		}
	}
}

func TestNoReportForAFutureQuarterOrAnEndedUnit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	future := workflow.Key{UnitID: "p34-08", Quarter: workflow.Quarter{Year: 2027, Q: 1}}
	if _, err := f.store.Save(ctx, reporterA, future, workflow.Edit{}); !errors.Is(err, workflow.ErrNoSuchReport) {
		t.Errorf("a quarter not begun: %v", err)
	}
	old := workflow.Actor{Login: "old", Role: auth.Reporter, UnitID: "p63-08"}
	if _, err := f.store.Save(ctx, old, workflow.Key{UnitID: "p63-08", Quarter: q3}, workflow.Edit{}); !errors.Is(err, workflow.ErrNoSuchReport) {
		t.Errorf("a unit merged away before the quarter's end: %v", err)
	}
}

func TestAQuarterBeginsAtMidnightInVietnam(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// 23:00 on 30 June in Vietnam: 2026Q3 has not begun.
	f.clock.t = time.Date(2026, 6, 30, 23, 0, 0, 0, egovkpi.Vietnam)
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{}); !errors.Is(err, workflow.ErrNoSuchReport) {
		t.Errorf("saving 2026Q3 on 30 June: %v", err)
	}
	// 03:00 on 1 July in Vietnam (still 30 June in UTC): it has.
	f.clock.t = time.Date(2026, 7, 1, 3, 0, 0, 0, egovkpi.Vietnam)
	if _, err := f.store.Unit(keyA); err != nil {
		t.Errorf("2026Q3 at 03:00 on 1 July, Vietnam time: %v", err)
	}
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{}); err != nil {
		t.Errorf("saving 2026Q3 at 03:00 on 1 July, Vietnam time: %v", err)
	}
}

func TestAWriteShowsAtOnceInStatuses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	state := func() workflow.UnitStatus {
		t.Helper()
		ss, err := f.store.Statuses(ctx, q3, egovkpi.BlockProvince)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			if s.UnitID == keyA.UnitID {
				return s
			}
		}
		t.Fatalf("%s not in the statuses", keyA.UnitID)
		return workflow.UnitStatus{}
	}
	if s := state(); s.State != workflow.NotStarted {
		t.Fatalf("before any save: %+v", s)
	}
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Raw: map[string]form.Raw{"it_staff": {Value: "12"}}}); err != nil {
		t.Fatal(err)
	}
	if s := state(); s.State != workflow.Draft || s.Version != 1 {
		t.Errorf("just after a save: %+v", s)
	}
	if _, err := f.store.Submit(ctx, reporterA, keyA, workflow.Edit{Base: 1, Raw: complete(f.def)}); err != nil {
		t.Fatal(err)
	}
	s := state()
	if s.State != workflow.Submitted || s.Version != 2 || !s.OnTime {
		t.Errorf("just after a submission: %+v", s)
	}
	// The same status from the versions already read.
	vs, err := f.store.Versions(ctx, keyA)
	if err != nil {
		t.Fatal(err)
	}
	one := f.store.StatusOf(keyA, vs)
	if one.Block != s.Block || one.State != s.State || one.Version != s.Version || !one.Due.Equal(s.Due) ||
		one.OnTime != s.OnTime || one.Late || one.Missing || one.Pending ||
		one.UpdatedAt == nil || !one.UpdatedAt.Equal(*s.UpdatedAt) || one.FirstSubmitted == nil || !one.FirstSubmitted.Equal(*s.FirstSubmitted) {
		t.Errorf("StatusOf = %+v, Statuses gave %+v", one, s)
	}
	// The deadline passes: statuses read again at once (from the cache)
	// turn the unsubmitted from pending to missing.
	pendingB := func() bool {
		ss, err := f.store.Statuses(ctx, q3, egovkpi.BlockProvince)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			if s.UnitID == keyB.UnitID {
				return s.Pending && !s.Missing
			}
		}
		return false
	}
	if !pendingB() {
		t.Errorf("%s is not pending before the deadline", keyB)
	}
	f.clock.t = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	if pendingB() {
		t.Errorf("%s is still pending after the deadline", keyB)
	}
	if s := f.store.StatusOf(keyB, nil); !s.Missing || s.State != workflow.NotStarted || s.Version != 0 || s.UpdatedAt != nil || s.Block != egovkpi.BlockProvince {
		t.Errorf("an unstarted report after the deadline: %+v", s)
	}
	def, err := f.store.DefinitionOf(keyA, vs)
	if err != nil || def.Version != f.def.Version {
		t.Errorf("DefinitionOf: %v, %v", def, err)
	}
}

func TestSaveLeavesTheCallersKeepAlone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	keep := make([]string, 1, 4)
	keep[0] = "it_staff"
	bad := map[string]form.Raw{"dossiers_total": {Value: "mười"}}
	if _, err := f.store.Save(ctx, reporterA, keyA, workflow.Edit{Raw: bad, Keep: keep, KeepValid: true}); err != nil {
		t.Fatal(err)
	}
	if full := keep[:cap(keep)]; full[1] != "" {
		t.Errorf("Save wrote into the caller's Keep: %q", full)
	}
}
