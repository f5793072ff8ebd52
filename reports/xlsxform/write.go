package xlsxform

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"egovkpi"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

// WriteTemplate writes the template of unit's report for quarter q
// following def. Each value cell holds the saved answer, or when nothing
// is saved the collected figure (Answer.Collected, shown beside it in
// column E); answers of indicators def does not have are left out. Text is
// always written as string cells, never as formulas.
func WriteTemplate(w io.Writer, def *form.Definition, unit egovkpi.Unit, q workflow.Quarter, answers form.Answers) error {
	f := excelize.NewFile()
	defer f.Close()
	b := &builder{f: f, def: def}
	b.styles()
	b.do(f.SetSheetName("Sheet1", ReportSheet))
	b.report(unit, q, answers)
	if b.err == nil {
		_, b.err = f.NewSheet(InstructionsSheet)
	}
	b.instructions(unit, q)
	b.do(f.SetDocProps(&excelize.DocProperties{
		Title:    fmt.Sprintf("%s — %s — %s", def.TitleVI, unit.NameVI, q),
		Creator:  "egovkpi",
		Language: "vi-VN",
	}))
	f.SetActiveSheet(0)
	if b.err != nil {
		return fmt.Errorf("xlsxform: template of %s for %s: %w", unit.ID, q, b.err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsxform: write the template of %s for %s: %w", unit.ID, q, err)
	}
	return nil
}

// builder writes one workbook, keeping the first error (excelize calls
// fail only on programming errors: a bad cell name or style).
type builder struct {
	f   *excelize.File
	def *form.Definition
	err error
	st  styles
}

// styles are the style ids of the template's cells.
type styles struct {
	title, subtitle, label, identity       int
	headerVI, headerEN, section, text      int
	collected, value                       map[form.Type]int
	explanation, instructions, instrHeader int
}

func (b *builder) do(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) style(s *excelize.Style) int {
	if b.err != nil {
		return 0
	}
	id, err := b.f.NewStyle(s)
	b.do(err)
	return id
}

// numberFormats shows each type's values: thousands grouped, decimals
// only where there are some; yes/no and text cells are text cells (what
// is typed in them stays text, "=…" included).
var numberFormats = map[form.Type]string{
	form.Integer: "#,##0",
	form.Decimal: "#,##0.0##",
	form.Percent: "0.0#",
	form.YesNo:   "@",
	form.Text:    "@",
}

func (b *builder) styles() {
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	fill := func(color string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
	}
	wrap := &excelize.Alignment{WrapText: true, Vertical: "top"}
	unlocked := &excelize.Protection{Locked: false}
	s := &b.st
	s.title = b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: wrap})
	s.subtitle = b.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}, Alignment: wrap})
	s.label = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}})
	s.identity = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("F2F2F2"), Border: border, NumFmt: 49})
	center := &excelize.Alignment{WrapText: true, Horizontal: "center", Vertical: "center"}
	s.headerVI = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("DDEBF7"), Border: border, Alignment: center})
	s.headerEN = b.style(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "404040"}, Fill: fill("DDEBF7"), Border: border, Alignment: center})
	s.section = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill("D9E1F2"), Border: border})
	s.text = b.style(&excelize.Style{Border: border, Alignment: wrap})
	s.collected, s.value = map[form.Type]int{}, map[form.Type]int{}
	for t, code := range numberFormats {
		s.collected[t] = b.style(&excelize.Style{Border: border, Fill: fill("E2EFDA"), CustomNumFmt: &code, Alignment: &excelize.Alignment{Vertical: "top"}})
		s.value[t] = b.style(&excelize.Style{Border: border, Fill: fill("FFF2CC"), CustomNumFmt: &code, Alignment: wrap, Protection: unlocked})
	}
	s.explanation = b.style(&excelize.Style{Border: border, Fill: fill("FFF2CC"), NumFmt: 49, Alignment: wrap, Protection: unlocked})
	s.instrHeader = b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: wrap})
	s.instructions = b.style(&excelize.Style{Alignment: wrap})
}

// set writes a string cell (never a formula) with a style.
func (b *builder) set(sheet, cell, text string, style int) {
	if b.err != nil {
		return
	}
	b.do(b.f.SetCellStr(sheet, cell, text))
	b.do(b.f.SetCellStyle(sheet, cell, cell, style))
}

// number writes a numeric cell with a style.
func (b *builder) number(cell string, v float64, style int) {
	if b.err != nil {
		return
	}
	b.do(b.f.SetCellFloat(ReportSheet, cell, v, -1, 64))
	b.do(b.f.SetCellStyle(ReportSheet, cell, cell, style))
}

