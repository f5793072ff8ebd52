package remind_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/crypto/bcrypt"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/reports/remind"
	"egovkpi/reports/workflow"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// statuses is a hand-made StatusSource: each quarter's expected units and
// their states, changed by a test as reports are submitted. It gives what
// workflow.Store.Statuses gives: every expected unit, NotStarted included.
type statuses struct {
	reg    *refdata.Registry
	mu     sync.Mutex
	states map[workflow.Quarter]map[string]workflow.State
}

func (s *statuses) set(q workflow.Quarter, unitID string, st workflow.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.states[q] == nil {
		s.states[q] = map[string]workflow.State{}
	}
	s.states[q][unitID] = st
}

func (s *statuses) Statuses(_ context.Context, q workflow.Quarter, block egovkpi.Block) ([]workflow.UnitStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []workflow.UnitStatus
	for id, st := range s.states[q] {
		u, _ := s.reg.ByID(id)
		if block == "" || u.Block == block {
			out = append(out, workflow.UnitStatus{UnitID: id, Block: u.Block, Quarter: q, State: st})
		}
	}
	workflow.SortStatuses(out)
	return out, nil
}

// fixture is a migrated database with reporter accounts, and hand-made
// statuses of 2026 Q3, due 2026-10-15: reminders on 10-08 (before-7), 10-14
// (before-1), 10-16 (after-1) and 10-22 (after-7).
type fixture struct {
	t        *testing.T
	db       *chtest.DB
	reg      *refdata.Registry
	accounts *auth.Store
	st       *statuses
}

var q3 = workflow.Quarter{Year: 2026, Q: 3}

// Units of the fixture.
const (
	hanoi      = "p34-01" // draft; reporter lan has an address, a disabled one too
	tuyenQuang = "p34-08" // not started; its reporter has no address
	finance    = "m-MOF"  // submitted
	foreign    = "m-MOFA" // approved
	hue        = "p34-11" // returned: it reached the reviewers once
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testdb.Migrated(t)
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	accounts := auth.New(db.Conn)
	accounts.SetBcryptCost(bcrypt.MinCost)
	f := &fixture{t: t, db: db, reg: reg, accounts: accounts, st: &statuses{reg: reg, states: map[workflow.Quarter]map[string]workflow.State{}}}
	for id, st := range map[string]workflow.State{hanoi: workflow.Draft, tuyenQuang: workflow.NotStarted, finance: workflow.Submitted, foreign: workflow.Approved, hue: workflow.Returned} {
		if _, ok := reg.ByID(id); !ok {
			t.Fatalf("unit %s is not in the reference data", id)
		}
		f.st.set(q3, id, st)
	}
	f.reporter("lan", hanoi, "lan@hanoi.gov.vn")
	f.reporter("old.hanoi", hanoi, "old@hanoi.gov.vn")
	if err := accounts.SetDisabled(context.Background(), "old.hanoi", true); err != nil {
		t.Fatal(err)
	}
	f.reporter("tq", tuyenQuang, "")
	f.reporter("mof", finance, "mof@mof.gov.vn")
	return f
}

// reporter adds a reporter account of unit, with an address unless "".
func (f *fixture) reporter(login, unitID, email string) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.accounts.AddUser(ctx, auth.User{Login: login, Role: auth.Reporter, UnitID: unitID}, "correct horse battery"); err != nil {
		f.t.Fatal(err)
	}
	if email != "" {
		if err := f.accounts.SetEmail(ctx, login, email); err != nil {
			f.t.Fatal(err)
		}
	}
}

// reminder makes a Reminder with the default offsets (7,1 before; 1,7
// after) and 15 days after the quarter's end.
func (f *fixture) reminder(smtp *remind.SMTP, maxAttempts int) *remind.Reminder {
	return remind.New(f.db.Conn, f.st, f.accounts, f.reg, remind.Options{
		Deadlines: workflow.Deadlines{Days: 15}, Before: []int{7, 1}, After: []int{1, 7},
		SMTP: smtp, MaxAttempts: maxAttempts, Log: slog.New(slog.NewTextHandler(testWriter{f.t}, nil)),
	})
}

