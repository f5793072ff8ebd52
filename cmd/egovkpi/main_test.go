package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
	"egovkpi/migrations"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// runCLI runs the command in-process with the given environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code = Main(context.Background(), args, &out, &errOut, getenv)
	return code, out.String(), errOut.String()
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, cmd := range commands() {
		code, out, _ := runCLI(t, nil, cmd.name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: egovkpi "+cmd.name) {
			t.Errorf("%s --help: exit %d\n%s", cmd.name, code, out)
		}
	}
	if code, out, _ := runCLI(t, nil, "help"); code != 0 || !strings.Contains(out, "migrate") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d\n%s", code, errOut)
	}
}

// unitsCSV runs units --format csv and returns its rows keyed by id.
func unitsCSV(t *testing.T, date string) map[string]map[string]string {
	t.Helper()
	code, out, errOut := runCLI(t, nil, "units", "--date", date, "--format", "csv")
	if code != 0 {
		t.Fatalf("units --date %s: exit %d: %s", date, code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]map[string]string{}
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows[row["id"]] = row
	}
	return rows
}

func countBlock(rows map[string]map[string]string, block string) int {
	n := 0
	for _, r := range rows {
		if r["block"] == block {
			n++
		}
	}
	return n
}

// TestUnitsAcrossTheMergers is the acceptance check of the reference units:
// 63 provinces before 2025-07-01, 34 from then, every one of the 63 with
// exactly one successor among the 34; 25 ministries and agencies before
// 2025-03-01 and 19 from then (ministries.csv: 27 rows, 8 end 2025-02-28,
// 2 start 2025-03-01).
func TestUnitsAcrossTheMergers(t *testing.T) {
	before := unitsCSV(t, "2024-12-31")
	after := unitsCSV(t, "2025-07-01")
	if n := countBlock(before, "province"); n != 63 {
		t.Errorf("2024-12-31: %d provinces, want 63", n)
	}
	if n := countBlock(after, "province"); n != 34 {
		t.Errorf("2025-07-01: %d provinces, want 34", n)
	}
	successors := map[string]int{}
	for id, r := range before {
		if r["block"] != "province" {
			continue
		}
		s := r["successor_id"]
		if _, ok := after[s]; !ok || after[s]["block"] != "province" {
			t.Errorf("%s (%s): successor %q is not one of the 34", id, r["name_vi"], s)
		}
		if strings.Contains(s, ";") || strings.Contains(s, ",") {
			t.Errorf("%s: more than one successor: %q", id, s)
		}
		successors[s]++
	}
	if len(successors) != 34 {
		t.Errorf("the 63 map onto %d of the 34, want all 34", len(successors))
	}
	if n := countBlock(unitsCSV(t, "2025-02-28"), "ministry"); n != 25 {
		t.Errorf("2025-02-28: %d ministries and agencies, want 25", n)
	}
	if n := countBlock(unitsCSV(t, "2025-03-01"), "ministry"); n != 19 {
		t.Errorf("2025-03-01: %d ministries and agencies, want 19", n)
	}
	if before["m-VSS"]["unverified"] != "true" {
		t.Error("the UNVERIFIED mark of Vietnam Social Security is not visible")
	}
}

