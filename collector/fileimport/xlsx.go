package fileimport

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the template.
const (
	DataSheet         = "Dữ liệu"
	InstructionsSheet = "Hướng dẫn"
)

// Excel's largest sheet.
const (
	excelMaxRows = 1 << 20
	excelMaxCols = 1 << 14
)

// book is an XLSX file being read straight from its zip package: the
// workbook part gives the sheets and the date system, the styles which
// cell styles show dates, and the cells are streamed from the worksheet XML
// (excelize's row iterator gives neither the cell type nor the style,
// which tell a number from text, a boolean from 1, a date from a count and
// a formula with no saved result from an empty cell). Only the shared
// strings and the styles' date flags are held in memory.
type book struct {
	files    map[string]*zip.File // by lower-case name
	main     string               // zip name of the workbook part
	date1904 bool
	sheets   []sheetInfo
	sst      []string
	dates    []bool // by cell style index: shows a date
}

type sheetInfo struct {
	name      string
	part      string // zip name of its XML
	hidden    bool
	worksheet bool // a worksheet (not a chart or dialog sheet)
}

// readXLSX reads an XLSX file.
func readXLSX(r io.ReaderAt, size int64) ([]Row, []Problem, error) {
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, oleMagic):
		return nil, nil, errors.New("this is not an XLSX file: it is an Excel workbook in the old .xls format, or a password-protected workbook; save it as Excel Workbook (.xlsx) without a password")
	case !bytes.HasPrefix(head, zipMagic) && !bytes.HasPrefix(head, emptyZip):
		if looksLikeText(r, size) {
			return nil, nil, errors.New("this is not an XLSX file: an XLSX file is a zip package and this one is text (a CSV file must be named .csv)")
		}
		return nil, nil, errors.New("this is not an XLSX file: an XLSX file is a zip package and this one is not")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, fmt.Errorf("the XLSX file is damaged: %v", err)
	}
	b := &book{files: map[string]*zip.File{}}
	if err := b.checkPackage(zr); err != nil {
		return nil, nil, err
	}
	if err := b.readWorkbook(); err != nil {
		return nil, nil, err
	}
	return b.read()
}

func expandsError() error {
	return fmt.Errorf("%w: the file expands to more than %s (%d bytes) when unzipped, the limit for an XLSX file: it is refused as a possible zip bomb; remove the extra content or split the file",
		ErrTooLarge, mib(MaxUnzippedBytes), int64(MaxUnzippedBytes))
}

// damaged turns zip's terse format error into words.
func damaged(err error) error {
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrAlgorithm) {
		return fmt.Errorf("its zip content does not match its index (%v)", err)
	}
	return err
}

func looksLikeText(r io.ReaderAt, size int64) bool {
	buf := make([]byte, min(size, 4096))
	n, _ := r.ReadAt(buf, 0)
	buf = buf[:n]
	for len(buf) > 0 && !utf8.Valid(buf) && len(buf) > n-4 {
		buf = buf[:len(buf)-1] // a rune cut at the end
	}
	return utf8.Valid(buf) && !bytes.ContainsRune(buf, 0)
}

// checkPackage refuses a zip bomb before anything is expanded (the
// declared sizes are what archive/zip lets a reader expand), and a zip that
// is not an Excel workbook.
func (b *book) checkPackage(zr *zip.Reader) error {
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxUnzippedBytes {
			return expandsError()
		}
		b.files[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))] = f
	}
	if mt, err := b.part("mimetype", 1024); err == nil && strings.Contains(string(mt), "opendocument") {
		return errors.New("this is an OpenDocument spreadsheet (.ods) named .xlsx: save it as Excel 2007-365 (.xlsx) or as CSV (UTF-8, .csv)")
	}
	var err error
	if b.main, err = b.officeDocument(); err != nil {
		return err
	}
	var types struct {
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	if data, err := b.part("[content_types].xml", 16<<20); err != nil {
		return fmt.Errorf("this is not an XLSX file: %v", err)
	} else if err := xml.Unmarshal(data, &types); err != nil {
		return fmt.Errorf("the XLSX file is damaged: [Content_Types].xml: %v", damaged(err))
	}
	for _, o := range types.Overrides {
		if !strings.EqualFold(strings.TrimPrefix(o.PartName, "/"), b.main) {
			continue
		}
		ct := strings.ToLower(o.ContentType)
		switch {
		case strings.Contains(ct, "macroenabled"):
			return errors.New("this is a macro-enabled or binary workbook (.xlsm or .xlsb) named .xlsx: save it as Excel Workbook (.xlsx)")
		case !strings.Contains(ct, "spreadsheetml"):
			return fmt.Errorf("this is not an Excel workbook but a zip file holding %s: save the data as Excel Workbook (.xlsx) or CSV UTF-8 (.csv)", o.ContentType)
		}
		return nil
	}
	return errors.New("this is not an Excel workbook: the zip file holds no workbook")
}

