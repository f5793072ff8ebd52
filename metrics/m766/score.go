package m766

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Inputs are what a unit's period is scored on.
type Inputs struct {
	// Ratios are the ratios (fractions in [0, 1]) by input name (see
	// Version.Inputs). A nil or absent ratio is no data: the indicator
	// scores 0 and is reported as missing (our assumption).
	Ratios map[string]*float64
	// Dossiers is the number of dossiers in the period; 0 makes indicators
	// with the no_dossiers_zero modifier score 0 whatever their ratio. Nil
	// is unknown: the modifier does not apply.
	Dossiers *float64
	// Complaints is the number of complaints (phản ánh, kiến nghị) received
	// in the period; 0 gives indicators with the no_complaints_full
	// modifier full points. Nil is unknown: the modifier does not apply.
	Complaints *float64
}

// Result is a scored period.
type Result struct {
	// Version is the id of the version that scored it.
	Version string `json:"version"`
	// Total is the sum of the group scores.
	Total  float64       `json:"total"`
	Band   BandResult    `json:"band"`
	Groups []GroupResult `json:"groups"`
	// Assumptions lists, once each, every assumption the score rests on:
	// the version's assumed fields, unconfirmed indicators, rule
	// assumptions, missing or clamped inputs and an unconfirmed band
	// cut-off that decided the band.
	Assumptions []string `json:"assumptions"`
}

// BandResult is the band a total falls in.
type BandResult struct {
	ID   string  `json:"id"`
	Name Name    `json:"name"`
	Min  float64 `json:"min"`
}

// GroupResult is a scored group: Score is the sum of its indicators'
// rounded scores.
type GroupResult struct {
	ID         string            `json:"id"`
	Name       Name              `json:"name"`
	Points     float64           `json:"points"`
	Score      float64           `json:"score"`
	Indicators []IndicatorResult `json:"indicators"`
}

// IndicatorResult is a scored indicator.
type IndicatorResult struct {
	ID     string  `json:"id"`
	Name   Name    `json:"name"`
	Points float64 `json:"points"`
	// Input is the name of the ratio that feeds it (A for payment) and
	// Ratio its value as given, nil if missing.
	Input string   `json:"input"`
	Ratio *float64 `json:"ratio"`
	// Inputs are every ratio the rule reads, as given (payment: A, B, C).
	Inputs []InputValue `json:"inputs"`
	// Score is rounded to 2 decimals, half away from zero.
	Score float64 `json:"score"`
	// Rule is the rule type; Applied is the modifier that decided the
	// score from the period's counts, or empty.
	Rule      string `json:"rule"`
	Applied   string `json:"applied,omitempty"`
	Confirmed bool   `json:"confirmed"`
	// Missing is true when an input ratio was missing: the score is 0.
	Missing bool   `json:"missing"`
	Note    string `json:"note"`
}

// InputValue is one input ratio as given (nil: no data).
type InputValue struct {
	Name  string   `json:"name"`
	Ratio *float64 `json:"ratio"`
}

// Round2 rounds to 2 decimals, half away from zero, on the decimal value:
// x × 100 is first rounded to 6 decimals so that binary noise (2.675 is
// stored as 2.67499999…) does not move a half down.
func Round2(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	c := math.Round(x*100*1e6) / 1e6
	return math.Round(c) / 100
}

