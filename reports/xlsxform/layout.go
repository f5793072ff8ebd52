// Package xlsxform is the quarterly report as an Excel template: written
// for one unit and quarter, pre-filled with the saved answers or the
// collected figures, and read back when the unit uploads it, with every
// problem named by sheet, cell and reason.
//
// # Layout
//
// The report sheet ("Báo cáo") starts with the form's title, then the
// identity rows (unit id, unit name, quarter, form version: the values in
// column C), the header in Vietnamese and in English, then each section's
// row and its indicators: code (A), name (B), unit of measure (C),
// required (D), the collected figure (E), the reported value (F) and the
// explanation (G). Column H is hidden and holds each row's key: an
// indicator id, or "#unit", "#quarter", … for the identity rows. Reading
// finds rows by that key, so a reordered row is still read and a deleted
// one is just not answered. The sheet is protected (without a password:
// it guides the reporter, the server checks everything) except the value
// and explanation cells. The instructions sheet ("Hướng dẫn") says how to
// fill it in, in Vietnamese and English.
package xlsxform

// Sheet names.
const (
	ReportSheet       = "Báo cáo"
	InstructionsSheet = "Hướng dẫn"
)

// Columns of the report sheet.
const (
	colCode        = "A"
	colName        = "B"
	colUnit        = "C"
	colRequired    = "D"
	colCollected   = "E"
	colValue       = "F"
	colExplanation = "G"
	colKey         = "H" // hidden: the row's key
	// colIdentity holds the identity rows' values.
	colIdentity = "C"
)

// Keys of the rows that are not indicators (column H).
const (
	keyUnit     = "#unit"
	keyUnitName = "#unit_name"
	keyQuarter  = "#quarter"
	keyForm     = "#form"
	keyHeader   = "#header"
	keySection  = "#section"
)

// Rows of the report sheet before the first section.
const (
	rowTitleVI  = 1
	rowTitleEN  = 2
	rowUnit     = 3
	rowUnitName = 4
	rowQuarter  = 5
	rowForm     = 6
	rowHeaderVI = 8
	rowHeaderEN = 9
	rowFirst    = 10
)

// header is the report sheet's header, by column, in Vietnamese and
// English (the hidden column's header cells hold keyHeader).
var header = []struct{ col, vi, en string }{
	{colCode, "Mã", "Code"},
	{colName, "Chỉ tiêu", "Indicator"},
	{colUnit, "Đơn vị tính", "Unit of measure"},
	{colRequired, "Bắt buộc", "Required"},
	{colCollected, "Số liệu thu thập", "Collected figure"},
	{colValue, "Giá trị báo cáo", "Reported value"},
	{colExplanation, "Giải trình", "Explanation"},
}

// identity are the identity rows: key, row, label.
var identity = []struct {
	key   string
	row   int
	label string
}{
	{keyUnit, rowUnit, "Mã đơn vị / Unit id"},
	{keyUnitName, rowUnitName, "Đơn vị / Unit"},
	{keyQuarter, rowQuarter, "Quý / Quarter"},
	{keyForm, rowForm, "Phiên bản mẫu / Form version"},
}

// Yes and no as the template writes them.
const (
	yesVI = "Có"
	noVI  = "Không"
)
