package dashboards

import (
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Numbers as readers of each language expect them: Vietnamese writes
// 12.345,67 (dot for thousands, comma for decimals), English 12,345.67.

// Number writes x with decimals digits after the separator.
func (l Lang) Number(x float64, decimals int) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	thousands, point := ",", "."
	if l != English {
		thousands, point = ".", ","
	}
	var b strings.Builder
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(point + frac)
	}
	return b.String()
}

// Count writes a whole number, or "–" for none.
func (l Lang) Count(x *float64) string {
	if x == nil {
		return "–"
	}
	return l.Number(*x, 0)
}

// Percent writes a published percentage (already ×100, 2 decimals) with
// its sign: "87,50 %" in Vietnamese, "87.50%" in English; "–" for none.
func (l Lang) Percent(p *float64) string {
	if p == nil {
		return "–"
	}
	if l == English {
		return l.Number(*p, 2) + "%"
	}
	return l.Number(*p, 2) + " %"
}

// Share writes a share (0..1) as a percentage with one decimal.
func (l Lang) Share(x float64) string {
	if l == English {
		return l.Number(x*100, 1) + "%"
	}
	return l.Number(x*100, 1) + " %"
}

// Points writes a 766 score (2 decimals) or "–".
func (l Lang) Points(x *float64) string {
	if x == nil {
		return "–"
	}
	return l.Number(*x, 2)
}

// Change writes a change in percentage points since the previous period:
// "▲ 1,25 điểm %", "▼ 0,50 points", "=" for none, nothing without a
// comparison.
func (l Lang) Change(d *float64) template.HTML {
	switch {
	case d == nil:
		return ""
	case *d > 0:
		return template.HTML(`<span class="up">▲ ` + template.HTMLEscapeString(l.Number(*d, 2)) + `</span> ` + template.HTMLEscapeString(l.T("overview.points")))
	case *d < 0:
		return template.HTML(`<span class="down">▼ ` + template.HTMLEscapeString(l.Number(-*d, 2)) + `</span> ` + template.HTMLEscapeString(l.T("overview.points")))
	}
	return `<span class="same">=</span>`
}
