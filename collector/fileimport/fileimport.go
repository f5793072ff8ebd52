package fileimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"

	"egovkpi/collector/protocol"
	"egovkpi/collector/record"

	"github.com/xuri/excelize/v2"
)

// Limits on an imported file.
const (
	// MaxFileBytes is the largest file Read accepts.
	MaxFileBytes = 16 << 20
	// MaxRows is the largest number of data rows (non-empty rows after the
	// header) Read accepts.
	MaxRows = 1_000_000
	// MaxUnzippedBytes is the most an XLSX file may expand to when
	// unzipped; beyond it the file is refused as a possible zip bomb.
	MaxUnzippedBytes = 128 << 20
)

// maxRows is MaxRows; tests lower it.
var maxRows = MaxRows

// ErrTooLarge is wrapped by the error Read returns for a file over
// MaxFileBytes, MaxUnzippedBytes or MaxRows.
var ErrTooLarge = errors.New("file too large")

// Identity columns of the template.
const (
	ColUnit      = "unit"
	ColDate      = "date"
	ColProcedure = "procedure"
)

// Columns returns the template's columns in order: unit, date, procedure,
// then every usage field in record.Fields() order.
func Columns() []string {
	cols := []string{ColUnit, ColDate, ColProcedure}
	for _, f := range record.Fields() {
		cols = append(cols, f.Name())
	}
	return cols
}

// Row is one data row of an imported file that was read without problem.
type Row struct {
	Sheet string // the XLSX sheet it comes from; "" for CSV
	Line  int    // 1-based row number in the file (CSV: the line it starts on)
	// Unit is the unit code as written (trimmed; a single digit gets its
	// leading zero back).
	Unit      string
	Date      string // the date as written, or YYYY-MM-DD from an Excel date
	Procedure string // the procedure code as written (trimmed)
	// Record is a JSON object holding date, procedure and every non-empty
	// field, ready for record.DecodeUsage (which checks it).
	Record json.RawMessage
	// Raw is the row as the user wrote it, e.g.
	// "08,2025-08-01,1.000001,12,…", for the quarantine. For CSV it is the
	// record's text in the file; for XLSX the cells from column A to the
	// last non-empty one, comma-separated with CSV quoting.
	Raw string
}

// Problem is a row-level issue found while reading: the row is left out of
// the rows Read returns.
type Problem struct {
	Sheet  string // the XLSX sheet; "" for CSV
	Line   int    // 1-based row number in the file
	Column string // the header name; "" when the column has none
	Cell   string // the cell, like "F12", for XLSX; "" for CSV
	Reason string
}

// Error gives the problem with its place, e.g.
// `sheet Dữ liệu, row 12, column received_online (F12): want a whole
// number, got "abc"`, or `row 12, column received_online: …` for CSV.
func (p Problem) Error() string {
	var b strings.Builder
	if p.Sheet != "" {
		b.WriteString("sheet ")
		b.WriteString(p.Sheet)
		b.WriteString(", ")
	}
	fmt.Fprintf(&b, "row %d", p.Line)
	switch {
	case p.Column != "" && p.Cell != "":
		fmt.Fprintf(&b, ", column %s (%s)", p.Column, p.Cell)
	case p.Column != "":
		fmt.Fprintf(&b, ", column %s", p.Column)
	case p.Cell != "":
		fmt.Fprintf(&b, ", cell %s", p.Cell)
	}
	b.WriteString(": ")
	b.WriteString(p.Reason)
	return b.String()
}

