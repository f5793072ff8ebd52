package main

import (
	"context"
	"strings"
	"testing"

	"egovkpi/internal/auth"
	"egovkpi/internal/testdb"
)

// TestUsersEmailCommand: users add --email and users email set an
// account's contact address, "" removes it, each change is audited with
// the operator; a malformed address or an unknown login exits 2 naming
// it, and a bad --email adds no account.
func TestUsersEmailCommand(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name, "USER": "operator"}
	if code, _, errOut := runCLI(t, env, "users", "add", "--login", "lan", "--role", "reporter", "--unit", "p34-01", "--email", "lan@hanoi.gov.vn"); code != 0 {
		t.Fatalf("users add --email: %d %s", code, errOut)
	}
	st := auth.New(db.Conn)
	if got, err := st.Email(ctx, "lan"); err != nil || got != "lan@hanoi.gov.vn" {
		t.Fatalf("after add --email: %q %v", got, err)
	}
	if code, _, errOut := runCLI(t, env, "users", "email", "lan", "lan.nguyen@hanoi.gov.vn"); code != 0 || !strings.Contains(errOut, "e-mail of lan: lan.nguyen@hanoi.gov.vn") {
		t.Fatalf("users email: %d %s", code, errOut)
	}
	if got, _ := st.Email(ctx, "lan"); got != "lan.nguyen@hanoi.gov.vn" {
		t.Fatalf("after users email: %q", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "email", "lan"}, "email wants a login and an address"},
		{[]string{"users", "email", "lan", "not an address"}, `e-mail address "not an address"`},
		{[]string{"users", "email", "nobody", "x@hanoi.gov.vn"}, "no such user: nobody"},
		{[]string{"users", "add", "--login", "minh", "--role", "analyst", "--email", "minh@"}, `--email: e-mail address "minh@"`},
	} {
		if code, _, errOut := runCLI(t, env, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: %d %s, want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, err := st.User(ctx, "minh"); err == nil {
		t.Error("users add with a bad --email added the account")
	}
	if code, _, errOut := runCLI(t, env, "users", "email", "lan", ""); code != 0 || !strings.Contains(errOut, "e-mail of lan: removed") {
		t.Fatalf("users email \"\": %d %s", code, errOut)
	}
	if got, _ := st.Email(ctx, "lan"); got != "" {
		t.Fatalf("after removing: %q", got)
	}
	log, err := st.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range log {
		if e.Action == auth.ActionEmailSet && e.Target == "lan" && e.Actor == "cli:operator" {
			details = append(details, e.Detail)
		}
	}
	// Entries are by the second, so only the set is compared.
	if len(details) != 3 || !strings.Contains(strings.Join(details, " "), "lan@hanoi.gov.vn") ||
		!strings.Contains(strings.Join(details, " "), "lan.nguyen@hanoi.gov.vn") || !strings.Contains(strings.Join(details, " "), "removed") {
		t.Errorf("audited e-mail changes of lan: %q, want the three changes", details)
	}
}
