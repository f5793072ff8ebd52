package m766

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"egovkpi"
)

//go:embed methodology.json
var embedded []byte

// Rule types.
const (
	// RuleProportional scores points × ratio.
	RuleProportional = "proportional"
	// RuleCapped scores full points at ratio ≥ threshold, else
	// points × ratio ÷ threshold.
	RuleCapped = "capped"
	// RulePayment scores a·A + min(bcap, b·B) + c·C, capped at the
	// indicator's points; A is the indicator's input, B and C the rule's
	// b_input and c_input.
	RulePayment = "payment"
)

// Rule modifiers, which decide the score from the period's counts before
// the rule looks at the ratio.
const (
	// ModNoComplaintsFull gives full points when the period had no
	// complaints (Inputs.Complaints is 0).
	ModNoComplaintsFull = "no_complaints_full"
	// ModNoDossiersZero gives 0 when the period had no dossiers
	// (Inputs.Dossiers is 0).
	ModNoDossiersZero = "no_dossiers_zero"
)

// Name is a name in Vietnamese and English.
type Name struct {
	VI string `json:"vi"`
	EN string `json:"en"`
}

// Set is every version of the methodology, in order of ValidFrom.
type Set struct {
	versions []*Version
}

// Version is one methodology: the groups, indicators, rules and bands in
// force from ValidFrom until the next version's ValidFrom. Treat it as
// read-only.
type Version struct {
	// ID is the version's id ("2022", "2025").
	ID string
	// ValidFrom is the first day the version is in force (UTC midnight).
	ValidFrom time.Time
	// Name is the version's human name.
	Name Name
	// AssumedFields names the version's fields that are our assumption
	// (e.g. "valid_from"); Note explains them.
	AssumedFields []string
	// Note explains the version and its assumed fields.
	Note string
	// Groups are the groups, in file order; their points sum to 100.
	Groups []Group
	// Indicators are the indicators, in file order.
	Indicators []Indicator
	// Bands are in descending order of Min; the last has Min 0.
	Bands []Band

	missingNote, rangeNote string
}

// Group is a group of indicators.
type Group struct {
	ID     string
	Name   Name
	Points float64
}

// Indicator is one scored indicator.
type Indicator struct {
	ID string
	// Group is the id of the indicator's group.
	Group  string
	Name   Name
	Points float64
	Rule   Rule
	// Input names the ratio that feeds the indicator (A for the payment
	// rule).
	Input string
	// Confirmed is false when the points, the rule or the input are our
	// assumption; Note says which.
	Confirmed bool
	Note      string
}

// Rule is a scoring rule: a type and its parameters.
type Rule struct {
	// Type is RuleProportional, RuleCapped or RulePayment.
	Type string
	// Threshold is the capped rule's ratio for full points.
	Threshold float64
	// AWeight, BWeight, BCap and CWeight are the payment rule's
	// a·A + min(bcap, b·B) + c·C.
	AWeight, BWeight, BCap, CWeight float64
	// BInput and CInput name the payment rule's B and C ratios.
	BInput, CInput string
	// Modifiers are ModNoComplaintsFull and ModNoDossiersZero.
	Modifiers []string
	// Assumption says which part of the rule is ours, or is empty.
	Assumption string
}

// Band is a performance band: totals from Min up to the next band's Min.
type Band struct {
	Min       float64
	ID        string
	Name      Name
	Confirmed bool
	Note      string
}

// The file's shape. Pointers mark values that must be present.
type fileDoc struct {
	Comment          string        `json:"comment"`
	MissingInputNote string        `json:"missing_input_note"`
	OutOfRangeNote   string        `json:"out_of_range_note"`
	Versions         []fileVersion `json:"versions"`
}

type fileVersion struct {
	ID            string          `json:"id"`
	ValidFrom     string          `json:"valid_from"`
	Name          Name            `json:"name"`
	AssumedFields []string        `json:"assumed_fields"`
	Note          string          `json:"note"`
	Groups        []fileGroup     `json:"groups"`
	Indicators    []fileIndicator `json:"indicators"`
	Bands         []fileBand      `json:"bands"`
}

type fileGroup struct {
	ID     string   `json:"id"`
	Name   Name     `json:"name"`
	Points *float64 `json:"points"`
}

