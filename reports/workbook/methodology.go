package workbook

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"egovkpi"
	"egovkpi/metrics"
)

// methodologySheet explains the figures: every KPI's definition, source,
// assumption and targets; the 766 version of the period with its groups,
// indicators and bands; the 2022 service-level mapping; the ranking
// rules; the 2025 mergers; and what the scores assume.
func methodologySheet(b *book, fig *figures, set metrics.Settings) *sheet {
	st := b.st
	s := &sheet{name: SheetMethodology, widths: []float64{30, 36, 70, 40}}
	s.line("Phương pháp tính", st.title, 22)
	s.line("Methodology: how egovkpi computes every figure of this workbook, as the running code does", st.subtitle, 0)
	s.blank()
	s.line("1. Các chỉ tiêu / Indicators", st.section, 18)
	s.headings(st.header, 0, [2]string{"Mã", "ID"}, [2]string{"Chỉ tiêu", "Indicator"}, [2]string{"Định nghĩa", "Definition"}, [2]string{"Giả định, mục tiêu", "Assumption, targets"})
	targets, _ := metrics.Targets()
	for _, k := range fig.kpis {
		notes := k.Assumption
		for _, t := range targets {
			if t.KPI == k.ID {
				bvi := "cả nước"
				if t.Block != metrics.AllBlocks {
					bvi, _ = blockLabel(egovkpi.Block(t.Block))
				}
				notes = strings.TrimSpace(notes + fmt.Sprintf("\nMục tiêu %s: %s năm %d (%s)", bvi, percent(t.Value), t.Year, t.Source))
			}
		}
		source := "Tính từ số liệu hồ sơ theo ngày / Computed from daily dossier counts"
		if k.Source == metrics.ProcedureCatalogue {
			source = "Tính từ danh mục thủ tục có hiệu lực cuối kỳ và số liệu theo thủ tục / Computed from the catalogue in force at the end of the period and per-procedure counts"
		}
		cells := []excelize.Cell{text(k.ID, st.textWrap), text(k.NameVI+"\n"+k.NameEN, st.textWrap),
			text(k.DescVI+"\n"+k.DescEN+"\n"+source+".", st.textWrap), text(notes, st.textWrap)}
		s.add(row{cells: cells, height: fitHeight(s.widths, cells)})
	}
	s.filterTo = len(s.rows)

	s.blank()
	s.line("2. Bộ chỉ số 766 / Decision 766 index", st.section, 18)
	if v := fig.version; v != nil {
		s.line(fmt.Sprintf("Kỳ %s được tính theo phiên bản %s: %s, hiệu lực từ %s. Mỗi kỳ được tính theo phiên bản có hiệu lực vào ngày cuối kỳ; điểm từng chỉ tiêu được làm tròn 2 chữ số rồi cộng lại. %s",
			fig.period, v.ID, v.Name.VI, dateVI(v.ValidFrom), v.Note), st.note, 0)
		s.add(row{height: 30, cells: []excelize.Cell{text("Nhóm\nGroup", st.header), text("Chỉ tiêu thành phần\nIndicator", st.header),
			text("Điểm tối đa, đầu vào\nPoints, input", st.header), text("egovkpi thu thập\nCollected by egovkpi", st.header)}})
		for _, g := range v.Groups {
			for _, ind := range v.Indicators {
				if ind.Group != g.ID {
					continue
				}
				collected := "có / yes"
				if _, err := metrics.KPIByID(ind.Input); err != nil {
					collected = "chưa thu thập (0 điểm) / not collected (scores 0)"
				}
				if !ind.Confirmed {
					collected += "; giả định: " + ind.Note
				}
				cells := []excelize.Cell{text(fmt.Sprintf("%s (%.0f)", g.Name.VI, g.Points), st.textWrap), text(ind.Name.VI, st.textWrap),
					text(fmt.Sprintf("%.2f điểm; %s; %s", ind.Points, ind.Rule.Type, ind.Input), st.textWrap), text(collected, st.textWrap)}
				s.add(row{cells: cells, height: fitHeight(s.widths, cells)})
			}
		}
		s.blank()
		s.add(row{height: 30, cells: []excelize.Cell{text("Xếp loại\nBand", st.header), text("Từ điểm\nFrom (points)", st.header),
			text("Đã xác nhận\nConfirmed", st.header)}})
		for _, band := range v.Bands {
			confirmed := "có / yes"
			if !band.Confirmed {
				confirmed = "chưa, giả định / no, assumed " + band.Note
			}
			s.add(row{cells: []excelize.Cell{text(band.Name.VI+" / "+band.Name.EN, b.mark(band.ID)), {StyleID: st.num2, Value: band.Min}, text(confirmed, st.textWrap)}})
		}
	} else {
		s.line(fig.indexNote, st.note, 0)
	}

	s.blank()
	s.line("3. Mức độ dịch vụ trước và sau 15/08/2022 / Service levels before and after 2022-08-15", st.section, 18)
	s.line(levelsNoteVI+" / "+levelsNoteEN, st.note, 0)
	s.blank()
	s.line("4. Quy tắc xếp hạng / Ranking rules", st.section, 18)
	r := set.Rules
	s.line(fmt.Sprintf("Bộ, ngành và tỉnh, thành phố được xếp hạng riêng. Đơn vị được xếp hạng khi mẫu số (số hồ sơ) từ %.0f trở lên và dữ liệu của kỳ đầy đủ từ %s số ngày trở lên; đơn vị không đủ được hiển thị, ghi chú và không xếp hạng. Các đơn vị bằng điểm (2 chữ số thập phân) cùng hạng. Thay đổi hạng so với kỳ trước liền kề. / Ministries and provinces are ranked separately; a unit is ranked with a denominator of at least %.0f and data on at least %s of the days; equal published figures share a rank.",
		r.MinDenominator, percent(r.MinCompleteness), r.MinDenominator, percent(r.MinCompleteness)), st.note, 0)
	s.blank()
	s.line("5. Sắp xếp đơn vị năm 2025 / The 2025 mergers", st.section, 18)
	s.line(mergersVI+" / "+mergersEN, st.note, 0)
	s.blank()
	s.line("6. Giả định và thông tin chưa xác nhận / Assumptions", st.section, 18)
	for _, a := range assumptions(fig) {
		s.line("• "+a, st.note, 0)
	}
	s.line("• "+blanksVI+" / "+blanksEN, st.note, 0)
	return s
}

// assumptions are what the period's 766 scores rest on, as the API lists
// them (every row's, then the inputs not collected), once each.
func assumptions(fig *figures) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, blk := range metrics.Blocks {
		j := fig.index[blk]
		for _, a := range j.Assumptions {
			add(a)
		}
		if len(j.NotCollected) > 0 {
			add("not collected, scored 0 for every unit: " + strings.Join(j.NotCollected, ", "))
		}
	}
	return out
}

// fitHeight is the height (points) a row of wrapped cells needs: the most
// lines any of its cells takes at its column's width.
func fitHeight(widths []float64, cells []excelize.Cell) float64 {
	lines := 1
	for i, c := range cells {
		s, ok := c.Value.(string)
		if !ok || i >= len(widths) {
			continue
		}
		n := 0
		for _, part := range strings.Split(s, "\n") {
			n += 1 + int(float64(utf8.RuneCountInString(part))*1.1/widths[i])
		}
		lines = max(lines, n)
	}
	return 13 * float64(lines)
}
