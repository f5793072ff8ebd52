package workbook

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// book is the workbook being written, with its styles.
type book struct {
	f  *excelize.File
	st styles
	// sheets counts the sheets written: the first takes the place of the
	// new file's "Sheet1".
	sheets int
}

// styles are the cell styles the sheets use (excelize style ids).
type styles struct {
	title, subtitle, note, section int
	header                         int
	text, textWrap, code, bold     int
	pct, num2, count, point        int
	movement, date, dateTime       int
	// marks: a band of the 766 index (its id) or a target status (met,
	// near, below), each with its fill.
	marks map[string]int
}

// Fills of the 766 bands and target statuses: pale, so that they print.
var markFills = map[string]string{
	"excellent": "B7E1CD", "good": "D9EAD3", "average": "FCE8B2", "weak": "F4C7C3",
	"met": "B7E1CD", "near": "FCE8B2", "below": "F4C7C3",
}

// Number formats. Shares are stored as fractions (0.6113) and shown as
// percentages; movement is a rank change shown with an arrow.
const (
	fmtPercent  = "0.00%"
	fmtPoints   = "0.00"
	fmtCount    = "#,##0"
	fmtChange   = `+0.00;-0.00;0.00`
	fmtMovement = `"▲ "0;"▼ "0;"="`
	fmtDate     = "dd/mm/yyyy"
	fmtDateTime = "dd/mm/yyyy hh:mm"
)

const (
	font      = "Arial"
	headerRGB = "DCE6F1"
	borderRGB = "A6A6A6"
)

