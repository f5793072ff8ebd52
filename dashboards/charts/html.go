package charts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
)

// heights are the chart heights in pixels that Container supports, one CSS
// class each in app.css: .chart-h240, .chart-h320, .chart-h400.
var heights = [...]int{240, 320, 400}

// ScriptTag returns a <script type="application/json"> element with the
// given id holding option, the JSON of Trend or Bars, for a Container with
// the same id. Every <, > and & in option, and U+2028 and U+2029, are
// written as \u escapes (json.HTMLEscape), so no text in the data (a unit's
// name with "</script>" in it, say) can end the element; in valid JSON these
// characters only stand inside strings, where the escapes mean the same to
// JSON.parse. An option that is not valid JSON is written as null, which
// charts.js shows as a chart that could not be drawn.
func ScriptTag(id string, option []byte) template.HTML {
	if !json.Valid(option) {
		option = []byte("null")
	}
	var b bytes.Buffer
	b.Grow(len(option) + len(id) + 64)
	b.WriteString(`<script type="application/json" id="`)
	b.WriteString(template.HTMLEscapeString(id))
	b.WriteString(`">`)
	json.HTMLEscape(&b, option)
	b.WriteString(`</script>`)
	return template.HTML(b.String())
}

// Container returns the element that charts.js draws the chart into: a div
// whose data-chart attribute is the id of the chart's ScriptTag. The page's
// CSP forbids inline styles, so the height is a class: height is rounded up
// to the nearest supported height, 240, 320 or 400 pixels (and down to 400),
// giving chart-h240, chart-h320 or chart-h400.
func Container(id string, height int) template.HTML {
	h := heights[len(heights)-1]
	for _, c := range heights {
		if height <= c {
			h = c
			break
		}
	}
	return template.HTML(fmt.Sprintf(`<div class="chart chart-h%d" data-chart="%s"></div>`,
		h, template.HTMLEscapeString(id)))
}
