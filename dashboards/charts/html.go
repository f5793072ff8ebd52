package charts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
)

// Heights are the chart heights in pixels that Container supports, one CSS
// class each in app.css: .chart-h240, .chart-h320, .chart-h400.
var Heights = [...]int{240, 320, 400}

// jsonEscapes replace the characters that could end or confuse a script
// element. In valid JSON they can only stand inside strings, where the
// \u escapes mean the same characters to JSON.parse.
var jsonEscapes = [][2]string{
	{"<", `\u003c`},
	{">", `\u003e`},
	{"&", `\u0026`},
	{"\u2028", `\u2028`},
	{"\u2029", `\u2029`},
}

// ScriptTag returns a <script type="application/json"> element with the
// given id holding option, the JSON of Trend or Bars, for a Container with
// the same id. Every <, > and & in option is written as a \u escape, so no
// text in the data (a unit's name with "</script>" in it, say) can end the
// element. An option that is not valid JSON is written as null, which
// charts.js shows as a chart that could not be drawn.
func ScriptTag(id string, option []byte) template.HTML {
	if !json.Valid(option) {
		option = []byte("null")
	}
	for _, e := range jsonEscapes {
		option = bytes.ReplaceAll(option, []byte(e[0]), []byte(e[1]))
	}
	return template.HTML(`<script type="application/json" id="` + template.HTMLEscapeString(id) + `">` +
		string(option) + `</script>`)
}

// Container returns the element that charts.js draws the chart into: a div
// whose data-chart attribute is the id of the chart's ScriptTag. The page's
// CSP forbids inline styles, so the height is a class: height is rounded up
// to the nearest of Heights (and down to the largest), giving chart-h240,
// chart-h320 or chart-h400.
func Container(id string, height int) template.HTML {
	h := Heights[len(Heights)-1]
	for _, c := range Heights {
		if height <= c {
			h = c
			break
		}
	}
	return template.HTML(fmt.Sprintf(`<div class="chart chart-h%d" data-chart="%s"></div>`,
		h, template.HTMLEscapeString(id)))
}
