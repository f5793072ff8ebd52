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
// it is "egk_" and 32 random bytes, shown once, stored only as its SHA-256,
// and listed and revoked by a short public id.

// API token limits.
const (
	// APITokenPrefix starts every API token, so that one is told apart
	// from a push token (and found by secret scanners).
	APITokenPrefix = "egk_"
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
)

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
// (more than zero, at most MaxAPITokenTTL).
func CheckAPIToken(name string, ttl time.Duration) error {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return fmt.Errorf("an API token needs a name saying what it is for")
	case utf8.RuneCountInString(name) > MaxAPITokenName:
		return fmt.Errorf("the token's name must have at most %d characters", MaxAPITokenName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("the token's name must not contain control characters")
	case ttl <= 0 || ttl > MaxAPITokenTTL:
		return fmt.Errorf("an API token's lifetime must be more than zero and at most %d days, not %v", int(MaxAPITokenTTL/(24*time.Hour)), ttl)
	}
	return nil
}

// CreateAPIToken makes an API token for an enabled account, valid for ttl.
// It returns the token's public id and the token itself, which is not kept
// and cannot be shown again. The caller writes the audit entry.
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

// RevokeAPIToken ends an API token for good, at once in this process.
// Revoking a revoked token does nothing. The caller writes the audit entry.
func (s *Store) RevokeAPIToken(ctx context.Context, id string) error {
	var hash string
	var t APIToken
	var revoked *time.Time
	err := s.conn.QueryRow(ctx, "SELECT token_hash, id, login, name, created_at, expires_at, revoked_at FROM api_tokens FINAL WHERE id = ?", id).
		Scan(&hash, &t.ID, &t.Login, &t.Name, &t.CreatedAt, &t.ExpiresAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", ErrNoAPIToken, id)
	}
	if err != nil {
		return fmt.Errorf("auth: revoke API token %s: %w", id, err)
	}
	if revoked != nil {
		return nil
	}
	t.Revoked, t.RevokedAt = true, s.now().Truncate(time.Second)
	if err := s.saveAPIToken(ctx, hash, t); err != nil {
		return err
	}
	s.forgetAPITokens()
	return nil
}

// TokenSession returns the session an API token stands for: its account,
// marked ByToken, with no CSRF token. ok is false unless the token is well
// formed, known, not revoked, not expired, and its account exists and is
// enabled. Lookups are cached for CacheFor; nothing is written per request.
func (s *Store) TokenSession(ctx context.Context, token string) (Session, bool, error) {
	if !wellFormedAPIToken(token) {
		return Session{}, false, nil
	}
	hash := secret.Hash(token)
	now := s.now()
	s.mu.Lock()
	c, hit := s.apiTokens[hash]
	gen := s.tokenGen
	s.mu.Unlock()
	if hit && now.Before(c.until) {
		if !c.ok || !now.Before(c.s.Expires) {
			return Session{}, false, nil
		}
		return c.s, true, nil
	}
	var login string
	var expires time.Time
	var revoked *time.Time
	err := s.conn.QueryRow(ctx, "SELECT login, expires_at, revoked_at FROM api_tokens FINAL WHERE token_hash = ?", hash).Scan(&login, &expires, &revoked)
	found := true
	if errors.Is(err, sql.ErrNoRows) {
		found, err = false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("auth: read API token: %w", err)
	}
	sess := Session{Expires: expires, ByToken: true}
	ok := found && revoked == nil && now.Before(expires)
	if ok {
		if ok, err = s.liveUser(ctx, &sess, login); err != nil {
			return Session{}, false, err
		}
	}
	s.mu.Lock()
	// A revocation or an account change while we read: do not cache what
	// may be from before it.
	if s.tokenGen == gen {
		if len(s.apiTokens) > 100_000 {
			s.apiTokens = map[string]cachedSession{}
		}
		s.apiTokens[hash] = cachedSession{s: sess, ok: ok, until: now.Add(CacheFor)}
	}
	s.mu.Unlock()
	if !ok {
		return Session{}, false, nil
	}
	return sess, true, nil
}

// forgetAPITokens drops the API token cache (a token was revoked, or an
// account changed).
func (s *Store) forgetAPITokens() {
	s.mu.Lock()
	s.apiTokens = map[string]cachedSession{}
	s.tokenGen++
	s.mu.Unlock()
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
