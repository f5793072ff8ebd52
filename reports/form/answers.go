package form

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Answer is a unit's value for one indicator.
type Answer struct {
	// Value is canonical (see Indicator.Canonical); empty: not answered.
	Value string `json:"value"`
	// Collected is the figure egovkpi collected for this indicator when
	// the answer was saved (nil: none): a Value that differs from it is a
	// correction and needs an Explanation.
	Collected *float64 `json:"collected,omitempty"`
	// Explanation says why a collected figure was corrected.
	Explanation string `json:"explanation,omitempty"`
}

// Corrected says whether a numeric answer differs from its collected figure.
func (a Answer) Corrected() bool {
	if a.Collected == nil || a.Value == "" {
		return false
	}
	v, err := strconv.ParseFloat(a.Value, 64)
	return err == nil && math.Abs(v-*a.Collected) > 1e-9*math.Max(1, math.Abs(*a.Collected))
}

// Float is a numeric answer's value.
func (a Answer) Float() (float64, bool) {
	if a.Value == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(a.Value, 64)
	return v, err == nil
}

// Answers are a report's answers by indicator id.
type Answers map[string]Answer

// Raw is what a reporter typed (or a template cell held) for one
// indicator, before it is checked.
type Raw struct {
	Value string
	// Number, when set, is a value given as a number (a spreadsheet's
	// numeric cell): it is checked with CanonicalNumber and Value is
	// ignored.
	Number      *float64
	Explanation string
}

// Problem is one thing wrong with a report, naming the indicator.
type Problem struct {
	Indicator string // id; empty for the report as a whole
	Code      string // the form's number, e.g. "4.3"
	ReasonVI  string
	ReasonEN  string
}

// Error reads as "4.3 dossiers_online: reason" in English.
func (p Problem) Error() string {
	if p.Indicator == "" {
		return p.ReasonEN
	}
	return fmt.Sprintf("%s %s: %s", p.Code, p.Indicator, p.ReasonEN)
}

// Reason is the reason in lang.
func (p Problem) Reason(lang string) string {
	if lang == "en" {
		return p.ReasonEN
	}
	return p.ReasonVI
}

// problem is a problem of the indicator, naming its id and code.
func (ind Indicator) problem(vi, en string) *Problem {
	return &Problem{Indicator: ind.ID, Code: ind.Code, ReasonVI: vi, ReasonEN: en}
}

// problem is a problem of indicator id (with its code when d has it).
func (d *Definition) problem(id, vi, en string) Problem {
	if ind, ok := d.byID[id]; ok {
		return *ind.problem(vi, en)
	}
	return *Indicator{ID: id}.problem(vi, en)
}

// Clean checks what was typed against the definition and turns it into
// canonical answers. An answer with a problem is left out (the rest is the
// valid part a reporter may save as a draft); collected figures are
// attached from collected (by indicator id).
func (d *Definition) Clean(raw map[string]Raw, collected map[string]float64) (Answers, []Problem) {
	out := Answers{}
	var probs []Problem
	ids := make([]string, 0, len(raw))
	for id := range raw {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := raw[id]
		ind, ok := d.byID[id]
		if !ok {
			probs = append(probs, d.problem(id, "chỉ tiêu không có trong mẫu báo cáo "+d.Version, "no such indicator in report version "+d.Version))
			continue
		}
		v, p := ind.Canonical(r.Value)
		if r.Number != nil {
			v, p = ind.CanonicalNumber(*r.Number)
		}
		if p != nil {
			probs = append(probs, *p)
			continue
		}
		expl := strings.TrimSpace(r.Explanation)
		if utf8.RuneCountInString(expl) > MaxTextRunes {
			probs = append(probs, d.problem(id, fmt.Sprintf("giải trình dài quá %d ký tự", MaxTextRunes), fmt.Sprintf("the explanation is longer than %d characters", MaxTextRunes)))
			continue
		}
		a := Answer{Value: v, Explanation: expl}
		if c, ok := collected[id]; ok {
			a.Collected = &c
		}
		if a.Value == "" && a.Explanation == "" && a.Collected == nil {
			continue
		}
		out[id] = a
	}
	// Collected figures of indicators not typed at all are kept, so the
	// form shows them.
	for id, c := range collected {
		if _, typed := raw[id]; typed {
			continue
		}
		if _, ok := d.byID[id]; ok {
			out[id] = Answer{Collected: &c}
		}
	}
	return out, probs
}

