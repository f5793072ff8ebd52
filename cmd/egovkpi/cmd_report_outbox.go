package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/reports/remind"
	"egovkpi/reports/workflow"
)

// reportOutboxCommand lists the reminders' outbox, shows one message, or
// runs a reminder pass.
func reportOutboxCommand() command {
	return command{
		name:  "outbox",
		usage: " [ID] [--unit ID] [--quarter 2026Q3] [--unsent] [--limit N] | --remind-now",
		summary: "The reminders' outbox, newest first: reminders to units whose quarterly report has not been submitted, before and after the deadline " +
			"(EGOVKPI_DEADLINE_*, EGOVKPI_REMIND_*); with an ID, that message in full. --remind-now plans the reminders due and, with EGOVKPI_SMTP_ADDR, " +
			"sends them, once, as serve and run do on EGOVKPI_REMIND_SCHEDULE.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			unit := fs.String("unit", "", "only this unit's messages (e.g. p34-08)")
			quarter := fs.String("quarter", "", "only this quarter's messages (e.g. 2026Q3)")
			unsent := fs.Bool("unsent", false, "only the messages not sent (pending, failed, without recipient, cancelled, expired)")
			limit := fs.Int("limit", 200, "at most this many messages (1 to 10000)")
			remindNow := fs.Bool("remind-now", false, "run a reminder pass now instead of listing")
			return func(ctx context.Context, args []string) error {
				filter, err := outboxFilter(args, *unit, *quarter, *unsent, *limit)
				if err != nil {
					return err
				}
				if *remindNow && (filter != (remind.Filter{Limit: *limit}) || len(args) > 0) {
					return usagef("--remind-now takes no ID, --unit, --quarter or --unsent: a pass covers every unit")
				}
				return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
					if err := db.Runner().Check(ctx); err != nil {
						return fmt.Errorf("%s is not ready: %w", db.describe(), err)
					}
					if *remindNow {
						return remindNowCommand(ctx, c.stdout, cfg, db, log)
					}
					msgs, err := remind.Outbox(ctx, db.Conn, filter)
					if err != nil {
						return err
					}
					if filter.ID != "" {
						if len(msgs) == 0 {
							return usagef("no message %q in the outbox (see egovkpi report outbox)", filter.ID)
						}
						return printMessage(c.stdout, msgs[0])
					}
					return printOutbox(c.stdout, msgs)
				})
			}
		},
	}
}

// outboxFilter checks the listing's arguments.
func outboxFilter(args []string, unit, quarter string, unsent bool, limit int) (remind.Filter, error) {
	f := remind.Filter{UnitID: strings.TrimSpace(unit), Unsent: unsent, Limit: limit}
	if len(args) > 1 {
		return f, usagef("want at most one message ID, got %d arguments", len(args))
	}
	if len(args) == 1 {
		f.ID = args[0]
	}
	if limit < 1 || limit > 10000 {
		return f, usagef("--limit: want 1 to 10000, got %d", limit)
	}
	if quarter != "" {
		q, err := workflow.ParseQuarter(quarter)
		if err != nil {
			return f, usagef("--quarter: %v", err)
		}
		f.Quarter = q
	}
	if f.UnitID != "" {
		reg, err := refdata.Load()
		if err != nil {
			return f, err
		}
		if _, ok := reg.ByID(f.UnitID); !ok {
			return f, usagef("--unit: unknown unit %q (see egovkpi units)", f.UnitID)
		}
	}
	return f, nil
}

