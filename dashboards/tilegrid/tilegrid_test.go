package tilegrid

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/internal/refdata"
)

// A day of the 63 provinces (whose last day is 2025-06-30) and the first
// day of the 34.
var (
	day63 = egovkpi.Date(2024, time.December, 31)
	day34 = egovkpi.ProvinceMerger
)

func registry(t *testing.T) *refdata.Registry {
	t.Helper()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatalf("refdata.Load: %v", err)
	}
	return reg
}

func TestLayoutPlacesEveryProvinceOnce(t *testing.T) {
	reg := registry(t)
	for _, tc := range []struct {
		day  time.Time
		want int
	}{{day63, 63}, {day34, 34}, {egovkpi.Date(2025, time.June, 30), 63}, {egovkpi.Date(2026, time.January, 1), 34}} {
		t.Run(tc.day.Format(egovkpi.DateLayout), func(t *testing.T) {
			units := reg.ValidOn(tc.day, egovkpi.BlockProvince)
			if len(units) != tc.want {
				t.Fatalf("refdata has %d provinces in force, want %d", len(units), tc.want)
			}
			pos, err := positionsOn(tc.day)
			if err != nil {
				t.Fatalf("positionsOn: %v", err)
			}
			if len(pos) != tc.want {
				t.Fatalf("positionsOn gave %d positions, want %d", len(pos), tc.want)
			}
			byID := map[string]int{}
			cells := map[[2]int]string{}
			for _, p := range pos {
				byID[p.UnitID]++
				cell := [2]int{p.Row, p.Col}
				if other, dup := cells[cell]; dup {
					t.Errorf("%s and %s share row %d col %d", other, p.UnitID, p.Row, p.Col)
				}
				cells[cell] = p.UnitID
			}
			for _, u := range units {
				if byID[u.ID] != 1 {
					t.Errorf("%s (%s) has %d positions, want 1", u.ID, u.NameVI, byID[u.ID])
				}
			}
		})
	}
}

// Every row of layout.csv is a province in force on one of the two days,
// and abbreviations are unique within an era.
func TestLayoutHasNoStrayUnits(t *testing.T) {
	reg := registry(t)
	layout, err := loadLayout()
	if err != nil {
		t.Fatalf("loadLayout: %v", err)
	}
	if len(layout) != 63+34 {
		t.Errorf("layout.csv has %d rows, want %d", len(layout), 63+34)
	}
	for _, id := range slices.Sorted(maps.Keys(layout)) {
		u, ok := reg.ByID(id)
		switch {
		case !ok:
			t.Errorf("layout.csv places %s, which refdata does not know", id)
		case u.Block != egovkpi.BlockProvince:
			t.Errorf("layout.csv places %s, which is not a province", id)
		case !u.ValidOn(day63) && !u.ValidOn(day34):
			t.Errorf("layout.csv places %s (%s), in force neither on %s nor on %s",
				id, u.NameVI, day63.Format(egovkpi.DateLayout), day34.Format(egovkpi.DateLayout))
		}
	}
	for _, day := range []time.Time{day63, day34} {
		pos, err := positionsOn(day)
		if err != nil {
			t.Fatalf("positionsOn(%s): %v", day.Format(egovkpi.DateLayout), err)
		}
		abbrs := map[string]string{}
		for _, p := range pos {
			if other, dup := abbrs[p.Abbr]; dup {
				t.Errorf("%s: %s and %s share the abbreviation %q", day.Format(egovkpi.DateLayout), other, p.UnitID, p.Abbr)
			}
			abbrs[p.Abbr] = p.UnitID
		}
	}
}

// cellOf returns the position of the province with the statistics-office
// code in force on day, and the number of rows of that day's grid.
func cellOf(t *testing.T, day time.Time, code string) (position, int) {
	t.Helper()
	reg := registry(t)
	u, err := reg.Resolve(code, day)
	if err != nil {
		t.Fatalf("Resolve(%s): %v", code, err)
	}
	pos, err := positionsOn(day)
	if err != nil {
		t.Fatalf("positionsOn: %v", err)
	}
	rows := 0
	var found *position
	for i, p := range pos {
		rows = max(rows, p.Row+1)
		if p.UnitID == u.ID {
			found = &pos[i]
		}
	}
	if found == nil {
		t.Fatalf("no position for %s (%s)", u.ID, u.NameVI)
	}
	return *found, rows
}

