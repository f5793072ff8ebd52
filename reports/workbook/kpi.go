package workbook

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"egovkpi/metrics"
)

// kpiSheet is one KPI for every unit the period shows (ministries, then
// provinces, in code order), its value in each trend quarter as the
// unit's series gives it (predecessors carried across the 2025 mergers),
// and the change over the last quarter.
func kpiSheet(b *book, fig *figures, k metrics.KPI) *sheet {
	st := b.st
	s := &sheet{name: KPISheetName(k), widths: []float64{15, 8, 30}, freezeCols: 3}
	first, last := fig.quarters[0], fig.quarters[len(fig.quarters)-1]
	s.line(fmt.Sprintf("%s, %s – %s", k.NameVI, quarterLabel(first), quarterLabel(last)), st.title, 22)
	s.line(k.NameEN, st.subtitle, 0)
	s.line(k.DescVI+" / "+k.DescEN, st.note, 0)
	notes := ""
	if ts, err := metrics.Targets(); err == nil {
		for _, blk := range metrics.Blocks {
			if t, ok := metrics.TargetFor(ts, k.ID, blk, fig.period); ok {
				bvi, _ := blockLabel(blk)
				notes += fmt.Sprintf("Mục tiêu %s: %s (năm %d, %s). ", bvi, percent(t.Value), t.Year, t.Source)
			}
		}
	}
	if k.Assumption != "" {
		notes += "Giả định / Assumption: " + k.Assumption + ". "
	}
	s.line(notes+mergersVI+" "+blanksVI, st.note, 0)
	s.blank()
	names := [][2]string{{"Khối", "Block"}, {"Mã", "Code"}, {"Đơn vị", "Unit"}}
	for _, q := range fig.quarters {
		names = append(names, [2]string{quarterLabel(q), ""})
		s.widths = append(s.widths, 11)
	}
	names = append(names, [2]string{"Thay đổi (điểm %)", "Change (points)"})
	s.widths = append(s.widths, 13)
	s.headings(st.header, 0, names...)
	for _, blk := range metrics.Blocks {
		bvi, _ := blockLabel(blk)
		for _, u := range fig.units[blk] {
			cells := []excelize.Cell{text(bvi, st.text), text(u.Code, st.code), text(u.NameVI, st.text)}
			var values []*float64
			for i := range fig.quarters {
				v := value(fig.byQuarter[i], u.ID, k.ID)
				values = append(values, v)
				cells = append(cells, num(v, st.pct))
			}
			cells = append(cells, num(change(values), st.point))
			s.add(row{cells: cells})
		}
	}
	return s
}

// change is the last value's published figure minus the one before, in
// percentage points; nil unless both have data.
func change(values []*float64) *float64 {
	n := len(values)
	if n < 2 || values[n-1] == nil || values[n-2] == nil {
		return nil
	}
	d := metrics.Published(*values[n-1]) - metrics.Published(*values[n-2])
	return &d
}
