// Package remind reminds units of their quarterly reports: before and
// after each quarter's deadline, every unit whose report has not reached
// the reviewers gets a message, written to an outbox table the operator
// can read (egovkpi report outbox) and, when a mail server is configured,
// sent by e-mail to the unit's reporters.
//
// A pass (Run) plans, then delivers. Planning looks at the latest two
// quarters with a current reminder: one whose day (N days before the due
// day, or N days after) has come, less than MaxAge ago. For each unit that
// has not submitted, it writes the latest current reminder unless it is
// already in the outbox. Days the binary was down are thus caught up at the
// next pass, with one message, never with every reminder they missed, and
// never with reminders of old quarters.
//
// What is guaranteed about duplicates: a reminder's id is its key
// (quarter/unit/kind), and a pass holds a lock (chlock) on the database, so
// a second pass (a second node, the cron running twice) waits and then
// finds the reminder written: no key is written twice to one ClickHouse
// server. Should two passes still write it (nodes connected to different
// replicas of a cluster, where the lock holds only per replica), the two
// rows share the id and ReplacingMergeTree keeps one: the outbox never shows
// a reminder twice. Delivery is at least once: a message is marked sent
// right after the mail server accepts it, and a crash between the two
// sends it again at the next pass.
package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/robfig/cron/v3"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/chlock"
	"egovkpi/internal/refdata"
	"egovkpi/reports/workflow"
)

// StatusSource gives every expected unit's report status for a quarter, of
// one block or both (block ""): workflow.Store.
type StatusSource interface {
	Statuses(ctx context.Context, q workflow.Quarter, block egovkpi.Block) ([]workflow.UnitStatus, error)
}

// StatusFunc is a function that serves as a StatusSource.
type StatusFunc func(ctx context.Context, q workflow.Quarter, block egovkpi.Block) ([]workflow.UnitStatus, error)

// Statuses calls f.
func (f StatusFunc) Statuses(ctx context.Context, q workflow.Quarter, block egovkpi.Block) ([]workflow.UnitStatus, error) {
	return f(ctx, q, block)
}

// Options configure a Reminder.
type Options struct {
	Deadlines workflow.Deadlines
	// Before lists the days before the due day on which a unit that has
	// not submitted is reminded (0: the due day); After, the days after.
	Before, After []int
	// SMTP sends the messages; nil leaves them in the outbox.
	SMTP *SMTP
	// MaxAttempts bounds the tries to send one message (0: 5); the cron
	// retries at each pass.
	MaxAttempts int
	Log         *slog.Logger
}

// MaxAge is how long a reminder stays current: one whose day is further
// past is not planned, and a planned message not delivered by then is
// marked expired, not sent (a reminder a week late says the wrong thing,
// and the next one is due by then).
const MaxAge = 7 * 24 * time.Hour

// lockName is the chlock that keeps passes from running at once.
const lockName = "reports-remind"

// Reminder plans reminders into the outbox and delivers them.
type Reminder struct {
	conn     driver.Conn
	statuses StatusSource
	accounts *auth.Store
	units    *refdata.Registry
	o        Options
	log      *slog.Logger
}

// New makes a Reminder over a migrated database: statuses says who has
// submitted, accounts who the unit's reporters are and their addresses,
// units the units' names.
func New(conn driver.Conn, statuses StatusSource, accounts *auth.Store, units *refdata.Registry, o Options) *Reminder {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reminder{conn: conn, statuses: statuses, accounts: accounts, units: units, o: o, log: log}
}

// Result counts what a pass did.
type Result struct {
	// Skipped: another pass held the lock past the wait; nothing was done.
	Skipped bool
	// Quarters are the quarters planned for, latest first.
	Quarters []workflow.Quarter
	// Planned new messages, of which NoRecipient have nobody to send to.
	Planned, NoRecipient int
	// Delivery (only with SMTP): sent; failed this time, to be retried;
	// given up after the last attempt; cancelled because the report was
	// submitted first; expired after MaxAge.
	Sent, Retrying, GaveUp, Cancelled, Expired int
}

