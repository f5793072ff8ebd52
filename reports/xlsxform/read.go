package xlsxform

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

// Expect is what an upload must be: the template of this unit, quarter and
// form version (Def, required: the version the report follows). Collected
// are the unit's collected figures, attached to the answers (a value that
// differs from its figure is a correction).
type Expect struct {
	Def       *form.Definition
	UnitID    string
	Quarter   workflow.Quarter
	Collected map[string]float64
}

// CellProblem is one problem of an uploaded file, in one cell.
type CellProblem struct {
	Sheet string
	// Cell is the cell's reference, e.g. "F12"; empty when the problem's
	// indicator has no row in the file.
	Cell      string
	Indicator string // the indicator's id, when the problem is about one
	Code      string // the form's number, e.g. "4.6"
	ReasonVI  string
	ReasonEN  string
}

// Error reads as "Báo cáo!F12 (4.6 dossiers_total): reason" in English.
func (p CellProblem) Error() string {
	where := p.Sheet + "!" + p.Cell
	if p.Indicator != "" {
		where += fmt.Sprintf(" (%s %s)", p.Code, p.Indicator)
	}
	return where + ": " + p.ReasonEN
}

// Reason is the reason in lang ("vi" or "en").
func (p CellProblem) Reason(lang string) string {
	if lang == "en" {
		return p.ReasonEN
	}
	return p.ReasonVI
}

// Upload is what a file holds: the valid part, and every problem.
type Upload struct {
	// Answers are the valid answers (through Definition.Clean), with the
	// collected figures attached: what a reporter may save as a draft.
	Answers form.Answers
	// Problems are every problem: the cells that cannot be taken (their
	// indicator is left out of Answers), then the cross-field rules the
	// answers break (placed on the first part's value cell).
	Problems []CellProblem
	// Raw are the cells read, as typed (numbers as numbers): what a save
	// takes (workflow.Edit.Raw), checked again there.
	Raw map[string]form.Raw
	// Refused are the indicators whose cells could not be taken: a save of
	// the valid part keeps their saved answers (workflow.Edit.Keep).
	Refused []string
	// rows are the indicators' rows in the file.
	rows map[string]int
}

// Place puts problems found later (Definition.Validate on submission, for
// one) on the value cells of this file.
func (u Upload) Place(probs []form.Problem) []CellProblem {
	out := make([]CellProblem, 0, len(probs))
	for _, p := range probs {
		cp := CellProblem{Sheet: ReportSheet, Indicator: p.Indicator, Code: p.Code, ReasonVI: p.ReasonVI, ReasonEN: p.ReasonEN}
		if row, ok := u.rows[p.Indicator]; ok {
			cp.Cell = ref(colValue, row)
		}
		out = append(out, cp)
	}
	return out
}

// Read reads an uploaded template of size bytes. A file that is not the
// template of want's unit, quarter and form version, or that breaks a
// limit, is refused whole with a *FileError; otherwise every cell that
// cannot be taken is a problem of the Upload, and the rest is its valid
// part. Formulas are never evaluated: a formula in a value or explanation
// cell is a problem of that cell. Text cells are taken as typed (text that
// starts with "=" stays text), numbers typed as text go through
// Indicator.Canonical, numeric cells are numbers.
func Read(r io.ReaderAt, size int64, want Expect) (Upload, error) {
	if want.Def == nil {
		return Upload{}, errors.New("xlsxform: Read needs the report's definition (Expect.Def)")
	}
	if err := checkPackage(r, size); err != nil {
		return Upload{}, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{UnzipSizeLimit: MaxUnzippedBytes, UnzipXMLSizeLimit: MaxUnzippedBytes})
	if err != nil {
		return Upload{}, damaged(err)
	}
	defer f.Close()
	if err := checkSheets(f); err != nil {
		return Upload{}, err
	}
	rd := &reader{f: f, want: want, def: want.Def, rows: map[string]int{}, raw: map[string]form.Raw{}}
	if err := rd.scan(); err != nil {
		return Upload{}, err
	}
	return rd.upload(), nil
}

