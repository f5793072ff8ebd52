package workbook

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"egovkpi"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

// statusLabels name the target statuses (metrics.TargetStatus).
var statusLabels = map[string]string{
	metrics.TargetMet:   "Đạt mục tiêu / Met",
	metrics.TargetNear:  "Gần đạt / Near",
	metrics.TargetBelow: "Chưa đạt / Below",
}

// coverSheet is the first sheet: what the workbook is, then every KPI's
// national figures against its target, the units by 766 band and the
// reporting rates.
func coverSheet(b *book, fig *figures, in Input) *sheet {
	st := b.st
	s := &sheet{name: SheetCover, widths: []float64{44, 14, 14, 14, 12, 12, 18, 14, 12, 12}, onePage: true}
	vi, en := periodLabel(fig.period)
	pvi, pen := periodLabel(fig.previous)
	s.line("Báo cáo lãnh đạo về dịch vụ công trực tuyến — "+vi, st.title, 22)
	s.line("Leadership report on online public services — "+en, st.subtitle, 0)
	s.line(fmt.Sprintf("Kỳ báo cáo: %s – %s; so sánh với %s. / Period: %s to %s; compared with %s.",
		dateVI(fig.period.From), dateVI(fig.period.To), pvi, fig.period.From.Format(egovkpi.DateLayout), fig.period.To.Format(egovkpi.DateLayout), pen), st.note, 0)
	at := in.GeneratedAt.In(workflow.Vietnam)
	by := in.GeneratedBy
	if by == "" {
		by = "egovkpi"
	}
	s.line(fmt.Sprintf("Lập lúc %s (giờ Việt Nam), bởi %s; số liệu tính đến hết ngày %s. / Generated %s by %s; data up to %s.",
		at.Format("15:04 02/01/2006"), by, dateVI(in.Today.AddDate(0, 0, -1)), at.Format("2006-01-02 15:04 MST"), by, in.Today.AddDate(0, 0, -1).Format(egovkpi.DateLayout)), st.note, 0)
	if v := fig.version; v != nil {
		s.line(fmt.Sprintf("Bộ chỉ số 766: phiên bản %s (%s), hiệu lực từ %s. / Decision 766 index: version %s.", v.ID, v.Name.VI, dateVI(v.ValidFrom), v.ID), st.note, 0)
	} else {
		s.line(fig.indexNote, st.note, 0)
	}
	s.blank()
	s.headings(st.header, 0, [2]string{"Chỉ tiêu", "Indicator"}, [2]string{"Bộ, ngành", "Ministries"}, [2]string{"Tỉnh, thành phố", "Provinces"},
		[2]string{"Cả nước", "Nationwide"}, [2]string{"Mục tiêu", "Target"}, [2]string{"Mức đạt", "Attainment"},
		[2]string{"Đánh giá", "Assessment"}, [2]string{"Thay đổi (điểm %)", "Change (points)"})
	cur, prev := fig.national[fig.period.String()], fig.national[fig.previous.String()]
	for i, k := range cur.KPIs {
		var target *float64
		if k.Target != nil {
			target = &k.Target.Value
		}
		status := metrics.TargetStatus(k.Attainment)
		var change *float64
		if i < len(prev.KPIs) && k.All.Published != nil && prev.KPIs[i].All.Published != nil {
			d := *k.All.Published - *prev.KPIs[i].All.Published
			change = &d
		}
		s.add(row{cells: []excelize.Cell{
			text(k.KPI.NameVI, st.text), num(k.Ministries.Value, st.pct), num(k.Provinces.Value, st.pct), num(k.All.Value, st.pct),
			num(target, st.pct), num(k.Attainment, st.pct), label(statusLabels[status], b.mark(status)), num(change, st.point),
		}})
	}
	s.filterTo = len(s.rows)
	completeness := func(b egovkpi.Block) *float64 {
		c, ok := cur.Completeness[string(b)]
		if !ok {
			return nil
		}
		return &c
	}
	s.add(row{cells: []excelize.Cell{text("Độ đầy đủ dữ liệu / Data completeness", st.bold),
		num(completeness(egovkpi.BlockMinistry), st.pct), num(completeness(egovkpi.BlockProvince), st.pct)}})
	s.line("Cả nước: tổng tử số và mẫu số của mọi đơn vị (không lấy trung bình tỷ lệ); độ đầy đủ dữ liệu: bình quân các đơn vị của khối; mức đạt = giá trị ÷ mục tiêu; gần đạt: từ 90 % mục tiêu. "+blanksVI+
		" / Nationwide: numerators and denominators summed over every unit; completeness: the mean of the block's units; attainment = value ÷ target; near: from 90 % of the target. "+blanksEN, st.note, 0)

	if fig.version != nil {
		s.blank()
		s.line("Phân bố đơn vị theo xếp loại Bộ chỉ số 766 / Units by Decision 766 band", st.section, 18)
		s.add(row{height: 30, cells: []excelize.Cell{text("Xếp loại\nBand", st.header), text("Bộ, ngành\nMinistries", st.header), text("Tỉnh, thành phố\nProvinces", st.header)}})
		count := func(blk egovkpi.Block, band string) int {
			n := 0
			for _, r := range fig.index[blk].Rows {
				if (r.Band == nil && band == "") || (r.Band != nil && r.Band.ID == band) {
					n++
				}
			}
			return n
		}
		for _, band := range fig.version.Bands {
			s.add(row{cells: []excelize.Cell{text(band.Name.VI+" / "+band.Name.EN, b.mark(band.ID)),
				{StyleID: st.count, Value: count(egovkpi.BlockMinistry, band.ID)}, {StyleID: st.count, Value: count(egovkpi.BlockProvince, band.ID)}}})
		}
		s.add(row{cells: []excelize.Cell{text("Chưa có số liệu / No data", st.code),
			{StyleID: st.count, Value: count(egovkpi.BlockMinistry, "")}, {StyleID: st.count, Value: count(egovkpi.BlockProvince, "")}}})
	}

	if len(in.Rates) > 0 {
		s.blank()
		s.line("Tình hình nộp báo cáo quý / Quarterly report submissions (chi tiết: sheet "+SheetSubmissions+")", st.section, 18)
		ratesTable(s, st, in.Rates)
	}
	s.blank()
	s.line("Nguồn: egovkpi, cùng số liệu với API /api/v1/national và /api/v1/index766 của kỳ "+fig.period.String()+". / Source: egovkpi, the same figures as the API.", st.subtitle, 0)
	return s
}