func TestLayoutGeography(t *testing.T) {
	for _, day := range []time.Time{day63, day34} {
		t.Run(day.Format(egovkpi.DateLayout), func(t *testing.T) {
			hn, rows := cellOf(t, day, "01")
			hcm, _ := cellOf(t, day, "79")
			cm, _ := cellOf(t, day, "96")
			dn, _ := cellOf(t, day, "48")
			cb, _ := cellOf(t, day, "04")
			if hn.Row >= hcm.Row {
				t.Errorf("Hà Nội row %d is not above Hồ Chí Minh City row %d", hn.Row, hcm.Row)
			}
			if hn.Row > rows/4 {
				t.Errorf("Hà Nội row %d is not in the northern quarter of %d rows", hn.Row, rows)
			}
			if cm.Row < rows-2 {
				t.Errorf("Cà Mau row %d is not in the last rows (of %d)", cm.Row, rows)
			}
			if cm.Col >= hcm.Col {
				t.Errorf("Cà Mau col %d is not west of Hồ Chí Minh City col %d", cm.Col, hcm.Col)
			}
			if cb.Row > 1 {
				t.Errorf("Cao Bằng row %d is not at the top", cb.Row)
			}
			if !(hn.Row < dn.Row && dn.Row < hcm.Row) {
				t.Errorf("Đà Nẵng row %d is not between Hà Nội (%d) and Hồ Chí Minh City (%d)", dn.Row, hn.Row, hcm.Row)
			}
			if dn.Col <= cm.Col {
				t.Errorf("Đà Nẵng col %d is not east of Cà Mau col %d: no S-shape", dn.Col, cm.Col)
			}
		})
	}
	hg, _ := cellOf(t, day63, "02")
	if hg.Row > 1 {
		t.Errorf("Hà Giang row %d is not at the top", hg.Row)
	}
}

func TestArrangeFailsLoudly(t *testing.T) {
	reg := registry(t)
	layout, err := loadLayout()
	if err != nil {
		t.Fatalf("loadLayout: %v", err)
	}
	units := reg.ValidOn(day34, egovkpi.BlockProvince)

	missing := maps.Clone(layout)
	delete(missing, "p34-48")
	_, err = arrange(day34, units, missing)
	if err == nil || !strings.Contains(err.Error(), "p34-48") || !strings.Contains(err.Error(), "Đà Nẵng") {
		t.Errorf("missing position: error %v, want one naming p34-48 (Đà Nẵng)", err)
	}

	clash := maps.Clone(layout)
	p := clash["p34-01"]
	p.UnitID, p.Abbr = "p34-79", "HCM"
	clash["p34-79"] = p
	_, err = arrange(day34, units, clash)
	if err == nil || !strings.Contains(err.Error(), "p34-01") || !strings.Contains(err.Error(), "p34-79") {
		t.Errorf("shared cell: error %v, want one naming p34-01 and p34-79", err)
	}

	if _, err := positionsOn(egovkpi.Date(2000, time.January, 1)); err == nil {
		t.Error("positionsOn before the reference data starts: no error")
	}
}

func TestParseLayoutErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"header", "id,row,col,abbr\n", "header"},
		{"row", "unit_id,row,col,abbr\np34-01,x,1,HN\n", "line 2: row"},
		{"negative col", "unit_id,row,col,abbr\np34-01,1,-1,HN\n", "line 2: col"},
		{"abbr", "unit_id,row,col,abbr\np34-01,1,1,H\n", "abbr"},
		{"twice", "unit_id,row,col,abbr\np34-01,1,1,HN\np34-01,2,2,HN\n", "line 3: unit p34-01 placed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseLayout(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// svgDoc is what the tests read back from a rendered map.
type svgDoc struct {
	root      string
	ariaLabel string
	tiles     map[string]string // data-unit -> class of its rect
	groups    map[string]string // data-unit -> class of its <a> or <g>
	titles    []string          // every <title> text
	texts     []string          // every <text> content
	hrefs     []string
}

// parseSVG reads the whole output with encoding/xml: it must be one
// well-formed element.
func parseSVG(t *testing.T, out []byte) svgDoc {
	t.Helper()
	doc := svgDoc{tiles: map[string]string{}, groups: map[string]string{}}
	dec := xml.NewDecoder(bytes.NewReader(out))
	var (
		stack []string
		unit  string
		text  strings.Builder
		roots int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%s", err, out)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				roots++
				doc.root = tok.Name.Local
				doc.ariaLabel = attr["aria-label"]
				if tok.Name.Space != "http://www.w3.org/2000/svg" || attr["role"] != "group" || attr["viewBox"] == "" {
					t.Errorf("root %v lacks the SVG namespace, role=group or viewBox", tok)
				}
			}
			if u, ok := attr["data-unit"]; ok {
				unit = u
				doc.groups[u] = attr["class"]
			}
			if tok.Name.Local == "a" {
				doc.hrefs = append(doc.hrefs, attr["href"])
			}
			if tok.Name.Local == "rect" && strings.HasPrefix(attr["class"], "tile ") {
				if _, dup := doc.tiles[unit]; dup {
					t.Errorf("two tile rects for %q", unit)
				}
				doc.tiles[unit] = attr["class"]
			}
			if tok.Name.Local == "title" || tok.Name.Local == "text" {
				text.Reset()
			}
			stack = append(stack, tok.Name.Local)
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			switch tok.Name.Local {
			case "title":
				doc.titles = append(doc.titles, text.String())
			case "text":
				doc.texts = append(doc.texts, text.String())
			}
		}
	}
	if roots != 1 || doc.root != "svg" {
		t.Errorf("output has %d root elements (last %q), want one svg", roots, doc.root)
	}
	return doc
}