// printOutbox writes the messages as a table.
func printOutbox(w io.Writer, msgs []remind.Message) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CREATED\tID\tSTATUS\tATTEMPTS\tSENT\tTO\tERROR")
	for _, m := range msgs {
		sent, to, errText := "-", "-", "-"
		if m.SentAt != nil {
			sent = vietnamTime(*m.SentAt)
		}
		if len(m.Emails) > 0 {
			to = strings.Join(m.Emails, ", ")
		}
		if m.Error != "" {
			errText = m.Error
			if r := []rune(errText); len(r) > 80 {
				errText = string(r[:79]) + "…"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", vietnamTime(m.CreatedAt), m.ID, m.Status, m.Attempts, sent, to, errText)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(msgs) == 0 {
		_, err := fmt.Fprintln(w, "(no message)")
		return err
	}
	return nil
}

// printMessage writes one message in full.
func printMessage(w io.Writer, m remind.Message) error {
	sent := "-"
	if m.SentAt != nil {
		sent = vietnamTime(*m.SentAt)
	}
	list := func(ss []string) string {
		if len(ss) == 0 {
			return "-"
		}
		return strings.Join(ss, ", ")
	}
	_, err := fmt.Fprintf(w, "ID:        %s\nCreated:   %s\nDue:       %s\nStatus:    %s (%d attempts)\nSent:      %s\nAccounts:  %s\nTo:        %s\nError:     %s\nSubject:   %s\n\n%s",
		m.ID, vietnamTime(m.CreatedAt), m.Due.Format(time.DateOnly), m.Status, m.Attempts, sent, list(m.Recipients), list(m.Emails), cmp.Or(m.Error, "-"), m.Subject, m.Body)
	return err
}

// remindNowCommand runs one reminder pass and prints what it did.
func remindNowCommand(ctx context.Context, w io.Writer, cfg config.Config, db *database, log *slog.Logger) error {
	accounts := auth.New(db.Conn)
	reports, err := newReportStore(cfg, db, accounts)
	if err != nil {
		return err
	}
	r, err := newReminder(cfg, db, reports, accounts, log)
	if err != nil {
		return err
	}
	res, err := r.Run(ctx, time.Now())
	if err != nil {
		return err
	}
	if res.Skipped {
		return fmt.Errorf("another reminder pass is running (it held the lock for more than a minute); nothing done, try again later")
	}
	qs := make([]string, len(res.Quarters))
	for i, q := range res.Quarters {
		qs[i] = q.String()
	}
	fmt.Fprintf(w, "quarters: %s\nplanned: %d (%d without recipient)\n", cmp.Or(strings.Join(qs, ", "), "none whose reminders have begun"), res.Planned, res.NoRecipient)
	if !cfg.Reports.SMTP.Enabled() {
		_, err := fmt.Fprintln(w, "e-mail: not configured (EGOVKPI_SMTP_ADDR); the messages stay in the outbox")
		return err
	}
	_, err = fmt.Fprintf(w, "sent: %d, to retry: %d, given up: %d, cancelled (report submitted): %d, expired: %d\n", res.Sent, res.Retrying, res.GaveUp, res.Cancelled, res.Expired)
	return err
}

// newReminder builds the reminder over the reports' statuses, the accounts
// and, when configured, the mail server.
func newReminder(cfg config.Config, db *database, reports *workflow.Store, accounts *auth.Store, log *slog.Logger) (*remind.Reminder, error) {
	reg, err := refdata.Load()
	if err != nil {
		return nil, err
	}
	o := remind.Options{Deadlines: reports.Deadlines(), Before: cfg.Reports.RemindBefore, After: cfg.Reports.RemindAfter, Log: log}
	if s := cfg.Reports.SMTP; s.Enabled() {
		o.SMTP = &remind.SMTP{Addr: s.Addr, From: s.From, User: s.User, Password: s.Password, TLS: s.TLS}
	}
	return remind.New(db.Conn, reports, accounts, reg, o), nil
}

// startReminders runs reminder passes on EGOVKPI_REMIND_SCHEDULE (and one
// at once) for serve and run; stop ends them and waits.
func startReminders(ctx context.Context, cfg config.Config, db *database, reports *workflow.Store, accounts *auth.Store, log *slog.Logger) (stop func(), err error) {
	r, err := newReminder(cfg, db, reports, accounts, log)
	if err != nil {
		return nil, err
	}
	sched, err := config.ParseSchedule(cfg.Reports.RemindSchedule)
	if err != nil {
		return nil, usagef("EGOVKPI_REMIND_SCHEDULE: %v", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Schedule(ctx, sched)
	}()
	return func() { cancel(); <-done }, nil
}
