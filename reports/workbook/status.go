package workbook

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

// submissionSheet is the quarterly reports' status: the rates per block,
// then every expected unit with its report's state, first submission,
// due day and whether it came on time, late or not at all.
func submissionSheet(b *book, reg *refdata.Registry, in Input) *sheet {
	st := b.st
	q := workflow.QuarterOf(in.Period.To)
	s := &sheet{name: SheetSubmissions, widths: []float64{15, 9, 28, 13, 10, 16, 16, 12, 26, 13}, freezeCols: 3}
	s.line(fmt.Sprintf("Tình hình nộp báo cáo quý %d/%d", q.Q, q.Year), st.title, 22)
	s.line(fmt.Sprintf("Quarterly IT report submissions, %s", q), st.subtitle, 0)
	if len(in.Rates) > 0 {
		s.blank()
		ratesTable(s, st, in.Rates)
	}
	s.blank()
	if len(in.Status) == 0 {
		note := in.StatusNote
		if note == "" {
			note = "Chưa có báo cáo nào của quý này. / No report for this quarter yet."
		}
		s.line(note, st.note, 0)
	} else {
		s.line("Thời điểm theo giờ Việt Nam. Đúng hạn: gửi lần đầu trước khi hết ngày hạn nộp. / Times are Vietnam time. On time: first submitted by the end of the due day.", st.note, 0)
	}
	s.headings(st.header, 0, [2]string{"Khối", "Block"}, [2]string{"Mã", "Code"}, [2]string{"Đơn vị", "Unit"}, [2]string{"Trạng thái", "State"},
		[2]string{"Phiên bản", "Version"}, [2]string{"Cập nhật lần cuối", "Last updated"}, [2]string{"Gửi lần đầu", "First submitted"},
		[2]string{"Hạn nộp", "Due"}, [2]string{"Tình hình", "Standing"})
	statuses := append([]workflow.UnitStatus(nil), in.Status...)
	workflow.SortStatuses(statuses)
	for _, us := range statuses {
		bvi, _ := blockLabel(us.Block)
		code, name := us.UnitID, us.UnitID
		if u, ok := reg.ByID(us.UnitID); ok {
			code, name = u.Code, u.NameVI
		}
		standing, mark := standingOf(us)
		s.add(row{cells: []excelize.Cell{
			text(bvi, st.text), text(code, st.code), text(name, st.text), text(us.State.Label("vi"), st.text),
			{StyleID: st.code, Value: us.Version}, when(us.UpdatedAt, st.dateTime), when(us.FirstSubmitted, st.dateTime),
			{StyleID: st.date, Value: wallClock(us.Due)}, text(standing, b.mark(mark)),
		}})
	}
	return s
}

// standingOf says whether a unit's report came on time, late, is missing
// or still pending, with the fill that marks it.
func standingOf(us workflow.UnitStatus) (label, mark string) {
	switch {
	case us.OnTime:
		return "Đúng hạn / On time", metrics.TargetMet
	case us.Late:
		return "Trễ hạn / Late", metrics.TargetNear
	case us.Missing:
		return "Chưa nộp, quá hạn / Missing", metrics.TargetBelow
	}
	return "Chưa đến hạn / Pending", ""
}

// ratesTable appends the reporting rates, one row per block.
func ratesTable(s *sheet, st styles, rates []workflow.Rate) {
	s.add(row{height: 40, cells: []excelize.Cell{
		text("Khối\nBlock", st.header), text("Phải nộp\nExpected", st.header), text("Đã nộp\nSubmitted", st.header),
		text("Đúng hạn\nOn time", st.header), text("Trễ hạn\nLate", st.header), text("Chưa nộp, quá hạn\nMissing", st.header),
		text("Chưa đến hạn\nPending", st.header), text("Đã duyệt\nApproved", st.header),
		text("Tỷ lệ đã nộp\nSubmitted share", st.header), text("Tỷ lệ đúng hạn\nOn-time share", st.header),
	}})
	for _, r := range rates {
		bvi, _ := blockLabel(r.Block)
		if len(r.Quarters) > 1 {
			bvi += fmt.Sprintf(" (%s – %s)", r.Quarters[0], r.Quarters[len(r.Quarters)-1])
		}
		count := func(n int) excelize.Cell { return excelize.Cell{StyleID: st.count, Value: n} }
		s.add(row{cells: []excelize.Cell{text(bvi, st.text), count(r.Expected), count(r.Submitted), count(r.OnTime), count(r.Late),
			count(r.Missing), count(r.Pending), count(r.Approved), num(r.SubmittedShare(), st.pct), num(r.OnTimeShare(), st.pct)}})
	}
}

// when is a cell of an instant as Vietnam's wall clock, empty when nil.
func when(t *time.Time, style int) excelize.Cell {
	if t == nil {
		return excelize.Cell{StyleID: style}
	}
	return excelize.Cell{StyleID: style, Value: wallClock(t.In(workflow.Vietnam))}
}

// wallClock keeps t's calendar date and clock and drops its zone: Excel
// has no time zones, and excelize converts from UTC.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}