// Validate checks answers for submission: every value in bounds, every
// required indicator answered, every correction of a collected figure
// explained, and every cross-field rule.
func (d *Definition) Validate(a Answers) []Problem {
	var probs []Problem
	for _, ind := range d.Indicators() {
		ans := a[ind.ID]
		if ans.Value == "" {
			if ind.Required {
				probs = append(probs, d.problem(ind.ID, "chưa nhập (bắt buộc)", "missing (required)"))
			}
			continue
		}
		if p := ind.checkStored(ans.Value); p != nil {
			probs = append(probs, *p)
			continue
		}
		if ans.Corrected() && ans.Explanation == "" {
			probs = append(probs, d.problem(ind.ID,
				fmt.Sprintf("khác số liệu thu thập (%s): cần giải trình", FormatNumber(*ans.Collected)),
				fmt.Sprintf("differs from the collected figure (%s): an explanation is needed", FormatNumber(*ans.Collected))))
		}
	}
	for id := range a {
		if _, ok := d.byID[id]; !ok {
			probs = append(probs, d.problem(id, "chỉ tiêu không có trong mẫu báo cáo "+d.Version, "no such indicator in report version "+d.Version))
		}
	}
	return append(probs, d.CheckRules(a)...)
}

// CheckRules checks the cross-field rules whose indicators all have
// values: the parts never add up to more than the whole.
func (d *Definition) CheckRules(a Answers) []Problem {
	var probs []Problem
	for _, r := range d.Rules {
		whole, ok := a[r.Whole].Float()
		if !ok {
			continue
		}
		sum, all := 0.0, true
		for _, p := range r.Parts {
			v, ok := a[p].Float()
			if !ok {
				all = false
				break
			}
			sum += v
		}
		if !all || sum <= whole+1e-9 {
			continue
		}
		partsVI, partsEN := d.names(r.Parts, "vi"), d.names(r.Parts, "en")
		wv, we := d.names([]string{r.Whole}, "vi"), d.names([]string{r.Whole}, "en")
		probs = append(probs, d.problem(r.Parts[0],
			fmt.Sprintf("%s (%s) lớn hơn %s (%s)", partsVI, FormatNumber(sum), wv, FormatNumber(whole)),
			fmt.Sprintf("%s (%s) exceeds %s (%s)", partsEN, FormatNumber(sum), we, FormatNumber(whole))))
	}
	return probs
}

// RuleText says a rule in lang ("vi" or "en"): "1.2 … + 1.3 … ≤ 1.1 …".
func (d *Definition) RuleText(r Rule, lang string) string {
	return d.names(r.Parts, lang) + " ≤ " + d.names([]string{r.Whole}, lang)
}

// names are the indicators' codes and names in lang, joined by " + ".
func (d *Definition) names(ids []string, lang string) string {
	var parts []string
	for _, id := range ids {
		ind, _ := d.Indicator(id)
		parts = append(parts, ind.Code+" "+ind.Name(lang))
	}
	return strings.Join(parts, " + ")
}

// Change is one indicator whose answer differs between two versions.
type Change struct {
	Indicator string
	Before    Answer
	After     Answer
}

// Diff lists the indicators whose value or explanation differ from before
// to after, in form order.
func (d *Definition) Diff(before, after Answers) []Change {
	var out []Change
	seen := map[string]bool{}
	add := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		b, a := before[id], after[id]
		if b.Value != a.Value || b.Explanation != a.Explanation {
			out = append(out, Change{Indicator: id, Before: b, After: a})
		}
	}
	for _, ind := range d.Indicators() {
		add(ind.ID)
	}
	var rest []string
	for id := range before {
		rest = append(rest, id)
	}
	for id := range after {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	for _, id := range rest {
		add(id)
	}
	return out
}

var (
	groupedInt = regexp.MustCompile(`^[1-9]\d{0,2}(?:([., \x{00A0}\x{202F}])\d{3})(?:([., \x{00A0}\x{202F}])\d{3})*$`)
	plainNum   = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)
	// thousands drops the thousands separators: point, comma, space,
	// no-break space and narrow no-break space.
	thousands = strings.NewReplacer(".", "", ",", "", " ", "", "\u00a0", "", "\u202f", "")
)

