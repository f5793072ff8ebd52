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
// it at once (revoking again does nothing and is not audited again); bad
// input exits 2 naming it; adding and revoking are in the audit log with
// the operator, the token's id and its account; a token whose adding
// cannot be audited is revoked and never shown.
func TestUsersTokenCommand(t *testing.T) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name, "USER": "operator"}
	if code, _, errOut := runCLI(t, env, "users", "add", "--login", "an", "--role", "analyst"); code != 0 {
		t.Fatalf("users add: %d %s", code, errOut)
	}
	code, out, errOut := runCLI(t, env, "users", "token", "add", "--login", "an", "--name", "nightly export", "--days", "30")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "egkapi_") || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "shown only now") {
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
		{[]string{"users", "token", "add", "--login", "an", "--name", "two\nlines"}, "must not contain control characters"},
		{[]string{"users", "token", "add", "--login", "an", "--name", "x", "--days", "0"}, "at most 730 days, not 0 days"},
		{[]string{"users", "token", "add", "--login", "an", "--name", "x", "--days", "731"}, "at most 730 days, not 731 days"},
		// 213514 days in nanoseconds overflow to about 10 days.
		{[]string{"users", "token", "add", "--login", "an", "--name", "x", "--days", "213514"}, "at most 730 days"},
		{[]string{"users", "token", "add", "--login", "an", "--name", "x", "--days", "-213514"}, "more than zero"},
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
	body := token[len(auth.APITokenPrefix):]
	if strings.Contains(list, body) || strings.Contains(list, secret.Hash(token)) {
		t.Fatalf("token list shows the token or its hash:\n%s", list)
	}
	if _, other, _ := runCLI(t, env, "users", "token", "list", "--login", "lan"); strings.Count(other, "\n") != 1 {
		t.Fatalf("token list --login lan:\n%s", other)
	}
	if code, _, errOut := runCLI(t, env, "users", "token", "revoke", id); code != 0 || !strings.Contains(errOut, "API token "+id+" of an revoked") {
		t.Fatalf("token revoke: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "users", "token", "revoke", id); code != 0 || !strings.Contains(errOut, "already revoked") {
		t.Fatalf("token revoke again: %d %s", code, errOut)
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
	seen := map[string]int{}
	for _, e := range log {
		if e.Action == auth.ActionAPITokenAdded || e.Action == auth.ActionAPITokenRevoked {
			seen[e.Action]++
			if e.Actor != "cli:operator" || e.Target != id || !strings.HasPrefix(e.Detail, "an") || strings.Contains(e.Detail, body) {
				t.Errorf("audit entry %+v, want actor cli:operator, target %s, detail an…", e, id)
			}
		}
	}
	if seen[auth.ActionAPITokenAdded] != 1 || seen[auth.ActionAPITokenRevoked] != 1 {
		t.Fatalf("audit log (want one entry of adding and one of revoking): %+v", log)
	}

	// Adding a token that cannot be audited: it is revoked, not shown.
	if err := db.Conn.Exec(ctx, "RENAME TABLE "+db.Name+".audit_log TO "+db.Name+".audit_log_away"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, env, "users", "token", "add", "--login", "an", "--name", "unaudited")
	if err := db.Conn.Exec(ctx, "RENAME TABLE "+db.Name+".audit_log_away TO "+db.Name+".audit_log"); err != nil {
		t.Fatal(err)
	}
	if code != 1 || out != "" || !strings.Contains(errOut, "was revoked and not shown") {
		t.Fatalf("token add without an audit log: %d %q %s", code, out, errOut)
	}
	toks, err = st.APITokens(ctx, "an")
	if err != nil || len(toks) != 2 {
		t.Fatalf("tokens after an unaudited add: %+v %v", toks, err)
	}
	for _, tk := range toks {
		if !tk.Revoked {
			t.Errorf("token %+v is live", tk)
		}
	}
}
