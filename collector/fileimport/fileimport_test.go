package fileimport

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"egovkpi/collector/record"
)

// The example rows' records, exactly.
const (
	exampleFull    = `{"date":"2025-08-01","procedure":"1.000001","received":12,"received_in_person":5,"received_online":6,"received_post":1,"full_process_online":4,"processed":10,"processed_on_time":9,"processed_late":1,"in_progress_on_time":7,"in_progress_overdue":0,"financial_obligation":3,"paid_online":2,"digitized":8,"e_result":6,"reused_data":2,"synced_npsp":12,"complaints_received":1,"complaints_on_time":1,"complaints_pending_on_time":0,"votes_satisfied":3,"votes_dissatisfied":0}`
	examplePartial = `{"date":"2025-08-01","procedure":"1.000002","received":3,"received_online":2,"processed":1,"processed_on_time":1}`
)

func readBytes(t *testing.T, name string, data []byte) ([]Row, []Problem, error) {
	t.Helper()
	return Read(name, bytes.NewReader(data), int64(len(data)))
}

func mustRead(t *testing.T, name string, data []byte) ([]Row, []Problem) {
	t.Helper()
	rows, probs, err := readBytes(t, name, data)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return rows, probs
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q, got none", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func template(t *testing.T, format, unit string, example bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, format, unit, example); err != nil {
		t.Fatalf("WriteTemplate(%s): %v", format, err)
	}
	return buf.Bytes()
}

// checkExamples checks the example rows read back: exact records, the unit
// with its zero, dates as dates, and records that DecodeUsage accepts.
func checkExamples(t *testing.T, rows []Row, probs []Problem, sheet, unit string) {
	t.Helper()
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2: %+v", len(rows), rows)
	}
	for i, want := range []string{exampleFull, examplePartial} {
		r := rows[i]
		if string(r.Record) != want {
			t.Errorf("row %d record\n got %s\nwant %s", i, r.Record, want)
		}
		if r.Unit != unit || r.Date != "2025-08-01" || r.Sheet != sheet || r.Line != i+2 {
			t.Errorf("row %d: %+v", i, r)
		}
		if !strings.HasPrefix(r.Raw, unit+",2025-08-01,1.00000") {
			t.Errorf("row %d raw %q", i, r.Raw)
		}
		u, err := record.DecodeUsage(r.Record)
		if err != nil {
			t.Errorf("row %d: DecodeUsage: %v", i, err)
		}
		if u.Day != time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC) {
			t.Errorf("row %d: day %v", i, u.Day)
		}
	}
}

func TestTemplateCSVRoundTrip(t *testing.T) {
	data := template(t, "csv", "", true)
	if !strings.HasPrefix(string(data), strings.Join(Columns(), ",")+"\r\n") {
		t.Fatalf("header line: %q", strings.SplitN(string(data), "\n", 2)[0])
	}
	rows, probs := mustRead(t, "template.csv", data)
	checkExamples(t, rows, probs, "", "08")
	if rows[1].Raw != "08,2025-08-01,1.000002,3,,2,,,1,1,,,,,,,,,,,,,," {
		t.Errorf("raw %q", rows[1].Raw)
	}
	rows, probs = mustRead(t, "TEMPLATE.CSV", template(t, "csv", "MOF", true))
	checkExamples(t, rows, probs, "", "MOF")
	rows, probs = mustRead(t, "blank.csv", template(t, "csv", "", false))
	if len(rows)+len(probs) != 0 {
		t.Errorf("blank template: %v %v", rows, probs)
	}
}

func TestTemplateXLSXRoundTrip(t *testing.T) {
	data := template(t, "xlsx", "", true)
	rows, probs := mustRead(t, "template.xlsx", data)
	checkExamples(t, rows, probs, DataSheet, "08")
	rows, probs = mustRead(t, "blank.XLSX", template(t, "xlsx", "79", false))
	if len(rows)+len(probs) != 0 {
		t.Errorf("blank template: %v %v", rows, probs)
	}

	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != DataSheet || got[1] != InstructionsSheet {
		t.Errorf("sheets %q", got)
	}
	header, err := f.GetRows(DataSheet)
	if err != nil || strings.Join(header[0], ",") != strings.Join(Columns(), ",") {
		t.Errorf("header %q, %v", header, err)
	}
	if p, err := f.GetPanes(DataSheet); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("panes %+v, %v", p, err)
	}
	style := func(idx int, err error) *excelize.Style {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(idx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := style(f.GetCellStyle(DataSheet, "D1")); s.Font == nil || !s.Font.Bold {
		t.Errorf("header not bold: %+v", s.Font)
	}
	for _, col := range []string{"A", "B", "C"} {
		if s := style(f.GetColStyle(DataSheet, col)); s.NumFmt != 49 {
			t.Errorf("column %s number format %d, want 49 (text)", col, s.NumFmt)
		}
	}
	if s := style(f.GetCellStyle(DataSheet, "A2")); s.NumFmt != 49 {
		t.Errorf("A2 number format %d, want 49 (text)", s.NumFmt)
	}
	dvs, err := f.GetDataValidations(DataSheet)
	if err != nil || len(dvs) != 1 || dvs[0].Type != "whole" || dvs[0].Sqref != "D2:X1048576" || dvs[0].Formula1 != "0" {
		t.Errorf("validations %+v, %v", dvs, err)
	}
	filter := false
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm._FilterDatabase" && strings.HasSuffix(n.RefersTo, "!$A$1:$X$1") {
			filter = true
		}
	}
	if !filter {
		t.Errorf("no autofilter on A1:X1: %+v", f.GetDefinedName())
	}
	comments, err := f.GetComments(DataSheet)
	if err != nil || len(comments) != len(Columns()) {
		t.Errorf("%d header comments, want %d (%v)", len(comments), len(Columns()), err)
	}
	guide, err := f.GetRows(InstructionsSheet)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprint(guide)
	for _, c := range Columns() {
		vi, en := ExplainField(c)
		found := false
		for _, r := range guide {
			if len(r) == 4 && r[0] == c && r[2] == vi && r[3] == en {
				found = true
				if want := map[bool]string{true: "Có / Yes", false: "Không / No"}[Required(c)]; r[1] != want {
					t.Errorf("column %s required %q, want %q", c, r[1], want)
				}
			}
		}
		if !found {
			t.Errorf("the instructions do not list column %s with both descriptions", c)
		}
	}
	for _, rule := range rules {
		if !strings.Contains(text, rule[0]) || !strings.Contains(text, rule[1]) {
			t.Errorf("the instructions lack the rule %q", rule[1])
		}
	}
}