func (b *builder) merge(sheet, from, to string) {
	if b.err == nil {
		b.do(b.f.MergeCell(sheet, from, to))
	}
}

func (b *builder) height(sheet string, row int, h float64) {
	if b.err == nil {
		b.do(b.f.SetRowHeight(sheet, row, h))
	}
}

func ref(col string, row int) string { return col + strconv.Itoa(row) }

// report writes the report sheet.
func (b *builder) report(unit egovkpi.Unit, q workflow.Quarter, answers form.Answers) {
	const sh = ReportSheet
	st := &b.st
	b.set(sh, ref(colCode, rowTitleVI), b.def.TitleVI, st.title)
	b.set(sh, ref(colCode, rowTitleEN), b.def.TitleEN, st.subtitle)
	b.merge(sh, ref(colCode, rowTitleVI), ref(colExplanation, rowTitleVI))
	b.merge(sh, ref(colCode, rowTitleEN), ref(colExplanation, rowTitleEN))
	b.height(sh, rowTitleVI, 40)
	b.height(sh, rowTitleEN, 20)
	values := map[string]string{
		keyUnit:     unit.ID,
		keyUnitName: fmt.Sprintf("%s (%s)", unit.NameVIFull, unit.NameEN),
		keyQuarter:  q.String(),
		keyForm:     b.def.Version,
	}
	for _, id := range identity {
		b.set(sh, ref(colCode, id.row), id.label, st.label)
		b.set(sh, ref(colIdentity, id.row), values[id.key], st.identity)
		b.merge(sh, ref(colIdentity, id.row), ref(colExplanation, id.row))
		b.set(sh, ref(colKey, id.row), id.key, st.text)
	}
	for _, h := range header {
		b.set(sh, ref(h.col, rowHeaderVI), h.vi, st.headerVI)
		b.set(sh, ref(h.col, rowHeaderEN), h.en, st.headerEN)
	}
	b.height(sh, rowHeaderVI, 30)
	b.height(sh, rowHeaderEN, 30)
	b.set(sh, ref(colKey, rowHeaderVI), keyHeader, st.text)
	b.set(sh, ref(colKey, rowHeaderEN), keyHeader, st.text)
	row := rowFirst
	for _, sec := range b.def.Sections {
		b.set(sh, ref(colCode, row), sec.Code, st.section)
		b.set(sh, ref(colName, row), sec.TitleVI+" / "+sec.TitleEN, st.section)
		b.merge(sh, ref(colName, row), ref(colExplanation, row))
		b.set(sh, ref(colKey, row), keySection+":"+sec.ID, st.text)
		row++
		for _, ind := range sec.Indicators {
			b.indicator(row, ind, answers[ind.ID])
			row++
		}
	}
	for col, width := range map[string]float64{colCode: 7, colName: 60, colUnit: 12, colRequired: 9, colCollected: 14, colValue: 18, colExplanation: 45, colKey: 24} {
		if b.err == nil {
			b.do(b.f.SetColWidth(sh, col, col, width))
		}
	}
	if b.err != nil {
		return
	}
	b.do(b.f.SetColVisible(sh, colKey, false))
	b.printOnePageWide(sh)
	b.do(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, rowHeaderVI, rowHeaderEN), Scope: sh}))
	b.do(b.f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: rowHeaderEN, TopLeftCell: ref(colCode, rowFirst), ActivePane: "bottomLeft"}))
	b.do(b.f.ProtectSheet(sh, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true}))
}