// Run makes one pass at now: it plans the reminders whose day has come and
// delivers the unsent messages (with SMTP). The cron calls it; so does
// egovkpi report outbox --remind-now.
func (r *Reminder) Run(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	held, err := chlock.Acquire(ctx, r.conn, lockName, chlock.Options{TTL: 15 * time.Minute, Wait: time.Minute})
	if errors.Is(err, chlock.ErrLocked) {
		r.log.Warn("reminders: another pass is running; this one is skipped", slog.Any("err", err))
		return Result{Skipped: true}, nil
	}
	if err != nil {
		return res, fmt.Errorf("remind: %w", err)
	}
	defer func() {
		if err := held.Release(); err != nil {
			r.log.Warn("reminders: releasing the lock", slog.Any("err", err))
		}
	}()
	p := pass{Reminder: r, now: now.Truncate(time.Second), held: held, renewedAt: time.Now(), byQuarter: map[workflow.Quarter]map[string]workflow.UnitStatus{}}
	if err := p.plan(ctx, &res); err != nil {
		return res, err
	}
	if r.o.SMTP != nil {
		if err := p.deliver(ctx, &res); err != nil {
			return res, err
		}
	}
	r.log.Info("reminders: pass done", slog.Any("quarters", res.Quarters), slog.Int("planned", res.Planned), slog.Int("no_recipient", res.NoRecipient),
		slog.Int("sent", res.Sent), slog.Int("retrying", res.Retrying), slog.Int("gave_up", res.GaveUp), slog.Int("cancelled", res.Cancelled), slog.Int("expired", res.Expired))
	return res, nil
}

