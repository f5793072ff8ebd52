package fileimport

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"egovkpi/collector/record"
)

// explanations describes every template column in Vietnamese and English
// (from the protocol's definitions).
var explanations = map[string][2]string{
	ColUnit: {
		"Mã đơn vị chính thức: mã tỉnh, thành phố của cơ quan thống kê (ví dụ 08) hoặc mã viết tắt của bộ, ngành (ví dụ MOF)",
		"Official unit code: the province's statistics-office code (e.g. 08) or the ministry's short code (e.g. MOF)",
	},
	ColDate: {
		"Ngày của số liệu, dạng YYYY-MM-DD (ví dụ 2025-08-01)",
		"Day of the statistics, YYYY-MM-DD (e.g. 2025-08-01)",
	},
	ColProcedure: {
		"Mã thủ tục hành chính trên Cơ sở dữ liệu quốc gia về thủ tục hành chính (ví dụ 1.001234)",
		"National procedure code in the National Database on Administrative Procedures (e.g. 1.001234)",
	},
	"received": {
		"Số hồ sơ tiếp nhận trong ngày, mọi kênh (để trống: bằng tổng các kênh)",
		"Dossiers received in the day, all channels (empty: the sum of the channels)",
	},
	"received_in_person": {
		"Hồ sơ tiếp nhận trực tiếp",
		"Dossiers received in person",
	},
	"received_online": {
		"Hồ sơ tiếp nhận trực tuyến",
		"Dossiers received online",
	},
	"received_post": {
		"Hồ sơ tiếp nhận qua dịch vụ bưu chính",
		"Dossiers received by post",
	},
	"full_process_online": {
		"Hồ sơ trực tuyến của dịch vụ công trực tuyến toàn trình (một phần của received_online)",
		"Online dossiers of the procedure's full-process online service (a part of received_online)",
	},
	"processed": {
		"Hồ sơ đã giải quyết xong trong ngày",
		"Dossiers finished in the day",
	},
	"processed_on_time": {
		"Hồ sơ giải quyết xong đúng hạn (trong số processed)",
		"Dossiers finished on time (of processed)",
	},
	"processed_late": {
		"Hồ sơ giải quyết xong quá hạn (trong số processed)",
		"Dossiers finished late (of processed)",
	},
	"in_progress_on_time": {
		"Hồ sơ đang giải quyết cuối ngày, còn trong hạn",
		"Dossiers still in progress at the end of the day, within their deadline",
	},
	"in_progress_overdue": {
		"Hồ sơ đang giải quyết cuối ngày, đã quá hạn",
		"Dossiers still in progress at the end of the day, past their deadline",
	},
	"financial_obligation": {
		"Hồ sơ có nghĩa vụ tài chính (phí, lệ phí lớn hơn 0)",
		"Dossiers with a financial obligation (fees above 0)",
	},
	"paid_online": {
		"Hồ sơ thanh toán trực tuyến (qua Cổng Dịch vụ công quốc gia hoặc cổng thanh toán của đơn vị; trong số financial_obligation)",
		"Dossiers paid online (NPSP or the unit's payment gateway; of financial_obligation)",
	},
	"digitized": {
		"Hồ sơ tiếp nhận trong ngày có thành phần được số hóa",
		"Dossiers received in the day with digitized components",
	},
	"e_result": {
		"Hồ sơ tiếp nhận trong ngày có kết quả điện tử",
		"Dossiers received in the day with an electronic result",
	},
	"reused_data": {
		"Hồ sơ tiếp nhận trong ngày có tái sử dụng dữ liệu đã số hóa",
		"Dossiers received in the day reusing digitized data",
	},
	"synced_npsp": {
		"Hồ sơ tiếp nhận trong ngày được đồng bộ lên Cổng Dịch vụ công quốc gia",
		"Dossiers received in the day synchronised to the National Public Service Portal (NPSP)",
	},
	"complaints_received": {
		"Phản ánh, kiến nghị tiếp nhận trong ngày",
		"Complaints received in the day",
	},
	"complaints_on_time": {
		"Phản ánh, kiến nghị đã xử lý đúng hạn (trong số complaints_received)",
		"Complaints handled on time (of complaints_received)",
	},
	"complaints_pending_on_time": {
		"Phản ánh, kiến nghị đang xử lý, còn trong hạn (trong số complaints_received)",
		"Complaints still being handled, within their deadline (of complaints_received)",
	},
	"votes_satisfied": {
		"Lượt đánh giá hài lòng trong ngày",
		"Satisfied votes of the day",
	},
	"votes_dissatisfied": {
		"Lượt đánh giá không hài lòng trong ngày",
		"Dissatisfied votes of the day",
	},
}

