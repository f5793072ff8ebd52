package form

import (
	"math"
	"strings"
	"testing"
)

// builtin is the shipped definition for 2026Q3.
func builtin(t *testing.T) *Definition {
	t.Helper()
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d, err := set.For(mustDate(t, "2026-07-01"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func indicator(t *testing.T, d *Definition, id string) Indicator {
	t.Helper()
	ind, ok := d.Indicator(id)
	if !ok {
		t.Fatalf("no indicator %s in version %s", id, d.Version)
	}
	return ind
}

// checkProblem fails unless p is a problem of ind whose English reason
// holds want, with a Vietnamese reason of its own.
func checkProblem(t *testing.T, what string, p *Problem, ind Indicator, want string) {
	t.Helper()
	switch {
	case p == nil:
		t.Errorf("%s: accepted, want a problem %q", what, want)
	case p.Indicator != ind.ID || p.Code != ind.Code:
		t.Errorf("%s: problem names %s %s, want %s %s", what, p.Code, p.Indicator, ind.Code, ind.ID)
	case !strings.Contains(p.ReasonEN, want):
		t.Errorf("%s: reason %q, want it to say %q", what, p.ReasonEN, want)
	case p.ReasonVI == "" || p.ReasonVI == p.ReasonEN:
		t.Errorf("%s: no Vietnamese reason (%q)", what, p.ReasonVI)
	}
}

func TestCanonical(t *testing.T) {
	d := builtin(t)
	integer := indicator(t, d, "dossiers_total")
	decimal := indicator(t, d, "budget_spent")
	percent := indicator(t, d, "official_email_use")
	yesNo := indicator(t, d, "data_centre")
	text := indicator(t, d, "notes")
	oneToTen := Indicator{ID: "bounded", Code: "9.9", Type: Integer, Min: ptr(1), Max: ptr(10)}
	for _, tc := range []struct {
		ind     Indicator
		in      string
		want    string
		problem string // the English reason holds this; "" for none
	}{
		// Thousands written the Vietnamese, English or French way.
		{integer, "1.234.567", "1234567", ""},
		{integer, "1,234,567", "1234567", ""},
		{integer, "1 234 567", "1234567", ""},
		{integer, "1\u00a0234", "1234", ""},
		{integer, "1\u202f234\u202f567", "1234567", ""},
		{integer, "1 234\u00a0567", "", "is not a number"}, // two different separators
		{integer, " 12500 ", "12500", ""},
		{integer, "", "", ""},
		{integer, "   ", "", ""},
		{integer, "0", "0", ""},
		{integer, "+7", "7", ""},
		// One separator and three digits: thousands in Vietnamese, a
		// decimal in English — refused, never guessed.
		{integer, "12.500", "", "ambiguous"},
		{integer, "12,500", "", "ambiguous"},
		{decimal, "1.234", "", "ambiguous"},
		// Mixed separators are not a number.
		{integer, "1.234,567.8", "", "is not a number"},
		{integer, "1,234.567,8", "", "is not a number"},
		{integer, "1.23.456", "", "is not a number"},
		{integer, "1.234 567", "", "is not a number"},
		{integer, "abc", "", `"abc" is not a number`},
		{integer, "1e3", "", "is not a number"},
		{integer, "12,5", "", "must be a whole number"},
		{integer, "-3", "", "-3: must be at least 0"},
		// Decimals with a comma or a point, and with thousands.
		{decimal, "12,5", "12.5", ""},
		{decimal, "12.5", "12.5", ""},
		{decimal, "0,75", "0.75", ""},
		{decimal, "1.234.567,89", "1234567.89", ""},
		{decimal, "1,234,567.89", "1234567.89", ""},
		{decimal, "1 234,5", "1234.5", ""},
		{decimal, "-0,5", "", "-0.5: must be at least 0"},
		// Percent is 0 to 100.
		{percent, "55,25", "55.25", ""},
		{percent, "100", "100", ""},
		{percent, "100,5", "", "100.5 is outside the allowed range 0–100"},
		// Explicit bounds.
		{oneToTen, "0", "", "0 is outside the allowed range 1–10"},
		{oneToTen, "11", "", "outside the allowed range 1–10"},
		{oneToTen, "10", "10", ""},
		// Yes or no, in both languages.
		{yesNo, "Có", "yes", ""},
		{yesNo, "CÓ", "yes", ""},
		{yesNo, "co", "yes", ""},
		{yesNo, "Yes", "yes", ""},
		{yesNo, "x", "yes", ""},
		{yesNo, "1", "yes", ""},
		{yesNo, "Không", "no", ""},
		{yesNo, "khong", "no", ""},
		{yesNo, "NO", "no", ""},
		{yesNo, "0", "no", ""},
		{yesNo, "có lẽ", "", "write yes or no"},
		// Text: trimmed; new lines and tabs kept; control characters and
		// invalid UTF-8 refused; at most MaxTextRunes characters.
		{text, "  Thiếu kinh phí  ", "Thiếu kinh phí", ""},
		{text, "dòng 1\ndòng 2\tcột", "dòng 1\ndòng 2\tcột", ""},
		{text, "=HYPERLINK(\"http://evil\",\"x\")", "=HYPERLINK(\"http://evil\",\"x\")", ""},
		{text, "a\x00b", "", "control or invalid characters"},
		{text, "a\x1b[31mb", "", "control or invalid characters"},
		{text, "a\u0085b", "", "control or invalid characters"},
		{text, "a\xffb", "", "control or invalid characters"},
		{text, strings.Repeat("ệ", MaxTextRunes), strings.Repeat("ệ", MaxTextRunes), ""},
		{text, strings.Repeat("ệ", MaxTextRunes+1), "", "longer than 2000 characters"},
	} {
		got, p := tc.ind.Canonical(tc.in)
		what := tc.ind.ID + " " + shorten(tc.in)
		if tc.problem != "" {
			checkProblem(t, what, p, tc.ind, tc.problem)
			if got != "" {
				t.Errorf("%s: value %q with a problem, want none", what, got)
			}
			continue
		}
		if p != nil {
			t.Errorf("%s: %v", what, p)
		} else if got != tc.want {
			t.Errorf("%s = %q, want %q", what, got, tc.want)
		}
	}
}

func TestCanonicalNumber(t *testing.T) {
	d := builtin(t)
	for _, tc := range []struct {
		id      string
		in      float64
		want    string
		problem string
	}{
		// A number given as a number is never ambiguous.
		{"budget_spent", 1.234, "1.234", ""},
		{"budget_spent", 12.5, "12.5", ""},
		{"dossiers_total", 1e3, "1000", ""},
		{"dossiers_total", 12.5, "", "12.5: must be a whole number"},
		{"dossiers_total", -1, "", "-1: must be at least 0"},
		{"dossiers_total", math.NaN(), "", "not a number"},
		{"dossiers_total", math.Inf(1), "", "not a number"},
		{"official_email_use", 101, "", "outside the allowed range 0–100"},
		{"data_centre", 1, "yes", ""},
		{"data_centre", 0, "no", ""},
		{"data_centre", 2, "", "write yes or no"},
		{"portal_url", 12, "12", ""},
	} {
		ind := indicator(t, d, tc.id)
		got, p := ind.CanonicalNumber(tc.in)
		what := tc.id + " " + FormatNumber(tc.in)
		if tc.problem != "" {
			checkProblem(t, what, p, ind, tc.problem)
			continue
		}
		if p != nil || got != tc.want {
			t.Errorf("%s = %q, %v; want %q", what, got, p, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	d := builtin(t)
	long := strings.Repeat("a", MaxTextRunes+1)
	raw := map[string]Raw{
		"dossiers_total":   {Value: "1.234.567"},
		"dossiers_online":  {Value: "12.500"}, // ambiguous: left out
		"budget_spent":     {Number: ptr(1.234), Value: "ignored"},
		"procedures_total": {Value: " 40 ", Explanation: "  Rà soát lại danh mục  "},
		"portal_url":       {Value: "https://tuyenquang.gov.vn"},
		"notes":            {Value: "ghi chú", Explanation: long},
		"no_such_thing":    {Value: "1"},
		"it_staff":         {Value: ""}, // blank, nothing collected: left out
	}
	collected := map[string]float64{"dossiers_total": 1234567, "procedures_total": 38, "dossiers_synced_npsp": 900, "dossiers_online": 1000}
	got, probs := d.Clean(raw, collected)
	want := Answers{
		"dossiers_total":       {Value: "1234567", Collected: ptr(1234567)},
		"budget_spent":         {Value: "1.234"},
		"procedures_total":     {Value: "40", Collected: ptr(38), Explanation: "Rà soát lại danh mục"},
		"portal_url":           {Value: "https://tuyenquang.gov.vn"},
		"dossiers_synced_npsp": {Collected: ptr(900)}, // not typed: its collected figure is kept
	}
	if diff := answersDiff(got, want); diff != "" {
		t.Errorf("the valid part:\n%s", diff)
	}
	var reasons []string
	for _, p := range probs {
		reasons = append(reasons, p.Indicator+": "+p.ReasonEN)
	}
	wantProblems := []string{
		`dossiers_online: "12.500" is ambiguous`,
		"no_such_thing: no such indicator in report version 2022.1",
		"notes: the explanation is longer than 2000 characters",
	}
	if len(reasons) != len(wantProblems) {
		t.Fatalf("problems %q, want %q", reasons, wantProblems)
	}
	for i, w := range wantProblems {
		if !strings.HasPrefix(reasons[i], w) {
			t.Errorf("problem %d: %q, want %q…", i, reasons[i], w)
		}
	}
	if got, _ := d.Clean(nil, nil); len(got) != 0 {
		t.Errorf("nothing typed, nothing collected: %v", got)
	}
}

// complete is a valid report for the built-in definition: every indicator
// answered, every rule kept.
func complete(d *Definition) Answers {
	a := Answers{}
	for _, ind := range d.Indicators() {
		switch ind.Type {
		case YesNo:
			a[ind.ID] = Answer{Value: "yes"}
		case Text:
			a[ind.ID] = Answer{Value: "Không có kiến nghị"}
		case Percent:
			a[ind.ID] = Answer{Value: "87.5"}
		default:
			a[ind.ID] = Answer{Value: "10"}
		}
	}
	// A whole of 10 with parts of 10 keeps every rule but one.
	a["procedures_total"] = Answer{Value: "40"}
	a["budget_spent"] = Answer{Value: "1.234"} // canonical: one and 234 thousandths
	a["budget_security"] = Answer{Value: "0.5"}
	return a
}

func TestValidate(t *testing.T) {
	d := builtin(t)
	if probs := d.Validate(complete(d)); len(probs) != 0 {
		t.Fatalf("a complete report has problems: %v", probs)
	}
	for _, tc := range []struct {
		name   string
		change func(Answers)
		id     string
		want   string
	}{
		{"required missing", func(a Answers) { delete(a, "agencies_total") }, "agencies_total", "missing (required)"},
		{"required blank", func(a Answers) { a["portal_url"] = Answer{Explanation: "x"} }, "portal_url", "missing (required)"},
		{"correction unexplained", func(a Answers) { a["dossiers_total"] = Answer{Value: "10", Collected: ptr(12)} },
			"dossiers_total", "differs from the collected figure (12): an explanation is needed"},
		{"a part over its whole", func(a Answers) { a["computers_online"] = Answer{Value: "11"} },
			"computers_online", "1.4 Of which: computers connected to the Internet (11) exceeds 1.3 Computers provided to officials (10)"},
		{"parts over their whole", func(a Answers) { a["services_partial"] = Answer{Value: "31"} },
			"services_full_process", "4.3 Full-process online services (level 4 before 15/08/2022) + 4.4 Partial online services (41) exceeds 4.1 Administrative procedures under the unit's authority (40)"},
		{"stored value not a number", func(a Answers) { a["it_staff"] = Answer{Value: "mười"} }, "it_staff", `"mười" is not a number`},
		{"stored value out of bounds", func(a Answers) { a["official_email_use"] = Answer{Value: "120"} }, "official_email_use", "outside the allowed range 0–100"},
		{"unknown indicator", func(a Answers) { a["legacy_field"] = Answer{Value: "1"} }, "legacy_field", "no such indicator in report version 2022.1"},
	} {
		a := complete(d)
		tc.change(a)
		probs := d.Validate(a)
		if len(probs) != 1 || probs[0].Indicator != tc.id || !strings.Contains(probs[0].ReasonEN, tc.want) || probs[0].ReasonVI == "" {
			t.Errorf("%s: %+v, want one problem on %s saying %q", tc.name, probs, tc.id, tc.want)
		}
	}
	// A correction with its explanation, and a figure equal to the
	// collected one, need nothing more.
	a := complete(d)
	a["dossiers_total"] = Answer{Value: "10", Collected: ptr(12), Explanation: "Hai hồ sơ bị trùng"}
	a["dossiers_online"] = Answer{Value: "10", Collected: ptr(10)}
	if probs := d.Validate(a); len(probs) != 0 {
		t.Errorf("explained correction: %v", probs)
	}
	if !a["dossiers_total"].Corrected() || a["dossiers_online"].Corrected() || (Answer{Value: "3"}).Corrected() {
		t.Error("Corrected: wrong")
	}
	// A rule is not checked while one of its values is missing.
	a = complete(d)
	a["computers_online"] = Answer{Value: "11"}
	delete(a, "computers_total")
	for _, p := range d.CheckRules(a) {
		t.Errorf("rule checked with its whole missing: %v", p)
	}
}

func TestDiff(t *testing.T) {
	d := builtin(t)
	before := Answers{
		"agencies_total":  {Value: "10"},
		"dossiers_total":  {Value: "100", Collected: ptr(100)},
		"notes":           {Value: "cũ"},
		"portal_url":      {Value: "https://a.gov.vn"},
		"zz_old_field":    {Value: "1"},
		"computers_total": {Value: "5"},
	}
	after := Answers{
		"agencies_total":  {Value: "10"},                                            // same
		"dossiers_total":  {Value: "100", Collected: ptr(90)},                       // only the collected figure moved: no change
		"notes":           {Value: "mới"},                                           // value
		"portal_url":      {Value: "https://a.gov.vn", Explanation: "đổi tên miền"}, // explanation
		"aa_new_field":    {Value: "2"},                                             // unknown, added
		"computers_total": {Value: "5"},                                             // same
		"it_staff":        {Value: "3"},                                             // added
	}
	var got []string
	for _, c := range d.Diff(before, after) {
		got = append(got, c.Indicator+":"+c.Before.Value+"→"+c.After.Value)
	}
	// Form order first (3.1 before 6.1 before 7.1), then unknown ids sorted.
	want := []string{"portal_url:https://a.gov.vn→https://a.gov.vn", "it_staff:→3", "notes:cũ→mới", "aa_new_field:→2", "zz_old_field:1→"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("Diff:\n got %q\nwant %q", got, want)
	}
	if len(d.Diff(before, before)) != 0 {
		t.Error("a report differs from itself")
	}
}

func ptr(v float64) *float64 { return &v }

func shorten(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

// answersDiff describes how got differs from want, "" when equal.
func answersDiff(got, want Answers) string {
	var b strings.Builder
	show := func(a Answer) string {
		c := "nil"
		if a.Collected != nil {
			c = FormatNumber(*a.Collected)
		}
		return "value " + a.Value + ", collected " + c + ", explanation " + a.Explanation
	}
	for id, w := range want {
		g, ok := got[id]
		switch {
		case !ok:
			b.WriteString(id + ": missing, want " + show(w) + "\n")
		case show(g) != show(w):
			b.WriteString(id + ": " + show(g) + ", want " + show(w) + "\n")
		}
	}
	for id, g := range got {
		if _, ok := want[id]; !ok {
			b.WriteString(id + ": " + show(g) + ", want none\n")
		}
	}
	return b.String()
}