func TestUnitsTableAndBadInput(t *testing.T) {
	code, out, _ := runCLI(t, nil, "units", "--date", "2024-12-31")
	if code != 0 || !strings.Contains(out, "25 ministries and agencies, 63 provinces in force on 2024-12-31") || !strings.Contains(out, "Thừa Thiên Huế") {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"units", "--date", "31/12/2024"}, `invalid date "31/12/2024"`},
		{[]string{"units", "--block", "district"}, `unknown block "district"`},
		{[]string{"units", "--format", "xml"}, `unknown format "xml" (accepted: table, csv)`},
		{[]string{"units", "extra"}, `unexpected argument "extra"`},
	} {
		code, _, errOut := runCLI(t, nil, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestConfigRedactsSecrets(t *testing.T) {
	env := map[string]string{"EGOVKPI_CLICKHOUSE_PASSWORD": "hunter2", "EGOVKPI_LISTEN": "127.0.0.1:9090"}
	code, out, _ := runCLI(t, env, "config", "--log-level", "debug")
	if code != 0 || strings.Contains(out, "hunter2") || !strings.Contains(out, "EGOVKPI_CLICKHOUSE_PASSWORD=<redacted>") ||
		!strings.Contains(out, "EGOVKPI_LISTEN=127.0.0.1:9090\t# env EGOVKPI_LISTEN") || !strings.Contains(out, "EGOVKPI_LOG_LEVEL=debug\t# flag --log-level") {
		t.Fatalf("config: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, map[string]string{"EGOVKPI_REQUEST_TIMEOUT": "later"}, "config"); code != 2 || !strings.Contains(errOut, "EGOVKPI_REQUEST_TIMEOUT") {
		t.Fatalf("bad value: exit %d %s", code, errOut)
	}
}

// TestConfigurationDocIsTrue keeps docs/configuration.md in step with the
// settings the binary reads.
func TestConfigurationDocIsTrue(t *testing.T) {
	_, table, _ := runCLI(t, nil, "config", "--markdown")
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), table) {
		t.Fatalf("docs/configuration.md does not hold the current settings table; paste the output of 'egovkpi config --markdown':\n%s", table)
	}
}

// TestMigratePrintMatchesGolden: the CLI prints exactly the renderings the
// migrations package keeps as golden files.
func TestMigratePrintMatchesGolden(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		golden string
	}{
		{[]string{"migrate", "--print"}, "single.sql"},
		{[]string{"migrate", "--print", "--cluster", "egovkpi_cluster"}, "cluster.sql"},
	} {
		code, out, errOut := runCLI(t, nil, tc.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", tc.args, code, errOut)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "migrations", "testdata", "golden", tc.golden))
		if err != nil {
			t.Fatal(err)
		}
		if out != string(want) {
			t.Errorf("%v differs from %s", tc.args, tc.golden)
		}
	}
}

// TestMigrateAndServeAgainstAConfiguredServer uses a running ClickHouse
// (EGOVKPI_CLICKHOUSE_ADDR): serve refuses a database with pending
// migrations; migrate applies them and reports the status.
func TestMigrateAndServeAgainstAConfiguredServer(t *testing.T) {
	db := chtest.NewDB(t)
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name, "EGOVKPI_LISTEN": "127.0.0.1:0"}

	code, _, errOut := runCLI(t, env, "serve")
	if code != 1 || !strings.Contains(errOut, "pending") || !strings.Contains(errOut, "egovkpi migrate") {
		t.Fatalf("serve on an unmigrated database: exit %d\n%s", code, errOut)
	}
	code, out, errOut := runCLI(t, env, "migrate", "--status")
	if code != 0 || !regexp.MustCompile(`0001_units\.sql\s+pending`).MatchString(out) {
		t.Fatalf("status before: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, env, "migrate")
	all, _ := migrations.All()
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d migration(s) applied to %s", len(all), db.Name)) {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, env, "migrate", "--status")
	if code != 0 || !regexp.MustCompile(`0014_ingest_tokens\.sql\s+applied`).MatchString(out) || strings.Contains(out, "pending") {
		t.Fatalf("status after: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, env, "migrate"); code != 0 || !strings.Contains(out, "0 migration(s) applied") {
		t.Fatalf("second migrate: exit %d\n%s", code, out)
	}
}

func TestFlagsMayFollowPositionalArguments(t *testing.T) {
	fsArgs := func(args ...string) ([]string, string) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		src := fs.String("source", "", "")
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			t.Fatal(err)
		}
		return pos, *src
	}
	if pos, src := fsArgs("list", "--source", "a", "more"); strings.Join(pos, ",") != "list,more" || src != "a" {
		t.Errorf("got %v %q", pos, src)
	}
	if pos, src := fsArgs("--source", "a", "show", "--", "--source"); strings.Join(pos, ",") != "show,--source" || src != "a" {
		t.Errorf("after --: got %v %q", pos, src)
	}
}

// TestUsersCommand: add (password generated and shown once, or from
// standard input), list, bad input exits 2 naming it, disable, reset; each
// change is in the audit log.
func TestUsersCommand(t *testing.T) {
	db := testdb.Migrated(t)
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name}
	code, out, errOut := runCLI(t, env, "users", "add", "--login", "lan", "--role", "reporter", "--unit", "p34-08", "--name", "Nguyễn Thị Lan")
	pw := strings.TrimSpace(out)
	if code != 0 || len(pw) < 12 || !strings.Contains(errOut, "shown only now") {
		t.Fatalf("add: %d %q %s", code, out, errOut)
	}
	st := auth.New(db.Conn)
	if _, err := st.Authenticate(context.Background(), "lan", pw); err != nil {
		t.Fatalf("the printed password does not sign in: %v", err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "add", "--login", "xy", "--role", "boss"}, "unknown role \"boss\""},
		{[]string{"users", "add", "--login", "an", "--role", "reporter"}, "a reporter needs a unit"},
		{[]string{"users", "add", "--login", "an", "--role", "reporter", "--unit", "p34-99"}, "unknown unit \"p34-99\""},
		{[]string{"users", "disable"}, "disable wants a login"},
		{[]string{"users", "frob"}, "unknown sub-command \"frob\""},
	} {
		if code, _, errOut := runCLI(t, env, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: %d %s, want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	stdin = strings.NewReader("a password from stdin\n")
	defer func() { stdin = os.Stdin }()
	if code, out, errOut := runCLI(t, env, "users", "reset", "lan", "--password-stdin"); code != 0 || out != "" {
		t.Fatalf("reset: %d %q %s", code, out, errOut)
	}
	if _, err := st.Authenticate(context.Background(), "lan", "a password from stdin"); err != nil {
		t.Fatalf("reset password: %v", err)
	}
	if code, _, errOut := runCLI(t, env, "users", "disable", "lan"); code != 0 {
		t.Fatalf("disable: %s", errOut)
	}
	_, list, _ := runCLI(t, env, "users", "list")
	if !strings.Contains(list, "lan") || !strings.Contains(list, "p34-08") || !strings.Contains(list, "true") {
		t.Fatalf("list:\n%s", list)
	}
	log, err := st.AuditLog(context.Background(), 10)
	if err != nil || len(log) != 3 {
		t.Fatalf("audit log: %+v %v", log, err)
	}
}

// TestTokensCommandIsAudited: adding and revoking a push token are in the
// audit log, with the operator and the token's hash.
func TestTokensCommandIsAudited(t *testing.T) {
	db := testdb.Migrated(t)
	env := map[string]string{"EGOVKPI_CLICKHOUSE_ADDR": db.Options.Addr, "EGOVKPI_CLICKHOUSE_DATABASE": db.Name, "USER": "operator"}
	code, out, errOut := runCLI(t, env, "tokens", "add", "--unit", "p34-01", "--name", "portal")
	if code != 0 {
		t.Fatalf("tokens add: %d %s", code, errOut)
	}
	hash := store.HashToken(strings.TrimSpace(out))
	if code, _, errOut := runCLI(t, env, "tokens", "revoke", hash); code != 0 {
		t.Fatalf("tokens revoke: %d %s", code, errOut)
	}
	log, err := auth.New(db.Conn).AuditLog(context.Background(), 10)
	if err != nil || len(log) != 2 {
		t.Fatalf("audit log: %+v %v", log, err)
	}
	for _, e := range log {
		if e.Actor != "cli:operator" || e.Target != hash {
			t.Errorf("audit entry %+v, want actor cli:operator and target %s", e, hash)
		}
	}
}