func render(t *testing.T, day time.Time, tiles map[string]Tile, lang string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, day, tiles, lang); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b.Bytes()
}

func TestRenderBothEras(t *testing.T) {
	for _, tc := range []struct {
		day  time.Time
		n    int
		lang string
		want []string // title, then the two archipelago labels
	}{
		{day63, 63, "vi", []string{"Bản đồ ô các tỉnh, thành phố (63 đơn vị hành chính cấp tỉnh)",
			"Quần đảo Hoàng Sa (TP. Đà Nẵng)", "Quần đảo Trường Sa (tỉnh Khánh Hòa)"}},
		{day34, 34, "vi", []string{"Bản đồ ô các tỉnh, thành phố (34 đơn vị hành chính cấp tỉnh)",
			"Quần đảo Hoàng Sa (TP. Đà Nẵng)", "Quần đảo Trường Sa (tỉnh Khánh Hòa)"}},
		{day63, 63, "en", []string{"Tile map of the provinces (63 provincial-level units)",
			"Hoàng Sa archipelago (Đà Nẵng)", "Trường Sa archipelago (Khánh Hòa)"}},
		{day34, 34, "en", []string{"Tile map of the provinces (34 provincial-level units)",
			"Hoàng Sa archipelago (Đà Nẵng)", "Trường Sa archipelago (Khánh Hòa)"}},
	} {
		t.Run(fmt.Sprintf("%d-%s", tc.n, tc.lang), func(t *testing.T) {
			out := render(t, tc.day, nil, tc.lang)
			doc := parseSVG(t, out)
			if got := bytes.Count(out, []byte(`<rect class="tile `)); got != tc.n {
				t.Errorf("%d tile rects in the output, want %d", got, tc.n)
			}
			if len(doc.tiles) != tc.n {
				t.Errorf("%d units with a tile rect, want %d", len(doc.tiles), tc.n)
			}
			for unit, class := range doc.tiles {
				if class != "tile none" {
					t.Errorf("%s without a Tile has class %q, want \"tile none\"", unit, class)
				}
			}
			if doc.ariaLabel != tc.want[0] || !contains(doc.titles, tc.want[0]) {
				t.Errorf("aria-label %q and titles %q, want %q", doc.ariaLabel, doc.titles[:1], tc.want[0])
			}
			for _, label := range tc.want[1:] {
				if !contains(doc.titles, label) || !contains(doc.texts, label) {
					t.Errorf("archipelago label %q missing from titles or texts", label)
				}
			}
			for _, s := range []string{"style=", "<style", "Paracel", "Spratly", "Xisha", "Nansha", "Tây Sa", "Nam Sa"} {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("output contains %q", s)
				}
			}
		})
	}
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func TestRenderTiles(t *testing.T) {
	tiles := map[string]Tile{
		"p34-01": {Label: "87,5", Title: "Hà Nội: 87,5", Class: "band-a", Href: "/units/p34-01?lang=vi&day=2025-07-01"},
		"p34-79": {Label: "<b>&</b>", Title: `<script>alert("x")</script>`, Class: "band-c"},
	}
	out := render(t, day34, tiles, "vi")
	doc := parseSVG(t, out)
	if got := doc.tiles["p34-01"]; got != "tile band-a" {
		t.Errorf("Hà Nội class %q, want \"tile band-a\"", got)
	}
	if got := doc.tiles["p34-96"]; got != "tile none" {
		t.Errorf("Cà Mau class %q, want \"tile none\"", got)
	}
	if len(doc.hrefs) != 1 || doc.hrefs[0] != "/units/p34-01?lang=vi&day=2025-07-01" {
		t.Errorf("links %q, want the one of Hà Nội", doc.hrefs)
	}
	for _, want := range []string{"Hà Nội: 87,5", `<script>alert("x")</script>`, "Cà Mau"} {
		if !contains(doc.titles, want) {
			t.Errorf("no title %q", want)
		}
	}
	for _, want := range []string{"HN 87,5", "HCM <b>&</b>", "CM"} {
		if !contains(doc.texts, want) {
			t.Errorf("no tile text %q in %q", want, doc.texts)
		}
	}
	if bytes.Contains(out, []byte("<script")) || bytes.Contains(out, []byte("<b>")) {
		t.Error("markup in a title or label came out unescaped")
	}
	if !bytes.Contains(out, []byte("&lt;script&gt;")) || !bytes.Contains(out, []byte("?lang=vi&amp;day=")) {
		t.Error("escaped title or href not found")
	}

	en := parseSVG(t, render(t, day34, nil, "en"))
	if !contains(en.titles, "Ho Chi Minh City") {
		t.Error("English map: untitled tile does not carry the English name")
	}
}

func TestRenderRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		day   time.Time
		tiles map[string]Tile
		want  string
	}{
		{"unit of the other era", day34, map[string]Tile{"p63-02": {Label: "1"}}, "p63-02"},
		{"unknown unit", day63, map[string]Tile{"x": {}}, `"x"`},
		{"javascript link", day63, map[string]Tile{"p63-01": {Href: "JavaScript:alert(1)"}}, "scheme"},
		{"protocol-relative link", day63, map[string]Tile{"p63-01": {Href: "//evil.example/units/p63-01"}}, "protocol-relative"},
		{"backslash link", day63, map[string]Tile{"p63-01": {Href: `\\evil.example\units`}}, "backslash"},
		{"slash backslash link", day63, map[string]Tile{"p63-01": {Href: `/\evil.example/units`}}, "backslash"},
		{"relative path", day63, map[string]Tile{"p63-01": {Href: "units/p63-01"}}, "relative path"},
		{"query only", day63, map[string]Tile{"p63-01": {Href: "?unit=p63-01"}}, "relative path"},
		{"https without host", day63, map[string]Tile{"p63-01": {Href: "https:///units"}}, "without a host"},
		{"opaque http", day63, map[string]Tile{"p63-01": {Href: "http:evil.example"}}, "without a host"},
		{"control character", day63, map[string]Tile{"p63-01": {Href: "/\t/evil.example"}}, "control character"},
		{"several", day34, map[string]Tile{"p63-01": {}, "p34-01": {Href: "//x"}, "zz": {}}, `"p63-01"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Render(&b, tc.day, tc.tiles, "vi")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", b.Len())
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderReportsWriteError(t *testing.T) {
	err := Render(failingWriter{}, day34, nil, "vi")
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v, want the writer's", err)
	}
}

// TestRenderSampleMaps renders both maps with a value, a band and a link on
// every tile, writes them as files and reads them back. The files go to
// t.TempDir(), or, for a person to look at in a browser, to the directory
// named by EGOVKPI_TILEGRID_OUT (tilegrid63.svg and tilegrid34.svg).
func TestRenderSampleMaps(t *testing.T) {
	dir := os.Getenv("EGOVKPI_TILEGRID_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	reg := registry(t)
	bands := []string{"band-excellent", "band-good", "band-average", "band-weak", "band-met", "band-near", "band-below", "band-none", ""}
	for _, tc := range []struct {
		day  time.Time
		file string
	}{{day63, "tilegrid63.svg"}, {day34, "tilegrid34.svg"}} {
		units := reg.ValidOn(tc.day, egovkpi.BlockProvince)
		tiles := map[string]Tile{}
		for i, u := range units {
			v := fmt.Sprintf("%d,%d", 60+(i*7)%41, i%10)
			tiles[u.ID] = Tile{Label: v, Title: u.NameVI + ": " + v, Class: bands[i%len(bands)], Href: "/units/" + u.ID}
		}
		path := filepath.Join(dir, tc.file)
		if err := os.WriteFile(path, render(t, tc.day, tiles, "vi"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc := parseSVG(t, out)
		if len(doc.tiles) != len(units) || len(doc.hrefs) != len(units) {
			t.Errorf("%s: %d tiles and %d links, want %d of each", tc.file, len(doc.tiles), len(doc.hrefs), len(units))
		}
		for i, u := range units {
			class := bands[i%len(bands)]
			if class == "" {
				class = "none"
			}
			if got := doc.tiles[u.ID]; got != "tile "+class {
				t.Errorf("%s: %s has class %q, want %q", tc.file, u.ID, got, "tile "+class)
			}
			if got := doc.groups[u.ID]; got != "province "+class {
				t.Errorf("%s: the link of %s has class %q, want %q", tc.file, u.ID, got, "province "+class)
			}
		}
		if n := bytes.Count(out, []byte(`<tspan class="tile-value"`)); n != len(units) {
			t.Errorf("%s: %d tile values, want %d", tc.file, n, len(units))
		}
		t.Logf("wrote %s", path)
	}
}

// The text sizes: every tspan of a tile has a class that app.css sizes,
// with the fallback size as attribute, and no font-size sits on the <text>,
// where it would be overridden by the tspans anyway.
func TestRenderTextClasses(t *testing.T) {
	out := render(t, day63, map[string]Tile{"p63-01": {Label: "87,5"}}, "en")
	for _, want := range []string{
		`<tspan class="tile-abbr" x="`, `font-size="14" font-weight="600">HN</tspan>`,
		`<tspan class="tile-value" x="`, `font-size="12.5">87,5</tspan>`,
		`<text class="tile-label" text-anchor="middle" fill="`,
		`<text class="archipelago-label" text-anchor="middle" font-size="12.5" fill="`,
		`<rect class="archipelago-frame" `,
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %s", want)
		}
	}
	if n, want := bytes.Count(out, []byte(`<tspan class="tile-abbr"`)), 63; n != want {
		t.Errorf("%d abbreviations, want %d", n, want)
	}
	if n := bytes.Count(out, []byte(`<tspan class="tile-value"`)); n != 1 {
		t.Errorf("%d tile values, want 1 (tiles without a Label have none)", n)
	}
	if n := bytes.Count(out, []byte(`<tspan x=`)); n != 4 {
		t.Errorf("%d tspans without a class, want 4 (the archipelagos' names, sized by their <text>)", n)
	}
}

