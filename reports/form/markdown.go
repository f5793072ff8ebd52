package form

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
)

// Markdown writes every version of the report as docs/quarterly-report.md
// shows it: each section's indicators as a table (code, names, type, unit
// of measure, whether required, bounds, the collected figures that pre-fill
// it, whether the indicator is egovkpi's assumption) and the cross-field
// rules, so the document says what the code checks.
func Markdown(w io.Writer, set *Set) error {
	bw := bufio.NewWriter(w)
	for _, d := range set.Versions() {
		d.markdown(bw)
	}
	return bw.Flush()
}

func (d *Definition) markdown(w *bufio.Writer) {
	fmt.Fprintf(w, "### Version %s (from %s)\n\n", d.Version, d.ValidFrom)
	fmt.Fprintf(w, "%s  \n*%s*\n\n", d.TitleVI, d.TitleEN)
	for _, s := range d.Sections {
		fmt.Fprintf(w, "#### %s. %s / %s\n\n", s.Code, s.TitleVI, s.TitleEN)
		fmt.Fprintln(w, "| code | id | chỉ tiêu / indicator | type | unit of measure | required | bounds | pre-filled from | our assumption |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
		for _, ind := range s.Indicators {
			unit := ind.UnitVI
			if ind.UnitEN != ind.UnitVI {
				unit += " / " + ind.UnitEN
			}
			fmt.Fprintf(w, "| %s | `%s` | %s<br>*%s* | %s | %s | %s | %s | %s | %s |\n",
				ind.Code, ind.ID, cell(ind.NameVI), cell(ind.NameEN), ind.Type, cell(unit), yes(ind.Required), boundsText(ind), collectedText(ind.Collected), assumptionText(ind.Assumption))
		}
		fmt.Fprintln(w)
	}
	if len(d.Rules) > 0 {
		fmt.Fprintln(w, "#### Cross-field rules / Ràng buộc giữa các chỉ tiêu")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Checked when every indicator a rule names has a value: the parts never add up to more than the whole.")
		fmt.Fprintln(w)
		for _, r := range d.Rules {
			var parts []string
			for _, id := range r.Parts {
				parts = append(parts, d.byID[id].Code+" `"+id+"`")
			}
			whole := d.byID[r.Whole]
			fmt.Fprintf(w, "- %s ≤ %s `%s`\n", strings.Join(parts, " + "), whole.Code, r.Whole)
		}
		fmt.Fprintln(w)
	}
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func assumptionText(b bool) string {
	if b {
		return "**assumption**"
	}
	return ""
}

// boundsText says which values a numeric indicator takes.
func boundsText(ind Indicator) string {
	switch {
	case ind.Type == Text:
		return fmt.Sprintf("≤ %d characters", MaxTextRunes)
	case !ind.Numeric():
		return ""
	}
	lo, hi := ind.Bounds()
	if math.IsInf(hi, 1) {
		return "≥ " + FormatNumber(lo)
	}
	return FormatNumber(lo) + "–" + FormatNumber(hi)
}

// collectedText lists the collected figures that pre-fill an indicator,
// as "online_rate.num − full_process_coverage.num".
func collectedText(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		minus := strings.HasPrefix(t, "-")
		t = strings.TrimPrefix(t, "-")
		switch {
		case minus:
			b.WriteString(" − ")
		case i > 0:
			b.WriteString(" + ")
		}
		b.WriteString("`" + t + "`")
	}
	return strings.TrimSpace(b.String())
}
