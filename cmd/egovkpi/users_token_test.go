package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"egovkpi/internal/auth"
	"egovkpi/internal/secret"
	"egovkpi/internal/testdb"
)

// TestUsersTokenCommand: users token add prints the token once (and only
// the token on stdout), list shows it without token or hash, revoke ends
// it at once; bad input exits 2 naming it; adding and revoking are in the
// audit log with the operator and the token's id.
func TestUsersTokenCommand(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name, "USER": "operator"}
	if code, _, errOut := runCLI(t, env, "users", "add", "--login", "an", "--role", "analyst"); code != 0 {
		t.Fatalf("users add: %d %s", code, errOut)
	}
	code, out, errOut := runCLI(t, env, "users", "token", "add", "--login", "an", "--name", "nightly export", "--days", "30")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "egk_") || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "shown only now") {
		t.Fatalf("token add: %d %q %s", code, out, errOut)
	}
	st := auth.New(db.Conn)
	sess, ok, err := st.TokenSession(ctx, token)
	if err != nil || !ok || sess.User.Login != "an" || !sess.ByToken {
		t.Fatalf("the printed token: %+v %v %v", sess, ok, err)
	}
	if d := time.Until(sess.Expires); d < 29*24*time.Hour || d > 30*24*time.Hour {
		t.Errorf("--days 30: expires in %v", d)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "token"}, "token wants a sub-command"},
		{[]string{"users", "token", "frob"}, "unknown token sub-command \"frob\""},
		{[]string{"users", "token", "add", "--name", "x"}, "token add wants --login"},
		{[]string{"users", "token", "add", "--login", "an"}, "needs a name"},
		{[]string{"users", "token", "add", "--login", "an", "--name", "x", "--days", "0"}, "--days 0: want 1 to 730"},
		{[]string{"users", "token", "add", "--login", "an", "--name", "x", "--days", "731"}, "--days 731: want 1 to 730"},
		{[]string{"users", "token", "add", "--login", "nobody", "--name", "x"}, "no such user: nobody"},
		{[]string{"users", "token", "revoke"}, "token revoke wants a token's id"},
		{[]string{"users", "token", "revoke", "0123456789ab"}, "no such API token: 0123456789ab"},
	} {
		if code, _, errOut := runCLI(t, env, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: %d %s, want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	toks, err := st.APITokens(ctx, "an")
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens: %+v %v", toks, err)
	}
	id := toks[0].ID
	code, list, errOut := runCLI(t, env, "users", "token", "list")
	if code != 0 {
		t.Fatalf("token list: %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.HasPrefix(lines[1], id) ||
		!strings.Contains(lines[1], "nightly export") || !strings.HasSuffix(lines[1], "-") {
		t.Fatalf("token list:\n%s", list)
	}
	if strings.Contains(list, token[4:]) || strings.Contains(list, secret.Hash(token)) {
		t.Fatalf("token list shows the token or its hash:\n%s", list)
	}
	if _, other, _ := runCLI(t, env, "users", "token", "list", "--login", "lan"); strings.Count(other, "\n") != 1 {
		t.Fatalf("token list --login lan:\n%s", other)
	}
	if code, _, errOut := runCLI(t, env, "users", "token", "revoke", id); code != 0 {
		t.Fatalf("token revoke: %d %s", code, errOut)
	}
	// st cached the token as live a moment ago, as a running server would
	// for up to auth.CacheFor; a fresh store asks the table.
	if _, ok, _ := auth.New(db.Conn).TokenSession(ctx, token); ok {
		t.Fatal("a revoked token is accepted")
	}
	if _, list, _ = runCLI(t, env, "users", "token", "list", "--login", "an"); strings.HasSuffix(strings.TrimSpace(list), "-") {
		t.Fatalf("token list after revoke:\n%s", list)
	}
	log, err := st.AuditLog(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range log {
		if e.Action == auth.ActionAPITokenAdded || e.Action == auth.ActionAPITokenRevoked {
			seen[e.Action] = true
			if e.Actor != "cli:operator" || e.Target != id || strings.Contains(e.Detail, token[4:]) {
				t.Errorf("audit entry %+v, want actor cli:operator and target %s", e, id)
			}
		}
	}
	if !seen[auth.ActionAPITokenAdded] || !seen[auth.ActionAPITokenRevoked] {
		t.Fatalf("audit log: %+v", log)
	}
}