// checkSheets refuses a workbook without the report sheet, or with a sheet
// the template does not have.
func checkSheets(f *excelize.File) error {
	sheets := f.GetSheetList()
	found := false
	for _, s := range sheets {
		found = found || s == ReportSheet
	}
	if !found {
		return refuse(NoReportSheet,
			fmt.Sprintf("không có trang tính «%s» (các trang: %s): hãy dùng mẫu báo cáo, không đổi tên trang", ReportSheet, quoteAll(sheets)),
			fmt.Sprintf("there is no sheet %q (the sheets are %s): use the report template without renaming its sheets", ReportSheet, quoteAll(sheets)))
	}
	for _, s := range sheets {
		if s != ReportSheet && s != InstructionsSheet {
			e := refuse(ExtraSheet,
				fmt.Sprintf("mẫu báo cáo không có trang tính «%s»: hãy xoá trang này (chỉ trang «%s» được đọc)", s, ReportSheet),
				fmt.Sprintf("the template has no sheet %q: delete it (only the sheet %q is read)", s, ReportSheet))
			e.Sheet = s
			return e
		}
	}
	return nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// reader reads the report sheet of one upload.
type reader struct {
	f        *excelize.File
	want     Expect
	def      *form.Definition
	rows     map[string]int      // indicator id → row
	raw      map[string]form.Raw // what the valid cells hold
	identity map[string]int      // identity key → row
	probs    []CellProblem
}

func (rd *reader) problem(cell, id, vi, en string) {
	p := CellProblem{Sheet: ReportSheet, Cell: cell, Indicator: id, ReasonVI: vi, ReasonEN: en}
	if ind, ok := rd.def.Indicator(id); ok {
		p.Code = ind.Code
	}
	rd.probs = append(rd.probs, p)
}

// scan reads every row by its key: identity rows are checked, indicator
// rows read.
func (rd *reader) scan() error {
	rows, err := rd.f.GetRows(ReportSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return damaged(err)
	}
	keyCol, _ := excelize.ColumnNameToNumber(colKey)
	rd.identity = map[string]int{}
	for i, cells := range rows {
		row := i + 1
		if len(cells) < keyCol {
			continue
		}
		key := strings.TrimSpace(cells[keyCol-1])
		switch {
		case key == "":
		case strings.HasPrefix(key, "#"):
			if _, dup := rd.identity[key]; !dup {
				rd.identity[key] = row
			}
		default:
			rd.indicatorRow(row, key)
		}
	}
	return rd.checkIdentity()
}

// checkIdentity refuses the template of another unit, quarter or form
// version, or one whose identity rows are gone.
func (rd *reader) checkIdentity() error {
	for _, c := range []struct {
		key, want, whatVI, whatEN string
	}{
		{keyUnit, rd.want.UnitID, "đơn vị", "unit"},
		{keyQuarter, rd.want.Quarter.String(), "quý", "quarter"},
		{keyForm, rd.def.Version, "phiên bản mẫu", "form version"},
	} {
		row, ok := rd.identity[c.key]
		if !ok {
			return refuse(WrongIdentity,
				fmt.Sprintf("dòng ghi %s của mẫu không còn (cột ẩn %s): hãy tải lại mẫu báo cáo", c.whatVI, colKey),
				fmt.Sprintf("the template's %s row is gone (hidden column %s): download the report template again", c.whatEN, colKey))
		}
		cell := ref(colIdentity, row)
		fail := func(vi, en string) error {
			e := refuse(WrongIdentity, vi, en)
			e.Sheet, e.Cell = ReportSheet, cell
			return e
		}
		if formula, _ := rd.f.GetCellFormula(ReportSheet, cell); formula != "" {
			return fail(fmt.Sprintf("ô ghi %s có công thức: hãy tải lại mẫu báo cáo", c.whatVI),
				fmt.Sprintf("the %s cell holds a formula: download the report template again", c.whatEN))
		}
		got, err := rd.f.GetCellValue(ReportSheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			return damaged(err)
		}
		got = strings.TrimSpace(got)
		if c.key == keyQuarter {
			if q, err := workflow.ParseQuarter(got); err == nil {
				got = q.String()
			}
		}
		if got != c.want {
			return fail(fmt.Sprintf("mẫu này của %s %q, không phải %q của báo cáo này: hãy tải mẫu của đúng đơn vị và quý", c.whatVI, got, c.want),
				fmt.Sprintf("this template is for %s %q, not %q of this report: download the template of the right unit and quarter", c.whatEN, got, c.want))
		}
	}
	return nil
}

// indicatorRow reads one indicator's value and explanation cells.
func (rd *reader) indicatorRow(row int, id string) {
	keyCell := ref(colKey, row)
	ind, ok := rd.def.Indicator(id)
	if !ok {
		rd.problem(keyCell, "",
			fmt.Sprintf("mã chỉ tiêu %q (cột ẩn %s) không có trong mẫu báo cáo %s: không thêm dòng, không sửa cột ẩn", id, colKey, rd.def.Version),
			fmt.Sprintf("indicator id %q (hidden column %s) is not in report version %s: do not add rows or change the hidden column", id, colKey, rd.def.Version))
		return
	}
	if first, dup := rd.rows[id]; dup {
		rd.problem(keyCell, id,
			fmt.Sprintf("chỉ tiêu đã có ở dòng %d: dòng này không được đọc", first),
			fmt.Sprintf("the indicator is already on row %d: this row is not read", first))
		return
	}
	rd.rows[id] = row
	value, okV := rd.valueCell(ref(colValue, row), ind)
	expl, okE := rd.textCell(ref(colExplanation, row), id)
	if !okV || !okE {
		return
	}
	value.Explanation = expl
	if value.Number == nil && strings.TrimSpace(value.Value) == "" && strings.TrimSpace(expl) == "" {
		return
	}
	rd.raw[id] = value
}

// cell is one cell as stored: its formula (never evaluated), type and raw
// value.
func (rd *reader) cell(ref string) (formula string, typ excelize.CellType, v string, err error) {
	if formula, err = rd.f.GetCellFormula(ReportSheet, ref); err != nil || formula != "" {
		return formula, 0, "", err
	}
	if typ, err = rd.f.GetCellType(ReportSheet, ref); err != nil {
		return "", 0, "", err
	}
	v, err = rd.f.GetCellValue(ReportSheet, ref, excelize.Options{RawCellValue: true})
	return "", typ, v, err
}

// formulaProblem is the problem of a cell holding a formula.
func (rd *reader) formulaProblem(cell, id string) {
	rd.problem(cell, id, "công thức không được chấp nhận: nhập giá trị", "formulas are not accepted: type the value")
}

// valueCell reads a value cell: numbers as numbers, text through
// Canonical. ok is false when the cell has a problem.
func (rd *reader) valueCell(cell string, ind form.Indicator) (form.Raw, bool) {
	formula, typ, v, err := rd.cell(cell)
	switch {
	case err != nil:
		rd.problem(cell, ind.ID, fmt.Sprintf("không đọc được ô: %v", err), fmt.Sprintf("the cell cannot be read: %v", err))
		return form.Raw{}, false
	case formula != "":
		rd.formulaProblem(cell, ind.ID)
		return form.Raw{}, false
	case typ == excelize.CellTypeError:
		rd.problem(cell, ind.ID, fmt.Sprintf("ô chứa giá trị lỗi %s: nhập giá trị", v), fmt.Sprintf("the cell holds the error value %s: type the value", v))
		return form.Raw{}, false
	case typ == excelize.CellTypeBool:
		v = map[string]string{"1": "true", "0": "false"}[strings.TrimSpace(v)]
	case (typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber) && strings.TrimSpace(v) != "":
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			rd.problem(cell, ind.ID, fmt.Sprintf("ô số có giá trị %q không đọc được", v), fmt.Sprintf("the numeric cell holds %q, which cannot be read", v))
			return form.Raw{}, false
		}
		if _, p := ind.CanonicalNumber(n); p != nil {
			rd.problem(cell, ind.ID, p.ReasonVI, p.ReasonEN)
			return form.Raw{}, false
		}
		return form.Raw{Number: &n}, true
	}
	if _, p := ind.Canonical(v); p != nil {
		rd.problem(cell, ind.ID, p.ReasonVI, p.ReasonEN)
		return form.Raw{}, false
	}
	return form.Raw{Value: v}, true
}

