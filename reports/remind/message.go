package remind

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/reports/workflow"
)

// Status is where a message stands.
type Status string

// Statuses of a message.
const (
	// StatusPending waits for delivery (or, without SMTP, for the operator
	// to read it in the outbox).
	StatusPending Status = "pending"
	// StatusSent was accepted by the mail server.
	StatusSent Status = "sent"
	// StatusFailed was given up after the last attempt.
	StatusFailed Status = "failed"
	// StatusNoRecipient has nobody to go to: the unit has no enabled
	// reporter account with an e-mail address.
	StatusNoRecipient Status = "no_recipient"
	// StatusCancelled was not sent: the report was submitted first.
	StatusCancelled Status = "cancelled"
	// StatusExpired was not sent within MaxAge.
	StatusExpired Status = "expired"
)

// Message is one reminder in the outbox.
type Message struct {
	// ID is the reminder's key: quarter/unit/kind, e.g. 2026Q3/p34-08/before-7.
	ID        string
	CreatedAt time.Time
	// Kind is before-N (N days before the due day) or after-N.
	Kind    string
	UnitID  string
	Quarter workflow.Quarter
	Due     time.Time // the due day
	// Recipients are the unit's enabled reporter accounts when planned;
	// Emails their addresses (the message goes to these).
	Recipients []string
	Emails     []string
	Subject    string // Vietnamese, then English
	Body       string // Vietnamese, then English
	Status     Status
	Attempts   int
	SentAt     *time.Time
	// Error is the last delivery error, or why the message is not sent.
	Error string

	version uint64 // the row's version: 1 when planned, +1 per step
}

// messageID is the key of a unit's reminder of a kind for a quarter.
func messageID(q workflow.Quarter, unitID, kind string) string {
	return q.String() + "/" + unitID + "/" + kind
}

// text writes a reminder's subject and body for unit u at day, Vietnamese
// first and English second.
func text(u egovkpi.Unit, s workflow.UnitStatus, due, day time.Time) (subject, body string) {
	nameVI, fullVI, nameEN := u.NameVI, u.NameVIFull, u.NameEN
	if nameVI == "" {
		nameVI, nameEN = s.UnitID, s.UnitID
	}
	if fullVI == "" {
		fullVI = nameVI
	}
	romans := []string{"I", "II", "III", "IV"}
	qVI := fmt.Sprintf("%s/%d", romans[s.Quarter.Q-1], s.Quarter.Year)
	qEN := fmt.Sprintf("%d Q%d", s.Quarter.Year, s.Quarter.Q)
	dueVI, dueEN := due.Format("02/01/2006"), due.Format("2 January 2006")
	var whenVI, whenEN string
	switch n := int(due.Sub(day).Hours() / 24); {
	case n > 1:
		whenVI, whenEN = fmt.Sprintf("còn %d ngày", n), fmt.Sprintf("is due in %d days", n)
	case n == 1:
		whenVI, whenEN = "còn 1 ngày", "is due tomorrow"
	case n == 0:
		whenVI, whenEN = "hôm nay là hạn cuối", "is due today"
	case n == -1:
		whenVI, whenEN = "đã quá hạn 1 ngày", "is 1 day overdue"
	default:
		whenVI, whenEN = fmt.Sprintf("đã quá hạn %d ngày", -n), fmt.Sprintf("is %d days overdue", -n)
	}
	subject = fmt.Sprintf("Nhắc nộp báo cáo quý %s của %s: %s (hạn %s) / Reminder: the %s report of %s %s",
		qVI, nameVI, whenVI, dueVI, qEN, nameEN, whenEN)
	var b strings.Builder
	fmt.Fprintf(&b, "Kính gửi cán bộ phụ trách báo cáo của %s,\n\n", fullVI)
	fmt.Fprintf(&b, "Báo cáo quý %s của đơn vị chưa được gửi (trạng thái: %s).\n", qVI, strings.ToLower(s.State.Label("vi")))
	fmt.Fprintf(&b, "Hạn nộp: hết ngày %s (giờ Việt Nam); %s.\n", dueVI, whenVI)
	b.WriteString("Đề nghị đăng nhập hệ thống egovkpi để hoàn thiện và gửi báo cáo.\n\n")
	b.WriteString("Thư này được gửi tự động, vui lòng không trả lời.\n\n---\n\n")
	fmt.Fprintf(&b, "Dear reporting officer of %s,\n\n", nameEN)
	fmt.Fprintf(&b, "Your unit's %s report has not been submitted (state: %s).\n", qEN, strings.ToLower(s.State.Label("en")))
	fmt.Fprintf(&b, "Deadline: end of %s (Vietnam time); the report %s.\n", dueEN, whenEN)
	b.WriteString("Please sign in to egovkpi to complete and submit it.\n\n")
	b.WriteString("This message was sent automatically; please do not reply.\n")
	return subject, b.String()
}