// indicator writes one indicator's row.
func (b *builder) indicator(row int, ind form.Indicator, a form.Answer) {
	const sh = ReportSheet
	st := &b.st
	b.set(sh, ref(colCode, row), ind.Code, st.text)
	b.name(ref(colName, row), ind)
	unit := ind.UnitVI
	if ind.UnitEN != "" && ind.UnitEN != ind.UnitVI {
		unit += "\n" + ind.UnitEN
	}
	b.set(sh, ref(colUnit, row), unit, st.text)
	required := ""
	if ind.Required {
		required = yesVI
	}
	b.set(sh, ref(colRequired, row), required, st.text)
	collected := ref(colCollected, row)
	switch {
	case a.Collected != nil:
		b.number(collected, *a.Collected, st.collected[ind.Type])
	case len(ind.Collected) > 0:
		b.set(sh, collected, "—", st.collected[form.Text]) // pre-filled, but nothing collected
	default:
		b.set(sh, collected, "", st.text)
	}
	value := ref(colValue, row)
	v := a.Value
	switch {
	case v == "" && a.Collected != nil && ind.Numeric():
		b.number(value, *a.Collected, st.value[ind.Type])
	case v != "" && ind.Numeric():
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			b.number(value, n, st.value[ind.Type])
		} else {
			b.set(sh, value, v, st.value[form.Text]) // not canonical: shown as saved, read back as typed
		}
	case ind.Type == form.YesNo && (v == "yes" || v == "no"):
		b.set(sh, value, map[string]string{"yes": yesVI, "no": noVI}[v], st.value[ind.Type])
	default:
		b.set(sh, value, v, st.value[ind.Type])
	}
	b.set(sh, ref(colExplanation, row), a.Explanation, st.explanation)
	b.set(sh, ref(colKey, row), ind.ID, st.text)
	b.validation(value, ind)
	b.validation(ref(colExplanation, row), form.Indicator{Type: form.Text})
	lines := wrappedLines(ind.NameVI, 58) + wrappedLines(ind.NameEN, 62)
	if ind.HelpVI != "" {
		lines += wrappedLines(ind.HelpVI, 70) + wrappedLines(ind.HelpEN, 70)
	}
	if !ind.Numeric() {
		lines = max(lines, wrappedLines(v, 16))
	}
	lines = max(lines, wrappedLines(a.Explanation, 42))
	b.height(sh, row, min(max(15*float64(lines), 30), maxRowHeight))
}

// maxRowHeight is Excel's tallest row, in points.
const maxRowHeight = 409

// name writes an indicator's name: Vietnamese, then English in italics,
// then its help in small print.
func (b *builder) name(cell string, ind form.Indicator) {
	runs := []excelize.RichTextRun{
		{Text: ind.NameVI},
		{Text: "\n" + ind.NameEN, Font: &excelize.Font{Italic: true, Color: "595959"}},
	}
	if ind.HelpVI != "" {
		runs = append(runs, excelize.RichTextRun{Text: "\n" + ind.HelpVI + "\n" + ind.HelpEN, Font: &excelize.Font{Size: 9, Color: "7F7F7F"}})
	}
	if b.err == nil {
		b.do(b.f.SetCellRichText(ReportSheet, cell, runs))
		b.do(b.f.SetCellStyle(ReportSheet, cell, cell, b.st.text))
	}
}

// wrappedLines estimates how many lines s takes in a column of width
// characters.
func wrappedLines(s string, width int) int {
	n := 0
	for _, line := range strings.Split(s, "\n") {
		n += max(1, (utf8.RuneCountInString(line)+width-1)/width)
	}
	return n
}

