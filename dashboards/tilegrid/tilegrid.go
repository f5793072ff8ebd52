// Package tilegrid draws the provinces of Vietnam as a tile-grid map: one
// square tile per province, placed by the embedded layout.csv so that the
// grid reads like the country (north at the top, the S-shape, Hà Nội in the
// Red River delta, Cà Mau at the bottom). There is one layout for the 63
// provinces in force until 2025-06-30 and one for the 34 from 2025-07-01;
// Render picks the one in force on the day it is given.
//
// Both maps mark the Hoàng Sa archipelago (of Đà Nẵng city) and the Trường
// Sa archipelago (of Khánh Hòa province) in the sea east of the central
// coast. They are drawn as dot clusters with their names; they are not units
// and carry no value.
//
// The SVG carries no inline style (the site's Content-Security-Policy is
// style-src 'self'); the site stylesheet styles it through classes:
//
//   - tilegrid on the <svg>;
//   - province and the tile's own Class (or "none") on the <a> or <g> of a
//     province, so that the stylesheet can match the text of a tile by its
//     band (".province.band-met .tile-label");
//   - tile and the tile's Class again on the square (<rect>), for its fill;
//   - tile-label on the tile's <text>, tile-abbr and tile-value on its two
//     <tspan>s (the abbreviation and the Label), for their size;
//   - archipelago on an island group (the dots take its fill),
//     archipelago-frame on its dashed frame and archipelago-label on its
//     name.
//
// Every element the stylesheet styles also carries the same properties as
// presentation attributes (fill, stroke, font-size, font-weight), so that
// the map is legible where no stylesheet applies, such as a saved SVG file;
// any stylesheet rule on the element overrides them. The font sizes are in
// user units of the viewBox: a 63-province map (436 units wide) shown 320
// pixels wide draws a 14-unit abbreviation at 10 pixels. The text is
// placed for the fallback sizes (abbreviation 14, label 12.5, archipelago
// name 12.5); a stylesheet should keep them.
package tilegrid

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"egovkpi"
)

// Tile is what one province's tile shows. Render draws a province without a
// Tile with class "none" and its name as tooltip.
type Tile struct {
	// Label is the short text under the abbreviation, e.g. the value "87,5".
	Label string
	// Title is the tooltip, e.g. "Hà Nội: 87,5 %"; the province's name if
	// empty.
	Title string
	// Class is the CSS class of the fill, e.g. "band-met"; "none" if empty.
	Class string
	// Href makes the tile a link. Only a path from the site root (one
	// leading "/", as in "/units/p34-01") or an absolute http or https URL
	// is accepted: no protocol-relative "//host", no backslash.
	Href string
}

// Geometry of the drawing, in SVG user units.
const (
	cell      = 40.0 // side of a grid cell
	gap       = 3.0  // space between two tiles
	margin    = 8.0  // around the whole map
	seaCells  = 3.5  // width of the sea east of the land, in cells
	dotRadius = 2.4  // of an island dot
)

// Text sizes, in SVG user units: the fallback font-size attributes, for
// which the text is placed. app.css sets the same.
const (
	abbrSize  = 14.0 // tile-abbr
	valueSize = 12.5 // tile-value
	nameSize  = 12.5 // archipelago-label
)

// Fallback presentation attributes; the site stylesheet overrides them.
const (
	fontFamily  = `system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif`
	tileFill    = "#d9dee4"
	inkFill     = "#1d2733"
	islandFill  = "#1d4e89"
	frameStroke = "#8fa3b8"
)

// archipelago is one of the island groups drawn in the sea.
type archipelago struct {
	// anchorCode is the statistics-office code of the province or city it
	// belongs to (the same code in both eras).
	anchorCode string
	// name is the label in two lines, Vietnamese then English.
	name [2][2]string
	// dy moves the centre of the cluster from the middle of the anchor
	// tile, in cells (positive is south).
	dy float64
	// frame is the size of the dashed frame, in cells.
	frameW, frameH float64
	// dots are the islands, in cells from the centre of the cluster.
	dots [][2]float64
}