type fileIndicator struct {
	ID        string    `json:"id"`
	Group     string    `json:"group"`
	Name      Name      `json:"name"`
	Points    *float64  `json:"points"`
	Rule      *fileRule `json:"rule"`
	Input     string    `json:"input"`
	Confirmed *bool     `json:"confirmed"`
	Note      string    `json:"note"`
}

type fileRule struct {
	Type       string   `json:"type"`
	Threshold  *float64 `json:"threshold"`
	AWeight    *float64 `json:"a_weight"`
	BWeight    *float64 `json:"b_weight"`
	BCap       *float64 `json:"b_cap"`
	CWeight    *float64 `json:"c_weight"`
	BInput     *string  `json:"b_input"`
	CInput     *string  `json:"c_input"`
	Modifiers  []string `json:"modifiers"`
	Assumption string   `json:"assumption"`
}

type fileBand struct {
	Min       *float64 `json:"min"`
	ID        string   `json:"id"`
	Name      Name     `json:"name"`
	Confirmed *bool    `json:"confirmed"`
	Note      string   `json:"note"`
}

// versionFields are the names assumed_fields may use.
var versionFields = map[string]bool{
	"valid_from": true, "name": true, "groups": true, "indicators": true, "bands": true,
}

// eps is the tolerance of point sums.
const eps = 1e-9

// Load returns the embedded methodology.
func Load() (*Set, error) {
	s, err := Parse(bytes.NewReader(embedded))
	if err != nil {
		return nil, fmt.Errorf("embedded methodology.json: %w", err)
	}
	return s, nil
}