// ExplainField returns a short Vietnamese and English description of a
// template column (unit, date, procedure or a usage field's name), or two
// empty strings for an unknown name.
func ExplainField(name string) (vi, en string) {
	e := explanations[strings.ToLower(strings.TrimSpace(name))]
	return e[0], e[1]
}

// Required reports whether a template column must be present (and filled
// in every row): unit, date and procedure.
func Required(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case ColUnit, ColDate, ColProcedure:
		return true
	}
	return false
}

// rules are the template's rules, Vietnamese and English.
var rules = [][2]string{
	{
		"Mỗi dòng là số liệu của một đơn vị, một ngày và một thủ tục; không lặp lại cùng đơn vị, ngày và thủ tục.",
		"One row per unit, day and procedure; do not repeat a unit, day and procedure.",
	},
	{
		"Ô để trống nghĩa là không báo cáo (không phải 0). Số liệu bằng 0 thì ghi 0.",
		"An empty cell means not reported (not 0). Write 0 for zero.",
	},
	{
		"Hồ sơ không báo cáo kênh tiếp nhận được tính là tiếp nhận trực tiếp; received để trống thì bằng tổng các kênh.",
		"A channel not reported counts as in person; an empty received is the sum of the channels.",
	},
	{
		"Một phần không bao giờ lớn hơn tổng: received_in_person + received_online + received_post ≤ received (bằng received khi ghi đủ ba kênh); full_process_online ≤ received_online; processed_on_time + processed_late ≤ processed; paid_online ≤ financial_obligation; digitized, reused_data, synced_npsp ≤ received; complaints_on_time + complaints_pending_on_time ≤ complaints_received.",
		"A part never exceeds its whole: received_in_person + received_online + received_post ≤ received (equal to it when all three channels are given); full_process_online ≤ received_online; processed_on_time + processed_late ≤ processed; paid_online ≤ financial_obligation; digitized, reused_data, synced_npsp ≤ received; complaints_on_time + complaints_pending_on_time ≤ complaints_received.",
	},
	{
		"Các ngày có trong tệp thay thế toàn bộ số liệu egovkpi đang có của đơn vị cho những ngày đó: thủ tục không có dòng trong một ngày của tệp được coi là không phát sinh hồ sơ ngày đó. Các ngày không có trong tệp giữ nguyên.",
		"The days present in the file replace what egovkpi has for the unit on those days: a procedure with no row on a day of the file had no activity that day. Days not in the file are kept.",
	},
	{
		"Số liệu là số nguyên không âm. Ngày ghi dạng YYYY-MM-DD; mã đơn vị và mã thủ tục nhập dạng văn bản để giữ đủ chữ số 0 (08, 1.001230).",
		"Counts are whole numbers ≥ 0. Dates are YYYY-MM-DD; type unit and procedure codes as text so that their zeros stay (08, 1.001230).",
	},
	{
		"Chỉ đọc trang \"Dữ liệu\"; trang \"Hướng dẫn\" được bỏ qua. Không để số liệu ở trang khác: tệp sẽ bị từ chối.",
		"Only the sheet \"Dữ liệu\" is read; the sheet \"Hướng dẫn\" is ignored. Data in any other sheet makes the file refused.",
	},
	{
		"Công thức được đọc theo kết quả đã lưu, không tính lại: lưu tệp bằng Excel hoặc LibreOffice trước khi gửi.",
		"Formulas are read by their saved result and never recalculated: save the file in Excel or LibreOffice before sending it.",
	},
	{
		fmt.Sprintf("Tệp tối đa %d MB và %s dòng số liệu; tệp CSV phải là UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy.", MaxFileBytes>>20, thousands(MaxRows, '.')),
		fmt.Sprintf("At most %d MB and %s data rows; a CSV file must be UTF-8, separated by commas or semicolons.", MaxFileBytes>>20, thousands(MaxRows, ',')),
	},
}

