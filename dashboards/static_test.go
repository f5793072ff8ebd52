package dashboards

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"egovkpi/metrics/m766"
)

// emittedBands returns every band class the dashboards put on a tile, a
// table row or a band label: "band-" and the id of each band of every
// version of the 766 methodology (league.go, overview.go), the target
// bands of attainmentBand, and band-none.
func emittedBands(t *testing.T) []string {
	t.Helper()
	set, err := m766.Load()
	if err != nil {
		t.Fatalf("m766.Load: %v", err)
	}
	var classes []string
	for _, v := range set.Versions() {
		for _, b := range v.Bands {
			classes = append(classes, "band-"+b.ID)
		}
	}
	if len(classes) == 0 {
		t.Fatal("the 766 methodology has no bands")
	}
	classes = append(classes, "band-met", "band-near", "band-below", "band-none")
	slices.Sort(classes)
	return slices.Compact(classes)
}

// cssRule is one style rule of a stylesheet: its selectors (whitespace
// collapsed) and its declarations.
type cssRule struct {
	selectors []string
	decls     map[string]string
}

var cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)

// parseCSS reads the rules of a stylesheet, those inside at-rule blocks
// (@media) included. It knows just enough CSS for app.css: no braces or
// semicolons inside strings.
func parseCSS(css string) ([]cssRule, error) {
	var rules []cssRule
	s := cssComment.ReplaceAllString(css, "")
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			return rules, nil
		}
		open := strings.IndexByte(s, '{')
		if open < 0 {
			return nil, fmt.Errorf("text after the last rule: %.40q", s)
		}
		end, depth := -1, 0
	scan:
		for i := open; i < len(s); i++ {
			switch s[i] {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					end = i
					break scan
				}
			}
		}
		if end < 0 {
			return nil, fmt.Errorf("unbalanced braces after %.40q", s[:open])
		}
		prelude, body := strings.TrimSpace(s[:open]), s[open+1:end]
		s = s[end+1:]
		if strings.HasPrefix(prelude, "@") {
			inner, err := parseCSS(body)
			if err != nil {
				return nil, fmt.Errorf("in %s: %w", prelude, err)
			}
			rules = append(rules, inner...)
			continue
		}
		r := cssRule{decls: map[string]string{}}
		for _, sel := range strings.Split(prelude, ",") {
			r.selectors = append(r.selectors, strings.Join(strings.Fields(sel), " "))
		}
		for _, d := range strings.Split(body, ";") {
			if strings.TrimSpace(d) == "" {
				continue
			}
			prop, value, ok := strings.Cut(d, ":")
			if !ok {
				return nil, fmt.Errorf("declaration %q of %s has no colon", d, prelude)
			}
			r.decls[strings.TrimSpace(prop)] = strings.TrimSpace(value)
		}
		rules = append(rules, r)
	}
}

func readAppCSS(t *testing.T) []cssRule {
	t.Helper()
	css, err := os.ReadFile(filepath.Join("static", "app.css"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := parseCSS(string(css))
	if err != nil {
		t.Fatalf("app.css: %v", err)
	}
	return rules
}

// decl returns the value of prop in the last rule with selector, as the
// cascade would (every rule here has the same specificity per selector).
func decl(rules []cssRule, selector, prop string) (string, bool) {
	value, found := "", false
	for _, r := range rules {
		if v, ok := r.decls[prop]; ok && slices.Contains(r.selectors, selector) {
			value, found = v, true
		}
	}
	return value, found
}

// TestStaticBandClasses: app.css colours every band class the dashboards
// emit, on the tile map (the fill of rect.tile) and on band labels (the
// background of span.band), both with the band's custom property, so that
// a band looks the same everywhere. band-none tiles take the fill of the
// plain .tile rule.
func TestStaticBandClasses(t *testing.T) {
	rules := readAppCSS(t)
	for _, class := range emittedBands(t) {
		want := "var(--" + class + ")"
		fill, ok := decl(rules, ".tile."+class, "fill")
		if !ok && class == "band-none" {
			fill, ok = decl(rules, ".tile", "fill")
		}
		if !ok || fill != want {
			t.Errorf("app.css: tile fill of %s is %q (found %v), want %s", class, fill, ok, want)
		}
		if bg, ok := decl(rules, ".band."+class, "background"); !ok || bg != want {
			t.Errorf("app.css: .band.%s has background %q (found %v), want %s", class, bg, ok, want)
		}
	}
}

// TestStaticCSSVariables: every custom property app.css uses is defined.
func TestStaticCSSVariables(t *testing.T) {
	rules := readAppCSS(t)
	defined := map[string]bool{}
	for _, r := range rules {
		for prop := range r.decls {
			if strings.HasPrefix(prop, "--") {
				defined[prop] = true
			}
		}
	}
	use := regexp.MustCompile(`var\(\s*(--[a-zA-Z0-9-]+)`)
	for _, r := range rules {
		for prop, value := range r.decls {
			for _, m := range use.FindAllStringSubmatch(value, -1) {
				if !defined[m[1]] {
					t.Errorf("app.css: %s of %s uses %s, which is not defined", prop, strings.Join(r.selectors, ", "), m[1])
				}
			}
		}
	}
	for _, class := range emittedBands(t) {
		if !defined["--"+class] {
			t.Errorf("app.css does not define --%s", class)
		}
	}
}