// officeDocument returns the zip name of the main part.
func (b *book) officeDocument() (string, error) {
	rels, err := b.rels("_rels/.rels")
	if err != nil {
		return "", errors.New("this is not an Excel workbook: the zip file holds no workbook")
	}
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			return resolve("", r.Target), nil
		}
	}
	return "", errors.New("this is not an Excel workbook: the zip file holds no workbook")
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func (b *book) rels(name string) ([]relationship, error) {
	data, err := b.part(name, 16<<20)
	if err != nil {
		return nil, err
	}
	var rels struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := xml.Unmarshal(data, &rels); err != nil {
		return nil, fmt.Errorf("the XLSX file is damaged: %s: %v", name, damaged(err))
	}
	return rels.Rels, nil
}

// resolve is the zip name (lower case) of a relationship target.
func resolve(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.ToLower(strings.TrimPrefix(path.Clean(target), "/"))
	}
	return strings.ToLower(strings.TrimPrefix(path.Clean(path.Join(dir, target)), "/"))
}

// part reads a small part of the package.
func (b *book) part(name string, limit int64) ([]byte, error) {
	f, ok := b.files[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("%s is missing", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("the XLSX file is damaged: %s: %v", name, damaged(err))
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit))
	if err != nil {
		return nil, fmt.Errorf("the XLSX file is damaged: %s: %v", name, damaged(err))
	}
	return data, nil
}