// validation adds Excel's data validation to a value cell: a guide for the
// reporter (the server checks everything again).
func (b *builder) validation(cell string, ind form.Indicator) {
	if b.err != nil {
		return
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = cell
	lo, hi := ind.Bounds()
	var vi, en string
	switch ind.Type {
	case form.Integer, form.Decimal, form.Percent:
		kind, kindVI, kindEN := excelize.DataValidationTypeDecimal, "số", "a number"
		if ind.Type == form.Integer {
			kind, kindVI, kindEN = excelize.DataValidationTypeWhole, "số nguyên", "a whole number"
		}
		if math.IsInf(hi, 1) {
			b.do(dv.SetRange(lo, "", kind, excelize.DataValidationOperatorGreaterThanOrEqual))
			vi, en = fmt.Sprintf("Nhập %s từ %s trở lên.", kindVI, form.FormatNumber(lo)), fmt.Sprintf("Type %s, %s or more.", kindEN, form.FormatNumber(lo))
		} else {
			b.do(dv.SetRange(lo, hi, kind, excelize.DataValidationOperatorBetween))
			vi, en = fmt.Sprintf("Nhập %s từ %s đến %s.", kindVI, form.FormatNumber(lo), form.FormatNumber(hi)), fmt.Sprintf("Type %s from %s to %s.", kindEN, form.FormatNumber(lo), form.FormatNumber(hi))
		}
	case form.YesNo:
		b.do(dv.SetDropList([]string{yesVI, noVI}))
		vi, en = "Chọn Có hoặc Không.", "Choose Có (yes) or Không (no)."
	default:
		b.do(dv.SetRange(0, form.MaxTextRunes, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorBetween))
		vi, en = fmt.Sprintf("Tối đa %d ký tự.", form.MaxTextRunes), fmt.Sprintf("At most %d characters.", form.MaxTextRunes)
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ / Invalid value", vi+"\n"+en)
	b.do(b.f.AddDataValidation(ReportSheet, dv))
}

// instructions writes the instructions sheet: each line in Vietnamese
// (column A) and English (column B).
func (b *builder) instructions(unit egovkpi.Unit, q workflow.Quarter) {
	const sh = InstructionsSheet
	lines := [][2]string{
		{"Hướng dẫn điền mẫu báo cáo quý", "How to fill in the quarterly report template"},
		{fmt.Sprintf("Đơn vị: %s (%s). Quý: %s. Phiên bản mẫu: %s.", unit.NameVIFull, unit.ID, q, b.def.Version),
			fmt.Sprintf("Unit: %s (%s). Quarter: %s. Form version: %s.", unit.NameEN, unit.ID, q, b.def.Version)},
		{"Nhập số liệu vào cột «Giá trị báo cáo» (F) và giải trình vào cột «Giải trình» (G) của trang «" + ReportSheet + "». Các ô khác được khoá.",
			"Type the values in the «Giá trị báo cáo» (reported value, F) column and explanations in the «Giải trình» (G) column of the «" + ReportSheet + "» sheet. The other cells are locked."},
		{"Cột «Số liệu thu thập» (E) là số liệu hệ thống đã thu thập của đơn vị trong quý; giá trị báo cáo được điền sẵn bằng số này. Hãy xác nhận hoặc sửa. Khi sửa khác số liệu thu thập, phải ghi giải trình. «—»: chưa thu thập được số liệu.",
			"The «Số liệu thu thập» (collected figure, E) column holds the figure egovkpi collected for the unit over the quarter; the reported value is pre-filled with it. Confirm or correct it. A value that differs from the collected figure needs an explanation. «—»: nothing was collected."},
		{"Nhập giá trị, không nhập công thức: ô có công thức không được chấp nhận. Số có phân cách nghìn viết 1.234.567; số thập phân viết 12,5. Nếu nhập dạng chữ, «12.500» (một dấu phân cách và ba chữ số) không rõ là nghìn hay thập phân và bị từ chối.",
			"Type values, not formulas: a cell holding a formula is not accepted. Thousands are written 1.234.567 or 1,234,567; decimals 12,5 or 12.5. Typed as text, «12.500» (one separator, three digits) could be thousands or a decimal and is refused."},
		{"Chỉ tiêu Có/Không: chọn Có hoặc Không.", "Yes/no indicators: choose Có (yes) or Không (no)."},
		{"Chỉ tiêu ghi «Có» ở cột «Bắt buộc» phải có giá trị trước khi gửi báo cáo; có thể lưu bản nháp khi còn thiếu.",
			"Indicators marked «Có» in the «Bắt buộc» (required) column must have a value before the report is submitted; a draft may be saved without them."},
		{"Không thêm, đổi tên hoặc xoá trang tính; không sửa mã đơn vị, quý, phiên bản mẫu và cột ẩn H (mã chỉ tiêu): tệp như vậy bị từ chối. Hãy tải mẫu của đúng đơn vị và quý.",
			"Do not add, rename or delete sheets, nor change the unit id, quarter, form version or the hidden column H (indicator ids): such a file is refused. Download the template of the right unit and quarter."},
		{fmt.Sprintf("Tải tệp lên ở trang báo cáo quý của đơn vị (tối đa %d MB). Mọi lỗi được báo theo trang tính, ô và lý do; phần hợp lệ chỉ được lưu khi người báo cáo chọn lưu bản nháp.", MaxFileBytes>>20),
			fmt.Sprintf("Upload the file on the unit's quarterly report page (at most %d MB). Every problem is reported by sheet, cell and reason; the valid part is saved only if the reporter saves it as a draft.", MaxFileBytes>>20)},
	}
	if len(b.def.Rules) > 0 {
		lines = append(lines, [2]string{"Ràng buộc: tổng các phần không được lớn hơn tổng thể:", "Rules: the parts never add up to more than their whole:"})
		for _, r := range b.def.Rules {
			lines = append(lines, [2]string{"• " + b.def.RuleText(r, "vi"), "• " + b.def.RuleText(r, "en")})
		}
	}
	for i, l := range lines {
		style := b.st.instructions
		if i == 0 {
			style = b.st.instrHeader
		}
		b.set(sh, ref("A", i+1), l[0], style)
		b.set(sh, ref("B", i+1), l[1], style)
		b.height(sh, i+1, 15*float64(max(wrappedLines(l[0], 75), wrappedLines(l[1], 75))))
	}
	if b.err == nil {
		b.do(b.f.SetColWidth(sh, "A", "B", 80))
		b.printOnePageWide(sh)
	}
}

// printOnePageWide prints a sheet landscape, scaled to the page's width.
func (b *builder) printOnePageWide(sheet string) {
	if b.err != nil {
		return
	}
	landscape, wide, tall, fit := "landscape", 1, 0, true
	b.do(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.do(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall}))
}