// Canonical turns what was typed into the stored form of a value, or says
// what is wrong with it. Numbers take Vietnamese or English writing:
// "1.234.567", "1,234,567" and "1 234 567" are thousands; "12,5" and
// "12.5" are decimals; "12.500" (one separator, three digits after it) is
// ambiguous and refused rather than guessed. The result is "" for a blank.
func (ind Indicator) Canonical(raw string) (string, *Problem) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", nil
	}
	prob := func(vi, en string) (string, *Problem) { return "", ind.problem(vi, en) }
	switch ind.Type {
	case Text:
		if utf8.RuneCountInString(s) > MaxTextRunes {
			return prob(fmt.Sprintf("dài quá %d ký tự", MaxTextRunes), fmt.Sprintf("longer than %d characters", MaxTextRunes))
		}
		if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 || !utf8.ValidString(s) {
			return prob("có ký tự điều khiển hoặc không hợp lệ", "contains control or invalid characters")
		}
		return s, nil
	case YesNo:
		switch strings.ToLower(s) {
		case "có", "co", "yes", "y", "x", "1", "true":
			return "yes", nil
		case "không", "khong", "no", "n", "0", "false":
			return "no", nil
		}
		return prob(fmt.Sprintf("%q: ghi Có hoặc Không", s), fmt.Sprintf("%q: write yes or no (có / không)", s))
	}
	v, ok, ambiguous := parseNumber(s)
	if ambiguous {
		return prob(fmt.Sprintf("%q không rõ là số nghìn hay số thập phân: viết không có dấu phân cách nghìn (12500) hoặc dùng dấu phẩy thập phân (12,5)", s),
			fmt.Sprintf("%q is ambiguous (thousands or a decimal?): write it without a thousands separator (12500) or with a decimal comma (12,5)", s))
	}
	if !ok {
		return prob(fmt.Sprintf("%q không phải là số", s), fmt.Sprintf("%q is not a number", s))
	}
	return ind.checkNumber(v, s)
}

// CanonicalNumber is Canonical for a value given as a number rather than
// typed (a spreadsheet's numeric cell): nothing is ambiguous, so 1.234 is
// one and 234 thousandths. A text indicator takes the number's digits, a
// yes/no indicator 1 or 0.
func (ind Indicator) CanonicalNumber(v float64) (string, *Problem) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", ind.problem("không phải là số", "not a number")
	}
	if !ind.Numeric() {
		return ind.Canonical(FormatNumber(v))
	}
	return ind.checkNumber(v, FormatNumber(v))
}

// checkNumber checks a number against the indicator's type and bounds;
// shown is how the reporter wrote it.
func (ind Indicator) checkNumber(v float64, shown string) (string, *Problem) {
	prob := func(vi, en string) (string, *Problem) { return "", ind.problem(vi, en) }
	if ind.Type == Integer && v != math.Trunc(v) {
		return prob(fmt.Sprintf("%s: phải là số nguyên", shown), fmt.Sprintf("%s: must be a whole number", shown))
	}
	lo, hi := ind.Bounds()
	if v < lo && math.IsInf(hi, 1) {
		return prob(fmt.Sprintf("%s: phải từ %s trở lên", FormatNumber(v), FormatNumber(lo)),
			fmt.Sprintf("%s: must be at least %s", FormatNumber(v), FormatNumber(lo)))
	}
	if v < lo || v > hi {
		return prob(fmt.Sprintf("%s ngoài khoảng cho phép %s–%s", FormatNumber(v), FormatNumber(lo), FormatNumber(hi)),
			fmt.Sprintf("%s is outside the allowed range %s–%s", FormatNumber(v), FormatNumber(lo), FormatNumber(hi)))
	}
	return FormatNumber(v), nil
}

// checkStored checks a stored answer's value, which is canonical: numbers
// are read the way FormatNumber writes them, never with the reading of
// typed text (where "1.234" is ambiguous).
func (ind Indicator) checkStored(v string) *Problem {
	if !ind.Numeric() {
		_, p := ind.Canonical(v)
		return p
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return ind.problem(fmt.Sprintf("%q không phải là số", v), fmt.Sprintf("%q is not a number", v))
	}
	_, p := ind.CanonicalNumber(f)
	return p
}

// parseNumber reads a number written the Vietnamese or the English way.
func parseNumber(s string) (v float64, ok, ambiguous bool) {
	s = strings.TrimPrefix(s, "+")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var clean string
	switch {
	case groupedInt.MatchString(s):
		m := groupedInt.FindStringSubmatch(s)
		if m[2] != "" && m[2] != m[1] {
			return 0, false, false
		}
		if m[2] == "" && (m[1] == "." || m[1] == ",") {
			// One separator and three digits after it: 12.500 is twelve
			// thousand five hundred in Vietnamese, twelve and a half in
			// English.
			return 0, false, true
		}
		clean = thousands.Replace(s)
	case plainNum.MatchString(s):
		clean = strings.Replace(s, ",", ".", 1)
	default:
		// Thousands and a decimal part: 1.234.567,5 or 1,234,567.5.
		i := strings.LastIndexAny(s, ".,")
		if i <= 0 {
			return 0, false, false
		}
		intPart, frac := s[:i], s[i+1:]
		if !groupedInt.MatchString(intPart) || strings.ContainsRune(intPart, rune(s[i])) || frac == "" || strings.Trim(frac, "0123456789") != "" {
			return 0, false, false
		}
		clean = thousands.Replace(intPart) + "." + frac
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false, false
	}
	if neg {
		f = -f
	}
	return f, true, false
}

// FormatNumber writes a number as answers store it: without exponent,
// thousands separators or trailing zeros, with a decimal point.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
