package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/refdata"
	"egovkpi/reports/form"
)

// Actor is who acts on a report: an account (or "cli:<user>" for
// commands) with its role and unit, and where from.
type Actor struct {
	Login  string
	Role   auth.Role
	UnitID string // a reporter's unit
	IP     string
}

// Store reads and writes reports. Writes are checked here, on the server,
// whoever calls: the actor's role and unit, the report's state, the version
// the actor edited, and the answers against the report's definition.
type Store struct {
	conn      driver.Conn
	reg       *refdata.Registry
	forms     *form.Set
	audit     *auth.Store
	deadlines Deadlines
	now       func() time.Time
	// mu makes a write's read-check-append atomic within this process. Two
	// processes writing the same report within the same moment (cluster
	// mode) could both append the same version number; the versions view
	// would show both.
	mu sync.Mutex
	// cacheMu guards cache and generation: each quarter's stored figures
	// for Statuses, dropped on every write (generation counts the writes).
	cacheMu    sync.Mutex
	cache      map[Quarter]cached
	generation uint64
}

// Options configure a Store.
type Options struct {
	Deadlines Deadlines
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// New makes a Store over conn; every change is written to audit too.
func New(conn driver.Conn, reg *refdata.Registry, forms *form.Set, audit *auth.Store, o Options) *Store {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Store{conn: conn, reg: reg, forms: forms, audit: audit, deadlines: o.Deadlines, now: now}
}

// Deadlines are the store's deadlines.
func (s *Store) Deadlines() Deadlines { return s.deadlines }

// Forms is the report definitions the store checks answers with.
func (s *Store) Forms() *form.Set { return s.forms }

// Errors of a write. Each comes wrapped with what was refused and why.
var (
	// ErrForbidden: the actor's role or unit may not do this.
	ErrForbidden = errors.New("not allowed")
	// ErrLocked: the report is approved and can no longer change.
	ErrLocked = errors.New("the report is approved and locked")
	// ErrConflict: the report changed since the actor opened it.
	ErrConflict = errors.New("the report changed since it was opened")
	// ErrState: the action does not apply in the report's state.
	ErrState = errors.New("not possible in the report's state")
	// ErrCommentNeeded: a return must say what to fix.
	ErrCommentNeeded = errors.New("a comment saying what to fix is needed")
	// ErrNoSuchReport: the unit or quarter cannot have a report.
	ErrNoSuchReport = errors.New("no such report")
)

// InvalidError lists what is wrong with the answers; nothing was saved.
type InvalidError struct {
	Problems []form.Problem
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the answers, nothing saved", len(e.Problems))
	for i, p := range e.Problems {
		if i == 5 {
			fmt.Fprintf(&b, "; …")
			break
		}
		b.WriteString("; ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Definition is the report definition key k follows: the version its
// first save used, or the one in force for its quarter.
func (s *Store) Definition(ctx context.Context, k Key) (*form.Definition, error) {
	r, err := s.Report(ctx, k)
	if err != nil {
		return nil, err
	}
	return s.definitionOf(k, r)
}

// DefinitionOf is Definition from k's versions already read (see
// Versions).
func (s *Store) DefinitionOf(k Key, vs []Version) (*form.Definition, error) {
	return s.definitionOf(k, summarise(k, vs))
}

func (s *Store) definitionOf(k Key, r Report) (*form.Definition, error) {
	if r.Latest.N > 0 {
		return s.forms.Version(r.Latest.Form)
	}
	return s.forms.For(k.Quarter.First())
}

// Unit checks that k can have a report (a unit in force at its quarter's
// end, a quarter that has begun) and returns the unit.
func (s *Store) Unit(k Key) (egovkpi.Unit, error) {
	u, ok := s.reg.ByID(k.UnitID)
	if !ok {
		return u, fmt.Errorf("%w: unit %q is unknown", ErrNoSuchReport, k.UnitID)
	}
	if !u.ValidOn(k.Quarter.Last()) {
		return u, fmt.Errorf("%w: %s (%s) is not in force at the end of %s (%s)", ErrNoSuchReport, u.ID, u.NameVI, k.Quarter, u.Validity())
	}
	// The quarter begins on its first calendar day in Vietnam.
	if egovkpi.VietnamDay(s.now()).Before(k.Quarter.First()) {
		return u, fmt.Errorf("%w: %s has not begun", ErrNoSuchReport, k.Quarter)
	}
	return u, nil
}

const versionColumns = "unit_id, quarter, n, state, form, answers, action, comment, actor, at"

// Versions lists every version of k, oldest first, as stored (callers show
// them through Visible).
func (s *Store) Versions(ctx context.Context, k Key) ([]Version, error) {
	rows, err := s.conn.Query(ctx, "SELECT "+versionColumns+" FROM report_versions WHERE unit_id = ? AND quarter = ? ORDER BY n", k.UnitID, k.Quarter.String())
	if err != nil {
		return nil, fmt.Errorf("report %s: read versions: %w", k, err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var quarter, state, answers string
		var n uint32
		if err := rows.Scan(&v.UnitID, &quarter, &n, &state, &v.Form, &answers, &v.Action, &v.Comment, &v.Actor, &v.At); err != nil {
			return nil, fmt.Errorf("report %s: read versions: %w", k, err)
		}
		v.Quarter = k.Quarter
		v.N, v.State = int(n), State(state)
		if err := json.Unmarshal([]byte(answers), &v.Answers); err != nil {
			return nil, fmt.Errorf("report %s version %d: answers: %w", k, n, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Report is k's latest version and when it first reached the reviewers
// (State NotStarted and N 0 when nothing is saved).
func (s *Store) Report(ctx context.Context, k Key) (Report, error) {
	vs, err := s.Versions(ctx, k)
	if err != nil {
		return Report{}, err
	}
	return summarise(k, vs), nil
}

func summarise(k Key, vs []Version) Report {
	r := Report{Latest: Version{Key: k, State: NotStarted}}
	for _, v := range vs {
		if v.Action == ActionSubmit && r.FirstSubmitted == nil {
			at := v.At
			r.FirstSubmitted = &at
		}
		r.Latest = v
	}
	return r
}

// MayView says whether a may see k's report at all: reporters their own
// unit only; admins, analysts and leaders every unit.
func MayView(a Actor, k Key) bool {
	if a.Role == auth.Reporter {
		return a.UnitID != "" && a.UnitID == k.UnitID
	}
	return a.Role == auth.Admin || a.Role == auth.Analyst || a.Role == auth.Leader
}

// MayReview says whether a reviews reports (returns and approves them).
func MayReview(a Actor) bool { return a.Role == auth.Analyst }

// MayEdit says whether a fills in k's report: its own unit's reporters.
func MayEdit(a Actor, k Key) bool {
	return a.Role == auth.Reporter && a.UnitID != "" && a.UnitID == k.UnitID
}

// Visible is what a sees of k's versions: everything for the unit's own
// reporters; for anyone else only what reached the reviewers (the
// versions made by a submission, a return or an approval), so a unit's
// drafts stay its own.
func Visible(a Actor, k Key, vs []Version) []Version {
	if !MayView(a, k) {
		return nil
	}
	if MayEdit(a, k) {
		return vs
	}
	var out []Version
	for _, v := range vs {
		if v.Action == ActionSubmit || v.Action == ActionReturn || v.Action == ActionApprove {
			out = append(out, v)
		}
	}
	return out
}

// Edit is a reporter's save or submission.
type Edit struct {
	// Base is the version number the reporter edited (0: a new report).
	Base int
	// Raw is every indicator as typed; the answers replace the saved ones
	// wholly (an indicator left out is cleared), except that an indicator
	// with a problem keeps its saved answer when KeepValid is set.
	Raw map[string]form.Raw
	// Collected are the collected figures by indicator (see
	// reports/prefill), stored beside each answer.
	Collected map[string]float64
	// KeepValid saves the valid part of answers that have problems (a
	// draft only); without it nothing is saved when anything is wrong.
	KeepValid bool
	// Keep are indicators whose saved answers stay as they are, whatever
	// Raw holds: an upload's refused cells, when its valid part is saved
	// (KeepValid).
	Keep []string
	// Upload marks answers that came from an Excel template.
	Upload  bool
	Comment string
}

// Saved is the outcome of a save: the new version and the problems of
// the answers left out (with KeepValid) or still to fix before submitting.
type Saved struct {
	Version Version
	// Dropped are the problems of answers not saved (KeepValid).
	Dropped []form.Problem
	// ToFix are what Validate still finds in the saved draft.
	ToFix []form.Problem
}

// Save stores a draft. A reporter of k's unit only, while the report is
// not started, a draft, or returned (it stays returned until resubmitted).
func (s *Store) Save(ctx context.Context, a Actor, k Key, e Edit) (Saved, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, def, err := s.writable(ctx, a, k, e.Base, "save")
	if err != nil {
		return Saved{}, err
	}
	if len(e.Keep) > 0 && !e.KeepValid {
		return Saved{}, fmt.Errorf("save %s: answers to keep are only for saving the valid part", k)
	}
	answers, dropped := def.Clean(e.Raw, e.Collected)
	if len(dropped) > 0 && !e.KeepValid {
		return Saved{}, &InvalidError{Problems: dropped}
	}
	keep := append([]string(nil), e.Keep...)
	for _, p := range dropped {
		keep = append(keep, p.Indicator)
	}
	for _, id := range keep {
		if old, ok := r.Latest.Answers[id]; ok {
			answers[id] = old
		}
	}
	state := Draft
	if r.Latest.State == Returned {
		state = Returned
	}
	action := ActionSave
	if e.Upload {
		action = ActionUpload
	}
	v, err := s.append(ctx, a, r, def, state, answers, action, e.Comment)
	if err != nil {
		return Saved{}, err
	}
	return Saved{Version: v, Dropped: dropped, ToFix: def.Validate(answers)}, nil
}

// Submit saves the answers and sends the report to the reviewers: a
// reporter of k's unit, from a new report, a draft or a returned report
// (then it is resubmitted). Nothing is saved if anything is wrong.
func (s *Store) Submit(ctx context.Context, a Actor, k Key, e Edit) (Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, def, err := s.writable(ctx, a, k, e.Base, "submit")
	if err != nil {
		return Version{}, err
	}
	answers, probs := def.Clean(e.Raw, e.Collected)
	refused := map[string]bool{}
	for _, p := range probs {
		refused[p.Indicator] = true
	}
	for _, p := range def.Validate(answers) {
		// An answer refused as typed is not also "missing".
		if !refused[p.Indicator] {
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return Version{}, &InvalidError{Problems: probs}
	}
	state := Submitted
	if r.Latest.State == Returned {
		state = Resubmitted
	}
	return s.append(ctx, a, r, def, state, answers, ActionSubmit, e.Comment)
}

// Return sends a submitted report back to its unit with a comment saying
// what to fix. Analysts only.
func (s *Store) Return(ctx context.Context, a Actor, k Key, base int, comment string) (Version, error) {
	if strings.TrimSpace(comment) == "" {
		return Version{}, fmt.Errorf("return %s: %w", k, ErrCommentNeeded)
	}
	return s.review(ctx, a, k, base, Returned, ActionReturn, comment)
}

// Approve accepts a submitted report; it is locked from then on.
// Analysts only.
func (s *Store) Approve(ctx context.Context, a Actor, k Key, base int, comment string) (Version, error) {
	return s.review(ctx, a, k, base, Approved, ActionApprove, comment)
}

func (s *Store) review(ctx context.Context, a Actor, k Key, base int, to State, action, comment string) (Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !MayReview(a) {
		return Version{}, fmt.Errorf("%s %s: %w: only analysts review reports (%s is %s)", action, k, ErrForbidden, a.Login, a.Role)
	}
	r, err := s.Report(ctx, k)
	if err != nil {
		return Version{}, err
	}
	if err := checkBase(k, r, base); err != nil {
		return Version{}, err
	}
	switch r.Latest.State {
	case Approved:
		return Version{}, fmt.Errorf("%s %s: %w", action, k, ErrLocked)
	case Submitted, Resubmitted:
	default:
		return Version{}, fmt.Errorf("%s %s: %w: it is %s, not submitted", action, k, ErrState, r.Latest.State)
	}
	def, err := s.definitionOf(k, r)
	if err != nil {
		return Version{}, err
	}
	return s.append(ctx, a, r, def, to, r.Latest.Answers, action, strings.TrimSpace(comment))
}

// writable checks a reporter may change k now and returns its report and
// definition.
func (s *Store) writable(ctx context.Context, a Actor, k Key, base int, action string) (Report, *form.Definition, error) {
	if !MayEdit(a, k) {
		return Report{}, nil, fmt.Errorf("%s %s: %w: only reporters of %s fill in its report (%s is %s of %q)", action, k, ErrForbidden, k.UnitID, a.Login, a.Role, a.UnitID)
	}
	if _, err := s.Unit(k); err != nil {
		return Report{}, nil, err
	}
	r, err := s.Report(ctx, k)
	if err != nil {
		return Report{}, nil, err
	}
	switch st := r.Latest.State; {
	case st == Approved:
		return Report{}, nil, fmt.Errorf("%s %s: %w", action, k, ErrLocked)
	case !st.Editable():
		return Report{}, nil, fmt.Errorf("%s %s: %w: it is with the reviewers (%s); it can change again if they return it", action, k, ErrState, st.Label("en"))
	}
	if err := checkBase(k, r, base); err != nil {
		return Report{}, nil, err
	}
	def, err := s.definitionOf(k, r)
	if err != nil {
		return Report{}, nil, fmt.Errorf("%s %s: %w", action, k, err)
	}
	return r, def, nil
}

func checkBase(k Key, r Report, base int) error {
	if r.Latest.N == base {
		return nil
	}
	return fmt.Errorf("%s: %w: you opened version %d, it is now version %d (%s by %s at %s); reload it",
		k, ErrConflict, base, r.Latest.N, r.Latest.Action, r.Latest.Actor, r.Latest.At.In(Vietnam).Format("02/01/2006 15:04"))
}

// append writes the next version and its audit line.
func (s *Store) append(ctx context.Context, a Actor, r Report, def *form.Definition, state State, answers form.Answers, action, comment string) (Version, error) {
	k := r.Latest.Key
	if answers == nil {
		answers = form.Answers{}
	}
	v := Version{Key: k, N: r.Latest.N + 1, State: state, Form: def.Version, Answers: answers, Action: action, Comment: comment, Actor: a.Login, At: s.now().UTC().Truncate(time.Second)}
	js, err := json.Marshal(answers)
	if err != nil {
		return Version{}, fmt.Errorf("report %s: %w", k, err)
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO report_versions ("+versionColumns+")")
	if err != nil {
		return Version{}, fmt.Errorf("report %s: write version %d: %w", k, v.N, err)
	}
	defer b.Abort()
	// Whatever comes of the write, the cached statuses may be stale now.
	defer s.forget()
	if err := b.Append(k.UnitID, k.Quarter.String(), uint32(v.N), string(state), v.Form, string(js), action, comment, v.Actor, v.At); err != nil {
		return Version{}, fmt.Errorf("report %s: write version %d: %w", k, v.N, err)
	}
	if err := b.Send(); err != nil {
		return Version{}, fmt.Errorf("report %s: write version %d: %w", k, v.N, err)
	}
	detail := fmt.Sprintf("version %d, %s → %s", v.N, r.Latest.State, state)
	if ch := def.Diff(r.Latest.Answers, answers); len(ch) > 0 {
		ids := make([]string, len(ch))
		for i, c := range ch {
			ids[i] = c.Indicator
		}
		detail += "; changed: " + strings.Join(ids, ", ")
	}
	if comment != "" {
		detail += "; comment: " + comment
	}
	if s.audit != nil {
		if err := s.audit.Audit(ctx, auth.Entry{Actor: a.Login, Action: "report-" + action, Target: k.String(), Detail: detail, IP: a.IP}); err != nil {
			return v, fmt.Errorf("report %s: version %d saved, but: %w", k, v.N, err)
		}
	}
	return v, nil
}
