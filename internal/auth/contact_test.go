package auth

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
)

// TestContactEmails: an address is set, replaced and removed; Emails
// returns only the logins that have one; a malformed address or an unknown
// login is refused, naming it, and writes nothing.
func TestContactEmails(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, l := range []string{"lan.nguyen", "minh.tran", "hoa.le"} {
		if err := s.AddUser(ctx, User{Login: l, Role: Reporter, UnitID: "p34-01"}, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Email(ctx, "lan.nguyen"); err != nil || got != "" {
		t.Fatalf("no address yet: %q %v", got, err)
	}
	if err := s.SetEmail(ctx, "lan.nguyen", "lan@hanoi.gov.vn"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEmail(ctx, "lan.nguyen", " lan.nguyen@hanoi.gov.vn "); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEmail(ctx, "minh.tran", "minh@hanoi.gov.vn"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Email(ctx, "lan.nguyen"); err != nil || got != "lan.nguyen@hanoi.gov.vn" {
		t.Fatalf("replaced address: %q %v", got, err)
	}
	got, err := s.Emails(ctx, []string{"lan.nguyen", "minh.tran", "hoa.le", "nobody"})
	want := map[string]string{"lan.nguyen": "lan.nguyen@hanoi.gov.vn", "minh.tran": "minh@hanoi.gov.vn"}
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("Emails = %v %v, want %v", got, err, want)
	}
	if err := s.SetEmail(ctx, "minh.tran", ""); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Emails(ctx, []string{"minh.tran"}); err != nil || len(got) != 0 {
		t.Fatalf("removed address still listed: %v %v", got, err)
	}
	if got, err := s.Emails(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no logins: %v %v", got, err)
	}
	for _, bad := range []string{"lan", "lan@", "Lan <lan@hanoi.gov.vn>", "a@b.vn, c@d.vn", "lan@hanoi.gov.vn\r\nBcc: x@y.vn", strings.Repeat("a", 250) + "@b.vn"} {
		if err := s.SetEmail(ctx, "hoa.le", bad); err == nil || !strings.Contains(err.Error(), "e-mail address") {
			t.Errorf("SetEmail(%q) = %v, want an error naming the address", bad, err)
		}
	}
	if got, _ := s.Email(ctx, "hoa.le"); got != "" {
		t.Errorf("a refused address was stored: %q", got)
	}
	if err := s.SetEmail(ctx, "nobody", "x@hanoi.gov.vn"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown login: %v", err)
	}
}