// archipelagos are Hoàng Sa (of Đà Nẵng, code 48), roughly east of Đà Nẵng,
// and Trường Sa (of Khánh Hòa, code 56), south-east, roughly east of Khánh
// Hòa. These are their only names.
var archipelagos = []archipelago{
	{
		anchorCode: "48",
		name: [2][2]string{
			{"Quần đảo Hoàng Sa", "(TP. Đà Nẵng)"},
			{"Hoàng Sa archipelago", "(Đà Nẵng)"},
		},
		dy:     -0.4,
		frameW: 1.2, frameH: 0.9,
		dots: [][2]float64{
			{0.12, -0.25}, {0.27, -0.18}, {0.38, -0.27}, {0.22, -0.05},
			{-0.38, 0.05}, {-0.24, 0.12}, {-0.30, 0.27}, {-0.12, 0.22}, {-0.05, 0.05},
		},
	},
	{
		anchorCode: "56",
		name: [2][2]string{
			{"Quần đảo Trường Sa", "(tỉnh Khánh Hòa)"},
			{"Trường Sa archipelago", "(Khánh Hòa)"},
		},
		dy:     1.0,
		frameW: 1.6, frameH: 1.1,
		dots: [][2]float64{
			{-0.60, -0.33}, {-0.40, -0.38}, {-0.18, -0.28}, {0.08, -0.35}, {0.32, -0.24},
			{-0.45, -0.05}, {-0.15, 0.02}, {0.15, -0.06}, {0.42, 0.04}, {0.62, -0.10},
			{-0.30, 0.28}, {0.00, 0.33}, {0.30, 0.26}, {0.55, 0.36},
		},
	},
}

// langIndex is 1 for "en", else 0 (Vietnamese).
func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// label returns the name of the archipelago on one line.
func (a archipelago) label(lang string) string {
	n := a.name[langIndex(lang)]
	return n[0] + " " + n[1]
}

// mapTitle names the map and its era.
func mapTitle(n int, lang string) string {
	if lang == "en" {
		return fmt.Sprintf("Tile map of the provinces (%d provincial-level units)", n)
	}
	return fmt.Sprintf("Bản đồ ô các tỉnh, thành phố (%d đơn vị hành chính cấp tỉnh)", n)
}

// Render writes the tile map of the provinces in force on the calendar day
// of day as one <svg> element: 63 tiles before 2025-07-01, 34 from then, and
// the Hoàng Sa and Trường Sa archipelagos. tiles is keyed by unit id; lang
// is "vi" or "en" (anything else is Vietnamese). The SVG has a viewBox and
// no size, so it takes the width CSS gives it.
//
// Render fails, writing nothing, if a province in force has no cell in
// layout.csv, if tiles has an entry for a unit not in force on day, or if a
// Href is neither a path from the site root nor an http or https URL. It
// writes the map straight to w, in many small writes: give it a buffer if
// w is slow. An error of w is returned, with part of the map written.
//
// The arrangement of each era is built once and shared; Render is safe for
// concurrent use.
func Render(w io.Writer, day time.Time, tiles map[string]Tile, lang string) error {
	g, err := gridOn(day)
	if err != nil {
		return err
	}
	if err := checkTiles(g, day, tiles); err != nil {
		return err
	}
	sw := &stickyWriter{w: w}
	li := langIndex(lang)
	sw.Write(g.head[li])
	for i, u := range g.units {
		writeTile(sw, u, g.pos[i].Abbr, g.geo[i], tiles[u.ID], lang)
	}
	sw.Write(g.tail[li])
	if sw.err != nil {
		return fmt.Errorf("tilegrid: writing svg: %w", sw.err)
	}
	return nil
}