// Score scores a period's inputs. Each indicator is scored by its rule and
// rounded to 2 decimals; a group is the sum of its rounded indicators; the
// total is the sum of the groups (group and total are sums of 2-decimal
// values, re-rounded only to drop floating-point noise).
func (v *Version) Score(in Inputs) Result {
	res := Result{Version: v.ID}
	var notes, missing, clamped []string
	if len(v.AssumedFields) > 0 {
		notes = append(notes, fmt.Sprintf("version %s: %s assumed: %s", v.ID, strings.Join(v.AssumedFields, ", "), v.Note))
	}
	groupAt := map[string]int{}
	for _, g := range v.Groups {
		groupAt[g.ID] = len(res.Groups)
		res.Groups = append(res.Groups, GroupResult{ID: g.ID, Name: g.Name, Points: g.Points})
	}
	for _, ind := range v.Indicators {
		ir, cl := v.scoreIndicator(ind, in)
		if !ind.Confirmed {
			notes = append(notes, fmt.Sprintf("indicator %s: %s", ind.ID, ind.Note))
		}
		if ind.Rule.Assumption != "" {
			notes = append(notes, fmt.Sprintf("indicator %s, rule %s: %s", ind.ID, ind.Rule.Type, ind.Rule.Assumption))
		}
		if ir.Missing {
			missing = append(missing, ind.ID)
		}
		clamped = append(clamped, cl...)
		g := &res.Groups[groupAt[ind.Group]]
		g.Indicators = append(g.Indicators, ir)
	}
	for i := range res.Groups {
		sum := 0.0
		for _, ir := range res.Groups[i].Indicators {
			sum += ir.Score
		}
		res.Groups[i].Score = Round2(sum)
		res.Total += res.Groups[i].Score
	}
	res.Total = Round2(res.Total)
	if len(missing) > 0 {
		notes = append(notes, fmt.Sprintf("missing inputs (%s): %s", strings.Join(missing, ", "), v.missingNote))
	}
	if len(clamped) > 0 {
		notes = append(notes, fmt.Sprintf("out-of-range inputs (%s): %s", strings.Join(clamped, ", "), v.rangeNote))
	}

	// The band depends on its own cut-off and on the one of the band above.
	bi := v.bandIndex(res.Total)
	b := v.Bands[bi]
	res.Band = BandResult{ID: b.ID, Name: b.Name, Min: b.Min}
	if !b.Confirmed {
		notes = append(notes, fmt.Sprintf("band %s: %s", b.ID, b.Note))
	}
	if bi > 0 && !v.Bands[bi-1].Confirmed {
		notes = append(notes, fmt.Sprintf("band %s: %s", v.Bands[bi-1].ID, v.Bands[bi-1].Note))
	}

	seen := map[string]bool{}
	for _, n := range notes {
		if !seen[n] {
			seen[n] = true
			res.Assumptions = append(res.Assumptions, n)
		}
	}
	return res
}

// scoreIndicator scores one indicator; it also returns the inputs it
// clamped into [0, 1], as "indicator:input=value".
func (v *Version) scoreIndicator(ind Indicator, in Inputs) (IndicatorResult, []string) {
	names := ind.Inputs()
	ir := IndicatorResult{
		ID: ind.ID, Name: ind.Name, Points: ind.Points, Input: ind.Input,
		Rule: ind.Rule.Type, Confirmed: ind.Confirmed, Note: ind.Note,
	}
	vals := make([]float64, len(names))
	anyMissing := false
	for i, n := range names {
		var p *float64
		if r := in.Ratios[n]; r != nil {
			c := *r
			p = &c
			if math.IsNaN(c) {
				anyMissing = true
			}
			vals[i] = c
		} else {
			anyMissing = true
		}
		ir.Inputs = append(ir.Inputs, InputValue{Name: n, Ratio: p})
	}
	ir.Ratio = ir.Inputs[0].Ratio

	for _, m := range ind.Rule.Modifiers {
		switch {
		case m == ModNoComplaintsFull && in.Complaints != nil && *in.Complaints <= 0:
			ir.Applied, ir.Score = m, Round2(ind.Points)
			return ir, nil
		case m == ModNoDossiersZero && in.Dossiers != nil && *in.Dossiers <= 0:
			ir.Applied, ir.Score = m, 0
			return ir, nil
		}
	}
	if anyMissing {
		ir.Missing = true
		return ir, nil
	}

	var clamped []string
	for i, x := range vals {
		if x < 0 || x > 1 {
			clamped = append(clamped, ind.ID+":"+names[i]+"="+strconv.FormatFloat(x, 'g', -1, 64))
			vals[i] = math.Min(1, math.Max(0, x))
		}
	}
	var s float64
	switch r := ind.Rule; r.Type {
	case RuleProportional:
		s = ind.Points * vals[0]
	case RuleCapped:
		if vals[0] >= r.Threshold {
			s = ind.Points
		} else {
			s = ind.Points * vals[0] / r.Threshold
		}
	case RulePayment:
		s = r.AWeight*vals[0] + math.Min(r.BCap, r.BWeight*vals[1]) + r.CWeight*vals[2]
	}
	s = math.Min(ind.Points, math.Max(0, s))
	ir.Score = Round2(s)
	return ir, clamped
}
