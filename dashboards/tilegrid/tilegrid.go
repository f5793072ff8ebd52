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
// style-src 'self'): colours come from the site stylesheet through the
// classes tile, the tile's own Class (or "none"), tile-label, archipelago and
// archipelago-label. Neutral presentation attributes keep the map legible
// where no stylesheet applies; any stylesheet rule overrides them.
package tilegrid

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"egovkpi"
)

// Tile is what one province's tile shows. Render draws a province without a
// Tile with class "none" and its name as tooltip.
type Tile struct {
	// UnitID is the refdata id of the province ("p63-01"); it must equal the
	// key of the tile in the map given to Render, or be empty.
	UnitID string
	// Label is the short text under the abbreviation, e.g. the value "87,5".
	Label string
	// Title is the tooltip, e.g. "Hà Nội: 87,5 %"; the province's name if
	// empty.
	Title string
	// Class is the CSS class of the fill, e.g. "band-a"; "none" if empty.
	Class string
	// Href makes the tile a link; only relative, http and https URLs are
	// accepted.
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

// Fallback presentation attributes; the site stylesheet overrides them.
const (
	fontFamily  = `system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif`
	tileFill    = "#dfe4ea"
	inkFill     = "#1d2733"
	islandFill  = "#3d6a99"
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
// Href is not a relative, http or https URL.
func Render(w io.Writer, day time.Time, tiles map[string]Tile, lang string) error {
	g, err := build(day)
	if err != nil {
		return err
	}
	if err := checkTiles(g, tiles); err != nil {
		return err
	}

	var b bytes.Buffer
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
	for i, u := range g.units {
		writeTile(&b, u, g.pos[i], tiles[u.ID], lang)
	}
	b.WriteString("</g>\n")

	for _, a := range archipelagos {
		anchor := -1
		for i, u := range g.units {
			if u.Code == a.anchorCode {
				anchor = i
			}
		}
		if anchor < 0 {
			return fmt.Errorf("tilegrid: no province with code %s in force on %s for %s",
				a.anchorCode, g.day.Format(egovkpi.DateLayout), a.label("en"))
		}
		cx := float64(g.cols) + seaCells/2
		cy := float64(g.pos[anchor].Row) + 0.5 + a.dy
		writeArchipelago(&b, a, cx, cy, lang)
	}
	b.WriteString("</svg>\n")

	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("tilegrid: writing svg: %w", err)
	}
	return nil
}

// checkTiles rejects tiles for units not in force and unsafe links.
func checkTiles(g grid, tiles map[string]Tile) error {
	inForce := make(map[string]bool, len(g.units))
	for _, u := range g.units {
		inForce[u.ID] = true
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(tiles)) {
		t := tiles[id]
		if !inForce[id] {
			errs = append(errs, fmt.Errorf("tilegrid: tile for unit %q, which is not a province in force on %s",
				id, g.day.Format(egovkpi.DateLayout)))
			continue
		}
		if t.UnitID != "" && t.UnitID != id {
			errs = append(errs, fmt.Errorf("tilegrid: tile under key %s has UnitID %s", id, t.UnitID))
		}
		if err := checkHref(t.Href); err != nil {
			errs = append(errs, fmt.Errorf("tilegrid: tile %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// checkHref accepts an empty, relative, http or https URL.
func checkHref(href string) error {
	if href == "" {
		return nil
	}
	u, err := url.Parse(href)
	if err != nil {
		return fmt.Errorf("href %q: %w", href, err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("href %q: scheme %q not allowed (relative, http or https only)", href, u.Scheme)
	}
	return nil
}

// writeTile writes one province: a link (or group) holding the tooltip, the
// square and its text.
func writeTile(b *bytes.Buffer, u egovkpi.Unit, p Position, t Tile, lang string) {
	class := strings.TrimSpace(t.Class)
	if class == "" {
		class = "none"
	}
	title := t.Title
	if title == "" {
		title = u.Name(lang)
	}
	x := margin + float64(p.Col)*cell + gap/2
	y := margin + float64(p.Row)*cell + gap/2
	side := cell - gap
	cx := x + side/2

	if t.Href != "" {
		fmt.Fprintf(b, `<a href="%s" data-unit="%s">`, esc(t.Href), esc(u.ID))
	} else {
		fmt.Fprintf(b, `<g data-unit="%s">`, esc(u.ID))
	}
	fmt.Fprintf(b, `<title>%s</title>`, esc(title))
	fmt.Fprintf(b, `<rect class="tile %s" x="%s" y="%s" width="%s" height="%s" rx="3" fill="%s"/>`,
		esc(class), num(x), num(y), num(side), num(side), tileFill)
	fmt.Fprintf(b, `<text class="tile-label" text-anchor="middle" fill="%s">`, inkFill)
	if t.Label == "" {
		fmt.Fprintf(b, `<tspan x="%s" y="%s" font-size="12" font-weight="600">%s</tspan>`,
			num(cx), num(y+side/2+4), esc(p.Abbr))
	} else {
		fmt.Fprintf(b, `<tspan x="%s" y="%s" font-size="12" font-weight="600">%s</tspan>`,
			num(cx), num(y+side*0.45), esc(p.Abbr))
		// The space keeps abbreviation and label apart for screen readers.
		fmt.Fprintf(b, ` <tspan x="%s" y="%s" font-size="10">%s</tspan>`,
			num(cx), num(y+side*0.82), esc(t.Label))
	}
	b.WriteString("</text>")
	if t.Href != "" {
		b.WriteString("</a>\n")
	} else {
		b.WriteString("</g>\n")
	}
}

// writeArchipelago writes a dot cluster centred on (cx, cy), in cells, in a
// dashed frame, with its name below.
func writeArchipelago(b *bytes.Buffer, a archipelago, cx, cy float64, lang string) {
	px := func(c float64) float64 { return margin + c*cell }
	name := a.name[langIndex(lang)]
	fmt.Fprintf(b, `<g class="archipelago" fill="%s">`, islandFill)
	fmt.Fprintf(b, `<title>%s</title>`, esc(a.label(lang)))
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="6" fill="none" stroke="%s" stroke-dasharray="3 2"/>`,
		num(px(cx-a.frameW/2)), num(px(cy-a.frameH/2)), num(a.frameW*cell), num(a.frameH*cell), frameStroke)
	for _, d := range a.dots {
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s"/>`, num(px(cx+d[0])), num(px(cy+d[1])), num(dotRadius))
	}
	top := px(cy+a.frameH/2) + 12
	fmt.Fprintf(b, `<text class="archipelago-label" text-anchor="middle" font-size="10" fill="%s">`, inkFill)
	fmt.Fprintf(b, `<tspan x="%s" y="%s">%s</tspan>`, num(px(cx)), num(top), esc(name[0]))
	fmt.Fprintf(b, ` <tspan x="%s" y="%s">%s</tspan>`, num(px(cx)), num(top+12), esc(name[1]))
	b.WriteString("</text></g>\n")
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var sb strings.Builder
	// EscapeText only fails when the writer does; a strings.Builder never does.
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}
