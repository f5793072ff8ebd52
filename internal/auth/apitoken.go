package auth

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"egovkpi/internal/secret"
)

// Personal API tokens let scripts read the figures API without a browser
// session. A token belongs to an account and acts with its role and unit;
// it is "egkapi_" and 32 random bytes (URL-safe base64), shown once,
// stored only as its SHA-256, and listed and revoked by a short public id.
// Push tokens of unit portals are "egk_" and 64 hex digits: neither kind
// has the other's form.

// API token limits.
const (
	// APITokenPrefix starts every API token, so that one is told apart
	// from a push token ("egk_" and hex digits) and found by secret
	// scanners.
	APITokenPrefix = "egkapi_"
	// APITokenTTL is an API token's default lifetime.
	APITokenTTL = 365 * 24 * time.Hour
	// MaxAPITokenTTL is the longest lifetime accepted.
	MaxAPITokenTTL = 2 * 365 * 24 * time.Hour
	// MaxAPITokenName is the longest name, in characters.
	MaxAPITokenName = 200
)

// API token errors.
var (
	// ErrDisabled is a disabled account in an admin command.
	ErrDisabled = errors.New("the account is disabled")
	// ErrNoAPIToken is an unknown API token id.
	ErrNoAPIToken = errors.New("no such API token")
	// ErrInvalidAPIToken is a new API token's name or lifetime refused by
	// CheckAPIToken (the error's text says what is wrong).
	ErrInvalidAPIToken = errors.New("invalid name or lifetime of an API token")
)

// invalidAPIToken is an ErrInvalidAPIToken with its own text.
type invalidAPIToken string

func (e invalidAPIToken) Error() string { return string(e) }
func (e invalidAPIToken) Unwrap() error { return ErrInvalidAPIToken }

// APIToken is an API token as listed: never the token, never its hash.
type APIToken struct {
	ID        string
	Login     string
	Name      string
	CreatedAt time.Time
	ExpiresAt time.Time
	Revoked   bool
	RevokedAt time.Time // zero unless Revoked
}

// CheckAPIToken checks a new API token's name (what it is for: not empty,
// at most MaxAPITokenName characters, no control characters) and lifetime
// (more than zero, at most MaxAPITokenTTL). Its errors are
// ErrInvalidAPIToken (errors.Is).
func CheckAPIToken(name string, ttl time.Duration) error {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return invalidAPIToken("an API token needs a name saying what it is for")
	case utf8.RuneCountInString(name) > MaxAPITokenName:
		return invalidAPIToken(fmt.Sprintf("the token's name must have at most %d characters", MaxAPITokenName))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return invalidAPIToken("the token's name must not contain control characters")
	case ttl <= 0 || ttl > MaxAPITokenTTL:
		got := ttl.String()
		if ttl%day == 0 {
			got = fmt.Sprintf("%d days", ttl/day)
		}
		return invalidAPIToken(fmt.Sprintf("an API token's lifetime must be more than zero and at most %d days, not %s", MaxAPITokenTTL/day, got))
	}
	return nil
}

const day = 24 * time.Hour

