package xlsxform

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

var quarter = workflow.Quarter{Year: 2026, Q: 3}

func definition(t *testing.T) *form.Definition {
	t.Helper()
	set, err := form.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d, err := set.For(quarter.First())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func tuyenQuang(t *testing.T) egovkpi.Unit {
	t.Helper()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	u, ok := reg.ByID("p34-08")
	if !ok {
		t.Fatal("no unit p34-08")
	}
	return u
}

func f(v float64) *float64 { return &v }

// collected are the figures the tests pretend egovkpi collected.
var collected = map[string]float64{"procedures_total": 40, "dossiers_total": 15, "dossiers_online": 6, "services_partial": 2}

// saved are answers as a reporter saved them: corrections explained,
// Vietnamese text, yes/no, a decimal with thousandths, and text that
// starts with = + - @ (kept as text, never a formula).
func saved() form.Answers {
	return form.Answers{
		"agencies_total":     {Value: "12"},
		"computers_total":    {Value: "250"},
		"computers_online":   {Value: "240"},
		"budget_spent":       {Value: "1.234"},
		"official_email_use": {Value: "87.5"},
		"data_centre":        {Value: "yes"},
		"npsp_integrated":    {Value: "no"},
		"portal_url":         {Value: `=HYPERLINK("http://evil","x")`},
		"notes":              {Value: "Khó khăn: thiếu kinh phí, nhân lực.\nKiến nghị: hỗ trợ đào tạo về chuyển đổi số."},
		"procedures_total":   {Value: "38", Collected: f(40), Explanation: "-2 thủ tục bãi bỏ theo Quyết định 123/QĐ-UBND"},
		"dossiers_online":    {Value: "6", Collected: f(6), Explanation: "@xác nhận"},
		"dossiers_total":     {Collected: f(15)},
		"services_partial":   {Collected: f(2), Explanation: "+ chờ rà soát"},
		"it_staff":           {Value: "7"},
	}
}

func expect(t *testing.T) Expect {
	return Expect{Def: definition(t), UnitID: "p34-08", Quarter: quarter, Collected: collected}
}

// writeTemplate writes the template with the saved answers to a file.
func writeTemplate(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, definition(t), tuyenQuang(t), quarter, saved()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bao-cao-quy-p34-08-2026Q3.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string, want Expect) (Upload, error) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return Read(file, st.Size(), want)
}

// rowsOf finds each key's row through the file's hidden column.
func rowsOf(t *testing.T, path string) map[string]int {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(ReportSheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for i, r := range rows {
		if len(r) >= 8 && r[7] != "" {
			if _, dup := out[r[7]]; !dup {
				out[r[7]] = i + 1
			}
		}
	}
	return out
}

func answersEqual(t *testing.T, what string, got, want form.Answers) {
	t.Helper()
	show := func(a form.Answer) string {
		c := "none"
		if a.Collected != nil {
			c = form.FormatNumber(*a.Collected)
		}
		return "value " + a.Value + " | collected " + c + " | explanation " + a.Explanation
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || show(g) != show(w) {
			t.Errorf("%s: %s = %q (present %v), want %q", what, id, show(g), ok, show(w))
		}
	}
	for id, g := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: %s = %q, want no answer", what, id, show(g))
		}
	}
}

// prefilled is what the template holds: the saved answers, and the
// collected figure as the value where nothing was saved.
func prefilled() form.Answers {
	a := saved()
	for id, ans := range a {
		if ans.Value == "" && ans.Collected != nil {
			ans.Value = form.FormatNumber(*ans.Collected)
			a[id] = ans
		}
	}
	return a
}