// thousands writes n ≥ 0 with its digits grouped by three.
func thousands(n int, sep byte) string {
	d := strconv.Itoa(n)
	var b []byte
	for i := range len(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b = append(b, sep)
		}
		b = append(b, d[i])
	}
	return string(b)
}

// exampleRows are the template's example rows for unit: a full row and a
// row with counts not reported.
func exampleRows(unit string) [][]any {
	full := []any{unit, "2025-08-01", "1.000001"}
	for _, n := range [record.NumFields]int{
		record.Received: 12, record.ReceivedInPerson: 5, record.ReceivedOnline: 6, record.ReceivedPost: 1,
		record.FullProcessOnline: 4, record.Processed: 10, record.ProcessedOnTime: 9, record.ProcessedLate: 1,
		record.InProgressOnTime: 7, record.InProgressOverdue: 0, record.FinancialObligation: 3, record.PaidOnline: 2,
		record.Digitized: 8, record.EResult: 6, record.ReusedData: 2, record.SyncedNPSP: 12,
		record.ComplaintsReceived: 1, record.ComplaintsOnTime: 1, record.ComplaintsPendingOnTime: 0,
		record.VotesSatisfied: 3, record.VotesDissatisfied: 0,
	} {
		full = append(full, n)
	}
	partial := []any{unit, "2025-08-01", "1.000002", 3, nil, 2}
	for len(partial) < len(full) {
		partial = append(partial, nil)
	}
	partial[3+int(record.Processed)] = 1
	partial[3+int(record.ProcessedOnTime)] = 1
	return [][]any{full, partial}
}

// WriteTemplate writes the import template: format is "csv" or "xlsx";
// unitCode, when not empty, fills the example rows' unit (else 08) and is
// shown in the XLSX instructions; example adds two example rows.
//
// CSV: the header row and the example rows. XLSX: a sheet "Dữ liệu" with
// the header row (bold, frozen, with an autofilter and a comment
// describing each column), text format on unit, date and procedure so that
// 08 keeps its zero, whole-number validation (0 to 4294967295) on the
// counts, and the example rows; and a sheet "Hướng dẫn" listing every
// column (required or not, Vietnamese and English description) and the
// rules.
func WriteTemplate(w io.Writer, format, unitCode string, example bool) error {
	unitCode = strings.TrimSpace(unitCode)
	unit := unitCode
	if unit == "" {
		unit = "08"
	}
	var examples [][]any
	if example {
		examples = exampleRows(unit)
	}
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "csv":
		return writeCSV(w, examples)
	case "xlsx":
		return writeXLSX(w, unitCode, examples)
	}
	return fmt.Errorf("fileimport: template format %q: want csv or xlsx", format)
}

