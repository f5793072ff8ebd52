package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, *Loader, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	l := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	c, err := l.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return c, l, err
}

func TestPrecedenceDefaultEnvFlag(t *testing.T) {
	c, _, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.ClickHouse.Database != "egovkpi" || !c.ClickHouse.Embedded() {
		t.Fatalf("defaults: %+v", c)
	}
	c, _, err = load(t, map[string]string{"EGOVKPI_LISTEN": "127.0.0.1:9999", "EGOVKPI_CLICKHOUSE_ADDR": "db:9000"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9999" || c.ClickHouse.Addr != "db:9000" || c.ClickHouse.Embedded() {
		t.Fatalf("env not applied: %+v", c)
	}
	c, _, err = load(t, map[string]string{"EGOVKPI_LISTEN": "127.0.0.1:9999"}, "--listen", "127.0.0.1:7000", "--request-timeout", "3s")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:7000" || c.RequestTimeout != 3*time.Second {
		t.Fatalf("flag does not override env: %+v", c)
	}
}

func TestSecretFromFileIsRedacted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(path, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, l, err := load(t, map[string]string{"EGOVKPI_CLICKHOUSE_PASSWORD_FILE": path})
	if err != nil {
		t.Fatal(err)
	}
	if c.ClickHouse.Password != "s3cret" {
		t.Fatalf("password from file = %q", c.ClickHouse.Password)
	}
	var out bytes.Buffer
	if err := l.Print(&out, c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatalf("secret printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "EGOVKPI_CLICKHOUSE_PASSWORD=<redacted>\t# file "+path) {
		t.Fatalf("redacted line or its source missing:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "EGOVKPI_LISTEN=127.0.0.1:8080\t# default") {
		t.Fatalf("default source missing:\n%s", out.String())
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"EGOVKPI_REQUEST_TIMEOUT": "soon"}, "EGOVKPI_REQUEST_TIMEOUT"},
		{map[string]string{"EGOVKPI_LOG_LEVEL": "loud"}, "EGOVKPI_LOG_LEVEL"},
		{map[string]string{"EGOVKPI_CLICKHOUSE_TLS": "maybe"}, "EGOVKPI_CLICKHOUSE_TLS"},
		{map[string]string{"EGOVKPI_CLICKHOUSE_DATABASE": "x; DROP"}, "EGOVKPI_CLICKHOUSE_DATABASE"},
		{map[string]string{"EGOVKPI_CLICKHOUSE_PASSWORD_FILE": "/nonexistent/pw"}, "EGOVKPI_CLICKHOUSE_PASSWORD_FILE"},
		{map[string]string{"EGOVKPI_CLICKHOUSE_PASSWORD_FILE": "/x", "EGOVKPI_CLICKHOUSE_PASSWORD": "y"}, "both set"},
		{map[string]string{"EGOVKPI_CLICKHOUSE_CLUSTER": "main"}, "needs EGOVKPI_CLICKHOUSE_ADDR"},
	} {
		_, _, err := load(t, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v: error %v, want it to mention %q", tc.env, err, tc.want)
		}
	}
	// A secret given both directly and through a file is refused for flags
	// as for the environment (the file is never read).
	path := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(path, []byte("fromfile"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := load(t, nil, "--clickhouse-password", "direct", "--clickhouse-password-file", path)
	if err == nil || !strings.Contains(err.Error(), "--clickhouse-password and --clickhouse-password-file are both set") {
		t.Errorf("both password flags: error %v (password %q), want both set", err, c.ClickHouse.Password)
	}
}

// TestEveryFieldHasASetting changes each field of Config in turn and
// wants some setting to show the change: a field that no variable or flag
// sets would also be missing from docs/configuration.md.
func TestEveryFieldHasASetting(t *testing.T) {
	def := Defaults()
	var walk func(typ reflect.Type, index []int, prefix string)
	walk = func(typ reflect.Type, index []int, prefix string) {
		for i := range typ.NumField() {
			idx, name := append(slices.Clip(index), i), prefix+typ.Field(i).Name
			c := Defaults()
			f := reflect.ValueOf(&c).Elem().FieldByIndex(idx)
			switch f.Kind() {
			case reflect.Struct:
				walk(f.Type(), idx, name+".")
				continue
			case reflect.String:
				f.SetString(f.String() + "x")
			case reflect.Bool:
				f.SetBool(!f.Bool())
			case reflect.Int, reflect.Int64:
				f.SetInt(f.Int() + 1)
			case reflect.Slice:
				f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
			default:
				t.Fatalf("Config.%s: this test does not handle %s", name, f.Kind())
			}
			if !slices.ContainsFunc(settings, func(s setting) bool { return s.get(&c) != s.get(&def) }) {
				t.Errorf("Config.%s has no setting", name)
			}
		}
	}
	walk(reflect.TypeFor[Config](), nil, "")
}

// TestMarkdownTable wants one well-formed row per setting: a help text
// with a | would split its row.
func TestMarkdownTable(t *testing.T) {
	var out bytes.Buffer
	if err := Markdown(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2+len(settings) {
		t.Fatalf("%d lines for %d settings:\n%s", len(lines), len(settings), out.String())
	}
	for _, line := range lines {
		if n := strings.Count(line, "|"); n != 5 {
			t.Errorf("%d cells, want 4: %s", n-1, line)
		}
	}
}

// TestReportsSettings: the deadline and reminder defaults, lists of days
// read and printed back, the schedule checked by cron's parser, and the
// mail settings checked together, each error naming what is wrong.
func TestReportsSettings(t *testing.T) {
	c, _, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Reports
	if r.DeadlineDays != 15 || !slices.Equal(r.RemindBefore, []int{7, 1}) || !slices.Equal(r.RemindAfter, []int{1, 7}) ||
		r.RemindSchedule != "0 8 * * *" || r.SMTP.Enabled() || r.SMTP.TLS != "starttls" {
		t.Fatalf("defaults: %+v", r)
	}
	pw := filepath.Join(t.TempDir(), "smtp-pw")
	if err := os.WriteFile(pw, []byte("mail secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, l, err := load(t, map[string]string{
		"EGOVKPI_REMIND_BEFORE_DAYS": " 10, 3,0", "EGOVKPI_REMIND_AFTER_DAYS": "", "EGOVKPI_REMIND_SCHEDULE": "30 7 * * 1-5",
		"EGOVKPI_SMTP_ADDR": "mail.example.gov.vn:587", "EGOVKPI_SMTP_FROM": "egovkpi@example.gov.vn",
		"EGOVKPI_SMTP_USER": "egovkpi", "EGOVKPI_SMTP_PASSWORD_FILE": pw,
	}, "--deadline-days", "20")
	if err != nil {
		t.Fatal(err)
	}
	r = c.Reports
	if r.DeadlineDays != 20 || !slices.Equal(r.RemindBefore, []int{10, 3, 0}) || len(r.RemindAfter) != 0 || !r.SMTP.Enabled() || r.SMTP.Password != "mail secret" {
		t.Fatalf("set: %+v", r)
	}
	var out bytes.Buffer
	if err := l.Print(&out, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"EGOVKPI_REMIND_BEFORE_DAYS=10,3,0\t# env", "EGOVKPI_REMIND_AFTER_DAYS=\t# env", "EGOVKPI_SMTP_PASSWORD=<redacted>\t# file", "EGOVKPI_DEADLINE_DAYS=20\t# flag"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed configuration lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "mail secret") {
		t.Fatalf("SMTP password printed:\n%s", out.String())
	}
	// Six fields with seconds, as the collection schedules, and descriptors.
	for _, spec := range []string{"0 0 8 * * *", "@daily"} {
		if _, _, err := load(t, map[string]string{"EGOVKPI_REMIND_SCHEDULE": spec}); err != nil {
			t.Errorf("schedule %q: %v", spec, err)
		}
	}
	mailOK := map[string]string{"EGOVKPI_SMTP_ADDR": "127.0.0.1:25", "EGOVKPI_SMTP_FROM": "a@example.gov.vn", "EGOVKPI_SMTP_TLS": "none"}
	if _, _, err := load(t, mailOK); err != nil {
		t.Errorf("plain SMTP to loopback: %v", err)
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range mailOK {
			m[a] = b
		}
		if v == "<unset>" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"EGOVKPI_REMIND_SCHEDULE": "every morning"}, "EGOVKPI_REMIND_SCHEDULE: want a cron spec"},
		{map[string]string{"EGOVKPI_REMIND_SCHEDULE": "0 25 * * *"}, "EGOVKPI_REMIND_SCHEDULE"},
		{map[string]string{"EGOVKPI_REMIND_BEFORE_DAYS": "7,x"}, `EGOVKPI_REMIND_BEFORE_DAYS: want whole numbers of days from 0 to 90 separated by commas, e.g. 7,1; got "x"`},
		{map[string]string{"EGOVKPI_REMIND_AFTER_DAYS": "0"}, "EGOVKPI_REMIND_AFTER_DAYS: want whole numbers of days from 1 to 90"},
		{map[string]string{"EGOVKPI_REMIND_AFTER_DAYS": "1,7,1"}, `EGOVKPI_REMIND_AFTER_DAYS: 1 is listed twice in "1,7,1"`},
		{map[string]string{"EGOVKPI_DEADLINE_DAYS": "-1"}, "EGOVKPI_DEADLINE_DAYS"},
		{map[string]string{"EGOVKPI_SMTP_TLS": "ssl"}, "EGOVKPI_SMTP_TLS: want one of starttls, tls, none"},
		{map[string]string{"EGOVKPI_SMTP_FROM": "a@example.gov.vn"}, "need EGOVKPI_SMTP_ADDR"},
		{with("EGOVKPI_SMTP_ADDR", "mail.example.gov.vn"), `EGOVKPI_SMTP_ADDR: want host:port`},
		{with("EGOVKPI_SMTP_ADDR", "mail.example.gov.vn:25"), "only allowed to a loopback address, not mail.example.gov.vn"},
		{with("EGOVKPI_SMTP_FROM", "<unset>"), "EGOVKPI_SMTP_ADDR needs EGOVKPI_SMTP_FROM"},
		{with("EGOVKPI_SMTP_FROM", "eGov KPI <a@example.gov.vn>"), "EGOVKPI_SMTP_FROM: want a bare address"},
		{with("EGOVKPI_SMTP_USER", "egovkpi"), "EGOVKPI_SMTP_USER and EGOVKPI_SMTP_PASSWORD go together"},
	} {
		if _, _, err := load(t, tc.env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v: error %v, want it to mention %q", tc.env, err, tc.want)
		}
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"": false, "0.0.0.0": false, "::": false, "10.0.0.1": false, "mail.example.gov.vn": false, "localhost.example.gov.vn": false,
	} {
		if got := LoopbackHost(host); got != want {
			t.Errorf("LoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