// TestTemplateOpenpyxl opens the XLSX template with a real reader.
func TestTemplateOpenpyxl(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("skipped: /usr/bin/python3 with openpyxl is not available here (%v); CI installs python3-openpyxl", err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "template.xlsx")
	if err := os.WriteFile(file, template(t, "xlsx", "08", true), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Dữ liệu"]
out = {
  "sheets": wb.sheetnames,
  "header": [c.value for c in ws[1]],
  "bold": all(c.font.b for c in ws[1]),
  "freeze": ws.freeze_panes,
  "filter": ws.auto_filter.ref,
  "validations": [[dv.type, dv.operator, str(dv.sqref), dv.formula1] for dv in ws.data_validations.dataValidation],
  "a2": [ws["A2"].value, type(ws["A2"].value).__name__, ws["A2"].number_format],
  "b2": [ws["B2"].value, type(ws["B2"].value).__name__],
  "d2": ws["D2"].value,
  "e3": ws["E3"].value,
  "comment": ws["A1"].comment.text if ws["A1"].comment else None,
  "guide": [[c.value for c in r] for r in wb["Hướng dẫn"].iter_rows()],
}
print(json.dumps(out))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, file).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	var got struct {
		Sheets      []string
		Header      []string
		Bold        bool
		Freeze      string
		Filter      string
		Validations [][]string
		A2, B2      []string
		D2          int
		E3          *int
		Comment     string
		Guide       [][]any
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if strings.Join(got.Sheets, "|") != DataSheet+"|"+InstructionsSheet {
		t.Errorf("sheets %q", got.Sheets)
	}
	if strings.Join(got.Header, ",") != strings.Join(Columns(), ",") || !got.Bold {
		t.Errorf("header %q bold %v", got.Header, got.Bold)
	}
	if got.Freeze != "A2" || strings.ReplaceAll(got.Filter, "$", "") != "A1:X1" { // excelize writes $A$1:$X$1
		t.Errorf("freeze %q filter %q", got.Freeze, got.Filter)
	}
	if len(got.Validations) != 1 || got.Validations[0][0] != "whole" || got.Validations[0][2] != "D2:X1048576" || got.Validations[0][3] != "0" {
		t.Errorf("validations %q", got.Validations)
	}
	if got.A2[0] != "08" || got.A2[1] != "str" || got.A2[2] != "@" {
		t.Errorf("A2 %q: want the text 08 in a text cell", got.A2)
	}
	if got.B2[0] != "2025-08-01" || got.B2[1] != "str" || got.D2 != 12 || got.E3 != nil {
		t.Errorf("B2 %q D2 %d E3 %v", got.B2, got.D2, got.E3)
	}
	vi, en := ExplainField("unit")
	if !strings.Contains(got.Comment, vi) || !strings.Contains(got.Comment, en) {
		t.Errorf("A1 comment %q", got.Comment)
	}
	if !strings.Contains(fmt.Sprint(got.Guide), "votes_dissatisfied") {
		t.Errorf("instructions: %v", got.Guide)
	}
}

// xlsxPart is one file of a hand-built XLSX package.
type xlsxPart struct{ name, body string }

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	nsRel  = `xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
)

type testSheet struct {
	name, rows string
	hidden     bool
}

// buildXLSX writes an XLSX package the way Excel lays it out: the given
// sheets (rows as sheetData XML), shared strings, and styles with a
// general (0), a built-in date (1: numFmt 14) and a custom date (2:
// dd/mm/yyyy) cell format.
func buildXLSX(t *testing.T, date1904 bool, sst []string, sheets ...testSheet) []byte {
	t.Helper()
	var wbSheets, wbRels, overrides strings.Builder
	var parts []xlsxPart
	for i, s := range sheets {
		n := i + 1
		state := ""
		if s.hidden {
			state = ` state="hidden"`
		}
		fmt.Fprintf(&wbSheets, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, s.name, n, state, n)
		fmt.Fprintf(&wbRels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
		fmt.Fprintf(&overrides, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
		parts = append(parts, xlsxPart{fmt.Sprintf("xl/worksheets/sheet%d.xml", n),
			`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ` + nsMain + ` ` + nsRel + `><sheetData>` + s.rows + `</sheetData></worksheet>`})
	}
	var si strings.Builder
	for _, s := range sst {
		if strings.HasPrefix(s, "<") {
			si.WriteString("<si>" + s + "</si>") // rich text as given
		} else {
			si.WriteString("<si><t>" + s + "</t></si>")
		}
	}
	d1904 := ""
	if date1904 {
		d1904 = `<workbookPr date1904="1"/>`
	}
	parts = append(parts,
		xlsxPart{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
			overrides.String() + `</Types>`},
		xlsxPart{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		xlsxPart{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook ` + nsMain + ` ` + nsRel + `>` + d1904 + `<sheets>` + wbSheets.String() + `</sheets></workbook>`},
		xlsxPart{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + wbRels.String() +
			`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
			`<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		xlsxPart{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8"?><styleSheet ` + nsMain + `><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>` +
			`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>` +
			`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3">` +
			`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
			`<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
			`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`},
		xlsxPart{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst ` + nsMain + ` count="` + fmt.Sprint(len(sst)) + `">` + si.String() + `</sst>`},
	)
	return zipParts(t, parts)
}

func zipParts(t *testing.T, parts []xlsxPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func is(ref, text string) string {
	return `<c r="` + ref + `" t="inlineStr"><is><t>` + text + `</t></is></c>`
}

const testHeader = `<row r="1">` +
	`<c r="A1" t="s"><v>2</v></c><c r="B1" t="inlineStr"><is><t>Date</t></is></c><c r="C1" t="inlineStr"><is><t> procedure </t></is></c>` +
	`<c r="D1" t="inlineStr"><is><t>received</t></is></c><c r="E1" t="inlineStr"><is><t>received_in_person</t></is></c>` +
	`<c r="F1" t="inlineStr"><is><t>received_online</t></is></c><c r="G1" t="inlineStr"><is><t>processed</t></is></c></row>`

// TestXLSXCellTypes reads a hand-built XLSX with every kind of cell Excel
// writes: shared, rich and inline strings, numbers, date serials with a
// built-in and a custom date format, formulas with a saved number or
// string, a formula with no saved result, booleans, errors, ISO dates.
func TestXLSXCellTypes(t *testing.T) {
	sst := []string{"08", "1.000001", "unit", `<r><t>1</t></r><r><rPr><b/></rPr><t>2</t></r><rPh><t>x</t></rPh>`}
	rows := testHeader +
		// shared strings, a date serial (45870 = 2025-08-01), a number, a
		// formula with a saved number, a number written 5.0, a styled empty cell
		`<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="1"><v>45870</v></c><c r="C2" t="s"><v>1</v></c>` +
		`<c r="D2"><v>12</v></c><c r="E2"><f>D2-F2</f><v>7</v></c><c r="F2"><v>5.0</v></c><c r="G2" s="1"/></row>` +
		// the unit as the number 8, a date and time with a custom date
		// format, a formula with a saved string, a formula's float noise,
		// a rich shared string; cells without r
		`<row r="3"><c><v>8</v></c><c s="2"><v>45871.75</v></c>` + is("", "1.000002") +
		`<c t="str"><f>"1"&amp;"0"</f><v>10</v></c><c><f>0.1*30</f><v>3.0000000000000004</v></c><c/><c t="s"><v>3</v></c></row>` +
		// an empty row, and formula scaffolding without identity
		`<row r="4"><c r="A4" s="1"/><c r="B4" t="inlineStr"><is><t>  </t></is></c></row>` +
		`<row r="5"><c r="D5"><f>SUM(E5:F5)</f><v>0</v></c><c r="G5" t="str"><f>IF(D5=0,"",D5)</f><v></v></c></row>` +
		// problems: a boolean date, a procedure code stored as a number
		// that lost its zero, a formula with no saved result, an error value
		`<row r="6">` + is("A6", "08") + `<c r="B6" t="b"><v>1</v></c><c r="C6"><v>1.00123</v></c>` +
		`<c r="D6"><f>SUM(E6:F6)</f></c><c r="E6" t="e"><v>#N/A</v></c></row>` +
		// text, a fraction and a negative number in counts
		`<row r="7">` + is("A7", "08") + is("B7", "2025-08-03") + is("C7", "1.000003") + is("D7", "abc") +
		`<c r="E7"><v>2.5</v></c><c r="F7"><v>-1</v></c></row>` +
		// a value under no header
		`<row r="8">` + is("A8", "08") + is("B8", "2025-08-03") + is("C8", "1.000004") + is("H8", "oops") + `</row>` +
		// an ISO date cell, a boolean and an error value in counts, a
		// general-format date serial, a procedure number with its 6 decimals
		`<row r="9">` + is("A9", "MOF") + `<c r="B9" t="d"><v>2025-08-04T00:00:00</v></c><c r="C9"><v>2.000125</v></c>` +
		`<c r="D9" t="b"><v>0</v></c><c r="E9" t="e"><v>#DIV/0!</v></c></row>` +
		`<row r="10">` + is("A10", "MOF") + `<c r="B10"><v>45873</v></c>` + is("C10", "1.000005") + `<c r="D10"><v>1.2E1</v></c></row>` +
		// a fraction in a general-format date cell, a serial out of range
		`<row r="11">` + is("A11", "08") + `<c r="B11"><v>45873.5</v></c>` + is("C11", "1.000006") + `</row>` +
		`<row r="12">` + is("A12", "08") + `<c r="B12"><v>20250801</v></c>` + is("C12", "1.000007") + `</row>` +
		// an empty unit
		`<row r="13">` + is("B13", "2025-08-05") + is("C13", "1.000008") + `<c r="D13"><v>1</v></c></row>`
	data := buildXLSX(t, false, sst, testSheet{name: DataSheet, rows: rows})
	got, probs := mustRead(t, "cells.xlsx", data)

	want := []struct {
		line               int
		unit, date, record string
		raw                string
	}{
		{2, "08", "2025-08-01", `{"date":"2025-08-01","procedure":"1.000001","received":12,"received_in_person":7,"received_online":5}`, "08,2025-08-01,1.000001,12,7,5"},
		{3, "08", "2025-08-02", `{"date":"2025-08-02","procedure":"1.000002","received":10,"received_in_person":3,"processed":12}`, "8,2025-08-02,1.000002,10,3,,12"},
		{7, "08", "2025-08-03", `{"date":"2025-08-03","procedure":"1.000003","received":"abc","received_in_person":2.5,"received_online":-1}`, "08,2025-08-03,1.000003,abc,2.5,-1"},
		{9, "MOF", "2025-08-04", `{"date":"2025-08-04","procedure":"2.000125","received":false,"received_in_person":"#DIV/0!"}`, "MOF,2025-08-04T00:00:00,2.000125,FALSE,#DIV/0!"},
		{10, "MOF", "2025-08-04", `{"date":"2025-08-04","procedure":"1.000005","received":12}`, "MOF,2025-08-04,1.000005,12"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%+v\nproblems: %v", len(got), len(want), got, probs)
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Unit != w.unit || g.Date != w.date || string(g.Record) != w.record || g.Raw != w.raw || g.Sheet != DataSheet {
			t.Errorf("row %d:\n got line %d unit %q date %q %s raw %q\nwant line %d unit %q date %q %s raw %q",
				i, g.Line, g.Unit, g.Date, g.Record, g.Raw, w.line, w.unit, w.date, w.record, w.raw)
		}
	}
	for i, bad := range map[int]string{
		2: `field received: want a whole number or null, got the string "abc"`,
		3: `field received: want a whole number or null, got false`,
	} {
		if _, err := record.DecodeUsage(got[i].Record); err == nil || err.Error() != bad {
			t.Errorf("row %d: DecodeUsage error %v, want %q", got[i].Line, err, bad)
		}
	}

	wantProbs := []string{
		`sheet Dữ liệu, row 6, column date (B6): want a date YYYY-MM-DD, got the boolean TRUE`,
		`sheet Dữ liệu, row 6, column procedure (C6): the procedure code is stored as the number 1.00123, which loses the zeros at its end (a national code has six digits after the dot, like 1.001230): format the column as Text and type the code again`,
		`sheet Dữ liệu, row 6, column received (D6): a formula with no saved result (nothing is recalculated here): open the file in Excel or LibreOffice and save it, or paste the values`,
		`sheet Dữ liệu, row 8, cell H8: a value ("oops") in column H, which has no header`,
		`sheet Dữ liệu, row 11, column date (B11): want a date YYYY-MM-DD, got the number 45873.5`,
		`sheet Dữ liệu, row 12, column date (B12): want a date YYYY-MM-DD, got the number 20250801, which is not a date`,
		`sheet Dữ liệu, row 13, column unit (A13): empty: every row needs the unit code (like 08 or MOF)`,
	}
	if len(probs) != len(wantProbs) {
		t.Fatalf("got %d problems, want %d: %q", len(probs), len(wantProbs), probs)
	}
	for i, w := range wantProbs {
		if probs[i].Error() != w {
			t.Errorf("problem %d\n got %s\nwant %s", i, probs[i].Error(), w)
		}
	}
	if p := probs[0]; p.Sheet != DataSheet || p.Line != 6 || p.Column != "date" || p.Cell != "B6" {
		t.Errorf("problem fields %+v", p)
	}

	// The 1904 date system: serial 44408 is 2025-08-01.
	data = buildXLSX(t, true, nil, testSheet{name: "Sheet1", rows: testHeader[:0] +
		`<row r="1">` + is("A1", "unit") + is("B1", "date") + is("C1", "procedure") + `</row>` +
		`<row r="2">` + is("A2", "08") + `<c r="B2" s="1"><v>44408</v></c>` + is("C2", "1.000001") + `</row>`})
	got, probs = mustRead(t, "1904.xlsx", data)
	if len(got) != 1 || len(probs) != 0 || got[0].Date != "2025-08-01" || got[0].Sheet != "Sheet1" {
		t.Errorf("1904: %+v %v", got, probs)
	}
}

// TestXLSXWrittenByExcelize reads cells as excelize writes them: numbers,
// a float, a time.Time, a formula on a saved value, empty cells.
func TestXLSXWrittenByExcelize(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range []string{"unit", "date", "procedure", "received_online", "received", "processed"} {
		set(columnName(i+1)+"1", h)
	}
	set("A2", "08")
	set("B2", time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC))
	set("C2", "1.000001")
	set("D2", 4)
	set("E2", 12.0)
	set("A3", 8)
	set("B3", "2025-08-02")
	set("C3", "1.000002")
	set("E3", 9)
	if err := f.SetCellFormula(sheet, "E3", "D3+3"); err != nil {
		t.Fatal(err)
	}
	set("F3", "")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, probs := mustRead(t, "excelize.xlsx", buf.Bytes())
	want := []string{
		`{"date":"2025-08-01","procedure":"1.000001","received":12,"received_online":4}`,
		`{"date":"2025-08-02","procedure":"1.000002","received":9}`,
	}
	if len(probs) != 0 || len(got) != 2 {
		t.Fatalf("rows %+v problems %v", got, probs)
	}
	for i, w := range want {
		if string(got[i].Record) != w || got[i].Unit != "08" {
			t.Errorf("row %d: unit %q %s, want 08 %s", i, got[i].Unit, got[i].Record, w)
		}
	}
}

func TestHeaderErrors(t *testing.T) {
	for _, c := range []struct {
		name, header string
		want         []string
	}{
		{"unknown", "unit,date,procedure,recieved", []string{`unknown column "recieved"`, "column 4", "received_online"}},
		{"duplicate", "unit,date,procedure,DATE ", []string{`column "date" appears twice`, "column 2 and column 4"}},
		{"missing date", "unit,procedure,received", []string{"no column date"}},
		{"missing two", "received,date", []string{"no column unit, procedure"}},
	} {
		t.Run("csv "+c.name, func(t *testing.T) {
			_, _, err := readBytes(t, "h.csv", []byte(c.header+"\n08,2025-08-01,1.000001,1\n"))
			wantErr(t, err, append(c.want, "h.csv: line 1: ")...)
		})
		t.Run("xlsx "+c.name, func(t *testing.T) {
			var cells string
			for i, h := range strings.Split(c.header, ",") {
				cells += is(columnName(i+1)+"1", h)
			}
			data := buildXLSX(t, false, nil, testSheet{name: DataSheet, rows: `<row r="1">` + cells + `</row>`})
			want := c.want
			if c.name == "unknown" {
				want = []string{`unknown column "recieved"`, "column D (D1)"}
			} else if c.name == "duplicate" {
				want = []string{`column "date" appears twice`, "column B (B1) and column D (D1)"}
			}
			_, _, err := readBytes(t, "h.xlsx", data)
			wantErr(t, err, append(want, `h.xlsx: sheet "Dữ liệu": `)...)
		})
	}
	_, _, err := readBytes(t, "empty.csv", []byte("\n \n"))
	wantErr(t, err, "no header row")
	_, _, err = readBytes(t, "empty.xlsx", buildXLSX(t, false, nil, testSheet{name: DataSheet}))
	wantErr(t, err, `sheet "Dữ liệu" is empty`)
	_, _, err = readBytes(t, "nohead.xlsx", buildXLSX(t, false, nil, testSheet{name: "Sheet1", rows: `<row r="1">` + is("A1", "x") + `</row>`}))
	wantErr(t, err, `no sheet has the header row`, `"Sheet1"`)
}

func TestFileTypes(t *testing.T) {
	csvText := []byte("unit,date,procedure\n08,2025-08-01,1.000001\n")
	xlsx := template(t, "xlsx", "", true)
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"report.txt", csvText, []string{"report.txt: ", ".txt files are not accepted", ".csv and .xlsx"}},
		{"report", csvText, []string{"no extension", ".csv and .xlsx"}},
		{"report.xls", xlsx, []string{".xls files", "Excel Workbook (.xlsx)"}},
		{"report.xlsm", xlsx, []string{"macro-enabled"}},
		{"report.ods", xlsx, []string{"OpenDocument"}},
		{"report.xlsx", csvText, []string{"not an XLSX file", "is text", "named .csv"}},
		{"report.xlsx", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, []string{"not an XLSX file", "zip package and this one is not"}},
		{"report.xlsx", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), []string{"old .xls format", "password"}},
		{"report.csv", xlsx, []string{"this is a spreadsheet", "name it .xlsx"}},
		{"report.xlsx", zipParts(t, []xlsxPart{{"word/document.xml", "<w/>"}}), []string{"not an Excel workbook"}},
		{"report.xlsx", zipParts(t, []xlsxPart{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", "<x/>"}}), []string{"OpenDocument spreadsheet (.ods)"}},
		{"report.csv", []byte("unit,date,procedure\n08,2025-08-01,Th\xe1\n"), []string{"line 2 is not UTF-8"}},
		{"report.csv", []byte("\xff\xfeu\x00n\x00"), []string{"UTF-16"}},
		{"report.csv", []byte("unit,date,procedure\n08,\"2025-08-01,1.000001\n"), []string{"the CSV is malformed", "line 2"}},
		{"report.csv", nil, []string{"the file is empty"}},
	} {
		_, _, err := readBytes(t, c.name, c.data)
		wantErr(t, err, c.want...)
	}
	// A macro-enabled workbook named .xlsx, by its content type.
	data := buildXLSXWith(t, "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
	_, _, err := readBytes(t, "macro.xlsx", data)
	wantErr(t, err, "macro-enabled")
	// The extension's case does not matter.
	if _, _, err := readBytes(t, "REPORT.XLSX", xlsx); err != nil {
		t.Error(err)
	}
}

// buildXLSXWith is a one-sheet XLSX whose workbook has the given content
// type.
func buildXLSXWith(t *testing.T, contentType string) []byte {
	data := buildXLSX(t, false, nil, testSheet{name: "S"})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var parts []xlsxPart
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		s := string(body)
		if f.Name == "[Content_Types].xml" {
			s = strings.Replace(s, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", contentType, 1)
		}
		parts = append(parts, xlsxPart{f.Name, s})
	}
	return zipParts(t, parts)
}

func TestExtraSheets(t *testing.T) {
	base := func() *excelize.File {
		f, err := excelize.OpenReader(bytes.NewReader(template(t, "xlsx", "", true)))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	save := func(f *excelize.File) []byte {
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return buf.Bytes()
	}
	// An empty extra sheet is fine; the instructions are ignored.
	f := base()
	if _, err := f.NewSheet("Sheet3"); err != nil {
		t.Fatal(err)
	}
	rows, probs := mustRead(t, "ok.xlsx", save(f))
	checkExamples(t, rows, probs, DataSheet, "08")

	// Data pasted into another sheet.
	f = base()
	if _, err := f.NewSheet("Sheet2"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Sheet2", "B3", 5); err != nil {
		t.Fatal(err)
	}
	_, _, err := readBytes(t, "extra.xlsx", save(f))
	wantErr(t, err, `extra.xlsx: the sheet "Sheet2" has data (cell B3), but only the sheet "Dữ liệu" is read`)

	// A hidden sheet with a formula.
	f = base()
	if _, err := f.NewSheet("Lists"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula("Lists", "A1", "1+1"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetVisible("Lists", false); err != nil {
		t.Fatal(err)
	}
	_, _, err = readBytes(t, "hidden.xlsx", save(f))
	wantErr(t, err, `the hidden sheet "Lists" has data (cell A1)`)

	// The data sheet is the first with the header, wherever it is; a sheet
	// named Data (or Du lieu, decomposed or not) is the data sheet when no
	// sheet has the header.
	header := `<row r="1">` + is("A1", "unit") + is("B1", "date") + is("C1", "procedure") + `</row>`
	row := `<row r="2">` + is("A2", "08") + is("B2", "2025-08-01") + is("C2", "1.000001") + `</row>`
	data := buildXLSX(t, false, nil, testSheet{name: "Notes"}, testSheet{name: "Tháng 8", rows: header + row}, testSheet{name: "Hướng dẫn", rows: `<row r="1">` + is("A1", "read me") + `</row>`})
	rows, probs = mustRead(t, "second.xlsx", data)
	if len(rows) != 1 || len(probs) != 0 || rows[0].Sheet != "Tháng 8" {
		t.Errorf("second sheet: %+v %v", rows, probs)
	}
	data = buildXLSX(t, false, nil, testSheet{name: "Notes"}, testSheet{name: "DATA", rows: `<row r="3">` + is("A3", "unit") + is("B3", "procedure") + `</row>`})
	_, _, err = readBytes(t, "named.xlsx", data)
	wantErr(t, err, `sheet "DATA": the header has no column date`)
	data = buildXLSX(t, false, nil, testSheet{name: "Du\u031b\u0303 lie\u0323\u0302u", rows: `<row r="1">` + is("A1", "Unit") + `</row>`})
	_, _, err = readBytes(t, "nfd.xlsx", data)
	wantErr(t, err, `sheet "Du`, `the header has no column date, procedure`)
	// Two sheets with the header: the second is data in the wrong sheet.
	data = buildXLSX(t, false, nil, testSheet{name: "Dữ liệu", rows: header + row}, testSheet{name: "Dữ liệu (2)", rows: header + row})
	_, _, err = readBytes(t, "two.xlsx", data)
	wantErr(t, err, `the sheet "Dữ liệu (2)" has data (cell A1)`)
}

func TestTooLarge(t *testing.T) {
	for _, name := range []string{"big.csv", "big.xlsx"} {
		file, err := os.Create(filepath.Join(t.TempDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := file.Truncate(MaxFileBytes + 1); err != nil {
			t.Fatal(err)
		}
		_, _, err = Read(name, file, MaxFileBytes+1)
		file.Close()
		wantErr(t, err, name+": ", "16777217 bytes (16.0 MiB)", "limit of 16777216 bytes")
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%v is not ErrTooLarge", err)
		}
	}
}

// spacesSheet writes a worksheet XML of n bytes, mostly spaces (valid XML
// that compresses about a thousand to one).
func spacesSheet(w io.Writer, n int) error {
	head := `<?xml version="1.0" encoding="UTF-8"?><worksheet ` + nsMain + `><sheetData>`
	tail := `</sheetData></worksheet>`
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for left := n - len(head) - len(tail); left > 0; left -= len(chunk) {
		if left < len(chunk) {
			chunk = chunk[:left]
		}
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, tail)
	return err
}

// bomb returns an XLSX whose sheet1.xml expands to size bytes; when lie is
// set its zip index claims 1 MiB.
func bomb(t *testing.T, size int, lie bool) []byte {
	t.Helper()
	base := buildXLSX(t, false, nil, testSheet{name: DataSheet})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !lie {
			w, err := zw.Create(f.Name)
			if err != nil {
				t.Fatal(err)
			}
			if err := spacesSheet(w, size); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var comp bytes.Buffer
		crc := crc32.NewIEEE()
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		if err := spacesSheet(io.MultiWriter(fw, crc), size); err != nil {
			t.Fatal(err)
		}
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: f.Name, Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: 1 << 20,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(comp.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipBomb(t *testing.T) {
	const size = 200 << 20
	for _, lie := range []bool{false, true} {
		data := bomb(t, size, lie)
		if len(data) > 1<<20 {
			t.Fatalf("the bomb is %d bytes", len(data))
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, err := readBytes(t, "bomb.xlsx", data)
		runtime.ReadMemStats(&after)
		if lie {
			// The zip index lies: reading stops where it says the part ends.
			wantErr(t, err, "bomb.xlsx: the XLSX file is damaged")
		} else {
			wantErr(t, err, "bomb.xlsx: ", "the file expands to more than 128.0 MiB (134217728 bytes) when unzipped", "zip bomb")
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%v is not ErrTooLarge", err)
			}
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
			t.Errorf("lie=%v: reading the bomb allocated %d MiB", lie, alloc>>20)
		}
		t.Logf("lie=%v: %d-byte file, allocated %d KiB: %v", lie, len(data), (after.TotalAlloc-before.TotalAlloc)>>10, err)
	}
}

func TestCSVSemicolonBOM(t *testing.T) {
	text := "\ufeff Unit ;DATE;Procedure;received;received_online\r\n" +
		"08;2025-08-01;1.000001;12;5\r\n" +
		";;;;\r\n" +
		"\r\n" +
		"8;2025-08-02;\"1.000002\";\"1\";\r\n" +
		"\"MOF\";2025-08-03;1.000003;\"7\n\";\r\n"
	rows, probs := mustRead(t, "semi.csv", []byte(text))
	if len(probs) != 0 || len(rows) != 3 {
		t.Fatalf("rows %+v problems %v", rows, probs)
	}
	want := []Row{
		{Line: 2, Unit: "08", Date: "2025-08-01", Procedure: "1.000001", Record: json.RawMessage(`{"date":"2025-08-01","procedure":"1.000001","received":12,"received_online":5}`), Raw: "08;2025-08-01;1.000001;12;5"},
		{Line: 5, Unit: "08", Date: "2025-08-02", Procedure: "1.000002", Record: json.RawMessage(`{"date":"2025-08-02","procedure":"1.000002","received":1}`), Raw: `8;2025-08-02;"1.000002";"1";`},
		{Line: 6, Unit: "MOF", Date: "2025-08-03", Procedure: "1.000003", Record: json.RawMessage(`{"date":"2025-08-03","procedure":"1.000003","received":7}`), Raw: "\"MOF\";2025-08-03;1.000003;\"7\n\";"},
	}
	for i, w := range want {
		g := rows[i]
		if g.Line != w.Line || g.Unit != w.Unit || g.Date != w.Date || g.Procedure != w.Procedure || string(g.Record) != string(w.Record) || g.Raw != w.Raw || g.Sheet != "" {
			t.Errorf("row %d:\n got %+v %s\nwant %+v %s", i, g, g.Record, w, w.Record)
		}
	}
	// A comma file whose values hold semicolons stays a comma file.
	rows, probs = mustRead(t, "comma.csv", []byte("unit,date,procedure,received\n08,2025-08-01,1.000001,\"a;b;c;d\"\n"))
	if len(rows) != 1 || len(probs) != 0 || string(rows[0].Record) != `{"date":"2025-08-01","procedure":"1.000001","received":"a;b;c;d"}` {
		t.Errorf("comma: %+v %v", rows, probs)
	}
}

func TestTextInCounts(t *testing.T) {
	text := "unit,date,procedure,received,processed\n" +
		"08,2025-08-01,1.000001,abc,\n" +
		"08,2025-08-01,1.000002,12.0,1e1\n" +
		"08,2025-08-01,1.000003,12.5,\n" +
		"08,2025-08-01,1.000004,-3,\n" +
		"08,2025-08-01,1.000005,\"1,234\",\n" +
		"08,2025-08-01,1.000006,NaN,\n" +
		"08,01/08/2025,1.000007,1,\n" +
		"08,2025-08-01,1.00007,1,\n" +
		",2025-08-01,1.000009,1,x\n"
	rows, probs := mustRead(t, "text.csv", []byte(text))
	want := []struct{ record, decode string }{
		{`{"date":"2025-08-01","procedure":"1.000001","received":"abc"}`, `field received: want a whole number or null, got the string "abc"`},
		{`{"date":"2025-08-01","procedure":"1.000002","received":12,"processed":10}`, ""},
		{`{"date":"2025-08-01","procedure":"1.000003","received":12.5}`, `field received: want a whole number, got 12.5`},
		{`{"date":"2025-08-01","procedure":"1.000004","received":-3}`, `field received is negative (-3)`},
		{`{"date":"2025-08-01","procedure":"1.000005","received":"1,234"}`, `field received: want a whole number or null, got the string "1,234"`},
		{`{"date":"2025-08-01","procedure":"1.000006","received":"NaN"}`, `field received: want a whole number or null, got the string "NaN"`},
		{`{"date":"01/08/2025","procedure":"1.000007","received":1}`, `field date: "01/08/2025" is not a date YYYY-MM-DD`},
		{`{"date":"2025-08-01","procedure":"1.00007","received":1}`, `procedure "1.00007" is not a national procedure code (like 1.001234)`},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		if string(rows[i].Record) != w.record {
			t.Errorf("line %d record\n got %s\nwant %s", rows[i].Line, rows[i].Record, w.record)
		}
		_, err := record.DecodeUsage(rows[i].Record)
		switch {
		case w.decode == "" && err != nil:
			t.Errorf("line %d: DecodeUsage: %v", rows[i].Line, err)
		case w.decode != "" && (err == nil || err.Error() != w.decode):
			t.Errorf("line %d: DecodeUsage error %v, want %q", rows[i].Line, err, w.decode)
		}
	}
	if len(probs) != 1 || probs[0].Error() != "row 10, column unit: empty: every row needs the unit code (like 08 or MOF)" {
		t.Errorf("problems %q", probs)
	}

	// The same text in an XLSX text cell.
	data := buildXLSX(t, false, []string{"abc"}, testSheet{name: DataSheet, rows: `<row r="1">` + is("A1", "unit") + is("B1", "date") + is("C1", "procedure") + is("D1", "received") + `</row>` +
		`<row r="2">` + is("A2", "08") + is("B2", "2025-08-01") + is("C2", "1.000001") + `<c r="D2" t="s"><v>0</v></c></row>`})
	rows, probs = mustRead(t, "text.xlsx", data)
	if len(rows) != 1 || len(probs) != 0 {
		t.Fatalf("rows %+v problems %v", rows, probs)
	}
	if _, err := record.DecodeUsage(rows[0].Record); err == nil || !strings.Contains(err.Error(), `field received: want a whole number or null, got the string "abc"`) {
		t.Errorf("DecodeUsage: %v", err)
	}
}

func TestExtraCSVColumns(t *testing.T) {
	text := "unit,date,procedure,,received\n" +
		"08,2025-08-01,1.000001,,1\n" +
		"08,2025-08-01,1.000002,note,1,more\n"
	rows, probs := mustRead(t, "extra.csv", []byte(text))
	if len(rows) != 1 || string(rows[0].Record) != `{"date":"2025-08-01","procedure":"1.000001","received":1}` {
		t.Errorf("rows %+v", rows)
	}
	want := []string{
		`row 3: a value ("note") in column 4, which has no header`,
		`row 3: a value ("more") in column 6, which has no header`,
	}
	if len(probs) != 2 || probs[0].Error() != want[0] || probs[1].Error() != want[1] {
		t.Errorf("problems %q, want %q", probs, want)
	}
}

func TestRowLimit(t *testing.T) {
	defer func(n int) { maxRows = n }(maxRows)
	maxRows = 3
	ok := "unit,date,procedure\n08,2025-08-01,1.000001\n\n08,2025-08-01,1.000002\n,,\n08,2025-08-01,1.000003\n"
	if rows, _ := mustRead(t, "ok.csv", []byte(ok)); len(rows) != 3 {
		t.Errorf("%d rows", len(rows))
	}
	_, _, err := readBytes(t, "many.csv", []byte(ok+"08,2025-08-01,1.000004\n"))
	wantErr(t, err, "many.csv: ", "more than 3 data rows")
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("%v is not ErrTooLarge", err)
	}
	var rows string
	for i := 2; i <= 5; i++ {
		rows += fmt.Sprintf(`<row r="%d">`, i) + is(fmt.Sprint("A", i), "08") + is(fmt.Sprint("B", i), "2025-08-01") + is(fmt.Sprint("C", i), fmt.Sprintf("1.00000%d", i)) + `</row>`
	}
	data := buildXLSX(t, false, nil, testSheet{name: DataSheet, rows: `<row r="1">` + is("A1", "unit") + is("B1", "date") + is("C1", "procedure") + `</row>` + rows})
	_, _, err = readBytes(t, "many.xlsx", data)
	wantErr(t, err, "many.xlsx: ", "more than 3 data rows")
}

func TestProblemError(t *testing.T) {
	for _, c := range []struct {
		p    Problem
		want string
	}{
		{Problem{Sheet: "Dữ liệu", Line: 12, Column: "received_online", Cell: "F12", Reason: `want a whole number, got "abc"`},
			`sheet Dữ liệu, row 12, column received_online (F12): want a whole number, got "abc"`},
		{Problem{Line: 12, Column: "received_online", Reason: `want a whole number, got "abc"`},
			`row 12, column received_online: want a whole number, got "abc"`},
		{Problem{Sheet: "Data", Line: 3, Cell: "H3", Reason: "x"}, `sheet Data, row 3, cell H3: x`},
		{Problem{Line: 3, Reason: "x"}, `row 3: x`},
	} {
		if got := c.p.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

func TestExplainField(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "file-template.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Columns() {
		vi, en := ExplainField(c)
		if vi == "" || en == "" {
			t.Errorf("column %s has no description", c)
		}
		if v2, e2 := ExplainField(" " + strings.ToUpper(c)); v2 != vi || e2 != en {
			t.Errorf("ExplainField is not case-insensitive for %s", c)
		}
		if !strings.Contains(string(doc), "| `"+c+"` |") {
			t.Errorf("docs/file-template.md does not list column %s", c)
		}
	}
	if vi, en := ExplainField("nope"); vi != "" || en != "" {
		t.Errorf("unknown field explained: %q %q", vi, en)
	}
	if len(explanations) != len(Columns()) {
		t.Errorf("%d explanations for %d columns", len(explanations), len(Columns()))
	}
	if err := WriteTemplate(io.Discard, "xls", "", false); err == nil {
		t.Error("WriteTemplate accepted xls")
	}
}

func TestNormNumber(t *testing.T) {
	for in, want := range map[string]string{
		"12": "12", "12.0": "12", " 12 ": "12", "+12": "12", "012": "12", "1.2E1": "12", "12.": "12",
		"3.0000000000000004": "3", "12.5": "12.5", "-3": "-3", "-0": "0", ".5": "0.5",
		"4294967296": "4294967296", "1e20": "100000000000000000000", "1e300": "1e+300", "0.1": "0.1",
	} {
		if got, ok := normNumber(in); !ok || got != want {
			t.Errorf("normNumber(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "NaN", "Inf", "0x10", "1_000", "1,5", "1e400", "1.2.3"} {
		if got, ok := normNumber(in); ok {
			t.Errorf("normNumber(%q) = %q, want not a number", in, got)
		}
	}
}

// TestReadOpenpyxlFile reads a workbook written by another program
// (openpyxl): its dates are serials with a date format, its numbers may be
// floats, and its formulas have no saved result.
func TestReadOpenpyxlFile(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("skipped: /usr/bin/python3 with openpyxl is not available here (%v); CI installs python3-openpyxl", err)
	}
	file := filepath.Join(t.TempDir(), "unit.xlsx")
	script := `
import datetime, sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Data"
ws.append(["unit", "date", "procedure", "received", "received_online"])
ws.append(["08", datetime.date(2025, 8, 1), "1.000001", 12, 5.0])
ws.append(["08", datetime.datetime(2025, 8, 2, 0, 0), "1.000001", 3, None])
ws.append(["08", "2025-08-03", "1.000001", "=2+2", 1])
wb.create_sheet("Hướng dẫn")["A1"] = "notes"
wb.save(sys.argv[1])
`
	if out, err := exec.Command("/usr/bin/python3", "-c", script, file).CombinedOutput(); err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	fh, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	rows, probs, err := Read("unit.xlsx", fh, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"date":"2025-08-01","procedure":"1.000001","received":12,"received_online":5}`,
		`{"date":"2025-08-02","procedure":"1.000001","received":3}`,
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v problems %v", rows, probs)
	}
	for i, w := range want {
		if string(rows[i].Record) != w || rows[i].Sheet != "Data" {
			t.Errorf("row %d: %s %s, want %s", i, rows[i].Sheet, rows[i].Record, w)
		}
	}
	if len(probs) != 1 || !strings.HasPrefix(probs[0].Error(), "sheet Data, row 4, column received (D4): a formula with no saved result") {
		t.Errorf("problems %q", probs)
	}
}

// TestReadStyles reads which cell styles show dates from styles.xml: only
// cellXfs count (not cellStyleXfs), only numFmts define custom formats
// (not a dxf's numFmt), and a format's code decides over its id.
func TestReadStyles(t *testing.T) {
	styles := `<?xml version="1.0" encoding="UTF-8"?><x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<x:numFmts count="2"><x:numFmt numFmtId="164" formatCode="&quot;day&quot; 0"/><x:numFmt numFmtId="165" formatCode="[$-409]d\-mmm"/></x:numFmts>` +
		`<x:cellStyleXfs count="1"><x:xf numFmtId="14"/></x:cellStyleXfs>` +
		`<x:cellXfs count="6"><x:xf numFmtId="0"/><x:xf numFmtId="14"><x:alignment/></x:xf><x:xf numFmtId="164"/><x:xf numFmtId="165"/><x:xf numFmtId="166"/><x:xf numFmtId="3"/></x:cellXfs>` +
		`<x:dxfs count="1"><x:dxf><x:numFmt numFmtId="166" formatCode="yyyy"/></x:dxf></x:dxfs></x:styleSheet>`
	data := zipParts(t, []xlsxPart{{"xl/styles.xml", styles}})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	b := &book{files: map[string]*zip.File{"xl/styles.xml": zr.File[0]}}
	got, err := b.readStyles("xl/styles.xml")
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, false, true, false, false}; !slices.Equal(got, want) {
		t.Errorf("date styles %v, want %v", got, want)
	}
}
