package dashboards

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"
)

// A league table downloads as CSV or Excel with the rows, order and
// columns of the page (same query), headed by what the table is. Numbers
// stay numbers: in CSV with a dot for decimals (machine-readable), in
// Excel as numeric cells formatted for the reader.

// exportColumns are the downloaded columns, in the page's order.
func exportColumns(lang Lang, t leagueTable) []string {
	return []string{lang.T("col.rank"), lang.T("col.movement"), lang.T("col.code"), lang.T("col.unit"), lang.T("col.region"),
		t.Title + " (" + t.Unit + ")", lang.T("col.numerator"), lang.T("col.denominator"), lang.T("col.band"),
		lang.T("col.completeness") + " (%)", lang.T("col.remark")}
}

// exportCells are one row's cells: nil for an empty cell, float64 for a
// number, string for text.
func exportCells(lang Lang, r leagueRow) []any {
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	cells := []any{nil, nil, r.Code, r.Name, r.Region, num(r.Value), num(r.Num), num(r.Den), r.BandName, r.Complete * 100, nil}
	if r.Rank != nil {
		cells[0] = float64(*r.Rank)
	}
	if r.Movement != nil {
		cells[1] = float64(*r.Movement)
	}
	switch {
	case r.NotEnough:
		cells[10] = lang.T("league.not_enough")
	case r.Value == nil:
		cells[10] = lang.T("league.no_data")
	}
	return cells
}

// exportHeading says what the table is, above it.
func exportHeading(lang Lang, t leagueTable) []string {
	q := t.Query
	lines := []string{
		t.Title + " · " + lang.T("block."+string(q.Block)) + " · " + periodLabel(lang, q.Period) + " (" + q.Period.From.Format("2006-01-02") + " – " + q.Period.To.Format("2006-01-02") + ")",
	}
	if q.Filter.Region != "" {
		lines = append(lines, lang.T("col.region")+": "+regionName(lang, q.Filter.Region))
	}
	if q.Filter.Kind != "" {
		lines = append(lines, lang.T("col.kind")+": "+lang.T("kind."+q.Filter.Kind))
	}
	if t.Target != nil {
		lines = append(lines, lang.T("league.target", lang.Number(t.Target.Value*100, 2), t.Target.Year, t.Target.Source))
	}
	lines = append(lines, t.Notes...)
	return lines
}

// leagueExport answers /league.csv and /league.xlsx.
func (a *App) leagueExport(c *fiber.Ctx) error {
	lang := a.lang(c)
	q, err := a.parseLeagueQuery(c)
	if err != nil {
		return err
	}
	t, err := a.leagueTableOf(c.UserContext(), lang, q)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("egovkpi-%s-%s-%s", q.Block, q.KPI, q.Period.String())
	switch c.Params("format") {
	case "csv":
		body, err := leagueCSV(lang, t)
		if err != nil {
			return err
		}
		c.Attachment(name + ".csv")
		c.Type("csv", "utf-8")
		return c.Send(body)
	case "xlsx":
		body, err := leagueXLSX(lang, t)
		if err != nil {
			return err
		}
		c.Attachment(name + ".xlsx")
		return c.Send(body)
	}
	return fiber.NewError(fiber.StatusNotFound, "downloads are .csv or .xlsx")
}

// leagueCSV writes the table as UTF-8 CSV with a byte-order mark (so that
// Excel reads the diacritics), heading lines first.
func leagueCSV(lang Lang, t leagueTable) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	for _, h := range exportHeading(lang, t) {
		if err := w.Write([]string{"# " + h}); err != nil {
			return nil, err
		}
	}
	if err := w.Write(exportColumns(lang, t)); err != nil {
		return nil, err
	}
	for _, r := range t.Rows {
		var rec []string
		for _, cell := range exportCells(lang, r) {
			switch v := cell.(type) {
			case nil:
				rec = append(rec, "")
			case float64:
				rec = append(rec, strconv.FormatFloat(v, 'f', -1, 64))
			case string:
				rec = append(rec, v)
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// leagueXLSX writes the table as one sheet: heading lines, the header row
// (frozen, filterable) and one row per unit with numeric cells.
func leagueXLSX(lang Lang, t leagueTable) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := lang.T("league.sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	cols := exportColumns(lang, t)
	heading := exportHeading(lang, t)
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	decimals, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return nil, err
	}
	whole, err := f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		return nil, err
	}
	row := 1
	for _, h := range heading {
		if err := f.SetCellValue(sheet, cell(1, row), h); err != nil {
			return nil, err
		}
		row++
	}
	row++ // a blank line before the table
	headerRow := row
	for i, h := range cols {
		if err := f.SetCellValue(sheet, cell(i+1, row), h); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(sheet, cell(1, row), cell(len(cols), row), bold); err != nil {
		return nil, err
	}
	for _, r := range t.Rows {
		row++
		for i, v := range exportCells(lang, r) {
			if v == nil {
				continue
			}
			if err := f.SetCellValue(sheet, cell(i+1, row), v); err != nil {
				return nil, err
			}
			style := 0
			switch i {
			case 5, 9:
				style = decimals
			case 6, 7:
				style = whole
			}
			if style != 0 {
				if err := f.SetCellStyle(sheet, cell(i+1, row), cell(i+1, row), style); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, w := range []float64{7, 9, 8, 32, 26, 18, 14, 14, 14, 14, 22} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: cell(1, headerRow+1), ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := f.AutoFilter(sheet, cell(1, headerRow)+":"+cell(len(cols), max(row, headerRow+1)), nil); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}
