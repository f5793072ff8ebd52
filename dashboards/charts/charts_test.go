package charts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/go-echarts/go-echarts/v2/charts"
)

// option is the part of an echarts option the tests read back.
type option struct {
	Locale  string `json:"egovkpiLocale"`
	Unit    string `json:"egovkpiUnit"`
	Title   struct{ Text string }
	Tooltip struct{ Trigger string }
	Legend  struct{ Show *bool }
	XAxis   []struct {
		Type string
		Data []string
	}
	YAxis []struct {
		Type string
		Name string
	}
	Series []struct {
		Name         string
		Type         string
		ConnectNulls *bool
		Data         []struct {
			Name      string
			Value     *float64
			ItemStyle *struct{ Color string }
		}
	}
}

func decode(t *testing.T, b []byte) option {
	t.Helper()
	var o option
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("option is not JSON: %v\n%s", err, b)
	}
	return o
}

func num(v float64) *float64 { return &v }

func TestTrend(t *testing.T) {
	lines := []Line{
		{Name: "Bộ Tư pháp", Points: []Point{{"Q1/2025", num(87.5)}, {"Q2/2025", nil}, {"Q3/2025", num(0)}}},
		{Name: "Tỉnh Lào Cai", Points: []Point{{"Q1/2025", nil}, {"Q2/2025", num(75.25)}, {"Q3/2025", num(80)}}},
	}
	b, err := Trend("Tỉ lệ đúng hạn", lines, "%", "vi")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"function", funcMarker, "=>"} {
		if bytes.Contains(b, []byte(bad)) {
			t.Errorf("option holds %q:\n%s", bad, b)
		}
	}
	// Nulls must be JSON null, not missing and never 0.
	if got := bytes.Count(b, []byte(`{"value":null}`)); got != 2 {
		t.Errorf(`%d {"value":null} items, want 2:\n%s`, got, b)
	}

	o := decode(t, b)
	if o.Locale != "vi" || o.Unit != "%" || o.Title.Text != "Tỉ lệ đúng hạn" {
		t.Errorf("locale %q, unit %q, title %q", o.Locale, o.Unit, o.Title.Text)
	}
	if o.Tooltip.Trigger != "axis" || o.Legend.Show == nil || !*o.Legend.Show {
		t.Errorf("tooltip trigger %q, legend shown %v", o.Tooltip.Trigger, o.Legend.Show)
	}
	if len(o.XAxis) != 1 || o.XAxis[0].Type != "category" || !reflect.DeepEqual(o.XAxis[0].Data, []string{"Q1/2025", "Q2/2025", "Q3/2025"}) {
		t.Errorf("x axis %+v", o.XAxis)
	}
	if len(o.YAxis) != 1 || o.YAxis[0].Type != "value" || o.YAxis[0].Name != "%" {
		t.Errorf("y axis %+v", o.YAxis)
	}
	if len(o.Series) != len(lines) {
		t.Fatalf("%d series, want %d", len(o.Series), len(lines))
	}
	for i, s := range o.Series {
		if s.Name != lines[i].Name || s.Type != "line" {
			t.Errorf("series %d is %q (%s), want %q (line)", i, s.Name, s.Type, lines[i].Name)
		}
		if s.ConnectNulls == nil || *s.ConnectNulls {
			t.Errorf("series %d: connectNulls %v, want false", i, s.ConnectNulls)
		}
		if len(s.Data) != len(lines[i].Points) {
			t.Fatalf("series %d has %d values, want %d", i, len(s.Data), len(lines[i].Points))
		}
		for j, d := range s.Data {
			want := lines[i].Points[j].Value
			switch {
			case want == nil && d.Value != nil:
				t.Errorf("series %d value %d is %v, want null", i, j, *d.Value)
			case want != nil && (d.Value == nil || *d.Value != *want):
				t.Errorf("series %d value %d is %v, want %v", i, j, d.Value, *want)
			}
		}
	}
}

func TestTrendNoUnitNoLines(t *testing.T) {
	b, err := Trend("", nil, "", "en")
	if err != nil {
		t.Fatal(err)
	}
	o := decode(t, b)
	if o.Locale != "en" || o.Unit != "" || len(o.Series) != 0 {
		t.Errorf("locale %q, unit %q, %d series", o.Locale, o.Unit, len(o.Series))
	}
	if bytes.Contains(b, []byte(UnitKey)) || !bytes.Contains(b, []byte(`"data":[]`)) {
		t.Errorf("want no unit key and an empty x axis:\n%s", b)
	}
}

