package dashboards

import (
	"bytes"
	"html/template"
	"log/slog"
	"time"

	"egovkpi/dashboards/tilegrid"
)

// tileMap draws the provinces in force on day as a tile grid (the 63 before
// 2025-07-01, the 34 after, the Hoàng Sa and Trường Sa archipelagos
// marked), each tile coloured by its row's band and linked to its unit
// page. A map that cannot be drawn is left out (and logged): the table
// beside it says the same.
func (a *App) tileMap(lang Lang, day time.Time, rows []leagueRow, unit string) template.HTML {
	tiles := map[string]tilegrid.Tile{}
	for _, r := range rows {
		label := "–"
		title := r.Name + ": " + lang.T("league.no_data")
		if r.Value != nil {
			label = lang.Number(*r.Value, 1)
			title = r.Name + ": " + lang.Number(*r.Value, 2) + " " + unit
			if r.BandName != "" {
				title += " · " + r.BandName
			}
		}
		if r.NotEnough {
			title += " · " + lang.T("league.not_enough")
		}
		tiles[r.UnitID] = tilegrid.Tile{Label: label, Title: title, Class: r.BandClass, Href: "/units/" + r.UnitID}
	}
	var buf bytes.Buffer
	if err := tilegrid.Render(&buf, day, tiles, string(lang)); err != nil {
		a.deps.Log.Error("tile map", slog.Any("err", err))
		return ""
	}
	return template.HTML(buf.String()) // built by tilegrid, every text escaped
}
