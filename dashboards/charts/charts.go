// Package charts builds the dashboards' charts as ECharts option objects
// with go-echarts, and embeds them in pages as JSON data, never as code.
//
// The pages' Content-Security-Policy allows no inline script and no inline
// style, so a chart is two pieces of HTML: a Container, whose data-chart
// attribute names a ScriptTag holding the option JSON. /static/charts.js
// finds the containers and draws them with the vendored echarts
// (/static/vendor/echarts/echarts.min.js, written by .ci/vendor-echarts).
//
// The options carry no JavaScript functions: everything that needs code,
// such as number formatting in the page's language, lives in charts.js,
// steered by the top-level keys egovkpiLocale and egovkpiUnit, which
// charts.js removes before it hands the option to echarts.
package charts

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// AssetsHost is where the dashboards serve the vendored echarts files. It is
// set on every chart, so that nothing go-echarts might render points at its
// default CDN, which the users' networks may not reach.
const AssetsHost = "/static/vendor/echarts/"

// LocaleKey is the top-level option key that tells charts.js the page's
// language ("vi" or "en") for formatting numbers. It is not an echarts key.
const LocaleKey = "egovkpiLocale"

// UnitKey is the top-level option key with the unit that charts.js writes
// after tooltip values (Trend's unit). It is not an echarts key.
const UnitKey = "egovkpiUnit"

// funcMarker is how go-echarts marks a JavaScript function inside a string
// option (opts.FuncOpts); its own renderer turns such strings into code.
const funcMarker = "__f__"

// Point is one value of a Line at one label (a quarter, a month…). A nil
// Value means no data: the line has a gap there, never a zero.
type Point struct {
	Label string
	Value *float64
}

// Line is one named series of a Trend chart.
type Line struct {
	Name   string
	Points []Point
}

// Trend returns the option JSON of a line chart titled title, one line per
// element of lines. The x axis has the labels of the first line's points,
// and every line must have the same labels in the same order. The y axis is
// named unit (such as "%"; it may be empty). A nil value is a gap in its
// line (JSON null, connectNulls false). lang ("vi" or "en") chooses the
// number format of the tooltips and the y axis; the tooltips add the unit.
func Trend(title string, lines []Line, unit, lang string) ([]byte, error) {
	labels := []string{}
	for i, l := range lines {
		if i == 0 {
			labels = make([]string, len(l.Points))
			for j, p := range l.Points {
				labels[j] = p.Label
			}
		} else if err := sameLabels(labels, l); err != nil {
			return nil, fmt.Errorf("charts: trend %q: %w", title, err)
		}
	}

	c := charts.NewLine()
	c.SetGlobalOptions(
		initialization(),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "12", Right: "24", Top: "48", Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: unit}),
	)
	c.SetXAxis(labels)
	for _, l := range lines {
		data := make([]opts.LineData, len(l.Points))
		for i, p := range l.Points {
			// A nil *float64 in the interface is not omitted: it is
			// written as "value": null, which echarts draws as a gap.
			data[i] = opts.LineData{Value: p.Value}
		}
		c.AddSeries(l.Name, data, charts.WithLineChartOpts(opts.LineChart{
			ConnectNulls: opts.Bool(false),
			ShowSymbol:   opts.Bool(true),
		}))
	}
	c.Validate()
	option := c.JSON()
	if unit != "" {
		option[UnitKey] = unit
	}
	b, err := encode(option, lang)
	if err != nil {
		return nil, fmt.Errorf("charts: trend %q: %w", title, err)
	}
	return b, nil
}

// initialization points the chart's assets at AssetsHost.
func initialization() charts.GlobalOpts {
	return charts.WithInitializationOpts(opts.Initialization{AssetsHost: AssetsHost, Renderer: "canvas"})
}

// sameLabels reports an error unless l's points have exactly labels.
func sameLabels(labels []string, l Line) error {
	if len(l.Points) != len(labels) {
		return fmt.Errorf("line %q has %d points, the first line %d", l.Name, len(l.Points), len(labels))
	}
	for i, p := range l.Points {
		if p.Label != labels[i] {
			return fmt.Errorf("line %q has label %q at %d, the first line %q", l.Name, p.Label, i, labels[i])
		}
	}
	return nil
}

// Bars returns the option JSON of a bar chart titled title with one bar per
// label: values[i] is its height and colors[i] (a CSS colour such as
// "#2e7d32") its colour, set on the data item's itemStyle. colors may be
// nil (echarts' palette) but otherwise as long as labels, like values. It
// draws, for one 766 band per bar, how many units are in that band. lang
// ("vi" or "en") chooses the number format of the tooltips and the y axis.
func Bars(title string, labels []string, values []float64, colors []string, lang string) ([]byte, error) {
	if len(values) != len(labels) {
		return nil, fmt.Errorf("charts: bars %q: %d values for %d labels", title, len(values), len(labels))
	}
	if colors != nil && len(colors) != len(labels) {
		return nil, fmt.Errorf("charts: bars %q: %d colours for %d labels", title, len(colors), len(labels))
	}

	c := charts.NewBar()
	c.SetGlobalOptions(
		initialization(),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "12", Right: "24", Top: "48", Bottom: "12", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value"}),
	)
	c.SetXAxis(labels)
	data := make([]opts.BarData, len(values))
	for i, v := range values {
		data[i] = opts.BarData{Name: labels[i], Value: v}
		if colors != nil {
			data[i].ItemStyle = &opts.ItemStyle{Color: colors[i]}
		}
	}
	c.AddSeries(title, data)
	c.Validate()
	b, err := encode(c.JSON(), lang)
	if err != nil {
		return nil, fmt.Errorf("charts: bars %q: %w", title, err)
	}
	return b, nil
}

// encode adds the locale key to a go-echarts option map and marshals it,
// refusing any option that carries a go-echarts JavaScript function.
func encode(option map[string]any, lang string) ([]byte, error) {
	option[LocaleKey] = lang
	b, err := json.Marshal(option)
	if err != nil {
		return nil, fmt.Errorf("marshal option: %w", err)
	}
	if bytes.Contains(b, []byte(funcMarker)) {
		return nil, fmt.Errorf("option holds a JavaScript function (%s)", funcMarker)
	}
	return b, nil
}