func TestTrendLabelsDiffer(t *testing.T) {
	for name, second := range map[string][]Point{
		"fewer":   {{"Q1", num(1)}},
		"renamed": {{"Q1", num(1)}, {"Q3", num(2)}},
	} {
		_, err := Trend("t", []Line{{Name: "a", Points: []Point{{"Q1", num(1)}, {"Q2", num(2)}}}, {Name: "b", Points: second}}, "", "vi")
		if err == nil {
			t.Errorf("%s: no error for labels that differ from the first line's", name)
		}
	}
}

func TestBars(t *testing.T) {
	labels := []string{"Tốt", "Khá", "Trung bình", "Yếu"}
	values := []float64{12, 30, 15, 6}
	colors := []string{"#2e7d32", "#1565c0", "#f9a825", "#c62828"}
	b, err := Bars("Phân bố theo mức", labels, values, colors, "vi")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("function")) || bytes.Contains(b, []byte(funcMarker)) {
		t.Errorf("option holds a function:\n%s", b)
	}
	o := decode(t, b)
	if o.Locale != "vi" || len(o.XAxis) != 1 || !reflect.DeepEqual(o.XAxis[0].Data, labels) {
		t.Errorf("locale %q, x axis %+v", o.Locale, o.XAxis)
	}
	if len(o.Series) != 1 || o.Series[0].Type != "bar" || len(o.Series[0].Data) != len(labels) {
		t.Fatalf("series %+v", o.Series)
	}
	for i, d := range o.Series[0].Data {
		if d.ItemStyle == nil || d.ItemStyle.Color != colors[i] {
			t.Errorf("bar %d: itemStyle %+v, want colour %s", i, d.ItemStyle, colors[i])
		}
		if d.Value == nil || *d.Value != values[i] || d.Name != labels[i] {
			t.Errorf("bar %d: %q = %v, want %q = %v", i, d.Name, d.Value, labels[i], values[i])
		}
	}

	b, err = Bars("", labels[:2], values[:2], nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("itemStyle")) {
		t.Errorf("no colours given, yet itemStyle:\n%s", b)
	}

	if _, err := Bars("", labels, values[:3], nil, "vi"); err == nil {
		t.Error("no error for 3 values and 4 labels")
	}
	if _, err := Bars("", labels, values, colors[:1], "vi"); err == nil {
		t.Error("no error for 1 colour and 4 labels")
	}
}

func TestAssetsHost(t *testing.T) {
	line := charts.NewLine()
	line.SetGlobalOptions(initialization())
	line.Validate()
	bar := charts.NewBar()
	bar.SetGlobalOptions(initialization())
	bar.Validate()
	for name, js := range map[string][]string{"line": line.JSAssets.Values, "bar": bar.JSAssets.Values} {
		if len(js) == 0 {
			t.Errorf("%s: no JS assets", name)
		}
		for _, a := range js {
			if !strings.HasPrefix(a, AssetsHost) {
				t.Errorf("%s: asset %q is not under %s", name, a, AssetsHost)
			}
		}
	}
}