// Schedule runs a pass at once (catching up what a stop missed) and then on
// sched, in Vietnam time, until ctx ends. Errors are logged; the next pass
// tries again.
func (r *Reminder) Schedule(ctx context.Context, sched cron.Schedule) {
	logger := cron.PrintfLogger(slog.NewLogLogger(r.log.Handler(), slog.LevelError))
	cr := cron.New(cron.WithLocation(egovkpi.Vietnam), cron.WithLogger(logger), cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	job := cron.FuncJob(func() {
		if _, err := r.Run(ctx, time.Now()); err != nil && ctx.Err() == nil {
			r.log.Error("reminders: pass failed; the next one retries", slog.Any("err", err))
		}
	})
	cr.Schedule(sched, job)
	cr.Start()
	r.log.Info("reminder scheduler started", slog.Time("next", cr.Entries()[0].Next))
	first := make(chan struct{})
	go func() { // not under SkipIfStillRunning: the lock keeps passes apart
		defer close(first)
		cron.NewChain(cron.Recover(logger)).Then(job).Run()
	}()
	<-ctx.Done()
	stopped := cr.Stop().Done()
	for _, done := range []<-chan struct{}{stopped, first} {
		select {
		case <-done:
		case <-time.After(time.Minute):
			r.log.Warn("a reminder pass is still going 1 min after the stop; leaving it")
			return
		}
	}
}

// pass is one Run's state.
type pass struct {
	*Reminder
	now       time.Time
	held      *chlock.Held
	renewedAt time.Time
	// byQuarter caches each quarter's statuses by unit.
	byQuarter map[workflow.Quarter]map[string]workflow.UnitStatus
}

// step is one reminder of a quarter: its kind and its day.
type step struct {
	kind string
	day  time.Time
}

// Kinds of reminders: days before or after the due day.
func kindBefore(n int) string { return "before-" + strconv.Itoa(n) }
func kindAfter(n int) string  { return "after-" + strconv.Itoa(n) }

// steps lists q's reminders by day.
func (r *Reminder) steps(q workflow.Quarter) []step {
	due := r.o.Deadlines.Due(q)
	var out []step
	for _, n := range r.o.Before {
		out = append(out, step{kindBefore(n), due.AddDate(0, 0, -n)})
	}
	for _, n := range r.o.After {
		out = append(out, step{kindAfter(n), due.AddDate(0, 0, n)})
	}
	slices.SortFunc(out, func(a, b step) int { return a.day.Compare(b.day) })
	return out
}

// latestDue is q's current reminder at today: the latest whose day has
// come, if that was less than MaxAge ago.
func (r *Reminder) latestDue(q workflow.Quarter, today time.Time) (step, bool) {
	var last step
	found := false
	for _, s := range r.steps(q) {
		if !s.day.After(today) {
			last, found = s, true
		}
	}
	return last, found && today.Sub(last.day) <= MaxAge
}

// quarters are the latest two quarters with a current reminder at today,
// among the current one and the two before it: older quarters are never
// reminded of, however long the binary was down.
func (r *Reminder) quarters(today time.Time) []workflow.Quarter {
	var out []workflow.Quarter
	q := workflow.QuarterOf(today)
	for range 3 {
		if _, ok := r.latestDue(q, today); ok && len(out) < 2 {
			out = append(out, q)
		}
		q = q.Prev()
	}
	return out
}

// unitStatuses returns q's statuses by unit, read once per pass.
func (p *pass) unitStatuses(ctx context.Context, q workflow.Quarter) (map[string]workflow.UnitStatus, error) {
	if m, ok := p.byQuarter[q]; ok {
		return m, nil
	}
	ss, err := p.statuses.Statuses(ctx, q, "")
	if err != nil {
		return nil, fmt.Errorf("remind: statuses of %s: %w", q, err)
	}
	m := make(map[string]workflow.UnitStatus, len(ss))
	for _, s := range ss {
		m[s.UnitID] = s
	}
	p.byQuarter[q] = m
	return m, nil
}

// plan writes the reminders whose day has come and that are not in the
// outbox yet.
func (p *pass) plan(ctx context.Context, res *Result) error {
	day := egovkpi.VietnamDay(p.now)
	res.Quarters = p.quarters(day)
	if len(res.Quarters) == 0 {
		return nil
	}
	names := make([]string, len(res.Quarters))
	for i, q := range res.Quarters {
		names[i] = q.String()
	}
	written, err := writtenIDs(ctx, p.conn, names)
	if err != nil {
		return err
	}
	// Each quarter's units whose current reminder is not written, in order.
	type todo struct {
		s    workflow.UnitStatus
		kind string
	}
	var todos []todo
	for _, q := range res.Quarters {
		st, _ := p.latestDue(q, day)
		byUnit, err := p.unitStatuses(ctx, q)
		if err != nil {
			return err
		}
		var units []workflow.UnitStatus
		for _, s := range byUnit {
			if !s.State.HasBeenSubmitted() && !written[messageID(q, s.UnitID, st.kind)] {
				s.Quarter = q
				units = append(units, s)
			}
		}
		workflow.SortStatuses(units)
		for _, s := range units {
			todos = append(todos, todo{s, st.kind})
		}
	}
	if len(todos) == 0 {
		return nil
	}
	to, err := p.recipients(ctx)
	if err != nil {
		return err
	}
	msgs := make([]Message, 0, len(todos))
	for _, t := range todos {
		m := p.compose(t.s, t.kind, day, to[t.s.UnitID])
		if m.Status == StatusNoRecipient {
			res.NoRecipient++
		}
		msgs = append(msgs, m)
	}
	if err := writeMessages(ctx, p.conn, msgs); err != nil {
		return err
	}
	res.Planned = len(msgs)
	return nil
}

// recipient is one reporter account of a unit, with its address if any.
type recipient struct{ login, email string }

// recipients lists each unit's enabled reporter accounts, by login.
func (p *pass) recipients(ctx context.Context) (map[string][]recipient, error) {
	users, err := p.accounts.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("remind: %w", err)
	}
	var reporters []auth.User
	var logins []string
	for _, u := range users {
		if u.Role == auth.Reporter && !u.Disabled {
			reporters = append(reporters, u)
			logins = append(logins, u.Login)
		}
	}
	emails, err := p.accounts.Emails(ctx, logins)
	if err != nil {
		return nil, fmt.Errorf("remind: %w", err)
	}
	out := map[string][]recipient{}
	for _, u := range reporters {
		out[u.UnitID] = append(out[u.UnitID], recipient{u.Login, emails[u.Login]})
	}
	return out, nil
}

