// Package auth keeps the web app's accounts, sessions and audit log in
// ClickHouse: users with a role (admin, analyst, leader, or reporter bound
// to one unit) and a bcrypt password; sessions identified by a random
// cookie token stored only as its SHA-256, each with its CSRF token;
// personal API tokens of the figures API, also stored only as their
// SHA-256, each acting as its account; and an append-only audit log of
// sign-ins and changes.
//
// Lookups of sessions and API tokens, with their account, are cached in
// memory for CacheFor, so a signed-in request costs no query (unknown
// tokens are not cached); a change made through this Store (a sign-out, a
// revoked token, any write of an account: disabled, enabled, a new
// password, which ends the account's sessions) takes effect in this
// process at once and in others within CacheFor.
package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/crypto/bcrypt"

	"egovkpi/internal/secret"
)

// Role is what an account may do.
type Role string

// Roles, as in the design's table of users.
const (
	// Admin runs the system: sources, users, tokens, schedules.
	Admin Role = "admin"
	// Analyst is a national analyst: every table, drill-down, data quality.
	Analyst Role = "analyst"
	// Leader sees headline figures and downloads the Excel summaries.
	Leader Role = "leader"
	// Reporter belongs to one unit: its own unit in full, the national
	// tables, its quarterly reports.
	Reporter Role = "reporter"
)

// Roles lists every role.
var Roles = []Role{Admin, Analyst, Leader, Reporter}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (accepted: admin, analyst, leader, reporter)", s)
}

// User is an account.
type User struct {
	Login string
	Name  string
	Role  Role
	// UnitID is the reporter's unit; empty for the other roles.
	UnitID    string
	Disabled  bool
	CreatedAt time.Time
}

// Session is a signed-in session, or the use of a personal API token
// (ByToken: no cookie and no CSRF token; see TokenSession).
type Session struct {
	User    User
	CSRF    string
	Expires time.Time
	ByToken bool
}

// Errors.
var (
	// ErrBadCredentials is the one answer to an unknown login, a wrong
	// password and a disabled account, so that none can be told apart.
	ErrBadCredentials = errors.New("wrong login or password")
	// ErrNotFound is an unknown login in an admin command.
	ErrNotFound = errors.New("no such user")
	// ErrExists is a login already taken.
	ErrExists = errors.New("login already exists")
)

// Lifetimes.
const (
	// SessionTTL is how long a session lasts after sign-in.
	SessionTTL = 12 * time.Hour
	// CacheFor is how long a looked-up session or user is trusted without
	// asking the database again.
	CacheFor = 30 * time.Second
	// MinPassword is the shortest password accepted.
	MinPassword = 12
)

var loginRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// ValidLogin reports whether s has the form of a login.
func ValidLogin(s string) bool { return loginRe.MatchString(s) }

// Store reads and writes accounts, sessions and the audit log.
type Store struct {
	conn driver.Conn
	cost int
	now  func() time.Time

	mu      sync.Mutex // guards lastVer
	lastVer uint64

	sessions  lookups // by session hash
	apiTokens lookups // by API token hash
}

// New returns a store over conn (migrated).
func New(conn driver.Conn) *Store {
	return &Store{conn: conn, cost: bcrypt.DefaultCost, now: time.Now}
}

// SetBcryptCost lowers the bcrypt cost (tests); production uses the
// library's default.
func (s *Store) SetBcryptCost(cost int) { s.cost = cost }

// version returns a new, increasing row version.
func (s *Store) version() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := uint64(s.now().UnixNano())
	if v <= s.lastVer {
		v = s.lastVer + 1
	}
	s.lastVer = v
	return v
}