// textCell reads an explanation cell as text.
func (rd *reader) textCell(cell, id string) (string, bool) {
	formula, typ, v, err := rd.cell(cell)
	switch {
	case err != nil:
		rd.problem(cell, id, fmt.Sprintf("không đọc được ô: %v", err), fmt.Sprintf("the cell cannot be read: %v", err))
		return "", false
	case formula != "":
		rd.formulaProblem(cell, id)
		return "", false
	case typ == excelize.CellTypeError:
		rd.problem(cell, id, fmt.Sprintf("ô chứa giá trị lỗi %s: nhập nội dung", v), fmt.Sprintf("the cell holds the error value %s: type the text", v))
		return "", false
	}
	return v, true
}

// upload cleans what was read and checks the rules.
func (rd *reader) upload() Upload {
	answers, probs := rd.def.Clean(rd.raw, rd.want.Collected)
	for _, p := range probs {
		// Values were checked cell by cell: what Clean still finds is
		// about the explanation.
		cell := ""
		if row, ok := rd.rows[p.Indicator]; ok {
			cell = ref(colExplanation, row)
		}
		rd.problem(cell, p.Indicator, p.ReasonVI, p.ReasonEN)
	}
	u := Upload{Answers: answers, Raw: rd.raw, rows: rd.rows}
	seen := map[string]bool{}
	for _, p := range rd.probs {
		if p.Indicator != "" && !seen[p.Indicator] {
			seen[p.Indicator] = true
			u.Refused = append(u.Refused, p.Indicator)
		}
	}
	u.Problems = append(rd.probs, u.Place(rd.def.CheckRules(answers))...)
	return u
}