// Read reads an imported file: name's extension (.csv or .xlsx, in any
// case) gives the format, which is checked against the content. It returns
// the rows read without problem and the row problems, in file order. The
// error is for a file that cannot be read at all: a wrong type, a header
// error, a file over a limit, a zip bomb, data in an extra sheet. It names
// the file.
func Read(name string, r io.ReaderAt, size int64) ([]Row, []Problem, error) {
	fail := func(format string, args ...any) ([]Row, []Problem, error) {
		return nil, nil, fmt.Errorf("%s: %w", name, fmt.Errorf(format, args...))
	}
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	switch ext {
	case ".csv", ".xlsx":
	case ".xls", ".xlsb":
		return fail("%s files (older or binary Excel workbooks) are not accepted: save it as Excel Workbook (.xlsx) or as CSV UTF-8 (.csv)", ext)
	case ".xlsm", ".xltm":
		return fail("%s files (macro-enabled workbooks) are not accepted: save it as Excel Workbook (.xlsx) or as CSV UTF-8 (.csv)", ext)
	case ".ods":
		return fail(".ods files (OpenDocument spreadsheets) are not accepted: save it as Excel 2007-365 (.xlsx) or as CSV (UTF-8, .csv)")
	case "":
		return fail("the file name has no extension: the accepted types are .csv and .xlsx")
	default:
		return fail("%s files are not accepted: the accepted types are .csv and .xlsx", ext)
	}
	if size > MaxFileBytes {
		return nil, nil, fmt.Errorf("%s: %w: the file has %d bytes (%s), more than the limit of %d bytes (%s): split it into several files",
			name, ErrTooLarge, size, mib(size), int64(MaxFileBytes), mib(MaxFileBytes))
	}
	if size <= 0 {
		return fail("the file is empty: it needs a header row (%s, …)", strings.Join(Columns()[:4], ", "))
	}
	var rows []Row
	var probs []Problem
	var err error
	if ext == ".csv" {
		rows, probs, err = readCSV(r, size)
	} else {
		rows, probs, err = readXLSX(r, size)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return rows, probs, nil
}

func mib(n int64) string {
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

// colKind is what a column of the file holds.
type colKind int

const (
	colNone colKind = iota // a column with an empty header
	colUnit
	colDate
	colProcedure
	colField
)

type column struct {
	kind  colKind
	field record.Field
	name  string // canonical header name; "" for colNone
}

// header maps the file's columns (0-based) to template columns.
type header struct {
	cols []column
}

// parseHeader reads the header cells; where(i) names the place of cell i
// in messages ("column D (D1)", "column 4").
func parseHeader(cells []string, where func(i int) string) (header, error) {
	known := map[string]column{
		ColUnit:      {kind: colUnit, name: ColUnit},
		ColDate:      {kind: colDate, name: ColDate},
		ColProcedure: {kind: colProcedure, name: ColProcedure},
	}
	for _, f := range record.Fields() {
		known[f.Name()] = column{kind: colField, field: f, name: f.Name()}
	}
	h := header{cols: make([]column, len(cells))}
	seen := map[string]int{}
	for i, c := range cells {
		n := strings.ToLower(strings.TrimSpace(c))
		if n == "" {
			continue
		}
		col, ok := known[n]
		if !ok {
			return h, fmt.Errorf("unknown column %q in the header (%s): the columns are %s", strings.TrimSpace(c), where(i), strings.Join(Columns(), ", "))
		}
		if j, dup := seen[n]; dup {
			return h, fmt.Errorf("column %q appears twice in the header (%s and %s)", n, where(j), where(i))
		}
		seen[n] = i
		h.cols[i] = col
	}
	var missing []string
	for _, n := range []string{ColUnit, ColDate, ColProcedure} {
		if _, ok := seen[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return h, fmt.Errorf("the header has no column %s (required: unit, date, procedure; the header is the first non-empty row)", strings.Join(missing, ", "))
	}
	return h, nil
}

// hasUnitHeader reports whether a row holds the header unit.
func hasUnitHeader(cells []string) bool {
	for _, c := range cells {
		if strings.EqualFold(strings.TrimSpace(c), ColUnit) {
			return true
		}
	}
	return false
}

// kind is the type of a cell as stored.
type kind int

const (
	kEmpty    kind = iota
	kText          // text (every CSV cell; XLSX strings and string results)
	kNumber        // an XLSX number (raw value)
	kBool          // an XLSX boolean; text is TRUE or FALSE
	kError         // an XLSX error value such as #N/A
	kNoResult      // an XLSX formula with no saved result
	kISODate       // an XLSX ISO 8601 date cell (t="d")
)

// value is one cell as read.
type value struct {
	kind      kind
	text      string // the value as stored (untrimmed text, raw number)
	formula   bool   // the cell holds a formula (its saved result is text)
	dateStyle bool   // an XLSX number shown with a date format
}

// builder turns the data rows of one file or sheet into Rows and Problems.
type builder struct {
	sheet    string
	hdr      header
	date1904 bool
	count    int // data rows seen
	rows     []Row
	problems []Problem
}

// add reads one data row. ref(i) is the cell reference of column i
// ("F12") or "" for CSV; raw returns the row as written.
func (b *builder) add(line int, vals []value, ref func(i int) string, raw func() string) error {
	empty, onlyFormulas := true, true
	for _, v := range vals {
		if v.kind != kEmpty {
			empty = false
			if !v.formula {
				onlyFormulas = false
			}
		}
	}
	if empty {
		return nil
	}
	if onlyFormulas {
		identity := false
		for i, c := range b.hdr.cols {
			if c.kind == colUnit || c.kind == colDate || c.kind == colProcedure {
				if i < len(vals) && vals[i].kind != kEmpty {
					identity = true
				}
			}
		}
		if !identity {
			return nil
		}
	}
	b.count++
	if b.count > maxRows {
		return fmt.Errorf("%w: more than %d data rows: split the file", ErrTooLarge, maxRows)
	}
	var probs []Problem
	prob := func(i int, reason string) {
		p := Problem{Sheet: b.sheet, Line: line, Reason: reason}
		if i < len(b.hdr.cols) {
			p.Column = b.hdr.cols[i].name
		}
		if ref != nil {
			p.Cell = ref(i)
		}
		probs = append(probs, p)
	}
	var unit, date, proc string
	var lits [record.NumFields]string
	for i, c := range b.hdr.cols {
		var v value
		if i < len(vals) {
			v = vals[i]
		}
		switch c.kind {
		case colUnit:
			unit = b.identity(i, v, prob, "the unit code (like 08 or MOF)")
			if len(unit) == 1 && unit[0] >= '0' && unit[0] <= '9' {
				unit = "0" + unit
			}
		case colDate:
			date = b.date(i, v, prob)
		case colProcedure:
			proc = b.identity(i, v, prob, "the national procedure code (like 1.001234)")
			if v.kind == kNumber && !record.ValidProcedureCode(proc) && shortCode.MatchString(proc) {
				prob(i, fmt.Sprintf("the procedure code is stored as the number %s, which loses the zeros at its end (a national code has six digits after the dot, like 1.001230): format the column as Text and type the code again", proc))
			}
		case colField:
			lit, reason := fieldLiteral(v)
			if reason != "" {
				prob(i, reason)
			}
			lits[c.field] = lit
		}
	}
	for i, v := range vals {
		if v.kind != kEmpty && (i >= len(b.hdr.cols) || b.hdr.cols[i].kind == colNone) {
			prob(i, fmt.Sprintf("a value (%s) in column %s, which has no header", shown(v), columnLabel(i, ref != nil)))
		}
	}
	if len(probs) > 0 {
		b.problems = append(b.problems, probs...)
		return nil
	}
	var buf bytes.Buffer
	buf.WriteString(`{"date":`)
	buf.WriteString(jsonString(date))
	buf.WriteString(`,"procedure":`)
	buf.WriteString(jsonString(proc))
	for _, f := range record.Fields() {
		if lits[f] != "" {
			buf.WriteString(`,"`)
			buf.WriteString(f.Name())
			buf.WriteString(`":`)
			buf.WriteString(lits[f])
		}
	}
	buf.WriteByte('}')
	b.rows = append(b.rows, Row{
		Sheet: b.sheet, Line: line, Unit: unit, Date: date, Procedure: proc,
		Record: json.RawMessage(buf.Bytes()), Raw: raw(),
	})
	return nil
}

// identity reads a unit or procedure cell: text, or a number as stored.
func (b *builder) identity(i int, v value, prob func(int, string), what string) string {
	switch v.kind {
	case kEmpty:
		prob(i, "empty: every row needs "+what)
	case kText:
		return strings.TrimSpace(v.text)
	case kNumber:
		if n, ok := normNumber(v.text); ok {
			return n
		}
		return strings.TrimSpace(v.text)
	default:
		prob(i, "want "+what+", got "+shown(v))
	}
	return ""
}

// date reads a date cell: text as written, an Excel date serial as
// YYYY-MM-DD.
func (b *builder) date(i int, v value, prob func(int, string)) string {
	switch v.kind {
	case kEmpty:
		prob(i, "empty: every row needs the date (YYYY-MM-DD)")
	case kText:
		return strings.TrimSpace(v.text)
	case kISODate:
		s := strings.TrimSpace(v.text)
		if len(s) >= 10 {
			if _, err := protocol.ParseDate(s[:10]); err == nil {
				return s[:10]
			}
		}
		prob(i, fmt.Sprintf("want a date YYYY-MM-DD, got the date cell %q", s))
	case kNumber:
		d, reason := serialDate(v, b.date1904)
		if reason != "" {
			prob(i, reason)
		}
		return d
	default:
		prob(i, "want a date YYYY-MM-DD, got "+shown(v))
	}
	return ""
}

// shortCode is a procedure code stored as a number that lost the zeros at
// its end (1.00123 for 1.001230, 2 for 2.000000).
var shortCode = regexp.MustCompile(`^\d{1,2}(\.\d{1,5})?$`)

// Excel's date serials: 1 is 1900-01-01 (or 1904-01-02), 2958465 is
// 9999-12-31.
const maxSerial = 2958465

// serialDate converts an Excel date serial to YYYY-MM-DD.
func serialDate(v value, date1904 bool) (string, string) {
	n, ok := normNumber(v.text)
	f, err := strconv.ParseFloat(n, 64)
	if !ok || err != nil {
		return "", fmt.Sprintf("want a date YYYY-MM-DD, got %q", v.text)
	}
	if f != math.Trunc(f) && !v.dateStyle {
		return "", fmt.Sprintf("want a date YYYY-MM-DD, got the number %s", n)
	}
	if f < 1 || f >= maxSerial+1 {
		return "", fmt.Sprintf("want a date YYYY-MM-DD, got the number %s, which is not a date", n)
	}
	t := excelDate(math.Floor(f), date1904)
	return t.Format(protocol.DateLayout), ""
}

// fieldLiteral is the JSON literal of a count cell ("" when empty) or the
// reason it cannot be read.
func fieldLiteral(v value) (string, string) {
	switch v.kind {
	case kEmpty:
		return "", ""
	case kText, kError, kISODate:
		t := strings.TrimSpace(v.text)
		if v.kind == kText {
			if n, ok := normNumber(t); ok {
				return n, ""
			}
		}
		return jsonString(t), ""
	case kNumber:
		if n, ok := normNumber(v.text); ok {
			return n, ""
		}
		return jsonString(strings.TrimSpace(v.text)), ""
	case kBool:
		if v.text == "TRUE" {
			return "true", ""
		}
		return "false", ""
	case kNoResult:
		return "", "a formula with no saved result (nothing is recalculated here): open the file in Excel or LibreOffice and save it, or paste the values"
	}
	return "", "unreadable cell"
}

// shown describes a cell's value in a message.
func shown(v value) string {
	switch v.kind {
	case kNumber:
		n, _ := normNumber(v.text)
		if n == "" {
			n = v.text
		}
		return "the number " + n
	case kBool:
		return "the boolean " + v.text
	case kError:
		return "the error value " + v.text
	case kNoResult:
		return "a formula with no saved result"
	case kISODate:
		return fmt.Sprintf("the date cell %q", v.text)
	}
	return strconv.Quote(strings.TrimSpace(v.text))
}

// columnLabel names column i: its letter for XLSX, its number for CSV.
func columnLabel(i int, letters bool) string {
	if letters {
		return columnName(i + 1)
	}
	return strconv.Itoa(i + 1)
}

// columnName is the spreadsheet letter of a 1-based column (1 to 16384,
// which every caller keeps to).
func columnName(n int) string {
	s, _ := excelize.ColumnNumberToName(n)
	return s
}

// isDecimal reports whether s is a decimal number as written in a cell:
// an optional sign, digits with at most one dot, an optional exponent; no
// hex, Inf, NaN, underscores or thousands separators.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == '.' && !dot {
			dot = true
		} else {
			break
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// plainInt reports whether s is already a canonical integer of at most 15
// digits (the common case, kept as is).
func plainInt(s string) bool {
	d := s
	if strings.HasPrefix(d, "-") {
		d = d[1:]
		if d == "0" {
			return false
		}
	}
	if len(d) == 0 || len(d) > 15 || (d[0] == '0' && len(d) > 1) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// normNumber returns the JSON literal of a number written as s, rounded to
// the 15 significant digits a spreadsheet shows: "12", "12.0", "1.2e1" and
// 12.000000000000002 are all 12, "12.5" is 12.5, "-3" is -3.
func normNumber(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if plainInt(s) {
		return s, true
	}
	if !isDecimal(s) {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil { // out of float range: left as text
		return "", false
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if f == 0 {
		return "0", true
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return strconv.FormatFloat(f, 'g', -1, 64), true
}

// jsonString is s as a JSON string, without HTML escaping.
func jsonString(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return `"` + s + `"`
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// csvLine joins fields as one CSV line (RFC 4180 quoting, no newline).
func csvLine(fields []string) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		if f != "" && (strings.ContainsAny(f, ",\"\r\n") || f[0] == ' ' || f[0] == '\t') {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(f, `"`, `""`))
			b.WriteByte('"')
			continue
		}
		b.WriteString(f)
	}
	return b.String()
}