// LoadFile reads a methodology file of the same shape as the embedded
// methodology.json, which it replaces entirely.
func LoadFile(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("m766: %w", err)
	}
	defer f.Close()
	s, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Parse reads and validates a methodology. Unknown fields are errors (a
// misspelt parameter must not pass silently); every error names the
// version, group, indicator or band at fault.
func Parse(r io.Reader) (*Set, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("m766: methodology is not valid JSON of the expected shape: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("m766: methodology has data after its JSON object")
	}
	if strings.TrimSpace(doc.MissingInputNote) == "" {
		return nil, errors.New("m766: methodology: missing_input_note is required (it states how missing inputs are scored)")
	}
	if strings.TrimSpace(doc.OutOfRangeNote) == "" {
		return nil, errors.New("m766: methodology: out_of_range_note is required (it states how ratios outside [0, 1] are scored)")
	}
	if len(doc.Versions) == 0 {
		return nil, errors.New("m766: methodology has no versions")
	}
	s := &Set{}
	ids := map[string]bool{}
	for i, fv := range doc.Versions {
		v, err := buildVersion(fv)
		if err != nil {
			if fv.ID == "" {
				return nil, fmt.Errorf("m766: version #%d: %w", i+1, err)
			}
			return nil, fmt.Errorf("m766: version %q: %w", fv.ID, err)
		}
		if ids[v.ID] {
			return nil, fmt.Errorf("m766: version %q: id used twice", v.ID)
		}
		ids[v.ID] = true
		v.missingNote, v.rangeNote = doc.MissingInputNote, doc.OutOfRangeNote
		s.versions = append(s.versions, v)
	}
	sort.SliceStable(s.versions, func(i, j int) bool { return s.versions[i].ValidFrom.Before(s.versions[j].ValidFrom) })
	for i := 1; i < len(s.versions); i++ {
		if s.versions[i].ValidFrom.Equal(s.versions[i-1].ValidFrom) {
			return nil, fmt.Errorf("m766: versions %q and %q are both valid from %s", s.versions[i-1].ID, s.versions[i].ID, s.versions[i].ValidFrom.Format(egovkpi.DateLayout))
		}
	}
	return s, nil
}

func checkName(n Name) error {
	if strings.TrimSpace(n.VI) == "" || strings.TrimSpace(n.EN) == "" {
		return errors.New("name needs both vi and en")
	}
	return nil
}

func buildVersion(fv fileVersion) (*Version, error) {
	if strings.TrimSpace(fv.ID) == "" {
		return nil, errors.New("id is required")
	}
	from, err := time.Parse(egovkpi.DateLayout, fv.ValidFrom)
	if err != nil {
		return nil, fmt.Errorf("valid_from %q is not a date (YYYY-MM-DD)", fv.ValidFrom)
	}
	if err := checkName(fv.Name); err != nil {
		return nil, err
	}
	for _, f := range fv.AssumedFields {
		if !versionFields[f] {
			return nil, fmt.Errorf("assumed_fields: unknown field %q (accepted: valid_from, name, groups, indicators, bands)", f)
		}
	}
	if len(fv.AssumedFields) > 0 && strings.TrimSpace(fv.Note) == "" {
		return nil, errors.New("assumed_fields need a note explaining the assumption")
	}
	v := &Version{
		ID: fv.ID, ValidFrom: from, Name: fv.Name,
		AssumedFields: append([]string(nil), fv.AssumedFields...), Note: fv.Note,
	}

	// Groups.
	if len(fv.Groups) == 0 {
		return nil, errors.New("no groups")
	}
	groupIdx := map[string]int{}
	total := 0.0
	for i, fg := range fv.Groups {
		if strings.TrimSpace(fg.ID) == "" {
			return nil, fmt.Errorf("group #%d: id is required", i+1)
		}
		if _, dup := groupIdx[fg.ID]; dup {
			return nil, fmt.Errorf("group %q: id used twice", fg.ID)
		}
		if err := checkName(fg.Name); err != nil {
			return nil, fmt.Errorf("group %q: %w", fg.ID, err)
		}
		if fg.Points == nil {
			return nil, fmt.Errorf("group %q: points are required", fg.ID)
		}
		if !(*fg.Points > 0) || math.IsInf(*fg.Points, 0) {
			return nil, fmt.Errorf("group %q: points must be positive, got %v", fg.ID, *fg.Points)
		}
		groupIdx[fg.ID] = i
		total += *fg.Points
		v.Groups = append(v.Groups, Group{ID: fg.ID, Name: fg.Name, Points: *fg.Points})
	}
	if math.Abs(total-100) > eps {
		return nil, fmt.Errorf("group points sum to %v, want 100", total)
	}

	// Indicators.
	sums := make([]float64, len(v.Groups))
	counts := make([]int, len(v.Groups))
	seen := map[string]bool{}
	for i, fi := range fv.Indicators {
		if strings.TrimSpace(fi.ID) == "" {
			return nil, fmt.Errorf("indicator #%d: id is required", i+1)
		}
		ind, err := buildIndicator(fi, groupIdx)
		if err != nil {
			if gi, ok := groupIdx[fi.Group]; ok {
				return nil, fmt.Errorf("group %q, indicator %q: %w", v.Groups[gi].ID, fi.ID, err)
			}
			return nil, fmt.Errorf("indicator %q: %w", fi.ID, err)
		}
		if seen[ind.ID] {
			return nil, fmt.Errorf("group %q, indicator %q: id used twice", ind.Group, ind.ID)
		}
		seen[ind.ID] = true
		gi := groupIdx[ind.Group]
		sums[gi] += ind.Points
		counts[gi]++
		v.Indicators = append(v.Indicators, ind)
	}
	for i, g := range v.Groups {
		if counts[i] == 0 {
			return nil, fmt.Errorf("group %q: has no indicators", g.ID)
		}
		if math.Abs(sums[i]-g.Points) > eps {
			return nil, fmt.Errorf("group %q: indicator points sum to %v, want the group's %v", g.ID, sums[i], g.Points)
		}
	}

	// Bands.
	if len(fv.Bands) == 0 {
		return nil, errors.New("no bands")
	}
	bandIDs := map[string]bool{}
	for i, fb := range fv.Bands {
		if strings.TrimSpace(fb.ID) == "" {
			return nil, fmt.Errorf("band #%d: id is required", i+1)
		}
		if bandIDs[fb.ID] {
			return nil, fmt.Errorf("band %q: id used twice", fb.ID)
		}
		bandIDs[fb.ID] = true
		if err := checkName(fb.Name); err != nil {
			return nil, fmt.Errorf("band %q: %w", fb.ID, err)
		}
		if fb.Min == nil {
			return nil, fmt.Errorf("band %q: min is required", fb.ID)
		}
		if math.IsNaN(*fb.Min) || *fb.Min < 0 || *fb.Min > 100 {
			return nil, fmt.Errorf("band %q: min %v is not in [0, 100]", fb.ID, *fb.Min)
		}
		if fb.Confirmed == nil {
			return nil, fmt.Errorf("band %q: confirmed is required", fb.ID)
		}
		if !*fb.Confirmed && strings.TrimSpace(fb.Note) == "" {
			return nil, fmt.Errorf("band %q: an unconfirmed band needs a note", fb.ID)
		}
		if i > 0 && !(*fb.Min < v.Bands[i-1].Min) {
			return nil, fmt.Errorf("band %q: min %v must be below the previous band %q's %v (bands are listed from the highest min down)", fb.ID, *fb.Min, v.Bands[i-1].ID, v.Bands[i-1].Min)
		}
		v.Bands = append(v.Bands, Band{Min: *fb.Min, ID: fb.ID, Name: fb.Name, Confirmed: *fb.Confirmed, Note: fb.Note})
	}
	if last := v.Bands[len(v.Bands)-1]; last.Min != 0 {
		return nil, fmt.Errorf("band %q: the last band's min must be 0 so that every total has a band, got %v", last.ID, last.Min)
	}
	return v, nil
}

func buildIndicator(fi fileIndicator, groupIdx map[string]int) (Indicator, error) {
	if fi.Group == "" {
		return Indicator{}, errors.New("group is required")
	}
	if _, ok := groupIdx[fi.Group]; !ok {
		return Indicator{}, fmt.Errorf("unknown group %q", fi.Group)
	}
	if err := checkName(fi.Name); err != nil {
		return Indicator{}, err
	}
	if fi.Points == nil {
		return Indicator{}, errors.New("points are required")
	}
	if !(*fi.Points > 0) || math.IsInf(*fi.Points, 0) {
		return Indicator{}, fmt.Errorf("points must be positive, got %v", *fi.Points)
	}
	if strings.TrimSpace(fi.Input) == "" {
		return Indicator{}, errors.New("input is required (the name of the ratio that feeds it)")
	}
	if fi.Confirmed == nil {
		return Indicator{}, errors.New("confirmed is required")
	}
	if !*fi.Confirmed && strings.TrimSpace(fi.Note) == "" {
		return Indicator{}, errors.New("an unconfirmed indicator needs a note saying what is assumed")
	}
	if fi.Rule == nil {
		return Indicator{}, errors.New("rule is required")
	}
	rule, err := buildRule(*fi.Rule)
	if err != nil {
		return Indicator{}, err
	}
	return Indicator{
		ID: fi.ID, Group: fi.Group, Name: fi.Name, Points: *fi.Points, Rule: rule,
		Input: fi.Input, Confirmed: *fi.Confirmed, Note: fi.Note,
	}, nil
}

func buildRule(fr fileRule) (Rule, error) {
	r := Rule{Type: fr.Type, Assumption: fr.Assumption}
	// takes (below) lists the parameters the rule type takes: each must be
	// present, and any other present is an error.
	type param struct {
		name    string
		present bool
	}
	params := []param{
		{"threshold", fr.Threshold != nil},
		{"a_weight", fr.AWeight != nil}, {"b_weight", fr.BWeight != nil},
		{"b_cap", fr.BCap != nil}, {"c_weight", fr.CWeight != nil},
		{"b_input", fr.BInput != nil}, {"c_input", fr.CInput != nil},
	}
	var takes map[string]bool
	switch fr.Type {
	case RuleProportional:
		takes = map[string]bool{}
	case RuleCapped:
		takes = map[string]bool{"threshold": true}
	case RulePayment:
		takes = map[string]bool{"a_weight": true, "b_weight": true, "b_cap": true, "c_weight": true, "b_input": true, "c_input": true}
	case "":
		return Rule{}, fmt.Errorf("rule type is required (accepted: %s, %s, %s)", RuleProportional, RuleCapped, RulePayment)
	default:
		return Rule{}, fmt.Errorf("unknown rule %q (accepted: %s, %s, %s)", fr.Type, RuleProportional, RuleCapped, RulePayment)
	}
	for _, p := range params {
		if p.present && !takes[p.name] {
			return Rule{}, fmt.Errorf("rule %q does not take parameter %q", fr.Type, p.name)
		}
		if !p.present && takes[p.name] {
			return Rule{}, fmt.Errorf("rule %q needs parameter %q", fr.Type, p.name)
		}
	}
	switch fr.Type {
	case RuleCapped:
		if !(*fr.Threshold > 0 && *fr.Threshold <= 1) {
			return Rule{}, fmt.Errorf("rule %q: threshold %v is not in (0, 1]", fr.Type, *fr.Threshold)
		}
		r.Threshold = *fr.Threshold
	case RulePayment:
		for _, w := range []struct {
			name string
			v    float64
		}{{"a_weight", *fr.AWeight}, {"b_weight", *fr.BWeight}, {"b_cap", *fr.BCap}, {"c_weight", *fr.CWeight}} {
			if !(w.v >= 0) || math.IsInf(w.v, 0) {
				return Rule{}, fmt.Errorf("rule %q: %s must be a non-negative number, got %v", fr.Type, w.name, w.v)
			}
		}
		if strings.TrimSpace(*fr.BInput) == "" || strings.TrimSpace(*fr.CInput) == "" {
			return Rule{}, fmt.Errorf("rule %q: b_input and c_input must name ratios", fr.Type)
		}
		r.AWeight, r.BWeight, r.BCap, r.CWeight = *fr.AWeight, *fr.BWeight, *fr.BCap, *fr.CWeight
		r.BInput, r.CInput = *fr.BInput, *fr.CInput
	}
	seen := map[string]bool{}
	for _, m := range fr.Modifiers {
		if m != ModNoComplaintsFull && m != ModNoDossiersZero {
			return Rule{}, fmt.Errorf("rule %q: unknown modifier %q (accepted: %s, %s)", fr.Type, m, ModNoComplaintsFull, ModNoDossiersZero)
		}
		if seen[m] {
			return Rule{}, fmt.Errorf("rule %q: modifier %q listed twice", fr.Type, m)
		}
		seen[m] = true
	}
	if seen[ModNoComplaintsFull] && seen[ModNoDossiersZero] {
		return Rule{}, fmt.Errorf("rule %q: modifiers %s and %s contradict each other", fr.Type, ModNoComplaintsFull, ModNoDossiersZero)
	}
	r.Modifiers = append([]string(nil), fr.Modifiers...)
	return r, nil
}

// Versions returns the versions in order of ValidFrom.
func (s *Set) Versions() []*Version { return append([]*Version(nil), s.versions...) }

// Version returns the version with the given id, or an error naming the
// ids there are.
func (s *Set) Version(id string) (*Version, error) {
	var ids []string
	for _, v := range s.versions {
		if v.ID == id {
			return v, nil
		}
		ids = append(ids, v.ID)
	}
	return nil, fmt.Errorf("m766: unknown version %q (accepted: %s)", id, strings.Join(ids, ", "))
}

// ErrNoVersion is ForDay's error for a day before the first version.
var ErrNoVersion = errors.New("m766: no Decision 766 version is in force")

// ForDay returns the version in force on day d: the one with the latest
// ValidFrom on or before d. Only d's calendar date counts, read in d's own
// location. A period is scored with the version in force on its last day:
// pass the period's To. Days before the first version are an error.
func (s *Set) ForDay(d time.Time) (*Version, error) {
	day := egovkpi.Day(d)
	var in *Version
	for _, v := range s.versions {
		if !v.ValidFrom.After(day) {
			in = v
		}
	}
	if in == nil {
		return nil, fmt.Errorf("%w on %s (the first, %q, is valid from %s)",
			ErrNoVersion, day.Format(egovkpi.DateLayout), s.versions[0].ID, s.versions[0].ValidFrom.Format(egovkpi.DateLayout))
	}
	return in, nil
}

// Inputs returns the names of the ratios the version needs, each once, in
// the order of its indicators (the payment rule adds its B and C inputs
// after A).
func (v *Version) Inputs() []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, ind := range v.Indicators {
		for _, n := range ind.Inputs() {
			add(n)
		}
	}
	return out
}

// Inputs names the ratios the indicator reads: its Input (A for the
// payment rule), then the payment rule's B and C inputs.
func (ind Indicator) Inputs() []string {
	if ind.Rule.Type == RulePayment {
		return []string{ind.Input, ind.Rule.BInput, ind.Rule.CInput}
	}
	return []string{ind.Input}
}

// BandOf returns the band of a total: the first band, from the highest,
// whose Min the total reaches.
func (v *Version) BandOf(total float64) Band { return v.Bands[v.bandIndex(total)] }

// bandIndex is the index in Bands of a total's band (Score and BandOf).
func (v *Version) bandIndex(total float64) int {
	for i, b := range v.Bands {
		if total >= b.Min {
			return i
		}
	}
	return len(v.Bands) - 1
}
