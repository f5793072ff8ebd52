package auth

import (
	"context"
	"fmt"
	"time"
)

// Audit actions.
const (
	ActionSignIn        = "sign-in"
	ActionSignInRefused = "sign-in refused"
	ActionSignOut       = "sign-out"
	ActionUserAdded     = "user added"
	ActionUserDisabled  = "user disabled"
	ActionUserEnabled   = "user enabled"
	ActionPasswordReset = "password reset"
	ActionTokenAdded    = "push token added"
	ActionTokenRevoked  = "push token revoked"
	// API tokens: Target is the token's id, Detail its account.
	ActionAPITokenAdded   = "api token added"
	ActionAPITokenRevoked = "api token revoked"
	// ActionAPITokenRefused is a figures API request with a bearer token
	// that is not a live API token (no Target: the token is not known).
	ActionAPITokenRefused = "api token refused"
)

// Entry is one line of the audit log.
type Entry struct {
	At     time.Time
	Actor  string // login, or "cli:<os user>" for commands
	Action string
	Target string // what was acted on (a login, a token, a report)
	Detail string
	IP     string
}

// Audit appends an entry.
func (s *Store) Audit(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO audit_log (at, actor, action, target, detail, ip)")
	if err != nil {
		return fmt.Errorf("auth: audit %s: %w", e.Action, err)
	}
	defer b.Abort()
	if err := b.Append(e.At.Truncate(time.Second), e.Actor, e.Action, e.Target, e.Detail, e.IP); err != nil {
		return fmt.Errorf("auth: audit %s: %w", e.Action, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("auth: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns the latest entries, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]Entry, error) {
	rows, err := s.conn.Query(ctx, "SELECT at, actor, action, target, detail, ip FROM audit_log ORDER BY at DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("auth: read audit log: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.At, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return nil, fmt.Errorf("auth: read audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