// stickyWriter writes to w until the first error, which it keeps.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// svgHead is the map up to its first tile: the <svg> element, its title and
// the opening of the tiles' group.
func svgHead(g *grid, lang string) []byte {
	var b strings.Builder
	width := margin*2 + (float64(g.cols)+seaCells)*cell
	height := margin*2 + float64(g.rows)*cell
	title := mapTitle(len(g.units), lang)
	htmlLang := "vi"
	if lang == "en" {
		htmlLang = "en"
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="tilegrid" viewBox="0 0 %s %s" role="group" aria-label="%s" lang="%s" font-family="%s">`,
		num(width), num(height), esc(title), htmlLang, esc(fontFamily))
	fmt.Fprintf(&b, "\n<title>%s</title>\n", esc(title))
	b.WriteString(`<g class="tiles">` + "\n")
	return []byte(b.String())
}

// svgTail is the map after its last tile: the archipelagos in the sea east
// of the grid, each beside the row of its province (anchorRows, parallel to
// archipelagos), and the end of the <svg>.
func svgTail(g *grid, anchorRows []int, lang string) []byte {
	var b strings.Builder
	b.WriteString("</g>\n")
	for k, a := range archipelagos {
		cx := float64(g.cols) + seaCells/2
		cy := float64(anchorRows[k]) + 0.5 + a.dy
		writeArchipelago(&b, a, cx, cy, lang)
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// checkTiles rejects tiles for units not in force on day, in the order of
// their ids, and unsafe links, in refdata order.
func checkTiles(g *grid, day time.Time, tiles map[string]Tile) error {
	var hrefErrs []error
	matched := 0
	for _, u := range g.units {
		t, ok := tiles[u.ID]
		if !ok {
			continue
		}
		matched++
		if err := checkHref(t.Href); err != nil {
			hrefErrs = append(hrefErrs, fmt.Errorf("tilegrid: tile %s: %w", u.ID, err))
		}
	}
	if matched == len(tiles) {
		return errors.Join(hrefErrs...)
	}
	var stray []string
	for id := range tiles {
		if _, ok := g.index[id]; !ok {
			stray = append(stray, id)
		}
	}
	slices.Sort(stray)
	errs := make([]error, 0, len(stray)+len(hrefErrs))
	for _, id := range stray {
		errs = append(errs, fmt.Errorf("tilegrid: tile for unit %q, which is not a province in force on %s",
			id, egovkpi.Day(day).Format(egovkpi.DateLayout)))
	}
	return errors.Join(append(errs, hrefErrs...)...)
}

// checkHref accepts an empty href, a path from the site root (one leading
// "/") and an absolute http or https URL with a host. Protocol-relative
// URLs ("//host/…") and backslashes (which browsers read as slashes, so
// that "/\\host" is "//host") are refused, as are relative paths, which
// would depend on the page the map is on.
func checkHref(href string) error {
	if href == "" {
		return nil
	}
	if strings.ContainsRune(href, '\\') {
		return fmt.Errorf("href %q: backslash not allowed", href)
	}
	u, err := url.Parse(href)
	if err != nil {
		return fmt.Errorf("href %q: %w", href, err)
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		if u.Host == "" {
			return fmt.Errorf("href %q: %s URL without a host", href, u.Scheme)
		}
	case u.Scheme != "":
		return fmt.Errorf("href %q: scheme %q not allowed (a path from the site root, http or https only)", href, u.Scheme)
	case strings.HasPrefix(href, "//"):
		return fmt.Errorf("href %q: protocol-relative URL not allowed", href)
	case !strings.HasPrefix(href, "/"):
		return fmt.Errorf("href %q: relative path not allowed (start it with a single /)", href)
	}
	return nil
}

// geometry is where one tile and its text go, formatted for the SVG.
type geometry struct {
	// rect is the square's attributes x, y, width and height.
	rect string
	// cx is the centre line of the text; abbrAlone the baseline of an
	// abbreviation without a label, abbrY and valueY the baselines of an
	// abbreviation with a label and of the label.
	cx, abbrAlone, abbrY, valueY string
	// fit is empty, or for an abbreviation of four letters, which may be
	// wider than the tile in a wide font, the attributes that fit it in.
	fit string
}

// geometryOf places the tile of the cell p.
func geometryOf(p position) geometry {
	x := margin + float64(p.Col)*cell + gap/2
	y := margin + float64(p.Row)*cell + gap/2
	side := cell - gap
	fit := ""
	if utf8.RuneCountInString(p.Abbr) >= 4 {
		fit = fmt.Sprintf(` textLength="%s" lengthAdjust="spacingAndGlyphs"`, num(side-4))
	}
	return geometry{
		fit:  fit,
		rect: fmt.Sprintf(`x="%s" y="%s" width="%s" height="%s"`, num(x), num(y), num(side), num(side)),
		cx:   num(x + side/2),
		// A capital is about 0.7 of the font size high: centred alone; with
		// a label, the two lines share the tile.
		abbrAlone: num(y + side/2 + abbrSize*0.35),
		abbrY:     num(y + side*0.47),
		valueY:    num(y + side*0.86),
	}
}

// writeTile writes one province: a link (or group) holding the tooltip, the
// square and its text.
func writeTile(w io.Writer, u egovkpi.Unit, abbr string, geo geometry, t Tile, lang string) {
	class := strings.TrimSpace(t.Class)
	if class == "" {
		class = "none"
	}
	class = esc(class)
	title := t.Title
	if title == "" {
		title = u.Name(lang)
	}
	if t.Href != "" {
		fmt.Fprintf(w, `<a class="province %s" href="%s" data-unit="%s">`, class, esc(t.Href), esc(u.ID))
	} else {
		fmt.Fprintf(w, `<g class="province %s" data-unit="%s">`, class, esc(u.ID))
	}
	fmt.Fprintf(w, `<title>%s</title><rect class="tile %s" %s rx="3" fill="%s"/><text class="tile-label" text-anchor="middle" fill="%s">`,
		esc(title), class, geo.rect, tileFill, inkFill)
	abbrY := geo.abbrAlone
	if t.Label != "" {
		abbrY = geo.abbrY
	}
	fmt.Fprintf(w, `<tspan class="tile-abbr" x="%s" y="%s"%s font-size="%s" font-weight="600">%s</tspan>`,
		geo.cx, abbrY, geo.fit, num(abbrSize), esc(abbr))
	if t.Label != "" {
		// The space keeps abbreviation and label apart for screen readers.
		fmt.Fprintf(w, ` <tspan class="tile-value" x="%s" y="%s" font-size="%s">%s</tspan>`,
			geo.cx, geo.valueY, num(valueSize), esc(t.Label))
	}
	if t.Href != "" {
		io.WriteString(w, "</text></a>\n")
	} else {
		io.WriteString(w, "</text></g>\n")
	}
}

// writeArchipelago writes a dot cluster centred on (cx, cy), in cells, in a
// dashed frame, with its name in two lines below.
func writeArchipelago(b *strings.Builder, a archipelago, cx, cy float64, lang string) {
	px := func(c float64) float64 { return margin + c*cell }
	name := a.name[langIndex(lang)]
	fmt.Fprintf(b, `<g class="archipelago" fill="%s">`, islandFill)
	fmt.Fprintf(b, `<title>%s</title>`, esc(a.label(lang)))
	fmt.Fprintf(b, `<rect class="archipelago-frame" x="%s" y="%s" width="%s" height="%s" rx="6" fill="none" stroke="%s" stroke-dasharray="3 2"/>`,
		num(px(cx-a.frameW/2)), num(px(cy-a.frameH/2)), num(a.frameW*cell), num(a.frameH*cell), frameStroke)
	for _, d := range a.dots {
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s"/>`, num(px(cx+d[0])), num(px(cy+d[1])), num(dotRadius))
	}
	top := px(cy+a.frameH/2) + nameSize*1.1
	fmt.Fprintf(b, `<text class="archipelago-label" text-anchor="middle" font-size="%s" fill="%s">`, num(nameSize), islandFill)
	fmt.Fprintf(b, `<tspan x="%s" y="%s">%s</tspan>`, num(px(cx)), num(top), esc(name[0]))
	fmt.Fprintf(b, ` <tspan x="%s" y="%s">%s</tspan>`, num(px(cx)), num(top+nameSize*1.15), esc(name[1]))
	b.WriteString("</text></g>\n")
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	if plain(s) {
		return s
	}
	var sb strings.Builder
	// EscapeText only fails when the writer does; a strings.Builder never does.
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

// plain reports whether xml.EscapeText leaves s as it is: no character it
// escapes (" ' & < > tab newline return) and none outside XML's range.
func plain(s string) bool {
	for _, r := range s {
		switch {
		case r == '"' || r == '\'' || r == '&' || r == '<' || r == '>':
			return false
		case r < 0x20 || r == utf8.RuneError || (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF:
			return false
		}
	}
	return true
}

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}
