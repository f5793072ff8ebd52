package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

func newStore(t *testing.T) *Store {
	t.Helper()
	s := New(testdb.Migrated(t).Conn)
	s.SetBcryptCost(bcrypt.MinCost)
	return s
}

func TestCheckNew(t *testing.T) {
	units := func(id string) bool { return id == "p34-01" }
	for _, tc := range []struct {
		u    User
		pw   string
		want string
	}{
		{User{Login: "An", Role: Analyst}, "long enough pw", "login \"An\""},
		{User{Login: "an", Role: "boss"}, "long enough pw", "unknown role \"boss\""},
		{User{Login: "an", Role: Reporter}, "long enough pw", "a reporter needs a unit"},
		{User{Login: "an", Role: Analyst, UnitID: "p34-01"}, "long enough pw", "only reporters are bound to a unit"},
		{User{Login: "an", Role: Reporter, UnitID: "p34-99"}, "long enough pw", "unknown unit \"p34-99\""},
		{User{Login: "an", Role: Analyst}, "short", "at least 12 characters"},
		{User{Login: "an", Role: Reporter, UnitID: "p34-01"}, "long enough pw", ""},
	} {
		err := CheckNew(tc.u, tc.pw, units)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.u, err, tc.want)
		}
	}
}

// TestUsersAndSessions: an account signs in, its session carries a CSRF
// token, a wrong password, an unknown login and a disabled account get the
// same error, signing out and disabling end sessions, a new password works.
func TestUsersAndSessions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := User{Login: "lan.nguyen", Name: "Nguyễn Thị Lan", Role: Reporter, UnitID: "p34-08"}
	if err := s.AddUser(ctx, u, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(ctx, u, "correct horse battery"); !errors.Is(err, ErrExists) {
		t.Fatalf("second add: %v", err)
	}
	got, err := s.Authenticate(ctx, "lan.nguyen", "correct horse battery")
	if err != nil || got.Name != u.Name || got.UnitID != "p34-08" || got.Role != Reporter {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	for _, bad := range [][2]string{{"lan.nguyen", "wrong password!!"}, {"nobody", "correct horse battery"}} {
		if _, err := s.Authenticate(ctx, bad[0], bad[1]); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("%s: %v, want %v", bad[0], err, ErrBadCredentials)
		}
	}
	token, csrf, err := s.StartSession(ctx, "lan.nguyen")
	if err != nil || len(token) < 40 || len(csrf) < 30 {
		t.Fatalf("session: %q %q %v", token, csrf, err)
	}
	sess, ok, err := s.Session(ctx, token)
	if err != nil || !ok || sess.User.Login != "lan.nguyen" || !SameToken(sess.CSRF, csrf) {
		t.Fatalf("lookup: %+v %v %v", sess, ok, err)
	}
	if _, ok, _ := s.Session(ctx, token+"x"); ok {
		t.Fatal("a wrong token is a session")
	}
	// Disabling ends the session and refuses the password.
	if err := s.SetDisabled(ctx, "lan.nguyen", true); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Session(ctx, token); ok {
		t.Fatal("a disabled account's session is live")
	}
	if _, err := s.Authenticate(ctx, "lan.nguyen", "correct horse battery"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("disabled: %v", err)
	}
	if err := s.SetDisabled(ctx, "lan.nguyen", false); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Session(ctx, token); ok {
		t.Fatal("re-enabled account: its old session came back")
	}
	// Signing out ends a session for good.
	token, _, err = s.StartSession(ctx, "lan.nguyen")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Session(ctx, token); !ok {
		t.Fatal("a new session after enabling is not live")
	}
	if err := s.EndSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Session(ctx, token); ok {
		t.Fatal("signed out, still live")
	}
	// A fresh store (another server) sees the same.
	other := New(s.conn)
	if _, ok, _ := other.Session(ctx, token); ok {
		t.Fatal("another server sees an ended session live")
	}
	// Password reset, which signs the account out everywhere.
	live, _, err := s.StartSession(ctx, "lan.nguyen")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ResetPassword(ctx, "lan.nguyen", "short"); err == nil {
		t.Fatal("short password accepted")
	}
	if err := s.ResetPassword(ctx, "lan.nguyen", "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "lan.nguyen", "a brand new password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, ok, _ := other.Session(ctx, live); ok {
		t.Fatal("a session from before the password reset is live")
	}
	if _, err := s.Authenticate(ctx, "lan.nguyen", "correct horse battery"); err == nil {
		t.Fatal("old password still works")
	}
	users, err := s.Users(ctx)
	if err != nil || len(users) != 1 || users[0].Disabled {
		t.Fatalf("users: %+v %v", users, err)
	}
	if err := s.ResetPassword(ctx, "nobody", "a brand new password"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reset unknown: %v", err)
	}
}

func TestSessionExpires(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.AddUser(ctx, User{Login: "an", Role: Analyst}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	token, _, err := s.StartSession(ctx, "an")
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(SessionTTL + time.Minute)
	s.now = func() time.Time { return later }
	if _, ok, _ := s.Session(ctx, token); ok {
		t.Fatal("an expired session is live")
	}
}

func TestAuditLog(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, a := range []string{ActionSignInRefused, ActionSignIn} {
		if err := s.Audit(ctx, Entry{Actor: "an", Action: a, IP: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := s.AuditLog(ctx, 10)
	if err != nil || len(es) != 2 || es[0].IP != "127.0.0.1" {
		t.Fatalf("audit log: %+v %v", es, err)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	for range 3 {
		if ok, _ := l.Attempt("k"); !ok {
			t.Fatal("refused too early")
		}
		now = now.Add(10 * time.Second)
	}
	ok, wait := l.Attempt("k")
	if ok || wait != 30*time.Second {
		t.Fatalf("after 3 attempts: %v, wait %v (want refused, 30s)", ok, wait)
	}
	if ok, _ := l.Attempt("other"); !ok {
		t.Fatal("another key is refused")
	}
	now = now.Add(30 * time.Second)
	if ok, _ := l.Attempt("k"); !ok {
		t.Fatal("still refused after the oldest attempt left the window")
	}
	// A forgiven (successful) attempt does not count.
	l.Forgive("k")
	if ok, _ := l.Attempt("k"); !ok {
		t.Fatal("a forgiven attempt still counts")
	}
	l.Reset("k")
	l.Forgive("other")
	if len(l.fails) != 0 {
		t.Fatalf("reset and forgive kept attempts: %v", l.fails)
	}
}

// TestLimiterHoldsUnderParallelAttempts: attempts made at once (before any
// of them has failed) still get only Max through.
func TestLimiterHoldsUnderParallelAttempts(t *testing.T) {
	l := NewLimiter(5, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	through := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Attempt("k"); ok {
				mu.Lock()
				through++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if through != 5 {
		t.Fatalf("%d of 50 parallel attempts went through, want 5", through)
	}
}