// Grids are built once per era: every day of an era gets the same one,
// whatever the time zone of the time given, and the two eras differ.
func TestGridMemoizedPerEra(t *testing.T) {
	get := func(day time.Time) *grid {
		t.Helper()
		g, err := gridOn(day)
		if err != nil {
			t.Fatalf("gridOn(%s): %v", day, err)
		}
		return g
	}
	hanoi := time.FixedZone("ICT", 7*3600)
	g63, g34 := get(day63), get(day34)
	if g63 == g34 || len(g63.units) != 63 || len(g34.units) != 34 {
		t.Fatalf("grids of %d and %d units (same: %v), want 63 and 34", len(g63.units), len(g34.units), g63 == g34)
	}
	for _, day := range []time.Time{
		egovkpi.Date(2025, time.June, 30), egovkpi.Date(2020, time.January, 1),
		time.Date(2025, time.June, 30, 23, 30, 0, 0, hanoi),
	} {
		if get(day) != g63 {
			t.Errorf("%s: not the grid of the 63", day)
		}
	}
	for _, day := range []time.Time{
		egovkpi.Date(2026, time.March, 1), time.Date(2025, time.July, 1, 0, 30, 0, 0, hanoi),
	} {
		if get(day) != g34 {
			t.Errorf("%s: not the grid of the 34", day)
		}
	}
	if !g34.from.Equal(egovkpi.ProvinceMerger) {
		t.Errorf("the 34 start on %s, want %s", g34.from, egovkpi.ProvinceMerger)
	}
}