// CheckNew checks a new account's fields: login format, role, a unit for
// reporters only, password length. unitExists validates the unit id.
func CheckNew(u User, password string, unitExists func(string) bool) error {
	if !loginRe.MatchString(u.Login) {
		return fmt.Errorf("login %q: want 2–64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", u.Login)
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	switch {
	case u.Role == Reporter && u.UnitID == "":
		return fmt.Errorf("a reporter needs a unit (--unit)")
	case u.Role != Reporter && u.UnitID != "":
		return fmt.Errorf("only reporters are bound to a unit; %s is not", u.Role)
	case u.UnitID != "" && !unitExists(u.UnitID):
		return fmt.Errorf("unknown unit %q", u.UnitID)
	}
	return checkPassword(password)
}

func checkPassword(p string) error {
	if len([]rune(p)) < MinPassword {
		return fmt.Errorf("the password must have at least %d characters", MinPassword)
	}
	if len(p) > 72 {
		return fmt.Errorf("the password must have at most 72 bytes (bcrypt's limit)")
	}
	return nil
}

// AddUser creates an account; the caller has checked it with CheckNew.
func (s *Store) AddUser(ctx context.Context, u User, password string) error {
	if _, _, found, err := s.user(ctx, u.Login); err != nil {
		return err
	} else if found {
		return fmt.Errorf("%w: %s", ErrExists, u.Login)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return fmt.Errorf("auth: hash password: %w", err)
	}
	u.CreatedAt = s.now().Truncate(time.Second)
	return s.saveUser(ctx, u, string(hash))
}

func (s *Store) saveUser(ctx context.Context, u User, hash string) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO users (login, name, role, unit_id, password_hash, disabled, created_at, version)")
	if err != nil {
		return fmt.Errorf("auth: save user %s: %w", u.Login, err)
	}
	defer b.Abort()
	var disabled uint8
	if u.Disabled {
		disabled = 1
	}
	if err := b.Append(u.Login, u.Name, string(u.Role), u.UnitID, hash, disabled, u.CreatedAt, s.version()); err != nil {
		return fmt.Errorf("auth: save user %s: %w", u.Login, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("auth: save user %s: %w", u.Login, err)
	}
	// Every account write (disabled or enabled, a new password, later a
	// new role or unit) drops what the caches say of its sessions and
	// tokens, and keeps lookups in flight from caching what they read
	// before it.
	s.forgetSessions()
	return nil
}

// user reads an account and its password hash.
func (s *Store) user(ctx context.Context, login string) (User, string, bool, error) {
	var u User
	var role, hash string
	var disabled uint8
	err := s.conn.QueryRow(ctx, "SELECT login, name, toString(role), unit_id, password_hash, disabled, created_at FROM users FINAL WHERE login = ?", login).
		Scan(&u.Login, &u.Name, &role, &u.UnitID, &hash, &disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", false, nil
	}
	if err != nil {
		return u, "", false, fmt.Errorf("auth: read user %s: %w", login, err)
	}
	u.Role, u.Disabled = Role(role), disabled == 1
	return u, hash, true, nil
}

// User returns an account.
func (s *Store) User(ctx context.Context, login string) (User, error) {
	u, _, found, err := s.user(ctx, login)
	if err != nil {
		return u, err
	}
	if !found {
		return u, fmt.Errorf("%w: %s", ErrNotFound, login)
	}
	return u, nil
}

// Users lists every account by login.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.conn.Query(ctx, "SELECT login, name, toString(role), unit_id, disabled, created_at FROM users FINAL ORDER BY login")
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var role string
		var disabled uint8
		if err := rows.Scan(&u.Login, &u.Name, &role, &u.UnitID, &disabled, &u.CreatedAt); err != nil {
			return nil, fmt.Errorf("auth: list users: %w", err)
		}
		u.Role, u.Disabled = Role(role), disabled == 1
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetDisabled disables or enables an account; a disabled account's
// sessions end.
func (s *Store) SetDisabled(ctx context.Context, login string, disabled bool) error {
	u, hash, found, err := s.user(ctx, login)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: %s", ErrNotFound, login)
	}
	u.Disabled = disabled
	if err := s.saveUser(ctx, u, hash); err != nil { // drops the caches: enabling takes effect at once too
		return err
	}
	if !disabled {
		return nil
	}
	return s.endSessionsOf(ctx, login)
}

// endSessionsOf ends every live session of an account, so that enabling
// it again does not bring them back and a new password signs everyone out.
func (s *Store) endSessionsOf(ctx context.Context, login string) error {
	if err := s.conn.Exec(ctx, `INSERT INTO sessions (session_hash, login, csrf_token, created_at, expires_at, ended, version)
SELECT session_hash, login, csrf_token, created_at, expires_at, 1, toUInt64(?) FROM sessions FINAL WHERE login = ? AND ended = 0`, s.version(), login); err != nil {
		return fmt.Errorf("auth: end the sessions of %s: %w", login, err)
	}
	s.forgetSessions()
	return nil
}

// ResetPassword sets a new password and ends the account's sessions.
func (s *Store) ResetPassword(ctx context.Context, login, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	u, _, found, err := s.user(ctx, login)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: %s", ErrNotFound, login)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return fmt.Errorf("auth: hash password: %w", err)
	}
	if err := s.saveUser(ctx, u, string(hash)); err != nil {
		return err
	}
	return s.endSessionsOf(ctx, login)
}

// dummyHash is compared against when the login is unknown, so that an
// unknown login takes as long as a wrong password. It is made on first use:
// bcrypt at start-up would slow every command.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("egovkpi-no-such-user"), bcrypt.DefaultCost)
	return h
})