// readWorkbook lists the sheets in tab order and reads the date system,
// the shared strings and the styles.
func (b *book) readWorkbook() error {
	main := b.main
	data, err := b.part(main, 16<<20)
	if err != nil {
		return fmt.Errorf("the XLSX file is damaged: %v", err)
	}
	var wb struct {
		Props struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			State string     `xml:"state,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(data, &wb); err != nil {
		return fmt.Errorf("the XLSX file is damaged: %s: %v", main, damaged(err))
	}
	b.date1904, _ = strconv.ParseBool(strings.TrimSpace(wb.Props.Date1904))
	dir := path.Dir(main)
	rels, err := b.rels(path.Join(dir, "_rels", path.Base(main)+".rels"))
	if err != nil {
		return fmt.Errorf("the XLSX file is damaged: %v", err)
	}
	byID := map[string]relationship{}
	for _, r := range rels {
		byID[r.ID] = r
		switch {
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			if b.sst, err = b.readSST(resolve(dir, r.Target)); err != nil {
				return err
			}
		case strings.HasSuffix(r.Type, "/styles"):
			if b.dates, err = b.readStyles(resolve(dir, r.Target)); err != nil {
				return err
			}
		}
	}
	for _, s := range wb.Sheets {
		var id string
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				id = a.Value
			}
		}
		r, ok := byID[id]
		if !ok {
			return fmt.Errorf("the XLSX file is damaged: the sheet %q has no part", s.Name)
		}
		b.sheets = append(b.sheets, sheetInfo{
			name:      s.Name,
			part:      resolve(dir, r.Target),
			hidden:    s.State == "hidden" || s.State == "veryHidden",
			worksheet: strings.HasSuffix(r.Type, "/worksheet"),
		})
	}
	if len(b.sheets) == 0 {
		return errors.New("the workbook has no sheet")
	}
	return nil
}

// readSST reads the shared strings (rich text runs joined, phonetic runs
// left out).
func (b *book) readSST(name string) ([]string, error) {
	f, ok := b.files[name]
	if !ok {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("the XLSX file is damaged: %s: %v", name, damaged(err))
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	var out []string
	var cur []byte
	inSI, inT, rph := false, false, 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("the XLSX file is damaged: %s: %v", name, damaged(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI, cur = true, cur[:0]
			case "t":
				inT = inSI && rph == 0
			case "rPh":
				rph++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				out = append(out, unescapeOOXML(string(cur)))
				inSI = false
			case "t":
				inT = false
			case "rPh":
				rph--
			}
		case xml.CharData:
			if inT {
				cur = append(cur, t...)
			}
		}
	}
}

// readStyles reads which cell styles (cellXfs) show numbers as dates: a
// built-in date format, or a custom one with a day or year.
func (b *book) readStyles(name string) ([]bool, error) {
	f, ok := b.files[name]
	if !ok {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("the XLSX file is damaged: %s: %v", name, damaged(err))
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	codes := map[int]string{} // custom number formats by id
	var xfs []int             // cellXfs' number format ids
	var inFmts, inXfs bool
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the XLSX file is damaged: %s: %v", name, damaged(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmts":
				inFmts = true
			case "cellXfs":
				inXfs = true
			case "numFmt":
				if inFmts {
					id, _ := strconv.Atoi(attr(t, "numFmtId"))
					codes[id] = attr(t, "formatCode")
				}
			case "xf":
				if inXfs {
					id, _ := strconv.Atoi(attr(t, "numFmtId"))
					xfs = append(xfs, id)
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "numFmts":
				inFmts = false
			case "cellXfs":
				inXfs = false
			}
		}
	}
	dates := make([]bool, len(xfs))
	for i, id := range xfs {
		if code, ok := codes[id]; ok {
			dates[i] = isDateFormat(code)
		} else {
			dates[i] = id >= 14 && id <= 17 || id == 22 || id >= 27 && id <= 36 || id >= 50 && id <= 58
		}
	}
	return dates, nil
}

// unescapeOOXML decodes the _xHHHH_ escapes of OOXML strings.
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// xcell is one <c> element of a worksheet.
type xcell struct {
	col  int // 1-based
	t    string
	s    int
	v    []byte
	is   []byte
	hasV bool
	hasF bool
}

// scan streams a worksheet's rows to fn (row number, its cells in column
// order); fn returns false to stop. The cells are reused between calls.
func (b *book) scan(sh sheetInfo, fn func(row int, cells []xcell) (bool, error)) error {
	f, ok := b.files[sh.part]
	if !ok {
		return fmt.Errorf("the XLSX file is damaged: the sheet %q has no part %s", sh.name, sh.part)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("the XLSX file is damaged: sheet %q: %v", sh.name, damaged(err))
	}
	defer rc.Close()
	bad := func(format string, args ...any) error {
		return fmt.Errorf("the XLSX file is damaged: sheet %q: %s", sh.name, fmt.Sprintf(format, args...))
	}
	d := xml.NewDecoder(rc)
	var cells []xcell
	var cur *xcell
	inData, inRow, inIS := false, false, false
	row, col, rph := 0, 0, 0
	const (
		none = iota
		capV
		capIS
	)
	capture := none
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return bad("%v", damaged(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "sheetData":
				inData = true
			case "row":
				if !inData {
					continue
				}
				row++
				if r := attr(t, "r"); r != "" {
					n, err := strconv.Atoi(r)
					if err != nil || n < row || n > excelMaxRows {
						return bad("row number %q after row %d", r, row-1)
					}
					row = n
				}
				if row > excelMaxRows {
					return bad("more than %d rows", excelMaxRows)
				}
				inRow, col, cells = true, 0, cells[:0]
			case "c":
				if !inRow {
					continue
				}
				col++
				if r := attr(t, "r"); r != "" {
					c, rr, err := excelize.CellNameToCoordinates(r)
					if err != nil || rr != row || c > excelMaxCols {
						return bad("cell reference %q in row %d", r, row)
					}
					col = c
				}
				if col > excelMaxCols {
					return bad("more than %d columns in row %d", excelMaxCols, row)
				}
				if len(cells) < cap(cells) {
					cells = cells[:len(cells)+1] // reuse the buffers
				} else {
					cells = append(cells, xcell{})
				}
				cur = &cells[len(cells)-1]
				*cur = xcell{col: col, t: attr(t, "t"), v: cur.v[:0], is: cur.is[:0]}
				if s := attr(t, "s"); s != "" {
					cur.s, _ = strconv.Atoi(s)
				}
			case "v":
				if cur != nil {
					cur.hasV, capture = true, capV
				}
			case "f":
				if cur != nil {
					cur.hasF = true
				}
			case "is":
				inIS = cur != nil
			case "t":
				if inIS && rph == 0 {
					capture = capIS
				}
			case "rPh":
				rph++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v", "t":
				capture = none
			case "rPh":
				rph--
			case "is":
				inIS = false
			case "c":
				cur = nil
			case "row":
				if inRow {
					inRow = false
					if ok, err := fn(row, cells); err != nil || !ok {
						return err
					}
				}
			case "sheetData":
				return nil
			}
		case xml.CharData:
			switch capture {
			case capV:
				cur.v = append(cur.v, t...)
			case capIS:
				cur.is = append(cur.is, t...)
			}
		}
	}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// value is a cell as read: its type from t, its text from the shared
// strings, the inline string or the saved value.
func (b *book) value(c *xcell) (value, error) {
	v := value{formula: c.hasF}
	text := func(s string) value {
		v.text = s
		if strings.TrimSpace(s) != "" {
			v.kind = kText
		}
		return v
	}
	if c.hasF && !c.hasV && c.t != "inlineStr" {
		v.kind = kNoResult
		return v, nil
	}
	switch c.t {
	case "s":
		if strings.TrimSpace(string(c.v)) == "" {
			return v, nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(string(c.v)))
		if err != nil || i < 0 || i >= len(b.sst) {
			return v, fmt.Errorf("shared string %q does not exist", c.v)
		}
		return text(b.sst[i]), nil
	case "inlineStr":
		return text(unescapeOOXML(string(c.is))), nil
	case "str":
		return text(unescapeOOXML(string(c.v))), nil
	case "b":
		v.kind, v.text = kBool, "FALSE"
		if strings.TrimSpace(string(c.v)) == "1" || strings.EqualFold(strings.TrimSpace(string(c.v)), "true") {
			v.text = "TRUE"
		}
		return v, nil
	case "e":
		v.kind, v.text = kError, strings.TrimSpace(string(c.v))
		return v, nil
	case "d":
		v.kind, v.text = kISODate, strings.TrimSpace(string(c.v))
		if v.text == "" {
			v.kind = kEmpty
		}
		return v, nil
	}
	v.text = strings.TrimSpace(string(c.v))
	switch {
	case v.text != "":
		v.kind = kNumber
		v.dateStyle = b.dateStyle(c.s)
	case c.hasF:
		v.kind = kNoResult
	}
	return v, nil
}

// dateStyle reports whether style s shows numbers as dates.
func (b *book) dateStyle(s int) bool {
	return s > 0 && s < len(b.dates) && b.dates[s]
}

// isDateFormat reports whether a number format code shows a date: it has a
// day or year outside quotes, escapes and brackets.
func isDateFormat(code string) bool {
	quoted, bracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case quoted:
			quoted = c != '"'
		case bracket:
			bracket = c != ']'
		case c == '"':
			quoted = true
		case c == '[':
			bracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == ';':
			return false // the first section decides
		case c == 'd' || c == 'D' || c == 'y' || c == 'Y':
			return true
		}
	}
	return false
}

// excelDate converts a date serial.
func excelDate(serial float64, date1904 bool) time.Time {
	t, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return time.Time{}
	}
	return t
}

// read picks the data sheet, refuses data in any other sheet, and reads
// the rows.
func (b *book) read() ([]Row, []Problem, error) {
	starts := make([]sheetStart, len(b.sheets))
	data := -1
	for i, sh := range b.sheets {
		if !sh.worksheet {
			continue
		}
		f, err := b.start(sh)
		if err != nil {
			return nil, nil, err
		}
		starts[i] = f
		if data < 0 && hasUnitHeader(f.cells) {
			data = i
		}
	}
	if data < 0 {
		for i, sh := range b.sheets {
			if f := fold(sh.name); sh.worksheet && (f == fold(DataSheet) || f == "data") {
				data = i
				break
			}
		}
	}
	if data < 0 {
		var names []string
		for _, sh := range b.sheets {
			names = append(names, strconv.Quote(sh.name))
		}
		return nil, nil, fmt.Errorf("no sheet has the header row (%s, …) as its first row, and no sheet is named %q or \"Data\" (the sheets are %s)",
			strings.Join(Columns()[:4], ", "), DataSheet, strings.Join(names, ", "))
	}
	ds := b.sheets[data]
	for i, sh := range b.sheets {
		if i == data || !sh.worksheet || fold(sh.name) == fold(InstructionsSheet) {
			continue
		}
		if ref := starts[i].ref; ref != "" {
			hidden := ""
			if sh.hidden {
				hidden = "hidden "
			}
			return nil, nil, fmt.Errorf("the %ssheet %q has data (cell %s), but only the sheet %q is read: move its rows into %q, or delete the sheet",
				hidden, sh.name, ref, ds.name, ds.name)
		}
	}
	f := starts[data]
	if f.row == 0 {
		return nil, nil, fmt.Errorf("sheet %q is empty: its first row must be the header %s", ds.name, strings.Join(Columns(), ", "))
	}
	h, err := parseHeader(f.cells, func(i int) string {
		return fmt.Sprintf("column %s (%s%d)", columnName(i+1), columnName(i+1), f.row)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("sheet %q: %w", ds.name, err)
	}
	bl := &builder{sheet: ds.name, hdr: h, date1904: b.date1904}
	dateCol := -1
	for i, c := range h.cols {
		if c.kind == colDate {
			dateCol = i
		}
	}
	var vals []value
	err = b.scan(ds, func(row int, cells []xcell) (bool, error) {
		if row <= f.row {
			return true, nil
		}
		vals = vals[:0]
		for k := range cells {
			c := &cells[k]
			v, err := b.value(c)
			if err != nil {
				return false, fmt.Errorf("the XLSX file is damaged: sheet %q, cell %s%d: %v", ds.name, columnName(c.col), row, err)
			}
			for len(vals) < c.col {
				vals = append(vals, value{})
			}
			vals[c.col-1] = v
		}
		ref := func(i int) string { return columnName(i+1) + strconv.Itoa(row) }
		raw := func() string {
			last := len(vals)
			for last > 0 && vals[last-1].kind == kEmpty {
				last--
			}
			out := make([]string, last)
			for i, v := range vals[:last] {
				switch {
				case v.kind == kNumber && i == dateCol:
					out[i], _ = serialDate(v, b.date1904)
				case v.kind == kNumber:
					if out[i], _ = normNumber(v.text); out[i] == "" {
						out[i] = v.text
					}
				default:
					out[i] = v.text
				}
			}
			return csvLine(out)
		}
		return true, bl.add(row, vals, ref, raw)
	})
	if err != nil {
		return nil, nil, err
	}
	return bl.rows, bl.problems, nil
}

// sheetStart is the start of a worksheet: its first non-empty row (number and
// cell texts; row 0 when the sheet is empty), and the reference of its
// first cell with a value or a formula ("" when none).
type sheetStart struct {
	row   int
	cells []string
	ref   string
}

// start reads a worksheet up to its first non-empty row.
func (b *book) start(sh sheetInfo) (sheetStart, error) {
	var f sheetStart
	err := b.scan(sh, func(row int, cells []xcell) (bool, error) {
		for k := range cells {
			c := &cells[k]
			v, err := b.value(c)
			if err != nil {
				return false, fmt.Errorf("the XLSX file is damaged: sheet %q, cell %s%d: %v", sh.name, columnName(c.col), row, err)
			}
			if f.ref == "" && (v.kind != kEmpty || v.formula) {
				f.ref = columnName(c.col) + strconv.Itoa(row)
			}
			if v.kind == kEmpty {
				continue
			}
			for len(f.cells) < c.col {
				f.cells = append(f.cells, "")
			}
			f.cells[c.col-1] = v.text
			if v.kind == kNumber {
				if n, ok := normNumber(v.text); ok {
					f.cells[c.col-1] = n
				}
			}
			f.row = row
		}
		return f.row == 0, nil
	})
	return f, err
}

// vietnamese maps the precomposed Vietnamese letters to their base letter.
var vietnamese = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd'}
	for base, letters := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
	} {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// fold is a sheet name for comparison: lower case, without Vietnamese
// diacritics (composed or not), spaces collapsed.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 0x300 && r <= 0x36F {
			continue
		}
		if base, ok := vietnamese[r]; ok {
			r = base
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
