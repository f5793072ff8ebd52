package workbook

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"egovkpi"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// leagueSheet is a block's Decision 766 league table for the period: the
// API's /index766 answer row by row (rank, movement, total, band, group
// scores, dossiers, completeness, not-enough-data marks).
func leagueSheet(b *book, fig *figures, rules metrics.Rules, blk egovkpi.Block) *sheet {
	st := b.st
	name := SheetMinistries
	if blk == egovkpi.BlockProvince {
		name = SheetProvinces
	}
	s := &sheet{name: name, freezeCols: 4}
	bvi, ben := blockLabel(blk)
	vi, en := periodLabel(fig.period)
	pvi, _ := periodLabel(fig.previous)
	s.line(fmt.Sprintf("Bộ chỉ số 766 — %s — %s", bvi, vi), st.title, 22)
	s.line(fmt.Sprintf("Decision 766 index — %s — %s", ben, en), st.subtitle, 0)
	j, ok := fig.index[blk]
	if !ok {
		s.line(fig.indexNote, st.note, 0)
		s.widths = []float64{100}
		return s
	}
	s.line(fmt.Sprintf("Phương pháp: %s, phiên bản %s, hiệu lực từ %s. Hạng so với %s: ▲ lên hạng, ▼ xuống hạng, = giữ hạng. Xếp hạng khi có từ %s hồ sơ và dữ liệu đầy đủ từ %s số ngày; đơn vị bằng điểm cùng hạng.",
		j.Methodology.NameVI, j.Methodology.Version, dateVI(fig.version.ValidFrom), pvi, fmt.Sprintf("%.0f", rules.MinDenominator), percent(rules.MinCompleteness)), st.note, 0)
	if len(j.NotCollected) > 0 {
		s.line(fmt.Sprintf("%.0f điểm thuộc các chỉ tiêu egovkpi chưa thu thập được tính 0 cho mọi đơn vị: %s. / %.0f points of inputs egovkpi does not collect score 0 for every unit.",
			j.MissingPoints, strings.Join(j.NotCollected, ", "), j.MissingPoints), st.note, 0)
	}
	for _, n := range j.Notes {
		s.line(n, st.note, 0)
	}
	s.line("Giá trị của từng chỉ tiêu theo đơn vị: các sheet chỉ tiêu. "+blanksVI+" / Each indicator by unit: the indicator sheets. "+blanksEN, st.note, 0)
	s.blank()

	names := [][2]string{{"Hạng", "Rank"}, {"Thay đổi hạng", "Change"}, {"Mã", "Code"}, {"Đơn vị", "Unit"}}
	s.widths = []float64{7, 9, 8, 30}
	if blk == egovkpi.BlockProvince {
		names = append(names, [2]string{"Vùng", "Region"})
		s.widths = append(s.widths, 20)
	}
	names = append(names, [2]string{"Tổng điểm", "Total"}, [2]string{"Xếp loại", "Band"})
	s.widths = append(s.widths, 9, 12)
	for _, g := range fig.version.Groups {
		names = append(names, [2]string{fmt.Sprintf("%s (%.0f)", g.Name.VI, g.Points), g.Name.EN})
		s.widths = append(s.widths, 12)
	}
	names = append(names, [2]string{"Số hồ sơ", "Dossiers"}, [2]string{"Độ đầy đủ dữ liệu", "Completeness"}, [2]string{"Ghi chú", "Remark"})
	s.widths = append(s.widths, 11, 12, 30)
	s.headings(st.header, 66, names...)

	for _, r := range j.Rows {
		cells := []excelize.Cell{integer(r.Rank, st.code), integer(r.Movement, st.movement), text(r.Code, st.code), text(r.NameVI, st.text)}
		if blk == egovkpi.BlockProvince {
			region, _ := egovkpi.RegionByCode(r.Region)
			cells = append(cells, label(region.NameVI, st.text))
		}
		band, bandName := "", ""
		if r.Band != nil {
			band, bandName = r.Band.ID, r.Band.Name.VI
		}
		cells = append(cells, num(r.Total, st.num2), label(bandName, b.mark(band)))
		for _, g := range fig.version.Groups {
			cells = append(cells, num(groupScore(r.Groups, g.ID), st.num2))
		}
		remark := ""
		switch {
		case r.NotEnoughData:
			remark = "Chưa đủ dữ liệu, không xếp hạng"
		case r.Total == nil:
			remark = "Chưa có số liệu"
		}
		cells = append(cells, num(r.Dossiers, st.count), num(&r.Completeness, st.pct), label(remark, st.text))
		s.add(row{cells: cells})
	}
	return s
}

// groupScore is a scored group's score, nil when the row has no such
// group (no data).
func groupScore(groups []m766.GroupResult, id string) *float64 {
	for _, g := range groups {
		if g.ID == id {
			score := g.Score
			return &score
		}
	}
	return nil
}