func TestScriptTag(t *testing.T) {
	name := `Bộ A </script><script>alert(1)</script> & <!-- "x" >`
	b, err := Trend("t", []Line{{Name: name, Points: []Point{{"Q1", num(1)}}}}, "%", "vi")
	if err != nil {
		t.Fatal(err)
	}
	// The same option marshalled without Go's HTML escaping, so that the
	// raw characters reach ScriptTag, which must escape them itself.
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw.Bytes(), []byte("</script>")) {
		t.Fatal("test input lacks a raw </script>")
	}

	for input, option := range map[string][]byte{"Trend": b, "raw": raw.Bytes()} {
		const open = `<script type="application/json" id="trend-1">`
		const end = `</script>`
		out := string(ScriptTag("trend-1", option))
		if !strings.HasPrefix(out, open) || !strings.HasSuffix(out, end) {
			t.Fatalf("%s: tag is %q", input, out)
		}
		body := strings.TrimSuffix(strings.TrimPrefix(out, open), end)
		if strings.ContainsAny(body, "<>&") {
			t.Errorf("%s: unescaped <, > or & in %s", input, body)
		}
		for _, esc := range []string{`\u003c/script\u003e`, `\u0026`, `\u003c!--`} {
			if !strings.Contains(body, esc) {
				t.Errorf("%s: %s missing from %s", input, esc, body)
			}
		}
		o := decode(t, []byte(body))
		if len(o.Series) != 1 || o.Series[0].Name != name {
			t.Errorf("%s: series name read back as %+v, want %q", input, o.Series, name)
		}
	}

	if got := string(ScriptTag(`a"b<c`, []byte(`{}`))); got != `<script type="application/json" id="a&#34;b&lt;c">{}</script>` {
		t.Errorf("id not escaped: %s", got)
	}
	if got := string(ScriptTag("x", []byte(`{"a":</script>`))); got != `<script type="application/json" id="x">null</script>` {
		t.Errorf("invalid JSON not replaced by null: %s", got)
	}
	// U+2028 and U+2029 end a line in JavaScript: escaped too.
	if got := string(ScriptTag("x", []byte("{\"a\":\"1\u20282\u20293\"}"))); got != `<script type="application/json" id="x">{"a":"1\u20282\u20293"}</script>` {
		t.Errorf("U+2028 or U+2029 not escaped: %q", got)
	}
}

func TestContainer(t *testing.T) {
	for height, class := range map[int]string{0: "chart-h240", 240: "chart-h240", 241: "chart-h320", 320: "chart-h320", 400: "chart-h400", 900: "chart-h400"} {
		want := `<div class="chart ` + class + `" data-chart="c1"></div>`
		if got := string(Container("c1", height)); got != want {
			t.Errorf("height %d: %s, want %s", height, got, want)
		}
	}
	if got := string(Container(`"><b>`, 320)); strings.Contains(got, "<b>") || !strings.Contains(got, `data-chart="&#34;&gt;&lt;b&gt;"`) {
		t.Errorf("id not escaped: %s", got)
	}
}

// TestVendoredEcharts checks the files that .ci/vendor-echarts wrote: the
// version that VERSION names on line 1 is the one inside echarts.min.js, and
// line 2 is the sha256 of echarts.min.js.
func TestVendoredEcharts(t *testing.T) {
	const dir = "../static/vendor/echarts/"
	js, err := os.ReadFile(dir + "echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	version, err := os.ReadFile(dir + "VERSION")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(version)), "\n")
	if len(lines) != 2 || !semver.MatchString(lines[0]) {
		t.Fatalf("VERSION is %q, want MAJOR.MINOR.PATCH then the sha256 line", version)
	}
	if want := `version="` + lines[0] + `"`; !bytes.Contains(js, []byte(want)) {
		t.Errorf("echarts.min.js lacks %s", want)
	}
	sum := sha256.Sum256(js)
	if want := hex.EncodeToString(sum[:]) + "  echarts.min.js"; lines[1] != want {
		t.Errorf("VERSION has %q, echarts.min.js is %q", lines[1], want)
	}
	script, err := os.ReadFile("../../.ci/vendor-echarts")
	if err != nil {
		t.Fatal(err)
	}
	if want := "\nversion=" + lines[0] + "\n"; !bytes.Contains(script, []byte(want)) {
		t.Errorf(".ci/vendor-echarts does not pin version=%s, the version in VERSION", lines[0])
	}
	for _, f := range []string{"LICENSE", "NOTICE"} {
		if b, err := os.ReadFile(dir + f); err != nil || !bytes.Contains(b, []byte("Apache")) {
			t.Errorf("%s: missing or not the Apache licence files (%v)", f, err)
		}
	}
}

// semver is the shape of an echarts version on line 1 of VERSION.
var semver = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// Every height Container can choose has its class in app.css.
func TestHeightClasses(t *testing.T) {
	css, err := os.ReadFile("../static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range heights {
		if want := fmt.Sprintf(".chart-h%d { height: %dpx; }", h, h); !bytes.Contains(css, []byte(want)) {
			t.Errorf("app.css lacks %s", want)
		}
	}
}