func writeCSV(w io.Writer, examples [][]any) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Columns()); err != nil {
		return err
	}
	for _, row := range examples {
		rec := make([]string, len(row))
		for i, v := range row {
			if v != nil {
				rec[i] = fmt.Sprint(v)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeXLSX(w io.Writer, unitCode string, examples [][]any) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	cols := Columns()
	last := columnName(len(cols))
	check := func(e error) {
		if err == nil && e != nil {
			err = e
		}
	}
	check(f.SetSheetName(f.GetSheetName(0), DataSheet))
	head, e := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		NumFmt:    49,
	})
	check(e)
	text, e := f.NewStyle(&excelize.Style{NumFmt: 49})
	check(e)
	if err != nil {
		return err
	}
	check(f.SetColStyle(DataSheet, "A:C", text))
	check(f.SetColWidth(DataSheet, "A", "A", 10))
	check(f.SetColWidth(DataSheet, "B", "B", 12))
	check(f.SetColWidth(DataSheet, "C", "C", 12))
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c
		if i >= 3 {
			name := columnName(i + 1)
			check(f.SetColWidth(DataSheet, name, name, math.Max(10, float64(len(c))+3)))
		}
	}
	check(f.SetSheetRow(DataSheet, "A1", &header))
	check(f.SetCellStyle(DataSheet, "A1", last+"1", head))
	for i, c := range cols {
		vi, en := ExplainField(c)
		check(f.AddComment(DataSheet, excelize.Comment{
			Cell: columnName(i+1) + "1", Author: "egovkpi",
			Paragraph: []excelize.RichTextRun{
				{Text: c + "\n", Font: &excelize.Font{Bold: true}},
				{Text: vi + "\n" + en},
			},
			Width: 320, Height: 110,
		}))
	}
	check(f.SetPanes(DataSheet, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}))
	check(f.AutoFilter(DataSheet, "A1:"+last+"1", nil))
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "D2:" + last + strconv.Itoa(excelMaxRows)
	check(dv.SetRange(0, math.MaxUint32, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween))
	dv.SetError(excelize.DataValidationErrorStyleStop, "Số liệu không hợp lệ / Invalid count",
		"Nhập số nguyên không âm, hoặc để trống nếu không báo cáo.\nType a whole number ≥ 0, or leave it empty if not reported.")
	check(f.AddDataValidation(DataSheet, dv))
	for i, row := range examples {
		check(f.SetSheetRow(DataSheet, "A"+strconv.Itoa(i+2), &row))
	}

	_, e = f.NewSheet(InstructionsSheet)
	check(e)
	bold, e := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	check(e)
	title, e := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	check(e)
	wrap, e := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	check(e)
	if err != nil {
		return err
	}
	s := InstructionsSheet
	check(f.SetColWidth(s, "A", "A", 28))
	check(f.SetColWidth(s, "B", "B", 14))
	check(f.SetColWidth(s, "C", "D", 70))
	set := func(cell string, v any, style int) {
		check(f.SetCellValue(s, cell, v))
		if style != 0 {
			check(f.SetCellStyle(s, cell, cell, style))
		}
	}
	row := 1
	set("A1", "Mẫu nhập số liệu dịch vụ công của egovkpi / egovkpi public-service statistics import template", title)
	row++
	if unitCode != "" {
		set("A2", "Mã đơn vị / Unit code", bold)
		set("B2", unitCode, bold)
		row++
	}
	set("A"+strconv.Itoa(row), "Điền số liệu vào trang \"Dữ liệu\", mỗi dòng một đơn vị, một ngày, một thủ tục. / Fill the sheet \"Dữ liệu\", one row per unit, day and procedure.", 0)
	row += 2
	r := strconv.Itoa(row)
	for i, h := range []string{"Cột / Column", "Bắt buộc / Required", "Mô tả", "Description"} {
		set(columnName(i+1)+r, h, bold)
	}
	for _, c := range cols {
		row++
		r := strconv.Itoa(row)
		vi, en := ExplainField(c)
		req := "Không / No"
		if Required(c) {
			req = "Có / Yes"
		}
		set("A"+r, c, 0)
		set("B"+r, req, 0)
		set("C"+r, vi, wrap)
		set("D"+r, en, wrap)
	}
	row += 2
	r = strconv.Itoa(row)
	set("A"+r, "Quy tắc / Rules", bold)
	for i, rule := range rules {
		row++
		r := strconv.Itoa(row)
		set("A"+r, strconv.Itoa(i+1)+".", 0)
		set("C"+r, rule[0], wrap)
		set("D"+r, rule[1], wrap)
	}
	f.SetActiveSheet(0)
	if err != nil {
		return err
	}
	return f.Write(w)
}
