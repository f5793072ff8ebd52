package metrics

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"egovkpi"
)

func TestPeriods(t *testing.T) {
	today := egovkpi.Date(2026, 11, 22)
	for _, tc := range []struct {
		in, from, to, prev, printed string
	}{
		{"2024-03", "2024-03-01", "2024-03-31", "2024-02", "2024-03"},
		{"2024-01", "2024-01-01", "2024-01-31", "2023-12", "2024-01"},
		{"2024-02", "2024-02-01", "2024-02-29", "2024-01", "2024-02"},
		{"2024Q3", "2024-07-01", "2024-09-30", "2024Q2", "2024Q3"},
		{"2024q1", "2024-01-01", "2024-03-31", "2023Q4", "2024Q1"},
		{"2024H1", "2024-01-01", "2024-06-30", "2023H2", "2024H1"},
		{"2024H2", "2024-07-01", "2024-12-31", "2024H1", "2024H2"},
		{"2024", "2024-01-01", "2024-12-31", "2023", "2024"},
		{"2026YTD", "2026-01-01", "2026-11-22", "2025-01-01..2025-11-22", "2026YTD"},
		{"2024YTD", "2024-01-01", "2024-12-31", "2023-01-01..2023-12-31", "2024YTD"},
		{"2024-01-01..2024-02-15", "2024-01-01", "2024-02-15", "2023-11-16..2023-12-31", "2024-01-01..2024-02-15"},
	} {
		p, err := ParsePeriod(tc.in, today)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := p.From.Format("2006-01-02") + " " + p.To.Format("2006-01-02"); got != tc.from+" "+tc.to {
			t.Errorf("%s: %s, want %s %s", tc.in, got, tc.from, tc.to)
		}
		if p.String() != tc.printed {
			t.Errorf("%s prints as %s", tc.in, p)
		}
		prev := p.Previous()
		got := prev.String()
		if prev.Kind == YTD {
			got = prev.From.Format("2006-01-02") + ".." + prev.To.Format("2006-01-02")
		}
		if got != tc.prev {
			t.Errorf("%s: previous %s, want %s", tc.in, got, tc.prev)
		}
		if prev.Days() != p.Days() && p.Kind == Range {
			t.Errorf("%s: previous range has %d days, want %d", tc.in, prev.Days(), p.Days())
		}
		back, err := ParsePeriod(p.String(), today)
		if err != nil || back != p {
			t.Errorf("%s does not round-trip: %v %v", p, back, err)
		}
	}
	// 29 February of a leap year to date compares with 28 February.
	leap, _ := YTDOf(2024, time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC))
	if got := leap.Previous().To.Format("2006-01-02"); got != "2023-02-28" {
		t.Errorf("previous of 2024YTD on 29 Feb ends %s", got)
	}
}

// A trend ends with the quarter of the period's last day.
func TestTrendQuarters(t *testing.T) {
	for in, want := range map[string]string{
		"2025Q3":                 "2023Q4 2024Q1 2024Q2 2024Q3 2024Q4 2025Q1 2025Q2 2025Q3",
		"2025-08":                "2023Q4 2024Q1 2024Q2 2024Q3 2024Q4 2025Q1 2025Q2 2025Q3",
		"2025":                   "2024Q1 2024Q2 2024Q3 2024Q4 2025Q1 2025Q2 2025Q3 2025Q4",
		"2024-11-20..2025-01-05": "2023Q2 2023Q3 2023Q4 2024Q1 2024Q2 2024Q3 2024Q4 2025Q1",
	} {
		p, err := ParsePeriod(in, egovkpi.Date(2026, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, q := range TrendQuarters(p) {
			got = append(got, q.String())
		}
		if strings.Join(got, " ") != want || len(got) != TrendLength {
			t.Errorf("TrendQuarters(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestBadPeriods(t *testing.T) {
	for in, want := range map[string]string{
		"2024-13":                "month 13 does not exist",
		"2024Q5":                 "not understood",
		"Q3 2024":                "not understood",
		"2024-02-30..2024-03-01": "not a valid day range",
		"2024-03-01..2024-02-01": "ends before it starts",
		"2027YTD":                "has not started",
		"":                       "accepted: 2024-03 (month)",
	} {
		_, err := ParsePeriod(in, egovkpi.Date(2026, 11, 22))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

var updateDoc = flag.Bool("update", false, "rewrite the KPI table of docs/kpi-methodology.md")

// TestMethodologyDocIsTrue keeps docs/kpi-methodology.md in step with the
// catalogue (go test ./metrics -run MethodologyDoc -args -update rewrites
// the table).
func TestMethodologyDocIsTrue(t *testing.T) {
	var b strings.Builder
	if err := Markdown(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "docs", "kpi-methodology.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if *updateDoc {
		lines := strings.SplitAfter(string(doc), "\n")
		start, end := -1, -1
		for i, l := range lines {
			if strings.HasPrefix(l, "| id | KPI |") {
				start = i
			}
			if start >= 0 && end < 0 && i > start && !strings.HasPrefix(l, "|") {
				end = i
			}
		}
		if start < 0 {
			t.Fatal("no KPI table in " + path)
		}
		if end < 0 {
			end = len(lines)
		}
		doc = []byte(strings.Join(lines[:start], "") + b.String() + strings.Join(lines[end:], ""))
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(string(doc), b.String()) {
		t.Fatalf("docs/kpi-methodology.md does not hold the current KPI table; regenerate it:\n%s", b.String())
	}
}