// run makes a pass at now and fails the test on error.
func (f *fixture) run(r *remind.Reminder, now time.Time) remind.Result {
	f.t.Helper()
	res, err := r.Run(context.Background(), now)
	if err != nil {
		f.t.Fatalf("Run at %s: %v", now, err)
	}
	return res
}

// outbox lists the outbox's messages by id.
func (f *fixture) outbox(filter remind.Filter) map[string]remind.Message {
	f.t.Helper()
	msgs, err := remind.Outbox(context.Background(), f.db.Conn, filter)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]remind.Message{}
	for _, m := range msgs {
		out[m.ID] = m
	}
	return out
}

// message reads one message of the outbox (the zero Message if absent).
func (f *fixture) message(id string) remind.Message { return f.outbox(remind.Filter{ID: id})[id] }

// rows counts the outbox's stored rows, every version and duplicate.
func (f *fixture) rows() uint64 {
	f.t.Helper()
	var n uint64
	if err := f.db.Conn.QueryRow(context.Background(), "SELECT count() FROM outbox").Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// at is a moment in Vietnam time.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, workflow.Vietnam)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func ids(m map[string]remind.Message) []string {
	var out []string
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// TestPlanningAtTheBoundaries follows 2026 Q3 through its reminders:
// nothing the day before the first; on it, one message for each unit that
// has not submitted (a submitted, approved or returned report gets none);
// a second run writes nothing; a missed day is caught up with the latest
// reminder only; a unit that submits gets no more; the outbox lists them
// newest first and filters them.
func TestPlanningAtTheBoundaries(t *testing.T) {
	f := newFixture(t)
	r := f.reminder(nil, 0)

	// The evening before the first reminder (2026-10-07, Vietnam time,
	// which is already 10-08 in UTC+14 but not in Vietnam).
	if res := f.run(r, at(2026, 10, 7, 23, 59)); res.Planned != 0 || f.rows() != 0 {
		t.Fatalf("the day before the first reminder: %+v, %d rows", res, f.rows())
	}

	// 7 days before the due day.
	res := f.run(r, at(2026, 10, 8, 0, 0))
	if res.Planned != 2 || res.NoRecipient != 1 || len(res.Quarters) == 0 || res.Quarters[0] != q3 {
		t.Fatalf("7 days before: %+v", res)
	}
	got := f.outbox(remind.Filter{})
	want := []string{"2026Q3/p34-01/before-7", "2026Q3/p34-08/before-7"}
	if !slices.Equal(ids(got), want) {
		t.Fatalf("7 days before: outbox %v, want %v", ids(got), want)
	}
	m := got["2026Q3/p34-01/before-7"]
	wantSubject := "Nhắc nộp báo cáo quý III/2026 của Hà Nội: còn 7 ngày (hạn 15/10/2026) / Reminder: the 2026 Q3 report of Hanoi is due in 7 days"
	if m.Subject != wantSubject || m.Status != remind.StatusPending || m.Kind != "before-7" || m.Quarter != q3 ||
		!m.Due.Equal(egovkpi.Date(2026, 10, 15)) || !slices.Equal(m.Recipients, []string{"lan"}) || !slices.Equal(m.Emails, []string{"lan@hanoi.gov.vn"}) ||
		m.SentAt != nil || m.Error != "" || !m.CreatedAt.Equal(at(2026, 10, 8, 0, 0)) {
		t.Errorf("Hà Nội's message: %+v", m)
	}
	for _, s := range []string{"Kính gửi cán bộ phụ trách báo cáo của Thành phố Hà Nội", "(trạng thái: đang soạn)", "Hạn nộp: hết ngày 15/10/2026 (giờ Việt Nam); còn 7 ngày.",
		"Dear reporting officer of Hanoi", "Deadline: end of 15 October 2026 (Vietnam time); the report is due in 7 days."} {
		if !strings.Contains(m.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, m.Body)
		}
	}
	if strings.Index(m.Body, "Kính gửi") > strings.Index(m.Body, "Dear") {
		t.Errorf("body: Vietnamese must come first:\n%s", m.Body)
	}
	n := got["2026Q3/p34-08/before-7"]
	if n.Status != remind.StatusNoRecipient || !slices.Equal(n.Recipients, []string{"tq"}) || len(n.Emails) != 0 || !strings.Contains(n.Error, "no recipient") {
		t.Errorf("Tuyên Quang's message (its reporter has no address): %+v", n)
	}

	// The cron running again, the same day or the next: nothing new.
	for _, now := range []time.Time{at(2026, 10, 8, 8, 0), at(2026, 10, 9, 8, 0)} {
		if res := f.run(r, now); res.Planned != 0 || f.rows() != 2 {
			t.Fatalf("run again at %s: %+v, %d rows", now, res, f.rows())
		}
	}

	// Down on 10-14 (1 day before): the due day catches it up, once.
	res = f.run(r, at(2026, 10, 15, 8, 0))
	if res.Planned != 2 {
		t.Fatalf("due day: %+v", res)
	}
	m = f.message("2026Q3/p34-01/before-1")
	if !strings.Contains(m.Subject, "hôm nay là hạn cuối") || !strings.Contains(m.Subject, "is due today") {
		t.Errorf("due day subject: %q", m.Subject)
	}

	// Hà Nội submits late; 1 day after, only Tuyên Quang is reminded.
	f.st.set(q3, hanoi, workflow.Submitted)
	res = f.run(r, at(2026, 10, 16, 8, 0))
	if res.Planned != 1 {
		t.Fatalf("1 day after: %+v", res)
	}
	m = f.message("2026Q3/p34-08/after-1")
	if !strings.Contains(m.Subject, "đã quá hạn 1 ngày") || !strings.Contains(m.Subject, "is 1 day overdue") {
		t.Errorf("1 day after subject: %q", m.Subject)
	}
	if got := f.outbox(remind.Filter{UnitID: hanoi}); len(got) != 2 {
		t.Errorf("Hà Nội after submitting: %v", ids(got))
	}

	// The outbox, newest first, and its filters.
	list, err := remind.Outbox(context.Background(), f.db.Conn, remind.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 5 || list[0].ID != "2026Q3/p34-08/after-1" || list[len(list)-1].CreatedAt.After(list[0].CreatedAt) {
		t.Errorf("outbox order: %v", list)
	}
	for _, tc := range []struct {
		f    remind.Filter
		want int
	}{
		{remind.Filter{UnitID: tuyenQuang}, 3},
		{remind.Filter{Quarter: q3}, 5},
		{remind.Filter{Quarter: workflow.Quarter{Year: 2026, Q: 2}}, 0},
		{remind.Filter{Unsent: true}, 5},
		{remind.Filter{Limit: 2}, 2},
	} {
		if got := f.outbox(tc.f); len(got) != tc.want {
			t.Errorf("filter %+v: %d messages, want %d", tc.f, len(got), tc.want)
		}
	}
}

// TestTwoPassesAtOnce: two passes started together (two nodes, or the cron
// and --remind-now) write each reminder once.
func TestTwoPassesAtOnce(t *testing.T) {
	f := newFixture(t)
	r1, r2 := f.reminder(nil, 0), f.reminder(nil, 0)
	var wg sync.WaitGroup
	results := make([]remind.Result, 2)
	for i, r := range []*remind.Reminder{r1, r2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := r.Run(context.Background(), at(2026, 10, 8, 8, 0))
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	if results[0].Planned+results[1].Planned != 2 || f.rows() != 2 {
		t.Fatalf("two passes at once: %+v, %d rows, want 2 messages written once", results, f.rows())
	}
}

// TestCatchUpIsBounded: after a long stop, a pass writes the current
// reminders only (those whose day is less than MaxAge past), of the latest
// two quarters that have one, never older quarters.
func TestCatchUpIsBounded(t *testing.T) {
	f := newFixture(t)
	q2, q4 := workflow.Quarter{Year: 2026, Q: 2}, workflow.Quarter{Year: 2026, Q: 4}
	for _, q := range []workflow.Quarter{q2, q4} {
		f.st.set(q, tuyenQuang, workflow.NotStarted)
	}
	// 2027-01-10: 2026 Q4 is due 2027-01-15, its first reminder was 01-08;
	// Q3's last (after-7) was 2026-10-22, long past: not written.
	now := at(2027, 1, 10, 8, 0)
	res := f.run(f.reminder(nil, 0), now)
	if got, want := ids(f.outbox(remind.Filter{})), []string{"2026Q4/p34-08/before-7"}; !slices.Equal(got, want) || !slices.Equal(res.Quarters, []workflow.Quarter{q4}) {
		t.Fatalf("after a long stop: outbox %v, want %v (quarters %v)", got, want, res.Quarters)
	}
	// With Q2 and Q3 postponed (due 2027-01-05 and 01-06), all three have a
	// current reminder; only Q4 and Q3 are written.
	r := remind.New(f.db.Conn, f.st, f.accounts, f.reg, remind.Options{
		Deadlines: workflow.Deadlines{Days: 15, Overrides: map[workflow.Quarter]time.Time{q2: egovkpi.Date(2027, 1, 5), q3: egovkpi.Date(2027, 1, 6)}},
		Before:    []int{7, 1}, After: []int{1, 7},
	})
	res = f.run(r, now)
	if want := []workflow.Quarter{q4, q3}; !slices.Equal(res.Quarters, want) {
		t.Fatalf("quarters %v, want %v", res.Quarters, want)
	}
	want := []string{"2026Q3/p34-01/after-1", "2026Q3/p34-08/after-1", "2026Q4/p34-08/before-7"}
	if got := ids(f.outbox(remind.Filter{})); !slices.Equal(got, want) {
		t.Fatalf("outbox %v, want %v", got, want)
	}
	m := f.message(want[0])
	if !strings.Contains(m.Subject, "đã quá hạn 4 ngày (hạn 06/01/2027)") || !strings.Contains(m.Subject, "is 4 days overdue") {
		t.Errorf("subject of a postponed quarter: %q", m.Subject)
	}
	if m := f.message("2026Q3/p34-08/after-1"); !strings.Contains(m.Error, "no recipient: no enabled reporter account of p34-08 has an e-mail address") {
		t.Errorf("a unit whose reporter has no address: %q", m.Error)
	}
	if m := f.message("2026Q4/p34-08/before-7"); m.Error == "" {
		t.Errorf("no error on a message without recipient: %+v", m)
	}
}

// TestScheduleRunsAtOnceAndStops: the scheduler makes a pass as soon as
// it starts (catching up a stop), then on its schedule, and returns soon
// after its context ends.
func TestScheduleRunsAtOnceAndStops(t *testing.T) {
	f := newFixture(t)
	// The scheduler reads the clock: last quarter is made due today.
	today := egovkpi.VietnamDay(time.Now())
	last := workflow.QuarterOf(today).Prev()
	f.st.set(last, tuyenQuang, workflow.NotStarted)
	r := remind.New(f.db.Conn, f.st, f.accounts, f.reg, remind.Options{
		Deadlines: workflow.Deadlines{Days: 15, Overrides: map[workflow.Quarter]time.Time{last: today}}, Before: []int{7, 1}, After: []int{1, 7},
	})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		r.Schedule(ctx, cron.ConstantDelaySchedule{Delay: time.Hour})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for len(f.outbox(remind.Filter{UnitID: tuyenQuang})) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no pass at start: the outbox is still empty after 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Schedule still running 10 s after its context ended")
	}
}