func TestTemplateRoundTrips(t *testing.T) {
	path := writeTemplate(t)
	up, err := readFile(t, path, expect(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range up.Problems {
		t.Errorf("problem in an untouched template: %v", p)
	}
	answersEqual(t, "round trip", up.Answers, prefilled())
	// The answers read back make the same template again.
	var again bytes.Buffer
	if err := WriteTemplate(&again, definition(t), tuyenQuang(t), quarter, up.Answers); err != nil {
		t.Fatal(err)
	}
	path2 := filepath.Join(t.TempDir(), "again.xlsx")
	if err := os.WriteFile(path2, again.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	up2, err := readFile(t, path2, expect(t))
	if err != nil || len(up2.Problems) != 0 {
		t.Fatalf("second round: %v %v", err, up2.Problems)
	}
	answersEqual(t, "second round trip", up2.Answers, prefilled())
}

// TestLibreOfficeSavedTemplateReadsBack: a reporter who fills the template
// in LibreOffice Calc and saves it as .xlsx uploads a file LibreOffice
// wrote; it reads back whole.
func TestLibreOfficeSavedTemplateReadsBack(t *testing.T) {
	if _, err := os.Stat("/usr/bin/soffice"); err != nil {
		t.Fatalf("/usr/bin/soffice is needed to save the template as LibreOffice would (%v): run .ci/install test", err)
	}
	path := writeTemplate(t)
	outDir, profile := t.TempDir(), t.TempDir()
	cmd := exec.Command("/usr/bin/soffice", "-env:UserInstallation=file://"+profile, "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", outDir, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	saved := filepath.Join(outDir, filepath.Base(path))
	up, err := readFile(t, saved, expect(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range up.Problems {
		t.Errorf("problem in the template LibreOffice saved: %v", p)
	}
	answersEqual(t, "saved by LibreOffice", up.Answers, prefilled())
}

// TestOpenpyxlReadsTheTemplate reads with a real reader a template written
// back from an upload: sheet names, headers with diacritics, identity
// cells, protection (value and explanation cells unlocked), the hidden id
// column, data validation, frozen header, and text that starts with = or -
// stored as text.
func TestOpenpyxlReadsTheTemplate(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		t.Fatalf("/usr/bin/python3 with openpyxl is needed to read the template back (%v): run .ci/install test", err)
	}
	up, err := readFile(t, writeTemplate(t), expect(t))
	if err != nil || len(up.Problems) > 0 {
		t.Fatalf("upload: %v %v", err, up.Problems)
	}
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, definition(t), tuyenQuang(t), quarter, up.Answers); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "written-back.xlsx")
	must(t, os.WriteFile(path, buf.Bytes(), 0o644))
	rows := rowsOf(t, path)
	script := `
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Báo cáo"]
rows = json.loads(sys.argv[2])
def cell(ref):
    c = ws[ref]
    return {"value": c.value if not isinstance(c.value, float) or not c.value.is_integer() else int(c.value), "type": c.data_type, "locked": c.protection.locked}
out = {
  "sheets": wb.sheetnames,
  "header_vi": [ws.cell(row=8, column=i).value for i in range(1, 9)],
  "header_en": [ws.cell(row=9, column=i).value for i in range(1, 8)],
  "identity": [ws["C3"].value, ws["C5"].value, ws["C6"].value],
  "protected": ws.protection.sheet,
  "password": ws.protection.password,
  "h_hidden": ws.column_dimensions["H"].hidden,
  "ids": [ws.cell(row=r, column=8).value for r in range(10, ws.max_row + 1)],
  "freeze": ws.freeze_panes,
  "validations": sorted({str(r) for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}),
  "lists": sorted({dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}),
  "cells": {k: cell(v) for k, v in {
      "portal_url": "F%d" % rows["portal_url"],
      "procedures_total": "F%d" % rows["procedures_total"],
      "procedures_total_collected": "E%d" % rows["procedures_total"],
      "procedures_total_explanation": "G%d" % rows["procedures_total"],
      "dossiers_total": "F%d" % rows["dossiers_total"],
      "data_centre": "F%d" % rows["data_centre"],
      "name": "B%d" % rows["agencies_total"],
  }.items()},
  "instructions": wb["Hướng dẫn"]["A1"].value + " / " + wb["Hướng dẫn"]["B1"].value,
}
print(json.dumps(out, ensure_ascii=False))
`
	rowsJSON, _ := json.Marshal(rows)
	out, err := exec.Command("/usr/bin/python3", "-c", script, path, string(rowsJSON)).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v\n%s", err, out)
	}
	type cell struct {
		Value  any
		Type   string
		Locked bool
	}
	var got struct {
		Sheets       []string
		HeaderVI     []string `json:"header_vi"`
		HeaderEN     []string `json:"header_en"`
		Identity     []string
		Protected    bool
		Password     *string
		HHidden      bool `json:"h_hidden"`
		IDs          []*string
		Freeze       string
		Validations  []string
		Lists        []string
		Cells        map[string]cell
		Instructions string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	check := func(what string, g, w any) {
		t.Helper()
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if string(gj) != string(wj) {
			t.Errorf("%s: %s, want %s", what, gj, wj)
		}
	}
	check("sheets", got.Sheets, []string{"Báo cáo", "Hướng dẫn"})
	check("Vietnamese header", got.HeaderVI, []string{"Mã", "Chỉ tiêu", "Đơn vị tính", "Bắt buộc", "Số liệu thu thập", "Giá trị báo cáo", "Giải trình", "#header"})
	check("English header", got.HeaderEN, []string{"Code", "Indicator", "Unit of measure", "Required", "Collected figure", "Reported value", "Explanation"})
	check("identity", got.Identity, []string{"p34-08", "2026Q3", "2022.1"})
	check("protected without a password", []any{got.Protected, got.Password}, []any{true, nil})
	check("id column hidden", got.HHidden, true)
	check("frozen header", got.Freeze, "A10")
	check("yes/no list", got.Lists, []string{`"Có,Không"`})
	var ids []string
	for _, id := range got.IDs {
		if id != nil && !strings.HasPrefix(*id, "#") {
			ids = append(ids, *id)
		}
	}
	var want []string
	for _, ind := range definition(t).Indicators() {
		want = append(want, ind.ID)
	}
	check("indicator ids in form order", ids, want)
	if len(got.Validations) != 2*len(want) {
		t.Errorf("data validation on %d cells, want the value and explanation cells of %d indicators", len(got.Validations), len(want))
	}
	check("text starting with = is a string cell", got.Cells["portal_url"], cell{`=HYPERLINK("http://evil","x")`, "s", false})
	check("saved number", got.Cells["procedures_total"], cell{float64(38), "n", false})
	check("collected figure beside it", got.Cells["procedures_total_collected"], cell{float64(40), "n", true})
	check("explanation starting with -", got.Cells["procedures_total_explanation"], cell{"-2 thủ tục bãi bỏ theo Quyết định 123/QĐ-UBND", "s", false})
	check("collected figure pre-fills the value", got.Cells["dossiers_total"], cell{float64(15), "n", false})
	check("yes/no", got.Cells["data_centre"], cell{"Có", "s", false})
	check("name (locked)", got.Cells["name"], cell{"Số cơ quan, đơn vị trực thuộc\nAgencies and bodies under the unit", "s", true})
	check("instructions", got.Instructions, "Hướng dẫn điền mẫu báo cáo quý / How to fill in the quarterly report template")
}

// modify copies the template with changes made through excelize, as a
// reporter's spreadsheet program would.
func modify(t *testing.T, base string, change func(x *excelize.File, rows map[string]int)) string {
	t.Helper()
	rows := rowsOf(t, base)
	x, err := excelize.OpenFile(base)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	change(x, rows)
	path := filepath.Join(t.TempDir(), "modified.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// cellOf is the cell of an indicator in a column.
func cellOf(rows map[string]int, col, id string) string { return ref(col, rows[id]) }

func TestCellProblemsNameTheCell(t *testing.T) {
	base := writeTemplate(t)
	rows := rowsOf(t, base)
	long := strings.Repeat("giải trình ", form.MaxTextRunes/10)
	type want struct{ cell, reason string }
	for _, tc := range []struct {
		name   string
		change func(x *excelize.File, rows map[string]int)
		want   []want
		// answers the upload still holds, beyond the untouched ones
		check func(t *testing.T, a form.Answers)
	}{
		{"wrong type in a cell", func(x *excelize.File, r map[string]int) {
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "agencies_total"), "mười hai"))
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "it_staff"), "7,5"))
			must(t, x.SetCellFloat(ReportSheet, cellOf(r, colValue, "computers_total"), 250.5, -1, 64))
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "data_centre"), "có lẽ"))
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "dossiers_synced_npsp"), "12.500"))
			must(t, x.SetCellBool(ReportSheet, cellOf(r, colValue, "systems_total"), true))
		}, []want{
			{cellOf(rows, colValue, "agencies_total"), `"mười hai" is not a number`},
			{cellOf(rows, colValue, "computers_total"), "250.5: must be a whole number"},
			{cellOf(rows, colValue, "data_centre"), `"có lẽ": write yes or no`},
			{cellOf(rows, colValue, "dossiers_synced_npsp"), `"12.500" is ambiguous`},
			{cellOf(rows, colValue, "systems_total"), `"true" is not a number`},
			{cellOf(rows, colValue, "it_staff"), "7,5: must be a whole number"},
		}, func(t *testing.T, a form.Answers) {
			for _, id := range []string{"agencies_total", "it_staff", "computers_total", "data_centre"} {
				if _, ok := a[id]; ok {
					t.Errorf("%s has a problem but is in the valid part: %+v", id, a[id])
				}
			}
		}},
		{"numbers typed as text, Vietnamese and English", func(x *excelize.File, r map[string]int) {
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "docs_sent_total"), "1.234.567"))
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "docs_received_total"), "1,234,567"))
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "budget_security"), "0,75"))
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "data_centre"), "Không"))
		}, nil, func(t *testing.T, a form.Answers) {
			for id, v := range map[string]string{"docs_sent_total": "1234567", "docs_received_total": "1234567", "budget_security": "0.75", "data_centre": "no"} {
				if a[id].Value != v {
					t.Errorf("%s = %q, want %q", id, a[id].Value, v)
				}
			}
		}},
		{"a part over its whole", func(x *excelize.File, r map[string]int) {
			must(t, x.SetCellInt(ReportSheet, cellOf(r, colValue, "computers_online"), 251))
		}, []want{{cellOf(rows, colValue, "computers_online"), "1.4 Of which: computers connected to the Internet (251) exceeds 1.3 Computers provided to officials (250)"}},
			func(t *testing.T, a form.Answers) {
				if a["computers_online"].Value != "251" {
					t.Errorf("the part is read even though the rule fails: %+v", a["computers_online"])
				}
			}},
		{"formulas in cells", func(x *excelize.File, r map[string]int) {
			must(t, x.SetCellFormula(ReportSheet, cellOf(r, colValue, "agencies_total"), "6+6"))
		}, []want{{cellOf(rows, colValue, "agencies_total"), "formulas are not accepted: type the value"}}, nil},
		{"an explanation too long", func(x *excelize.File, r map[string]int) {
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colExplanation, "it_staff"), long+"thêm"))
		}, []want{{cellOf(rows, colExplanation, "it_staff"), "the explanation is longer than 2000 characters"}}, nil},
		{"an unknown and a duplicated id in the hidden column", func(x *excelize.File, r map[string]int) {
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colKey, "notes"), "bogus_id"))
			must(t, x.SetCellStr(ReportSheet, cellOf(r, colKey, "computers_online"), "computers_total"))
		}, []want{
			{cellOf(rows, colKey, "computers_online"), "the indicator is already on row " + strings.TrimPrefix(cellOf(rows, colKey, "computers_total"), colKey)},
			{cellOf(rows, colKey, "notes"), `indicator id "bogus_id" (hidden column H) is not in report version 2022.1`},
		}, func(t *testing.T, a form.Answers) {
			if _, ok := a["notes"]; ok {
				t.Error("a row with an unknown id was read")
			}
		}},
		{"a deleted row and a moved row", func(x *excelize.File, r map[string]int) {
			must(t, x.RemoveRow(ReportSheet, r["notes"]))
			// it_staff's row copied to the top of the list, then the original removed
			must(t, x.DuplicateRowTo(ReportSheet, r["it_staff"], rowFirst))
			must(t, x.RemoveRow(ReportSheet, r["it_staff"]+1))
		}, nil, func(t *testing.T, a form.Answers) {
			if _, ok := a["notes"]; ok {
				t.Error("a deleted row was answered")
			}
			if a["it_staff"].Value != "7" {
				t.Errorf("the moved row: %+v", a["it_staff"])
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := modify(t, base, tc.change)
			up, err := readFile(t, path, expect(t))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range up.Problems {
				got = append(got, p.Sheet+"!"+p.Cell+": "+p.ReasonEN)
				if p.ReasonVI == "" || p.ReasonVI == p.ReasonEN {
					t.Errorf("%v: no Vietnamese reason", p)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems:\n%s\nwant %d: %v", strings.Join(got, "\n"), len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], ReportSheet+"!"+w.cell+": "+w.reason) {
					t.Errorf("problem %d: %q, want %s!%s: %s…", i, got[i], ReportSheet, w.cell, w.reason)
				}
			}
			if tc.check != nil {
				tc.check(t, up.Answers)
			}
			// Nothing else is lost: answers of untouched rows are all there.
			for _, id := range []string{"procedures_total", "dossiers_online", "portal_url", "budget_spent"} {
				if up.Answers[id].Value != prefilled()[id].Value {
					t.Errorf("%s lost: %+v", id, up.Answers[id])
				}
			}
		})
	}
}

