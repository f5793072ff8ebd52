// Package form is the quarterly IT-application / e-government report a unit
// files: its versioned definition (sections, indicators, cross-field rules,
// embedded as data under definitions/), the answers a unit gives, and their
// validation.
//
// A definition is chosen by the quarter it is filed for (the version with
// the latest ValidFrom on or before the quarter's first day), and a report
// keeps the version it was started with.
package form

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"time"
)

// Type is the kind of value an indicator takes.
type Type string

// Indicator types.
const (
	// Integer is a whole count, written with digits (thousands separators
	// allowed).
	Integer Type = "integer"
	// Decimal is a number with an optional fraction ("12,5" or "12.5").
	Decimal Type = "decimal"
	// Percent is a decimal from 0 to 100.
	Percent Type = "percent"
	// YesNo is "yes" or "no" (có / không).
	YesNo Type = "yes_no"
	// Text is free text, at most MaxTextRunes characters.
	Text Type = "text"
)

// MaxTextRunes bounds a text answer or an explanation.
const MaxTextRunes = 2000

// Indicator is one line of the report.
type Indicator struct {
	// ID is the stable key answers are stored under.
	ID string `json:"id"`
	// Code is the number printed on the form, e.g. "4.3".
	Code   string `json:"code"`
	NameVI string `json:"name_vi"`
	NameEN string `json:"name_en"`
	Type   Type   `json:"type"`
	// UnitVI and UnitEN are the unit of measure ("văn bản", "documents").
	UnitVI   string   `json:"unit_vi,omitempty"`
	UnitEN   string   `json:"unit_en,omitempty"`
	Required bool     `json:"required"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	// Collected names the collected figures that pre-fill this indicator,
	// summed: "kpi.num" or "kpi.den" of a metrics KPI, "-" in front to
	// subtract. Empty: the unit fills it in.
	Collected []string `json:"collected,omitempty"`
	// Assumption is true where the official form's field is not published
	// and the indicator is egovkpi's.
	Assumption bool   `json:"assumption"`
	HelpVI     string `json:"help_vi,omitempty"`
	HelpEN     string `json:"help_en,omitempty"`
}

// Name is the indicator's name in lang ("vi" or "en").
func (ind Indicator) Name(lang string) string {
	if lang == "en" {
		return ind.NameEN
	}
	return ind.NameVI
}

// Numeric says whether the indicator takes a number.
func (ind Indicator) Numeric() bool {
	return ind.Type == Integer || ind.Type == Decimal || ind.Type == Percent
}

// Section groups indicators.
type Section struct {
	ID         string      `json:"id"`
	Code       string      `json:"code"`
	TitleVI    string      `json:"title_vi"`
	TitleEN    string      `json:"title_en"`
	Indicators []Indicator `json:"indicators"`
}

// Title is the section's title in lang.
func (s Section) Title(lang string) string {
	if lang == "en" {
		return s.TitleEN
	}
	return s.TitleVI
}

// Rule is a cross-field check: the sum of Parts never exceeds Whole.
// It is checked when every indicator it names has a value.
type Rule struct {
	Parts []string `json:"parts"`
	Whole string   `json:"whole"`
}

// Definition is one version of the report.
type Definition struct {
	Version string `json:"version"`
	// ValidFrom is the first day of the first quarter this version is used
	// for (YYYY-MM-DD).
	ValidFrom string    `json:"valid_from"`
	TitleVI   string    `json:"title_vi"`
	TitleEN   string    `json:"title_en"`
	Sections  []Section `json:"sections"`
	Rules     []Rule    `json:"rules"`

	validFrom time.Time
	byID      map[string]*Indicator
}

// Indicator finds an indicator by id.
func (d *Definition) Indicator(id string) (Indicator, bool) {
	ind, ok := d.byID[id]
	if !ok {
		return Indicator{}, false
	}
	return *ind, true
}

// Indicators lists every indicator in form order.
func (d *Definition) Indicators() []Indicator {
	var out []Indicator
	for _, s := range d.Sections {
		out = append(out, s.Indicators...)
	}
	return out
}

// Set is every version of the definition.
type Set struct {
	versions []*Definition // by ValidFrom ascending
}

//go:embed definitions/*.json
var definitionFS embed.FS

// Builtin is the set shipped with egovkpi (definitions/*.json).
func Builtin() (*Set, error) {
	return Load(definitionFS, "definitions")
}

// Load reads every *.json definition in dir of fsys and checks them.
func Load(fsys fs.FS, dir string) (*Set, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("report definitions: %w", err)
	}
	s := &Set{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("report definition %s: %w", name, err)
		}
		d, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("report definition %s: %w", name, err)
		}
		s.versions = append(s.versions, d)
	}
	if len(s.versions) == 0 {
		return nil, fmt.Errorf("report definitions: none in %s", dir)
	}
	sort.Slice(s.versions, func(i, j int) bool { return s.versions[i].validFrom.Before(s.versions[j].validFrom) })
	for i := 1; i < len(s.versions); i++ {
		if s.versions[i].Version == s.versions[i-1].Version || s.versions[i].validFrom.Equal(s.versions[i-1].validFrom) {
			return nil, fmt.Errorf("report definitions: versions %s and %s clash (same name or same valid_from)", s.versions[i-1].Version, s.versions[i].Version)
		}
	}
	return s, nil
}

// ErrNoVersion means no version of the report covers a quarter.
var ErrNoVersion = errors.New("no version of the quarterly report covers this quarter")

// For picks the version for the quarter that starts on quarterStart.
func (s *Set) For(quarterStart time.Time) (*Definition, error) {
	var found *Definition
	for _, d := range s.versions {
		if !d.validFrom.After(quarterStart) {
			found = d
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w (%s; the first version starts %s)", ErrNoVersion, quarterStart.Format(time.DateOnly), s.versions[0].ValidFrom)
	}
	return found, nil
}

// Version finds a version by name (a report keeps the version it was
// started with).
func (s *Set) Version(name string) (*Definition, error) {
	for _, d := range s.versions {
		if d.Version == name {
			return d, nil
		}
	}
	return nil, fmt.Errorf("quarterly report version %q is unknown", name)
}

// Versions lists every version, oldest first.
func (s *Set) Versions() []*Definition { return append([]*Definition(nil), s.versions...) }

// Parse reads one definition and checks it is coherent: unique ids, known
// types, bounds in order, rules naming numeric indicators, pre-filling only
// numeric indicators from num/den of a KPI.
func Parse(b []byte) (*Definition, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	d := &Definition{}
	if err := dec.Decode(d); err != nil {
		return nil, err
	}
	if d.Version == "" {
		return nil, errors.New("version is empty")
	}
	from, err := time.Parse(time.DateOnly, d.ValidFrom)
	if err != nil {
		return nil, fmt.Errorf("valid_from %q: want YYYY-MM-DD", d.ValidFrom)
	}
	if from.Day() != 1 || (from.Month()-1)%3 != 0 {
		return nil, fmt.Errorf("valid_from %s is not the first day of a quarter", d.ValidFrom)
	}
	d.validFrom = from
	d.byID = map[string]*Indicator{}
	for si := range d.Sections {
		sec := &d.Sections[si]
		if sec.ID == "" || sec.TitleVI == "" || sec.TitleEN == "" {
			return nil, fmt.Errorf("section %d: id and both titles are needed", si+1)
		}
		for ii := range sec.Indicators {
			ind := &sec.Indicators[ii]
			if err := checkIndicator(*ind); err != nil {
				return nil, fmt.Errorf("section %s: %w", sec.ID, err)
			}
			if _, dup := d.byID[ind.ID]; dup {
				return nil, fmt.Errorf("indicator %s appears twice", ind.ID)
			}
			d.byID[ind.ID] = ind
		}
	}
	for i, r := range d.Rules {
		for _, id := range append([]string{r.Whole}, r.Parts...) {
			ind, ok := d.byID[id]
			if !ok {
				return nil, fmt.Errorf("rule %d names unknown indicator %q", i+1, id)
			}
			if !ind.Numeric() {
				return nil, fmt.Errorf("rule %d names %s, which is not a number", i+1, id)
			}
		}
		if len(r.Parts) == 0 {
			return nil, fmt.Errorf("rule %d has no parts", i+1)
		}
	}
	return d, nil
}

func checkIndicator(ind Indicator) error {
	if ind.ID == "" || ind.Code == "" || ind.NameVI == "" || ind.NameEN == "" {
		return fmt.Errorf("indicator %q: id, code and both names are needed", ind.ID)
	}
	switch ind.Type {
	case Integer, Decimal, Percent, YesNo, Text:
	default:
		return fmt.Errorf("indicator %s: unknown type %q", ind.ID, ind.Type)
	}
	if ind.Min != nil && ind.Max != nil && *ind.Min > *ind.Max {
		return fmt.Errorf("indicator %s: min %v above max %v", ind.ID, *ind.Min, *ind.Max)
	}
	if len(ind.Collected) > 0 && !ind.Numeric() {
		return fmt.Errorf("indicator %s: only numbers are pre-filled", ind.ID)
	}
	for _, c := range ind.Collected {
		c = strings.TrimPrefix(c, "-")
		kpi, part, ok := strings.Cut(c, ".")
		if !ok || kpi == "" || (part != "num" && part != "den") {
			return fmt.Errorf("indicator %s: collected %q: want kpi.num or kpi.den", ind.ID, c)
		}
	}
	return nil
}

// Bounds are the effective limits of a numeric indicator: Min and Max
// where set, else 0 and no upper limit (100 for a percent).
func (ind Indicator) Bounds() (lo, hi float64) {
	lo, hi = 0, math.Inf(1)
	if ind.Type == Percent {
		hi = 100
	}
	if ind.Min != nil {
		lo = *ind.Min
	}
	if ind.Max != nil {
		hi = *ind.Max
	}
	return lo, hi
}
