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

// exportColumn is a downloaded column: its heading, its number format
// (0: text or none, else an excelize built-in format) and its cell.
type exportColumn struct {
	heading string
	numFmt  int
	width   float64               // in Excel's character widths
	cell    func(r leagueRow) any // nil for an empty cell, float64, or string
}

// exportColumns are the page's columns, in its order: the 766 index has
// its dossiers where a KPI has numerator and denominator.
func exportColumns(lang Lang, t leagueTable) []exportColumn {
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	cols := []exportColumn{
		{lang.T("col.rank"), 0, 7, func(r leagueRow) any { return num(intToFloat(r.Rank)) }},
		{lang.T("col.movement"), 0, 9, func(r leagueRow) any { return num(intToFloat(r.Movement)) }},
		{lang.T("col.code"), 0, 8, func(r leagueRow) any { return r.Code }},
		{lang.T("col.unit"), 0, 32, func(r leagueRow) any { return r.Name }},
		{lang.T("col.region"), 0, 26, func(r leagueRow) any { return r.Region }},
		{t.Title + " (" + t.Unit + ")", 4, 18, func(r leagueRow) any { return num(r.Value) }}, // #,##0.00
	}
	if t.Query.KPI == Index766 {
		cols = append(cols, exportColumn{lang.T("col.dossiers"), 3, 14, func(r leagueRow) any { return num(r.Den) }}) // #,##0
	} else {
		cols = append(cols,
			exportColumn{lang.T("col.numerator"), 3, 14, func(r leagueRow) any { return num(r.Num) }},
			exportColumn{lang.T("col.denominator"), 3, 14, func(r leagueRow) any { return num(r.Den) }})
	}
	return append(cols,
		exportColumn{lang.T("col.band"), 0, 14, func(r leagueRow) any { return r.BandName }},
		exportColumn{lang.T("col.completeness") + " (%)", 4, 14, func(r leagueRow) any { return r.Complete * 100 }},
		exportColumn{lang.T("col.remark"), 0, 22, func(r leagueRow) any {
			switch {
			case r.NotEnough:
				return lang.T("league.not_enough")
			case r.Value == nil:
				return lang.T("league.no_data")
			}
			return nil
		}})
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
	write, ok := map[string]func(Lang, leagueTable) ([]byte, error){"csv": leagueCSV, "xlsx": leagueXLSX}[c.Params("format")]
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "downloads are .csv or .xlsx")
	}
	q, err := a.parseLeagueQuery(c)
	if err != nil {
		return err
	}
	t, err := a.leagueTableOf(c.UserContext(), lang, q)
	if err != nil {
		return err
	}
	body, err := write(lang, t)
	if err != nil {
		return err
	}
	c.Attachment(fmt.Sprintf("egovkpi-%s-%s-%s.%s", q.Block, q.KPI, q.Period.String(), c.Params("format")))
	return c.Send(body)
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
	cols := exportColumns(lang, t)
	var heads []string
	for _, col := range cols {
		heads = append(heads, col.heading)
	}
	if err := w.Write(heads); err != nil {
		return nil, err
	}
	for _, r := range t.Rows {
		var rec []string
		for _, col := range cols {
			switch v := col.cell(r).(type) {
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
	styles := map[int]int{} // number format → style
	for _, col := range cols {
		if col.numFmt != 0 && styles[col.numFmt] == 0 {
			if styles[col.numFmt], err = f.NewStyle(&excelize.Style{NumFmt: col.numFmt}); err != nil {
				return nil, err
			}
		}
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
	for i, col := range cols {
		if err := f.SetCellValue(sheet, cell(i+1, row), col.heading); err != nil {
			return nil, err
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, name, name, col.width); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(sheet, cell(1, row), cell(len(cols), row), bold); err != nil {
		return nil, err
	}
	for _, r := range t.Rows {
		row++
		for i, col := range cols {
			v := col.cell(r)
			if v == nil {
				continue
			}
			if err := f.SetCellValue(sheet, cell(i+1, row), v); err != nil {
				return nil, err
			}
			if style := styles[col.numFmt]; style != 0 {
				if err := f.SetCellStyle(sheet, cell(i+1, row), cell(i+1, row), style); err != nil {
					return nil, err
				}
			}
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