func TestMissingRequiredValueOnSubmission(t *testing.T) {
	base := writeTemplate(t)
	rows := rowsOf(t, base)
	path := modify(t, base, func(x *excelize.File, r map[string]int) {
		must(t, x.SetCellStr(ReportSheet, cellOf(r, colValue, "agencies_total"), ""))
	})
	up, err := readFile(t, path, expect(t))
	if err != nil || len(up.Problems) != 0 {
		t.Fatalf("a draft may miss a required value: %v %v", err, up.Problems)
	}
	var missing []CellProblem
	for _, p := range up.Place(definition(t).Validate(up.Answers)) {
		if p.Indicator == "agencies_total" {
			missing = append(missing, p)
		}
	}
	want := ReportSheet + "!" + cellOf(rows, colValue, "agencies_total") + " (1.1 agencies_total): missing (required)"
	if len(missing) != 1 || missing[0].Error() != want {
		t.Errorf("Validate placed: %v, want %q", missing, want)
	}
}

// sheetXML rewrites the report sheet's XML part of a template by hand.
func rezip(t *testing.T, base string, edit func(name string, data []byte) []byte, extra func(zw *zip.Writer)) string {
	t.Helper()
	zr, err := zip.OpenReader(base)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			data = edit(f.Name, data)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if extra != nil {
		extra(zw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hostile.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// replaceCell swaps one <c> element of a worksheet's XML.
func replaceCell(t *testing.T, data []byte, cell, with string) []byte {
	t.Helper()
	re := regexp.MustCompile(`<c r="` + cell + `"[^>/]*(?:/>|>.*?</c>)`)
	if !re.Match(data) {
		t.Fatalf("no cell %s in the sheet", cell)
	}
	return re.ReplaceAllLiteral(data, []byte(with))
}

func TestFormulaInjectionIsNeverTaken(t *testing.T) {
	base := writeTemplate(t)
	rows := rowsOf(t, base)
	hyperlink := cellOf(rows, colValue, "dossiers_total")
	dde := cellOf(rows, colExplanation, "procedures_total")
	ddeValue := cellOf(rows, colValue, "it_staff")
	path := rezip(t, base, func(name string, data []byte) []byte {
		if name != "xl/worksheets/sheet1.xml" {
			return data
		}
		data = replaceCell(t, data, hyperlink, `<c r="`+hyperlink+`" t="str"><f>HYPERLINK("http://evil","x")</f><v>x</v></c>`)
		data = replaceCell(t, data, dde, `<c r="`+dde+`" t="str"><f>cmd|' /C calc'!A0</f><v>0</v></c>`)
		return replaceCell(t, data, ddeValue, `<c r="`+ddeValue+`"><f>cmd|' /C calc'!A0</f><v>7</v></c>`)
	}, nil)
	up, err := readFile(t, path, expect(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range up.Problems {
		got = append(got, p.Error())
	}
	want := []string{
		ReportSheet + "!" + hyperlink + " (4.6 dossiers_total): formulas are not accepted: type the value",
		ReportSheet + "!" + dde + " (4.1 procedures_total): formulas are not accepted: type the value",
		ReportSheet + "!" + ddeValue + " (6.1 it_staff): formulas are not accepted: type the value",
	}
	// Problems come in row order: sort both the same way.
	if strings.Join(sortedCopy(got), "\n") != strings.Join(sortedCopy(want), "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, id := range []string{"dossiers_total", "procedures_total", "it_staff"} {
		if a, ok := up.Answers[id]; ok && a.Value != "" {
			t.Errorf("%s: a formula's cached value was taken: %+v", id, a)
		}
		if r, ok := up.Raw[id]; ok {
			t.Errorf("%s: a formula cell is in the raw answers a save takes: %+v", id, r)
		}
	}
	if got := strings.Join(sortedCopy(up.Refused), ","); got != "dossiers_total,it_staff,procedures_total" {
		t.Errorf("refused indicators: %s, want the three formula cells' (their saved answers are kept)", got)
	}
	// Every other answer is still there, the text that looks like a
	// formula included.
	want2 := prefilled()
	for _, id := range []string{"dossiers_total", "procedures_total", "it_staff"} {
		delete(want2, id)
	}
	for id := range want2 {
		if up.Answers[id].Value != want2[id].Value || up.Answers[id].Explanation != want2[id].Explanation {
			t.Errorf("%s: %+v, want %+v", id, up.Answers[id], want2[id])
		}
	}
}

func sortedCopy(s []string) []string {
	return slices.Sorted(slices.Values(s))
}

// deflated is data compressed as a zip part would be.
func deflated(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// countingReader fails the test when anything is read.
type countingReader struct {
	t     *testing.T
	reads int
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	return 0, io.EOF
}

func TestFilesRefusedWhole(t *testing.T) {
	base := writeTemplate(t)
	zeros := make([]byte, 30<<20)
	type refusal struct {
		kind        FileErrorKind
		sheet, cell string
		reason      string
	}
	for _, tc := range []struct {
		name string
		file func(t *testing.T) string
		want refusal
	}{
		{"wrong unit", func(t *testing.T) string {
			return modify(t, base, func(x *excelize.File, _ map[string]int) { must(t, x.SetCellStr(ReportSheet, "C3", "p34-01")) })
		}, refusal{WrongIdentity, ReportSheet, "C3", `this template is for unit "p34-01", not "p34-08" of this report`}},
		{"wrong quarter", func(t *testing.T) string {
			return modify(t, base, func(x *excelize.File, _ map[string]int) { must(t, x.SetCellStr(ReportSheet, "C5", "2026Q2")) })
		}, refusal{WrongIdentity, ReportSheet, "C5", `this template is for quarter "2026Q2", not "2026Q3"`}},
		{"wrong form version", func(t *testing.T) string {
			return modify(t, base, func(x *excelize.File, _ map[string]int) { must(t, x.SetCellStr(ReportSheet, "C6", "2019.1")) })
		}, refusal{WrongIdentity, ReportSheet, "C6", `this template is for form version "2019.1", not "2022.1"`}},
		{"identity by formula", func(t *testing.T) string {
			return modify(t, base, func(x *excelize.File, _ map[string]int) {
				must(t, x.SetCellFormula(ReportSheet, "C3", `"p34-"&"08"`))
			})
		}, refusal{WrongIdentity, ReportSheet, "C3", "the unit cell holds a formula"}},
		{"identity rows deleted", func(t *testing.T) string {
			return modify(t, base, func(x *excelize.File, _ map[string]int) { must(t, x.RemoveRow(ReportSheet, rowQuarter)) })
		}, refusal{WrongIdentity, "", "", "the template's quarter row is gone (hidden column H)"}},
		{"extra sheet", func(t *testing.T) string {
			return modify(t, base, func(x *excelize.File, _ map[string]int) {
				_, err := x.NewSheet("Sheet2")
				must(t, err)
				must(t, x.SetCellStr("Sheet2", "A1", "dữ liệu khác"))
			})
		}, refusal{ExtraSheet, "Sheet2", "", `the template has no sheet "Sheet2": delete it`}},
		{"report sheet renamed", func(t *testing.T) string {
			return modify(t, base, func(x *excelize.File, _ map[string]int) { must(t, x.SetSheetName(ReportSheet, "Bao cao")) })
		}, refusal{NoReportSheet, "", "", `there is no sheet "Báo cáo" (the sheets are "Bao cao", "Hướng dẫn")`}},
		{"a CSV file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "x.xlsx")
			must(t, os.WriteFile(p, []byte("unit,value\np34-08,12\n"), 0o644))
			return p
		}, refusal{NotXLSX, "", "", "the file is not an Excel workbook (.xlsx)"}},
		{"an old .xls", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "x.xlsx")
			must(t, os.WriteFile(p, append(append([]byte(nil), oleMagic...), make([]byte, 512)...), 0o644))
			return p
		}, refusal{NotXLSX, "", "", "an old Excel workbook (.xls) or has a password"}},
		{"an empty file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "x.xlsx")
			must(t, os.WriteFile(p, nil, 0o644))
			return p
		}, refusal{NotXLSX, "", "", "not an Excel workbook"}},
		{"a truncated file", func(t *testing.T) string {
			data, err := os.ReadFile(base)
			must(t, err)
			p := filepath.Join(t.TempDir(), "x.xlsx")
			must(t, os.WriteFile(p, data[:len(data)/2], 0o644))
			return p
		}, refusal{Damaged, "", "", "the Excel file is damaged"}},
		{"a zip that is not a workbook", func(t *testing.T) string {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("readme.txt")
			_, _ = w.Write([]byte("hello"))
			must(t, zw.Close())
			p := filepath.Join(t.TempDir(), "x.xlsx")
			must(t, os.WriteFile(p, buf.Bytes(), 0o644))
			return p
		}, refusal{NotXLSX, "", "", "the file is a zip archive but not an Excel workbook (.xlsx)"}},
		{"macros", func(t *testing.T) string {
			return rezip(t, base, nil, func(zw *zip.Writer) {
				w, _ := zw.Create("xl/vbaProject.bin")
				_, _ = w.Write([]byte("macro"))
			})
		}, refusal{NotXLSX, "", "", "the file holds macros"}},
		{"a 50 MB file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "big.xlsx")
			data, err := os.ReadFile(base)
			must(t, err)
			must(t, os.WriteFile(p, data, 0o644))
			must(t, os.Truncate(p, 50<<20))
			return p
		}, refusal{TooLarge, "", "", "the file is 50.0 MB, over the template's limit of 5.0 MB"}},
		{"a zip bomb: the index declares 30 MB", func(t *testing.T) string {
			return rezip(t, base, nil, func(zw *zip.Writer) {
				w, _ := zw.Create("xl/media/image1.bin")
				_, _ = w.Write(zeros)
			})
		}, refusal{ZipBomb, "", "", "the file is refused as a possible zip bomb: its index declares more than 20.0 MB unzipped"}},
		{"a zip bomb: 2 MB of zeros in one part", func(t *testing.T) string {
			return rezip(t, base, nil, func(zw *zip.Writer) {
				w, _ := zw.Create("xl/media/image1.bin")
				_, _ = w.Write(zeros[:2<<20])
			})
		}, refusal{ZipBomb, "", "", "its part xl/media/image1.bin is compressed"}},
		{"a zip bomb: the index lies", func(t *testing.T) string {
			comp := deflated(t, zeros)
			return rezip(t, base, nil, func(zw *zip.Writer) {
				w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/media/image1.bin", Method: zip.Deflate,
					CRC32: crc32.ChecksumIEEE(zeros), CompressedSize64: uint64(len(comp)), UncompressedSize64: 1000})
				must(t, err)
				_, _ = w.Write(comp)
			})
		}, refusal{ZipBomb, "", "", "its part xl/media/image1.bin expands to more than the 1000 bytes its index declares"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.file(t)
			if st, err := os.Stat(path); err == nil && st.Size() > MaxFileBytes && tc.want.kind != TooLarge {
				t.Fatalf("the hostile file is %d bytes: it would be refused by its size, not for what it is", st.Size())
			}
			up, err := readFile(t, path, expect(t))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("read: %v, %d problems; want a *FileError", err, len(up.Problems))
			}
			if fe.Kind != tc.want.kind || fe.Sheet != tc.want.sheet || fe.Cell != tc.want.cell || !strings.Contains(fe.ReasonEN, tc.want.reason) {
				t.Errorf("refused with %s at %q!%q: %s\nwant %s at %q!%q: …%s…", fe.Kind, fe.Sheet, fe.Cell, fe.ReasonEN, tc.want.kind, tc.want.sheet, tc.want.cell, tc.want.reason)
			}
			if fe.ReasonVI == "" || fe.ReasonVI == fe.ReasonEN {
				t.Errorf("no Vietnamese reason: %q", fe.ReasonVI)
			}
			t.Logf("%v\n%s", fe, fe.ReasonVI)
			if up.Answers != nil || up.Problems != nil {
				t.Errorf("a refused file gave answers: %+v", up)
			}
		})
	}
	// A file over the limit is refused by its size: nothing is read.
	c := &countingReader{t: t}
	_, err := Read(c, 50<<20, expect(t))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Kind != TooLarge || c.reads != 0 {
		t.Errorf("50 MB: %v after %d reads, want too_large before any read", err, c.reads)
	}
}
