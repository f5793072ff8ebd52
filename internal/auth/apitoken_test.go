package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"egovkpi/internal/secret"
)

func TestCheckAPIToken(t *testing.T) {
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		want string
	}{
		{"nightly export", APITokenTTL, ""},
		{"nightly export", MaxAPITokenTTL, ""},
		{"  ", APITokenTTL, "needs a name"},
		{strings.Repeat("x", MaxAPITokenName+1), APITokenTTL, "at most 200 characters"},
		{"two\nlines", APITokenTTL, "control characters"},
		{"nightly export", 0, "more than zero and at most 730 days, not 0 days"},
		{"nightly export", MaxAPITokenTTL + 24*time.Hour, "at most 730 days, not 731 days"},
		{"nightly export", MaxAPITokenTTL + time.Second, "at most 730 days, not 17520h0m1s"},
	} {
		err := CheckAPIToken(tc.name, tc.ttl)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q %v: %v, want %q", tc.name, tc.ttl, err, tc.want)
		}
		if err != nil && !errors.Is(err, ErrInvalidAPIToken) {
			t.Errorf("%q %v: %v is not ErrInvalidAPIToken", tc.name, tc.ttl, err)
		}
	}
}

// TestAPITokens: a token acts as its account; only its hash is stored; it
// is listed without hash; revoking it and disabling its account refuse it
// at once (here and in another store); unknown, disabled and malformed
// cases are refused.
func TestAPITokens(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, u := range []User{{Login: "an", Role: Analyst}, {Login: "lan", Role: Reporter, UnitID: "p34-08"}, {Login: "off", Role: Leader}} {
		if err := s.AddUser(ctx, u, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetDisabled(ctx, "off", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateAPIToken(ctx, "nobody", "export", APITokenTTL); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	if _, _, err := s.CreateAPIToken(ctx, "off", "export", APITokenTTL); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled account: %v", err)
	}
	if _, _, err := s.CreateAPIToken(ctx, "an", "", APITokenTTL); !errors.Is(err, ErrInvalidAPIToken) {
		t.Errorf("a token without a name: %v", err)
	}
	if _, _, err := s.CreateAPIToken(ctx, "an", "export", MaxAPITokenTTL+time.Hour); !errors.Is(err, ErrInvalidAPIToken) {
		t.Errorf("a token for too long: %v", err)
	}
	id, tok, err := s.CreateAPIToken(ctx, "an", " nightly export ", APITokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 12 || !strings.HasPrefix(tok, "egkapi_") || len(tok) != 50 {
		t.Fatalf("id %q, token %q", id, tok)
	}
	sess, ok, err := s.TokenSession(ctx, tok)
	if err != nil || !ok || !sess.ByToken || sess.CSRF != "" || sess.User.Login != "an" || sess.User.Role != Analyst {
		t.Fatalf("token session: %+v %v %v", sess, ok, err)
	}
	if d := time.Until(sess.Expires); d < APITokenTTL-time.Minute || d > APITokenTTL {
		t.Errorf("expires in %v, want about %v", d, APITokenTTL)
	}
	session, _, err := s.StartSession(ctx, "an")
	if err != nil {
		t.Fatal(err)
	}
	last := "A"
	if strings.HasSuffix(tok, "A") {
		last = "B"
	}
	body := strings.TrimPrefix(tok, APITokenPrefix)
	push := "egk_" + strings.Repeat("0123456789abcdef", 4) // a push token's form
	for _, bad := range []string{"", tok[:len(tok)-1] + last, body, "egk_" + body, APITokenPrefix + session[:43], session, tok + "x", APITokenPrefix + strings.Repeat("!", 43), push} {
		if _, ok, err := s.TokenSession(ctx, bad); ok || err != nil {
			t.Errorf("TokenSession(%q): %v %v", bad, ok, err)
		}
	}
	if wellFormedAPIToken(push) || wellFormedAPIToken("egk_"+body) {
		t.Error("a push token's form passes for an API token's")
	}
	// Only the hash is stored.
	var n, leaked uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM api_tokens WHERE token_hash = ?", secret.Hash(tok)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows with the token's hash: %d %v", n, err)
	}
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM api_tokens WHERE position(concat(token_hash, id, login, name), ?) > 0", body).Scan(&leaked); err != nil || leaked != 0 {
		t.Fatalf("rows holding the token itself: %d %v", leaked, err)
	}
	// Listing.
	id2, tok2, err := s.CreateAPIToken(ctx, "lan", "unit dashboard", 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := s.APITokens(ctx, "an")
	if err != nil || len(mine) != 1 || mine[0].ID != id || mine[0].Name != "nightly export" || mine[0].Revoked {
		t.Fatalf("tokens of an: %+v %v", mine, err)
	}
	all, err := s.APITokens(ctx, "")
	if err != nil || len(all) != 2 || all[1].ID != id2 || all[1].ExpiresAt.Sub(all[1].CreatedAt) != 30*24*time.Hour {
		t.Fatalf("all tokens: %+v %v", all, err)
	}
	// Revoking works at once, here and elsewhere, and for good.
	other := New(s.conn)
	if _, ok, _ := other.TokenSession(ctx, tok); !ok {
		t.Fatal("another store does not accept the token")
	}
	if login, already, err := s.RevokeAPIToken(ctx, id); err != nil || login != "an" || already {
		t.Fatalf("revoking: %q %v %v", login, already, err)
	}
	if _, ok, _ := s.TokenSession(ctx, tok); ok {
		t.Fatal("a revoked token is accepted (cached?)")
	}
	if _, ok, _ := New(s.conn).TokenSession(ctx, tok); ok {
		t.Fatal("a revoked token is accepted by a fresh store")
	}
	if login, already, err := s.RevokeAPIToken(ctx, id); err != nil || login != "an" || !already {
		t.Fatalf("revoking twice: %q %v %v, want an, already", login, already, err)
	}
	if _, _, err := s.RevokeAPIToken(ctx, "nope"); !errors.Is(err, ErrNoAPIToken) {
		t.Fatalf("revoking an unknown id: %v", err)
	}
	mine, err = s.APITokens(ctx, "an")
	if err != nil || len(mine) != 1 || !mine[0].Revoked || mine[0].RevokedAt.IsZero() {
		t.Fatalf("tokens of an after revoking: %+v %v", mine, err)
	}
	// Disabling the account refuses its token at once; enabling it again
	// brings back a token that was neither revoked nor expired.
	if sess, ok, _ := s.TokenSession(ctx, tok2); !ok || sess.User.UnitID != "p34-08" || sess.User.Role != Reporter {
		t.Fatalf("reporter's token: %+v %v", sess, ok)
	}
	if err := s.SetDisabled(ctx, "lan", true); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.TokenSession(ctx, tok2); ok {
		t.Fatal("a disabled account's token is accepted")
	}
	// The refusal is cached, so what follows checks that enabling drops it.
	if c, hit := s.apiTokens.entries[secret.Hash(tok2)]; !hit || c.ok {
		t.Fatalf("the refusal of a disabled account's token is not cached: %+v %v", c, hit)
	}
	if err := s.SetDisabled(ctx, "lan", false); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.TokenSession(ctx, tok2); !ok {
		t.Fatal("an enabled account's token is refused")
	}
}

// TestAPITokenExpires: an expired token is refused, also from the cache.
func TestAPITokenExpires(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.AddUser(ctx, User{Login: "an", Role: Analyst}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.now = func() time.Time { return now }
	_, tok, err := s.CreateAPIToken(ctx, "an", "short", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.TokenSession(ctx, tok); !ok {
		t.Fatal("a fresh token is refused")
	}
	now = now.Add(11 * time.Second) // within CacheFor of the lookup
	if _, ok, _ := s.TokenSession(ctx, tok); ok {
		t.Fatal("an expired token is accepted from the cache")
	}
	now = now.Add(time.Hour)
	if _, ok, _ := s.TokenSession(ctx, tok); ok {
		t.Fatal("an expired token is accepted")
	}
}

// TestTokenLookupsCache: live and refused tokens and sessions are cached,
// unknown ones are not (however many, they leave the live entries be);
// a lookup that read before a forget does not cache what it read.
func TestTokenLookupsCache(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.AddUser(ctx, User{Login: "an", Role: Analyst}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	_, tok, err := s.CreateAPIToken(ctx, "an", "export", APITokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	session, _, err := s.StartSession(ctx, "an")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.TokenSession(ctx, tok); !ok {
		t.Fatal("token refused")
	}
	if _, ok, _ := s.Session(ctx, session); !ok {
		t.Fatal("session refused")
	}
	for range 50 {
		if _, ok, err := s.TokenSession(ctx, APITokenPrefix+RandomToken(32)); ok || err != nil {
			t.Fatalf("a random token: %v %v", ok, err)
		}
		if _, ok, err := s.Session(ctx, RandomToken(32)); ok || err != nil {
			t.Fatalf("a random session: %v %v", ok, err)
		}
	}
	if n, m := len(s.apiTokens.entries), len(s.sessions.entries); n != 1 || m != 1 {
		t.Fatalf("cached: %d tokens, %d sessions; want only the live one of each", n, m)
	}
	if _, hit := s.apiTokens.entries[secret.Hash(tok)]; !hit {
		t.Fatal("the live token is not cached")
	}

	// The race: a lookup reads, a forget (a revocation, an account write,
	// a sign-out) happens before it stores what it read.
	for _, c := range []*lookups{&s.apiTokens, &s.sessions} {
		now := time.Now()
		live := Session{Expires: now.Add(time.Hour)}
		sess, ok, err := c.lookup("h", now, func(string) (Session, bool, bool, error) {
			c.forget("")
			return live, true, true, nil
		})
		if err != nil || !ok || sess != live {
			t.Fatalf("lookup: %+v %v %v", sess, ok, err)
		}
		if _, hit := c.entries["h"]; hit {
			t.Fatal("a lookup that read before a forget was cached")
		}
		c.lookup("h", now, func(string) (Session, bool, bool, error) { return live, true, true, nil })
		if _, ok, _ := c.lookup("h", now, func(string) (Session, bool, bool, error) { panic("not cached") }); !ok {
			t.Fatal("cached lookup refused")
		}
		c.forget("h")
		if _, hit := c.entries["h"]; hit {
			t.Fatal("forget(h) left h")
		}
	}
}

// TestLimiterBlockedTokens: Blocked says what Attempt would, counting
// nothing (refused API tokens are counted only when they fail).
func TestLimiterBlockedTokens(t *testing.T) {
	l := NewLimiter(2, time.Minute)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for range 2 {
		if blocked, _ := l.Blocked("k"); blocked {
			t.Fatal("blocked too early")
		}
		l.Attempt("k")
		now = now.Add(10 * time.Second)
	}
	for range 3 {
		if blocked, wait := l.Blocked("k"); !blocked || wait != 40*time.Second {
			t.Fatalf("after 2 attempts: %v, wait %v (want blocked, 40s)", blocked, wait)
		}
	}
	now = now.Add(40 * time.Second)
	if blocked, _ := l.Blocked("k"); blocked {
		t.Fatal("still blocked after the oldest attempt left the window")
	}
	if len(l.fails["k"]) != 1 {
		t.Fatalf("attempts held: %v", l.fails["k"])
	}
}
