package workbook

import (
	"fmt"
	"slices"

	"github.com/xuri/excelize/v2"

	"egovkpi/metrics"
)

// trendSheet is every KPI's national figure per quarter (the API's
// /national answer of each quarter) and a native line chart of the
// headline KPIs drawn from those cells.
func trendSheet(b *book, fig *figures) *sheet {
	st := b.st
	s := &sheet{name: SheetTrend, widths: []float64{46}, freezeCols: 1, onePage: true}
	first, last := fig.quarters[0], fig.quarters[len(fig.quarters)-1]
	s.line(fmt.Sprintf("Diễn biến theo quý của cả nước, %s – %s", quarterLabel(first), quarterLabel(last)), st.title, 22)
	s.line("Nationwide trend by quarter; the chart shows the headline indicators", st.subtitle, 0)
	s.line(mergersVI+" "+blanksVI, st.note, 0)
	s.blank()
	names := [][2]string{{"Chỉ tiêu", "Indicator"}}
	for _, q := range fig.quarters {
		names = append(names, [2]string{quarterLabel(q), ""})
		s.widths = append(s.widths, 11)
	}
	s.headings(st.header, 20, names...)
	header := s.header
	var series []excelize.ChartSeries
	for i, k := range fig.kpis {
		cells := []excelize.Cell{text(k.NameVI, st.text)}
		for _, q := range fig.quarters {
			cells = append(cells, num(nationalValue(fig.national[q.String()], i), st.pct))
		}
		s.add(row{cells: cells})
		if slices.Contains(metrics.HeadlineKPIs, k.ID) {
			r := len(s.rows)
			series = append(series, excelize.ChartSeries{
				Name:       absRef(s.name, 1, r, 1, r),
				Categories: absRef(s.name, 2, header, len(fig.quarters)+1, header),
				Values:     absRef(s.name, 2, r, len(fig.quarters)+1, r),
				Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
			})
		}
	}
	s.blank()
	zero, one := 0.0, 1.0 // every KPI is a share
	s.chartAt = cellRef(1, len(s.rows)+1)
	s.chart = &excelize.Chart{
		Type:      excelize.Line,
		Series:    series,
		Dimension: excelize.ChartDimension{Width: 980, Height: 420},
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{
			Text: "Các chỉ tiêu chính của cả nước theo quý / Headline indicators by quarter", Font: &excelize.Font{Family: font, Bold: true, Size: 12}}}},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		YAxis:        excelize.ChartAxis{MajorGridLines: true, Minimum: &zero, Maximum: &one, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		ShowBlanksAs: "gap",
	}
	// Rows under the chart, so that it is inside the printed area.
	for range 22 {
		s.blank()
	}
	return s
}

// nationalValue is the nationwide value of the i-th KPI of a national
// answer (the KPIs are in catalogue order), nil without data.
func nationalValue(j metrics.NationalJSON, i int) *float64 {
	if i >= len(j.KPIs) {
		return nil
	}
	return j.KPIs[i].All.Value
}

// absRef is an absolute reference to a range of a sheet, for a chart:
// 'Xu hướng'!$B$6:$I$6.
func absRef(sheet string, c1, r1, c2, r2 int) string {
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, colName(c1), r1, colName(c2), r2)
}