// Authenticate checks a login and password.
func (s *Store) Authenticate(ctx context.Context, login, password string) (User, error) {
	u, hash, found, err := s.user(ctx, login)
	if err != nil {
		return User{}, err
	}
	if !found {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || u.Disabled {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// Count returns how many accounts exist.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM users FINAL").Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: count users: %w", err)
	}
	return int(n), nil
}

// RandomToken returns n random bytes, URL-safe base64.
func RandomToken(n int) string { return secret.Random(n) }

// StartSession signs a user in: it returns the cookie token and the
// session's CSRF token.
func (s *Store) StartSession(ctx context.Context, login string) (token, csrf string, err error) {
	token, csrf = RandomToken(32), RandomToken(24)
	now := s.now().Truncate(time.Second)
	if err := s.saveSession(ctx, secret.Hash(token), login, csrf, now, now.Add(SessionTTL), false); err != nil {
		return "", "", err
	}
	return token, csrf, nil
}

func (s *Store) saveSession(ctx context.Context, hash, login, csrf string, created, expires time.Time, ended bool) error {
	b, err := s.conn.PrepareBatch(ctx, "INSERT INTO sessions (session_hash, login, csrf_token, created_at, expires_at, ended, version)")
	if err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	defer b.Abort()
	var e uint8
	if ended {
		e = 1
	}
	if err := b.Append(hash, login, csrf, created, expires, e, s.version()); err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	return nil
}

// Session returns the live session of a cookie token: not ended, not
// expired, its account enabled. ok is false otherwise. Lookups are cached
// for CacheFor (see lookups).
func (s *Store) Session(ctx context.Context, token string) (Session, bool, error) {
	if token == "" {
		return Session{}, false, nil
	}
	now := s.now()
	return s.sessions.lookup(secret.Hash(token), now, func(hash string) (Session, bool, bool, error) {
		var login, csrf string
		var expires time.Time
		var ended uint8
		err := s.conn.QueryRow(ctx, "SELECT login, csrf_token, expires_at, ended FROM sessions FINAL WHERE session_hash = ?", hash).Scan(&login, &csrf, &expires, &ended)
		if errors.Is(err, sql.ErrNoRows) {
			return Session{}, false, false, nil
		}
		if err != nil {
			return Session{}, false, false, fmt.Errorf("auth: read session: %w", err)
		}
		sess := Session{CSRF: csrf, Expires: expires}
		if ended != 0 || !now.Before(expires) {
			return sess, true, false, nil
		}
		ok, err := s.liveUser(ctx, &sess, login)
		return sess, true, ok, err
	})
}

// EndSession signs a session out.
func (s *Store) EndSession(ctx context.Context, token string) error {
	hash := secret.Hash(token)
	var login, csrf string
	var created, expires time.Time
	err := s.conn.QueryRow(ctx, "SELECT login, csrf_token, created_at, expires_at FROM sessions FINAL WHERE session_hash = ?", hash).Scan(&login, &csrf, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	if err := s.saveSession(ctx, hash, login, csrf, created, expires, true); err != nil {
		return err
	}
	s.sessions.forget(hash) // after the write, so that no lookup caches the session live again
	return nil
}

// forgetSessions drops the caches of sessions and API tokens (an account
// changed).
func (s *Store) forgetSessions() {
	s.sessions.forget("")
	s.apiTokens.forget("")
}

// lookups caches the lookups of one kind of secret (session cookies, API
// tokens) by its hash, for CacheFor. Only what was found is cached, live
// or not (ended, revoked, expired, of a disabled account): an unknown
// hash costs a query every time, but made-up tokens, however many, cannot
// fill the cache and push the real ones out. A forget while a lookup
// reads keeps its answer out of the cache, since it may be from before
// the change. The zero value is an empty cache.
type lookups struct {
	mu      sync.Mutex
	entries map[string]cachedSession
	gen     uint64 // bumped by every forget
}

type cachedSession struct {
	s     Session
	ok    bool
	until time.Time
}

// maxCached bounds a cache: when full, its stale entries are dropped, and
// if that is not enough, all of them.
const maxCached = 100_000

// lookup returns what the cache, or else read, says of hash at now: the
// session and whether it is live (and not expired at now). read says
// whether hash is known (found) and live (ok).
func (c *lookups) lookup(hash string, now time.Time, read func(hash string) (sess Session, found, ok bool, err error)) (Session, bool, error) {
	c.mu.Lock()
	e, hit := c.entries[hash]
	gen := c.gen
	c.mu.Unlock()
	if hit && now.Before(e.until) {
		return e.s, e.ok && now.Before(e.s.Expires), nil
	}
	sess, found, ok, err := read(hash)
	if err != nil {
		return Session{}, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.gen != gen: // forgotten while we read
	case found:
		if c.entries == nil {
			c.entries = map[string]cachedSession{}
		}
		if len(c.entries) >= maxCached {
			for h, old := range c.entries {
				if !now.Before(old.until) {
					delete(c.entries, h)
				}
			}
			if len(c.entries) >= maxCached {
				clear(c.entries)
			}
		}
		c.entries[hash] = cachedSession{s: sess, ok: ok, until: now.Add(CacheFor)}
	case hit:
		delete(c.entries, hash) // stale, and now unknown
	}
	return sess, ok, nil
}

// forget drops hash's entry, or every entry if hash is "".
func (c *lookups) forget(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hash == "" {
		c.entries = nil
	} else {
		delete(c.entries, hash)
	}
	c.gen++
}

// SameToken compares two tokens in constant time.
func SameToken(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// liveUser fills sess.User with login's account and reports whether it
// exists and is enabled: a session or token of a missing or disabled
// account lets nobody in.
func (s *Store) liveUser(ctx context.Context, sess *Session, login string) (bool, error) {
	u, _, exists, err := s.user(ctx, login)
	if err != nil {
		return false, err
	}
	sess.User = u
	return exists && !u.Disabled, nil
}