// writtenIDs returns the ids of the outbox's messages of the quarters.
func writtenIDs(ctx context.Context, conn driver.Conn, quarters []string) (map[string]bool, error) {
	rows, err := conn.Query(ctx, "SELECT DISTINCT id FROM outbox WHERE has(?, quarter)", quarters)
	if err != nil {
		return nil, fmt.Errorf("remind: read the outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("remind: read the outbox: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// columns are the outbox's columns, in the order messages are written and
// read.
const columns = "id, created_at, kind, unit_id, quarter, due, recipients, emails, subject, body, status, attempts, sent_at, error, version"

// writeMessages writes messages (new ones, or new versions) in one batch.
func writeMessages(ctx context.Context, conn driver.Conn, msgs []Message) error {
	b, err := conn.PrepareBatch(ctx, "INSERT INTO outbox ("+columns+")")
	if err != nil {
		return fmt.Errorf("remind: write the outbox: %w", err)
	}
	defer b.Abort()
	for _, m := range msgs {
		recipients, emails := m.Recipients, m.Emails
		if recipients == nil {
			recipients = []string{}
		}
		if emails == nil {
			emails = []string{}
		}
		if err := b.Append(m.ID, m.CreatedAt, m.Kind, m.UnitID, m.Quarter.String(), m.Due, recipients, emails,
			m.Subject, m.Body, string(m.Status), uint16(min(m.Attempts, 1<<16-1)), m.SentAt, m.Error, m.version); err != nil {
			return fmt.Errorf("remind: write message %s: %w", m.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("remind: write the outbox: %w", err)
	}
	return nil
}

// Filter selects messages of the outbox.
type Filter struct {
	ID      string           // one message; empty: all
	UnitID  string           // empty: every unit
	Quarter workflow.Quarter // zero: every quarter
	// Unsent keeps the messages not sent (yet, or ever).
	Unsent bool
	// Limit bounds how many (0: 500).
	Limit int
}

// Outbox lists the outbox's messages, newest first.
func Outbox(ctx context.Context, conn driver.Conn, f Filter) ([]Message, error) {
	where, args := []string{"1"}, []any{}
	if f.ID != "" {
		where, args = append(where, "id = ?"), append(args, f.ID)
	}
	if f.UnitID != "" {
		where, args = append(where, "unit_id = ?"), append(args, f.UnitID)
	}
	if f.Quarter != (workflow.Quarter{}) {
		where, args = append(where, "quarter = ?"), append(args, f.Quarter.String())
	}
	if f.Unsent {
		where = append(where, "sent_at IS NULL")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	return query(ctx, conn, strings.Join(where, " AND "), args, "created_at DESC, id DESC", limit)
}

// query reads the latest version of the messages matching where (SQL
// with ? for args), in order.
func query(ctx context.Context, conn driver.Conn, where string, args []any, order string, limit int) ([]Message, error) {
	sql := "SELECT " + columns + " FROM outbox FINAL WHERE " + where + " ORDER BY " + order
	if limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("remind: read the outbox: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var (
			m              Message
			quarter        string
			status         string
			attempts       uint16
			sentAt         *time.Time
			recipients, to []string
		)
		if err := rows.Scan(&m.ID, &m.CreatedAt, &m.Kind, &m.UnitID, &quarter, &m.Due, &recipients, &to,
			&m.Subject, &m.Body, &status, &attempts, &sentAt, &m.Error, &m.version); err != nil {
			return nil, fmt.Errorf("remind: read the outbox: %w", err)
		}
		q, err := workflow.ParseQuarter(quarter)
		if err != nil {
			return nil, fmt.Errorf("remind: message %s: %w", m.ID, err)
		}
		m.Quarter, m.Due, m.Status, m.Attempts, m.SentAt = q, egovkpi.Day(m.Due), Status(status), int(attempts), sentAt
		m.Recipients, m.Emails = recipients, to
		out = append(out, m)
	}
	return out, rows.Err()
}
