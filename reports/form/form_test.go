package form

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"egovkpi/metrics"
)

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// minimal is a small coherent definition; each Parse case breaks one
// thing in it.
const minimal = `{
  "version": "v1", "valid_from": "2022-10-01", "title_vi": "Báo cáo", "title_en": "Report",
  "sections": [{"id": "s", "code": "1", "title_vi": "Mục", "title_en": "Section", "indicators": [
    {"id": "total", "code": "1.1", "name_vi": "Tổng", "name_en": "Total", "type": "integer", "required": true, "assumption": true, "collected": ["online_rate.den"]},
    {"id": "part", "code": "1.2", "name_vi": "Phần", "name_en": "Part", "type": "integer", "required": true, "assumption": true, "collected": ["online_rate.num", "-digitization_rate.num"]},
    {"id": "note", "code": "1.3", "name_vi": "Ghi chú", "name_en": "Note", "type": "text", "required": false, "assumption": true}
  ]}],
  "rules": [{"parts": ["part"], "whole": "total"}]
}`

func TestParse(t *testing.T) {
	d, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Indicators()) != 3 || d.Indicators()[1].ID != "part" {
		t.Errorf("indicators: %+v", d.Indicators())
	}
	if _, ok := d.Indicator("nope"); ok {
		t.Error("an unknown indicator was found")
	}
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"duplicate id", `"id": "part"`, `"id": "total"`, "indicator total appears twice"},
		{"rule names an unknown indicator", `"whole": "total"`, `"whole": "grand_total"`, `rule 1 names unknown indicator "grand_total"`},
		{"rule names text", `"parts": ["part"]`, `"parts": ["note"]`, "rule 1 names note, which is not a number"},
		{"rule with no parts", `"parts": ["part"]`, `"parts": []`, "rule 1 has no parts"},
		{"valid_from not a date", `"valid_from": "2022-10-01"`, `"valid_from": "01/10/2022"`, `valid_from "01/10/2022": want YYYY-MM-DD`},
		{"valid_from mid-quarter", `"valid_from": "2022-10-01"`, `"valid_from": "2022-11-01"`, "valid_from 2022-11-01 is not the first day of a quarter"},
		{"valid_from mid-month", `"valid_from": "2022-10-01"`, `"valid_from": "2022-10-02"`, "not the first day of a quarter"},
		{"no version", `"version": "v1"`, `"version": ""`, "version is empty"},
		{"unknown type", `"type": "text"`, `"type": "date"`, `indicator note: unknown type "date"`},
		{"bounds reversed", `"type": "text"`, `"type": "integer", "min": 5, "max": 1`, "indicator note: min 5 above max 1"},
		{"text pre-filled", `"type": "text", "required": false`, `"type": "text", "collected": ["online_rate.num"], "required": false`, "indicator note: only numbers are pre-filled"},
		{"collected term without its part", `"collected": ["online_rate.den"]`, `"collected": ["online_rate"]`, `collected "online_rate": want kpi.num or kpi.den`},
		{"collected term with a bad part", `"collected": ["online_rate.den"]`, `"collected": ["online_rate.value"]`, "want kpi.num or kpi.den"},
		{"indicator without an English name", `"name_en": "Note"`, `"name_en": ""`, `indicator "note": id, code and both names are needed`},
		{"section without a title", `"title_en": "Section"`, `"title_en": ""`, "section 1: id and both titles are needed"},
		{"unknown field", `"assumption": true}`, `"assumption": true, "hint": "x"}`, `unknown field "hint"`},
	} {
		src := strings.Replace(minimal, tc.from, tc.to, 1)
		if src == minimal {
			t.Fatalf("%s: %q is not in the definition", tc.name, tc.from)
		}
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// versions is a set of two versions: v1 from 2022Q4, v2 from 2026Q3.
func versions(t *testing.T) *Set {
	t.Helper()
	v2 := strings.NewReplacer(`"version": "v1"`, `"version": "v2"`, `"valid_from": "2022-10-01"`, `"valid_from": "2026-07-01"`).Replace(minimal)
	set, err := Load(fstest.MapFS{
		"defs/v2.json":   {Data: []byte(v2)},
		"defs/v1.json":   {Data: []byte(minimal)},
		"defs/README.md": {Data: []byte("not a definition")},
	}, "defs")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestSetForPicksTheVersionOfTheQuarter(t *testing.T) {
	set := versions(t)
	for _, tc := range []struct{ quarter, want string }{
		{"2022-10-01", "v1"},
		{"2026-04-01", "v1"},
		{"2026-07-01", "v2"},
		{"2027-01-01", "v2"},
	} {
		d, err := set.For(mustDate(t, tc.quarter))
		if err != nil || d.Version != tc.want {
			t.Errorf("For(%s) = %v, %v; want %s", tc.quarter, d, err, tc.want)
		}
	}
	_, err := set.For(mustDate(t, "2022-07-01"))
	if !errors.Is(err, ErrNoVersion) || !strings.Contains(err.Error(), "2022-07-01; the first version starts 2022-10-01") {
		t.Errorf("before the first version: %v", err)
	}
	if d, err := set.Version("v2"); err != nil || d.ValidFrom != "2026-07-01" {
		t.Errorf("Version(v2) = %v, %v", d, err)
	}
	if _, err := set.Version("v9"); err == nil || !strings.Contains(err.Error(), `"v9" is unknown`) {
		t.Errorf("Version(v9): %v", err)
	}
	if vs := set.Versions(); len(vs) != 2 || vs[0].Version != "v1" || vs[1].Version != "v2" {
		t.Errorf("Versions are not oldest first: %v", vs)
	}
}

func TestLoadErrors(t *testing.T) {
	sameDay := strings.Replace(minimal, `"version": "v1"`, `"version": "v1b"`, 1)
	broken := strings.Replace(minimal, `"id": "part"`, `"id": "total"`, 1)
	for _, tc := range []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"none", fstest.MapFS{"defs/x.txt": {Data: []byte("x")}}, "report definitions: none in defs"},
		{"same valid_from", fstest.MapFS{"defs/a.json": {Data: []byte(minimal)}, "defs/b.json": {Data: []byte(sameDay)}}, "versions v1 and v1b clash"},
		{"same name", fstest.MapFS{"defs/a.json": {Data: []byte(minimal)}, "defs/b.json": {Data: []byte(strings.Replace(minimal, "2022-10-01", "2023-01-01", 1))}}, "versions v1 and v1 clash"},
		{"a broken file is named", fstest.MapFS{"defs/a.json": {Data: []byte(minimal)}, "defs/b.json": {Data: []byte(broken)}}, "report definition defs/b.json: indicator total appears twice"},
		{"not JSON", fstest.MapFS{"defs/a.json": {Data: []byte("{")}}, "report definition defs/a.json: unexpected EOF"},
	} {
		if _, err := Load(tc.fs, "defs"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestBuiltinIsCoherent(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range set.Versions() {
		for _, ind := range d.Indicators() {
			if !ind.Assumption && len(ind.Collected) == 0 {
				t.Errorf("%s %s: an official field with nothing collected should say where it comes from", d.Version, ind.ID)
			}
			// Every collected term names a KPI egovkpi computes.
			for _, term := range ind.Collected {
				kpi, _, _ := strings.Cut(strings.TrimPrefix(term, "-"), ".")
				if _, err := metrics.KPIByID(kpi); err != nil {
					t.Errorf("%s %s: collected term %q: %v", d.Version, ind.ID, term, err)
				}
			}
		}
	}
}

var updateDoc = flag.Bool("update", false, "rewrite the generated part of docs/quarterly-report.md")

// Markers around the generated part of docs/quarterly-report.md.
const (
	beginGenerated = "<!-- BEGIN generated by reports/form -->\n"
	endGenerated   = "<!-- END generated -->\n"
)

// TestQuarterlyReportDocIsTrue keeps docs/quarterly-report.md in step with
// the definitions (go test ./reports/form -run DocIsTrue -args -update
// rewrites the part between the markers).
func TestQuarterlyReportDocIsTrue(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Markdown(&b, set); err != nil {
		t.Fatal(err)
	}
	generated := b.String()
	path := filepath.Join("..", "..", "docs", "quarterly-report.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports/form -run DocIsTrue -args -update to create it)", err)
	}
	before, rest, ok1 := strings.Cut(string(doc), beginGenerated)
	_, after, ok2 := strings.Cut(rest, endGenerated)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no %q … %q markers", path, strings.TrimSpace(beginGenerated), strings.TrimSpace(endGenerated))
	}
	if *updateDoc {
		doc = []byte(before + beginGenerated + generated + endGenerated + after)
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		rest = generated + endGenerated
	}
	if got, _, _ := strings.Cut(rest, endGenerated); got != generated {
		t.Fatalf("%s differs from the definitions; run go test ./reports/form -run DocIsTrue -args -update and review the diff\n--- generated ---\n%s", path, generated)
	}
}

func TestMarkdownSaysWhatTheCodeChecks(t *testing.T) {
	var b strings.Builder
	if err := Markdown(&b, versions(t)); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"### Version v1 (from 2022-10-01)",
		"### Version v2 (from 2026-07-01)",
		"#### 1. Mục / Section",
		"| 1.1 | `total` | Tổng<br>*Total* | integer |  | yes | ≥ 0 | `online_rate.den` | **assumption** |",
		"| 1.2 | `part` | Phần<br>*Part* | integer |  | yes | ≥ 0 | `online_rate.num` − `digitization_rate.num` | **assumption** |",
		"| 1.3 | `note` | Ghi chú<br>*Note* | text |  |  | ≤ 2000 characters |  | **assumption** |",
		"- 1.2 `part` ≤ 1.1 `total`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Index(md, "Version v1") > strings.Index(md, "Version v2") {
		t.Error("versions are not oldest first")
	}
}

func TestRuleText(t *testing.T) {
	d, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	r := d.Rules[0]
	if got := d.RuleText(r, "vi"); got != "1.2 Phần ≤ 1.1 Tổng" {
		t.Errorf("RuleText vi = %q", got)
	}
	if got := d.RuleText(r, "en"); got != "1.2 Part ≤ 1.1 Total" {
		t.Errorf("RuleText en = %q", got)
	}
	for v, want := range map[float64]string{1234567: "1234567", 12.5: "12.5", 0.1: "0.1", -3: "-3", 1e21: "1000000000000000000000"} {
		if got := FormatNumber(v); got != want {
			t.Errorf("FormatNumber(%g) = %q, want %q", v, got, want)
		}
	}
}