// newBook starts an empty workbook and makes its styles.
func newBook() (*book, error) {
	f := excelize.NewFile()
	if err := f.SetDefaultFont(font); err != nil {
		f.Close()
		return nil, err
	}
	b := &book{f: f}
	if err := b.makeStyles(); err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

// makeStyles registers every style the sheets use: thin grey borders on
// table cells, a tinted wrapped header, and each number format.
func (b *book) makeStyles() error {
	border := []excelize.Border{
		{Type: "left", Color: borderRGB, Style: 1}, {Type: "right", Color: borderRGB, Style: 1},
		{Type: "top", Color: borderRGB, Style: 1}, {Type: "bottom", Color: borderRGB, Style: 1},
	}
	var err error
	style := func(s excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = b.f.NewStyle(&s)
		return id
	}
	cellStyle := func(numFmt string, align string) int {
		return style(excelize.Style{Border: border, CustomNumFmt: &numFmt, Alignment: &excelize.Alignment{Horizontal: align, Vertical: "center"}})
	}
	b.st = styles{
		title:    style(excelize.Style{Font: &excelize.Font{Family: font, Bold: true, Size: 14, Color: "1F3864"}}),
		subtitle: style(excelize.Style{Font: &excelize.Font{Family: font, Italic: true, Size: 10, Color: "595959"}}),
		note:     style(excelize.Style{Font: &excelize.Font{Family: font, Size: 9, Color: "404040"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}),
		section:  style(excelize.Style{Font: &excelize.Font{Family: font, Bold: true, Size: 11, Color: "1F3864"}}),
		header: style(excelize.Style{Font: &excelize.Font{Family: font, Bold: true, Size: 10}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerRGB}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}}),
		text:     style(excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center"}}),
		textWrap: style(excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}),
		code:     style(excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}),
		bold:     style(excelize.Style{Border: border, Font: &excelize.Font{Family: font, Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}}),
		pct:      cellStyle(fmtPercent, "right"),
		num2:     cellStyle(fmtPoints, "right"),
		count:    cellStyle(fmtCount, "right"),
		point:    cellStyle(fmtChange, "right"),
		movement: cellStyle(fmtMovement, "center"),
		date:     cellStyle(fmtDate, "center"),
		dateTime: cellStyle(fmtDateTime, "center"),
		marks:    map[string]int{},
	}
	for id, rgb := range markFills {
		b.st.marks[id] = style(excelize.Style{Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{rgb}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	}
	return err
}

// mark is the style of a band or target status, or plain text when it has
// no fill (no band, no target).
func (b *book) mark(id string) int {
	if s, ok := b.st.marks[id]; ok {
		return s
	}
	return b.st.code
}

// row is one row of a sheet: its cells from column A (a nil Value is an
// empty cell, which may still have a style).
type row struct {
	cells  []excelize.Cell
	height float64 // points; 0: the default
	// span merges the first cell over every column of the sheet (a title
	// or a note); a long note wraps inside it, the row made as high as it
	// needs unless height says otherwise.
	span bool
}

// sheet is one worksheet: its columns, rows and layout, written at once by
// write with excelize's StreamWriter.
type sheet struct {
	name   string
	widths []float64 // column widths from A, in characters
	rows   []row
	// header is the row of column headings (1-based): rows down to it
	// stay in view, it carries the autofilter over the data below it and
	// is repeated on every printed page. 0: no table.
	header int
	// filterTo is the autofilter's last row (0: the sheet's last row).
	filterTo int
	// freezeCols columns stay in view left of the data (unit names).
	freezeCols int
	// onePage prints the sheet on one page (else as many pages down as
	// it needs, fitted to the width).
	onePage bool
	// chart is drawn with its top-left corner at chartAt.
	chart   *excelize.Chart
	chartAt string
}

// add appends a row.
func (s *sheet) add(r row) { s.rows = append(s.rows, r) }

// line appends a row of one text spanning the sheet, in style.
func (s *sheet) line(text string, style int, height float64) {
	s.add(row{cells: []excelize.Cell{{StyleID: style, Value: text}}, span: true, height: height})
}

// blank appends an empty row.
func (s *sheet) blank() { s.add(row{}) }

// headings appends the row of column headings (Vietnamese, then English
// on a second line) and makes it the sheet's header row; height 0 leaves
// room for three lines.
func (s *sheet) headings(style int, height float64, names ...[2]string) {
	if height == 0 {
		height = 40
	}
	r := row{height: height}
	for _, n := range names {
		text := n[0]
		if n[1] != "" {
			text += "\n" + n[1]
		}
		r.cells = append(r.cells, excelize.Cell{StyleID: style, Value: text})
	}
	s.add(r)
	s.header = len(s.rows)
}

// write lays the sheet out (column widths, frozen panes, autofilter, print
// setup, chart) and streams its rows. Everything but the rows and merged
// cells must be set before the StreamWriter starts: it copies the
// worksheet's settings as it begins and ends. The dimension is set first
// too, or readers in read-only mode see a single row.
func (b *book) write(s *sheet) error {
	f := b.f
	if b.sheets == 0 {
		if err := f.SetSheetName("Sheet1", s.name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(s.name); err != nil {
		return err
	}
	b.sheets++
	cols := len(s.widths)
	for _, r := range s.rows {
		cols = max(cols, len(r.cells))
	}
	last := max(len(s.rows), 1)
	total := 0.0
	for _, w := range s.widths {
		total += w
	}
	for i, w := range s.widths {
		if err := f.SetColWidth(s.name, colName(i+1), colName(i+1), w); err != nil {
			return err
		}
	}
	if s.header > 0 {
		// The autofilter rewrites the sheet's properties: set it before
		// the fit-to-page property.
		to := s.filterTo
		if to == 0 {
			to = last
		}
		if err := f.AutoFilter(s.name, cellRef(1, s.header)+":"+cellRef(cols, max(to, s.header+1)), nil); err != nil {
			return err
		}
		pane := "bottomLeft"
		if s.freezeCols > 0 {
			pane = "bottomRight"
		}
		if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, XSplit: s.freezeCols, YSplit: s.header,
			TopLeftCell: cellRef(s.freezeCols+1, s.header+1), ActivePane: pane}); err != nil {
			return err
		}
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: s.name,
			RefersTo: fmt.Sprintf("'%s'!$%d:$%d", s.name, s.header, s.header)}); err != nil {
			return err
		}
	}
	if err := b.printSetup(s.name, s.onePage); err != nil {
		return err
	}
	if err := f.SetSheetDimension(s.name, "A1:"+cellRef(cols, last)); err != nil {
		return err
	}
	if s.chart != nil {
		if err := f.AddChart(s.name, s.chartAt, s.chart); err != nil {
			return fmt.Errorf("chart of %s: %w", s.name, err)
		}
	}
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	for i, r := range s.rows {
		if r.span && r.height == 0 && len(r.cells) == 1 {
			// A long line wraps in its merged cells: give it the lines.
			if h := fitHeight([]float64{total}, r.cells); h > 13 {
				r.height = h
			}
		}
		values := make([]any, len(r.cells))
		for j, c := range r.cells {
			values[j] = c
		}
		if err := sw.SetRow(cellRef(1, i+1), values, excelize.RowOpts{Height: r.height}); err != nil {
			return fmt.Errorf("%s row %d: %w", s.name, i+1, err)
		}
		if r.span && cols > 1 {
			if err := sw.MergeCell(cellRef(1, i+1), cellRef(cols, i+1)); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

// printSetup prints a sheet landscape on A4, fitted to the page width (as
// many pages down as needed, or one), with the sheet's name and page
// numbers.
func (b *book) printSetup(sheet string, onePage bool) error {
	a4, landscape, wide, tall := 9, "landscape", 1, 0
	if onePage {
		tall = 1
	}
	if err := b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}); err != nil {
		return err
	}
	fit := true
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	margin, edge := 0.4, 0.25
	if err := b.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &margin, Right: &margin, Top: &margin, Bottom: &margin, Header: &edge, Footer: &edge}); err != nil {
		return err
	}
	return b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: "&L&8egovkpi&R&8" + escapeHeader(sheet),
		OddFooter: "&C&8Trang &P/&N",
	})
}

// escapeHeader doubles the ampersands of a header text.
func escapeHeader(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, r)
		if r == '&' {
			out = append(out, '&')
		}
	}
	return string(out)
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

func cellRef(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// num is a cell of a number in style, empty (nil) when p is nil: no data
// is never 0.
func num(p *float64, style int) excelize.Cell {
	if p == nil {
		return excelize.Cell{StyleID: style}
	}
	return excelize.Cell{StyleID: style, Value: *p}
}

// integer is a cell of an integer, empty when p is nil.
func integer(p *int, style int) excelize.Cell {
	if p == nil {
		return excelize.Cell{StyleID: style}
	}
	return excelize.Cell{StyleID: style, Value: *p}
}

// text is a cell of text in style.
func text(s string, style int) excelize.Cell { return excelize.Cell{StyleID: style, Value: s} }

// label is a cell of text in style, empty when s is "".
func label(s string, style int) excelize.Cell {
	if s == "" {
		return excelize.Cell{StyleID: style}
	}
	return text(s, style)
}