// CreateAPIToken makes an API token for an enabled account, valid for ttl.
// It returns the token's public id and the token itself, which is not kept
// and cannot be shown again. A bad name or lifetime is ErrInvalidAPIToken,
// an unknown account ErrNotFound, a disabled one ErrDisabled (errors.Is).
// The caller writes the audit entry.
func (s *Store) CreateAPIToken(ctx context.Context, login, name string, ttl time.Duration) (id, token string, err error) {
	if err := CheckAPIToken(name, ttl); err != nil {
		return "", "", err
	}
	u, _, found, err := s.user(ctx, login)
	if err != nil {
		return "", "", err
	}
	if !found {
		return "", "", fmt.Errorf("%w: %s", ErrNotFound, login)
	}
	if u.Disabled {
		return "", "", fmt.Errorf("%w: %s", ErrDisabled, login)
	}
	id = hex.EncodeToString(secret.RandomBytes(6))
	token = APITokenPrefix + secret.Random(32)
	now := s.now().Truncate(time.Second)
	t := APIToken{ID: id, Login: login, Name: strings.TrimSpace(name), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.saveAPIToken(ctx, secret.Hash(token), t); err != nil {
		return "", "", err
	}
	return id, token, nil
}

func (s *Store) saveAPIToken(ctx context.Context, hash string, t APIToken) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO api_tokens (token_hash, id, login, name, created_at, expires_at, revoked_at, version)")
	if err != nil {
		return fmt.Errorf("auth: save API token %s: %w", t.ID, err)
	}
	defer b.Abort()
	var revoked *time.Time
	if t.Revoked {
		revoked = &t.RevokedAt
	}
	if err := b.Append(hash, t.ID, t.Login, t.Name, t.CreatedAt, t.ExpiresAt, revoked, s.version()); err != nil {
		return fmt.Errorf("auth: save API token %s: %w", t.ID, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("auth: save API token %s: %w", t.ID, err)
	}
	return nil
}

// APITokens lists the API tokens of login ("" for every account), by login
// and age, with the revoked and expired ones.
func (s *Store) APITokens(ctx context.Context, login string) ([]APIToken, error) {
	q := "SELECT id, login, name, created_at, expires_at, revoked_at FROM api_tokens FINAL"
	var args []any
	if login != "" {
		q += " WHERE login = ?"
		args = append(args, login)
	}
	rows, err := s.conn.Query(ctx, q+" ORDER BY login, created_at, id", args...)
	if err != nil {
		return nil, fmt.Errorf("auth: list API tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var revoked *time.Time
		if err := rows.Scan(&t.ID, &t.Login, &t.Name, &t.CreatedAt, &t.ExpiresAt, &revoked); err != nil {
			return nil, fmt.Errorf("auth: list API tokens: %w", err)
		}
		if revoked != nil {
			t.Revoked, t.RevokedAt = true, *revoked
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list API tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken ends an API token for good, at once in this process. It
// returns the token's account, and already true (and writes nothing) if
// the token was revoked before. The caller writes the audit entry, unless
// already.
func (s *Store) RevokeAPIToken(ctx context.Context, id string) (login string, already bool, err error) {
	var hash string
	var t APIToken
	var revoked *time.Time
	err = s.conn.QueryRow(ctx, "SELECT token_hash, id, login, name, created_at, expires_at, revoked_at FROM api_tokens FINAL WHERE id = ?", id).
		Scan(&hash, &t.ID, &t.Login, &t.Name, &t.CreatedAt, &t.ExpiresAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("%w: %s", ErrNoAPIToken, id)
	}
	if err != nil {
		return "", false, fmt.Errorf("auth: revoke API token %s: %w", id, err)
	}
	if revoked != nil {
		return t.Login, true, nil
	}
	t.Revoked, t.RevokedAt = true, s.now().Truncate(time.Second)
	if err := s.saveAPIToken(ctx, hash, t); err != nil {
		return "", false, err
	}
	s.apiTokens.forget(hash) // after the write, so that no lookup caches the token live again
	return t.Login, false, nil
}

// TokenSession returns the session an API token stands for: its account,
// marked ByToken, with no CSRF token. ok is false unless the token is well
// formed (anything else is refused without a query), known, not revoked,
// not expired, and its account exists and is enabled. Lookups are cached
// for CacheFor (see lookups); nothing is written per request.
func (s *Store) TokenSession(ctx context.Context, token string) (Session, bool, error) {
	if !wellFormedAPIToken(token) {
		return Session{}, false, nil
	}
	now := s.now()
	sess, ok, err := s.apiTokens.lookup(secret.Hash(token), now, func(hash string) (Session, bool, bool, error) {
		var login string
		var expires time.Time
		var revoked *time.Time
		err := s.conn.QueryRow(ctx, "SELECT login, expires_at, revoked_at FROM api_tokens FINAL WHERE token_hash = ?", hash).Scan(&login, &expires, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return Session{}, false, false, nil
		}
		if err != nil {
			return Session{}, false, false, fmt.Errorf("auth: read API token: %w", err)
		}
		sess := Session{Expires: expires, ByToken: true}
		if revoked != nil || !now.Before(expires) {
			return sess, true, false, nil
		}
		ok, err := s.liveUser(ctx, &sess, login)
		return sess, true, ok, err
	})
	if err != nil || !ok {
		return Session{}, false, err
	}
	return sess, true, nil
}

// wellFormedAPIToken reports whether s has an API token's form, so that
// anything else is refused without a query.
func wellFormedAPIToken(s string) bool {
	rest, ok := strings.CutPrefix(s, APITokenPrefix)
	if !ok || len(rest) != 43 { // 32 bytes, URL-safe base64 without padding
		return false
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
