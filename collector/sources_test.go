package collector_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"egovkpi/collector"
	"egovkpi/internal/refdata"
)

func TestLoadSources(t *testing.T) {
	reg, _ := refdata.Load()
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "tok")
	_ = os.WriteFile(tokFile, []byte("secret-from-file\n"), 0o600)
	env := map[string]string{"TOK_A": "secret-a"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	load := func(body string) ([]collector.Source, error) {
		p := filepath.Join(dir, "sources.toml")
		_ = os.WriteFile(p, []byte(body), 0o600)
		return collector.LoadSources(p, getenv, reg)
	}
	srcs, err := load(`
[defaults]
timeout = "30s"
[[source]]
unit = "p34-01"
url = "https://example.gov.vn/egovkpi"
token_env = "TOK_A"
[[source]]
id = "mof"
unit = "m-MOF"
url = "http://127.0.0.1:9/x"
token_file = "` + tokFile + `"
schedule = "0 0 2 * * *"
repull_days = 0
enabled = false
`)
	if err != nil {
		t.Fatal(err)
	}
	a, b := srcs[0], srcs[1]
	if a.ID != "p34-01" || a.Token != "secret-a" || a.TokenRef != "env:TOK_A" || a.Timeout != 30*time.Second || a.Schedule != collector.DefaultSchedule || !a.Enabled || a.RepullDays != 7 {
		t.Errorf("first source: %+v", a)
	}
	if b.ID != "mof" || b.Token != "secret-from-file" || b.Enabled || b.RepullDays != 0 || b.Schedule != "0 0 2 * * *" {
		t.Errorf("second source: %+v", b)
	}
	for _, tc := range []struct{ body, want string }{
		{`[[source]]
unit = "p34-99"
url = "https://x"
token_env = "TOK_A"`, `source #1 (p34-99): unit "p34-99" is not a unit id`},
		{`[[source]]
unit = "p34-01"
url = "ftp://x"
token_env = "TOK_A"`, `url "ftp://x"`},
		{`[[source]]
unit = "p34-01"
url = "https://x"`, "no token"},
		{`[[source]]
unit = "p34-01"
url = "https://x"
token_env = "NOPE"`, "token_env NOPE is not set"},
		{`[[source]]
unit = "p34-01"
url = "https://x"
token_env = "TOK_A"
schedule = "every day"`, `schedule "every day"`},
		{`[[source]]
unit = "p34-01"
url = "https://x"
token_env = "TOK_A"
colour = "red"`, "unknown key source.colour"},
		{`[[source]]
unit = "p34-01"
url = "https://x"
token_env = "TOK_A"
[[source]]
unit = "p34-01"
url = "https://y"
token_env = "TOK_A"`, `source #2 (p34-01): id "p34-01" is used twice`},
	} {
		_, err := load(tc.body)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.body, err, tc.want)
		}
	}
}