// The era of a day is the last change of the provinces in force on or
// before it, whichever days the reference data changes on; within an era
// the provinces in force do not change.
func TestEraStart(t *testing.T) {
	a := &atlas{starts: []time.Time{
		egovkpi.Date(2004, time.January, 1), egovkpi.Date(2008, time.August, 1), egovkpi.Date(2025, time.July, 1),
	}}
	for _, tc := range []struct {
		day, want time.Time
		ok        bool
	}{
		{egovkpi.Date(2003, time.December, 31), time.Time{}, false},
		{egovkpi.Date(2004, time.January, 1), a.starts[0], true},
		{egovkpi.Date(2008, time.July, 31), a.starts[0], true},
		{egovkpi.Date(2008, time.August, 1), a.starts[1], true},
		{egovkpi.Date(2025, time.June, 30), a.starts[1], true},
		{egovkpi.Date(2025, time.July, 1), a.starts[2], true},
		{egovkpi.Date(2099, time.July, 1), a.starts[2], true},
	} {
		got, ok := a.eraStart(tc.day)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("eraStart(%s) = %s, %v; want %s, %v", tc.day.Format(egovkpi.DateLayout), got, ok, tc.want, tc.ok)
		}
	}

	real, err := loadAtlas()
	if err != nil {
		t.Fatal(err)
	}
	reg := registry(t)
	ids := func(day time.Time) string {
		var s []string
		for _, u := range reg.ValidOn(day, egovkpi.BlockProvince) {
			s = append(s, u.ID)
		}
		return strings.Join(s, " ")
	}
	for i, from := range real.starts {
		last := from.AddDate(1, 0, 0)
		if i+1 < len(real.starts) {
			last = real.starts[i+1].AddDate(0, 0, -1)
		}
		if ids(from) != ids(last) {
			t.Errorf("the provinces in force change between %s and %s, within one era",
				from.Format(egovkpi.DateLayout), last.Format(egovkpi.DateLayout))
		}
		if ids(from) == ids(from.AddDate(0, 0, -1)) {
			t.Errorf("%s starts an era, but the provinces in force are those of the day before", from.Format(egovkpi.DateLayout))
		}
	}
}

// An era without one of the archipelagos' provinces cannot be drawn.
func TestArrangeNeedsArchipelagoAnchors(t *testing.T) {
	reg := registry(t)
	layout, err := loadLayout()
	if err != nil {
		t.Fatal(err)
	}
	units := slices.DeleteFunc(reg.ValidOn(day34, egovkpi.BlockProvince), func(u egovkpi.Unit) bool { return u.Code == "56" })
	_, err = arrange(day34, units, layout)
	if err == nil || !strings.Contains(err.Error(), "code 56") || !strings.Contains(err.Error(), "Trường Sa") {
		t.Errorf("error %v, want one naming code 56 and Trường Sa", err)
	}
}

func BenchmarkRender(b *testing.B) {
	reg, err := refdata.Load()
	if err != nil {
		b.Fatal(err)
	}
	tiles := map[string]Tile{}
	for _, u := range reg.ValidOn(day63, egovkpi.BlockProvince) {
		tiles[u.ID] = Tile{Label: "87,5", Title: u.NameVI, Class: "band-good", Href: "/units/" + u.ID}
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, day63, tiles, "vi"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEsc(t *testing.T) {
	for _, s := range []string{"", "Hà Nội", "87,5", "/units/p34-01", "a\"b", "a'b", "a&b", "<b>", "a\tb", "a\nb", "a\rb",
		"\x01", "bad\xffutf8", "\uFFFD", "\uFFFE", "\U0001F600", "Quần đảo Trường Sa"} {
		var want strings.Builder
		_ = xml.EscapeText(&want, []byte(s))
		if got := esc(s); got != want.String() {
			t.Errorf("esc(%q) = %q, want %q", s, got, want.String())
		}
	}
}

func TestCheckHrefAccepts(t *testing.T) {
	for _, href := range []string{"", "/", "/units/p34-01", "/units/p34-01?lang=en&day=2025-07-01#top",
		"http://example.org", "https://example.org/units/p34-01", "HTTPS://example.org/"} {
		if err := checkHref(href); err != nil {
			t.Errorf("checkHref(%q): %v", href, err)
		}
	}
}

// Render is safe for concurrent use (go test -race).
func TestRenderConcurrent(t *testing.T) {
	done := make(chan []byte)
	for i := range 8 {
		go func() {
			var b bytes.Buffer
			day := []time.Time{day63, day34}[i%2]
			if err := Render(&b, day, nil, "en"); err != nil {
				t.Error(err)
			}
			done <- b.Bytes()
		}()
	}
	for range 8 {
		if len(<-done) == 0 {
			t.Error("empty map")
		}
	}
}