// compose writes the message of one unit's reminder.
func (p *pass) compose(s workflow.UnitStatus, kind string, day time.Time, to []recipient) Message {
	u, _ := p.units.ByID(s.UnitID)
	due := p.o.Deadlines.Due(s.Quarter)
	m := Message{
		ID: messageID(s.Quarter, s.UnitID, kind), CreatedAt: p.now, Kind: kind, UnitID: s.UnitID, Quarter: s.Quarter, Due: due,
		Status: StatusPending, version: 1,
	}
	m.Subject, m.Body = text(u, s, due, day)
	for _, r := range to {
		m.Recipients = append(m.Recipients, r.login)
		if r.email != "" && !slices.Contains(m.Emails, r.email) {
			m.Emails = append(m.Emails, r.email)
		}
	}
	if len(m.Emails) == 0 {
		m.Status = StatusNoRecipient
		m.Error = fmt.Sprintf("no recipient: no enabled reporter account of %s has an e-mail address (egovkpi users email LOGIN ADDRESS)", s.UnitID)
		if len(to) == 0 {
			m.Error = fmt.Sprintf("no recipient: %s has no enabled reporter account (egovkpi users add --role reporter --unit %[1]s --email ADDRESS …)", s.UnitID)
		}
	}
	return m
}

// deliver sends the pending messages: each is first checked for expiry and
// for a report submitted since it was planned.
func (p *pass) deliver(ctx context.Context, res *Result) error {
	pending, err := query(ctx, p.conn, "status = ? AND length(emails) > 0", []any{string(StatusPending)}, "created_at, id", 0)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if err := p.renew(ctx); err != nil {
			return err
		}
		next := m
		next.version++
		switch submitted, err := p.submitted(ctx, m); {
		case err != nil:
			return err
		case submitted:
			next.Status, next.Error = StatusCancelled, "not sent: the report was submitted first"
			res.Cancelled++
		case p.now.Sub(m.CreatedAt) > MaxAge:
			next.Status, next.Error = StatusExpired, fmt.Sprintf("not sent: not delivered within %d days of being planned", int(MaxAge/(24*time.Hour)))
			res.Expired++
		default:
			next.Attempts++
			refused, err := p.o.SMTP.Send(ctx, m, p.now)
			switch {
			case err == nil:
				sent := p.now
				next.Status, next.SentAt, next.Error = StatusSent, &sent, refused
				res.Sent++
			case next.Attempts >= p.o.MaxAttempts:
				next.Status, next.Error = StatusFailed, fmt.Sprintf("gave up after %d attempts: %v", next.Attempts, err)
				res.GaveUp++
			default:
				next.Error = fmt.Sprintf("attempt %d of %d: %v", next.Attempts, p.o.MaxAttempts, err)
				res.Retrying++
			}
			if err != nil {
				p.log.Warn("reminders: sending failed", slog.String("id", m.ID), slog.Int("attempt", next.Attempts), slog.Any("err", err))
			}
		}
		// Written even when ctx has just ended: the mail may have gone.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err = writeMessages(wctx, p.conn, []Message{next})
		cancel()
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("remind: delivery stopped: %w", ctx.Err())
		}
	}
	return nil
}

// submitted reports whether m's report has reached the reviewers since m
// was planned.
func (p *pass) submitted(ctx context.Context, m Message) (bool, error) {
	byUnit, err := p.unitStatuses(ctx, m.Quarter)
	if err != nil {
		return false, err
	}
	return byUnit[m.UnitID].State.HasBeenSubmitted(), nil
}

// renew keeps the pass's lock while it delivers.
func (p *pass) renew(ctx context.Context) error {
	if time.Since(p.renewedAt) < time.Minute {
		return nil
	}
	if err := p.held.Renew(ctx); err != nil {
		return fmt.Errorf("remind: %w", err)
	}
	p.renewedAt = time.Now()
	return nil
}
