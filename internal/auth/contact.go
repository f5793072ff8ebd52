package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// ActionEmailSet is the audit action of a changed contact address (Target:
// the login, Detail: the new address, or "removed").
const ActionEmailSet = "user e-mail set"

// maxEmail is the longest address accepted (RFC 5321's path limit).
const maxEmail = 254

// CheckEmail checks a contact address: one bare address such as
// lan.nguyen@hanoi.gov.vn, without a display name. Empty is accepted: it
// removes the address.
func CheckEmail(email string) error {
	if email == "" {
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return fmt.Errorf("e-mail address %q: want one bare address such as lan.nguyen@hanoi.gov.vn", email)
	}
	if len(email) > maxEmail {
		return fmt.Errorf("e-mail address %q: longer than %d characters", email, maxEmail)
	}
	return nil
}

// SetEmail sets an account's contact address ("" removes it). The caller
// audits the change (ActionEmailSet), as with every account change.
func (s *Store) SetEmail(ctx context.Context, login, email string) error {
	email = strings.TrimSpace(email)
	if err := CheckEmail(email); err != nil {
		return err
	}
	if _, _, found, err := s.user(ctx, login); err != nil {
		return err
	} else if !found {
		return fmt.Errorf("%w: %s", ErrNotFound, login)
	}
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO user_contacts (login, email, version)")
	if err != nil {
		return fmt.Errorf("auth: set the e-mail of %s: %w", login, err)
	}
	defer b.Abort()
	if err := b.Append(login, email, s.version()); err != nil {
		return fmt.Errorf("auth: set the e-mail of %s: %w", login, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("auth: set the e-mail of %s: %w", login, err)
	}
	return nil
}

// Email returns an account's contact address ("" when it has none).
func (s *Store) Email(ctx context.Context, login string) (string, error) {
	var email string
	err := s.conn.QueryRow(ctx, "SELECT email FROM user_contacts FINAL WHERE login = ?", login).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("auth: read the e-mail of %s: %w", login, err)
	}
	return email, nil
}

// Emails returns the contact addresses of the logins that have one, by
// login.
func (s *Store) Emails(ctx context.Context, logins []string) (map[string]string, error) {
	out := map[string]string{}
	if len(logins) == 0 {
		return out, nil
	}
	rows, err := s.conn.Query(ctx, "SELECT login, email FROM user_contacts FINAL WHERE has(?, login) AND email != ''", logins)
	if err != nil {
		return nil, fmt.Errorf("auth: read e-mail addresses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var login, email string
		if err := rows.Scan(&login, &email); err != nil {
			return nil, fmt.Errorf("auth: read e-mail addresses: %w", err)
		}
		out[login] = email
	}
	return out, rows.Err()
}
