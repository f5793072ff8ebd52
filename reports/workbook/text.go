package workbook

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"egovkpi"
	"egovkpi/metrics"
)

// The sheets, in workbook order. Excel allows 31 characters in a sheet
// name and none of : \ / ? * [ ].
const (
	SheetCover       = "Tổng quan"
	SheetMinistries  = "Xếp hạng Bộ, ngành"
	SheetProvinces   = "Xếp hạng Tỉnh, thành phố"
	SheetTrend       = "Xu hướng"
	SheetSubmissions = "Tình hình nộp báo cáo"
	SheetMethodology = "Phương pháp"
)

// maxSheetName is Excel's limit on a sheet name, in characters.
const maxSheetName = 31

// kpiSheetNames are the short names of the KPI sheets: the catalogue's
// names are longer than a sheet name may be.
var kpiSheetNames = map[string]string{
	"online_service_coverage":           "TTHC có DVCTT",
	"full_process_coverage":             "DVCTT toàn trình",
	"services_with_online_dossiers":     "DVCTT phát sinh hồ sơ",
	"online_rate":                       "Hồ sơ trực tuyến",
	"full_process_online_rate":          "Hồ sơ trực tuyến toàn trình",
	"on_time_rate":                      "Hồ sơ đúng hạn",
	"online_payment_rate":               "Thanh toán trực tuyến",
	"fee_procedures_paid_online_rate":   "TTHC có phí thanh toán TT",
	"fee_procedures_with_dossiers_rate": "TTHC có phí phát sinh hồ sơ",
	"digitization_rate":                 "Số hóa hồ sơ",
	"e_result_rate":                     "Kết quả điện tử",
	"data_reuse_rate":                   "Tái sử dụng dữ liệu",
	"npsp_sync_rate":                    "Đồng bộ Cổng DVCQG",
	"satisfaction":                      "Mức độ hài lòng",
	"complaints_on_time_rate":           "Phản ánh, kiến nghị đúng hạn",
}

// KPISheetName is the name of a KPI's sheet: its short Vietnamese name, or
// for a KPI without one, its name cut to fit (without the characters a
// sheet name may not hold).
func KPISheetName(k metrics.KPI) string {
	if s, ok := kpiSheetNames[k.ID]; ok {
		return s
	}
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return ' '
		}
		return r
	}, strings.TrimPrefix(k.NameVI, "Tỷ lệ "))
	if utf8.RuneCountInString(s) > maxSheetName {
		s = string([]rune(s)[:maxSheetName-1]) + "…"
	}
	return s
}

// FileName is the workbook's usual file name:
// egovkpi-bao-cao-lanh-dao-2026Q3.xlsx.
func FileName(p metrics.Period) string {
	return "egovkpi-bao-cao-lanh-dao-" + strings.ReplaceAll(p.String(), "..", "_") + ".xlsx"
}

// periodLabel names a period for people: "Quý 3/2026" and "Q3 2026".
func periodLabel(p metrics.Period) (vi, en string) {
	s := p.String()
	switch p.Kind {
	case metrics.Quarter:
		return "Quý " + s[5:] + "/" + s[:4], "Q" + s[5:] + " " + s[:4]
	case metrics.Half:
		return "6 tháng " + map[string]string{"1": "đầu", "2": "cuối"}[s[5:]] + " năm " + s[:4], "H" + s[5:] + " " + s[:4]
	case metrics.Month:
		return "Tháng " + strings.TrimPrefix(s[5:], "0") + "/" + s[:4], s
	case metrics.Year:
		return "Năm " + s, "Year " + s
	case metrics.YTD:
		return fmt.Sprintf("Năm %d (đến %s)", p.To.Year(), dateVI(p.To)), fmt.Sprintf("%d to %s", p.To.Year(), p.To.Format(egovkpi.DateLayout))
	}
	return "Từ " + dateVI(p.From) + " đến " + dateVI(p.To), p.From.Format(egovkpi.DateLayout) + " to " + p.To.Format(egovkpi.DateLayout)
}

// quarterLabel is the short heading of a quarter's column: "Q3/2026".
func quarterLabel(q metrics.Period) string {
	s := q.String()
	return "Q" + s[5:] + "/" + s[:4]
}

// blockLabel names a block ("Bộ, ngành"; "Ministries").
func blockLabel(b egovkpi.Block) (vi, en string) {
	if b == egovkpi.BlockMinistry {
		return "Bộ, ngành", "Ministries"
	}
	return "Tỉnh, thành phố", "Provinces"
}

// dateVI writes a day as Vietnamese readers do: 31/12/2025.
func dateVI(d time.Time) string { return d.Format("02/01/2006") }

// percent writes a share as a Vietnamese percentage with two decimals:
// 0.61125 → "61,13 %".
func percent(x float64) string {
	return strings.Replace(fmt.Sprintf("%.2f", metrics.Published(x)), ".", ",", 1) + " %"
}

// Texts of the methodology sheet that are not in the catalogue or the 766
// methodology file. Vietnamese first, then English.
var (
	levelsNoteVI = "Từ 15/08/2022 (Nghị định 42/2022/NĐ-CP) dịch vụ công trực tuyến chia thành toàn trình và một phần. Với số liệu trước ngày này egovkpi quy đổi: mức độ 4 → toàn trình, mức độ 3 → một phần, mức độ 1, 2 → không phải dịch vụ công trực tuyến (quy đổi của egovkpi, không phải văn bản pháp lý)."
	levelsNoteEN = "From 2022-08-15 (Decree 42/2022) online services are full-process or partial. egovkpi maps earlier data: level 4 → full-process, level 3 → partial, levels 1–2 → not an online service (a mapping, not a legal text)."
	mergersVI    = "Sau sắp xếp năm 2025 (bộ, ngành từ 01/03/2025; tỉnh, thành phố từ 01/07/2025), số liệu của đơn vị cũ được cộng dồn vào đơn vị kế thừa (cộng tử số và mẫu số, không lấy trung bình tỷ lệ). Chỉ tiêu theo danh mục thủ tục cuối kỳ là của chính đơn vị: đơn vị mới không có số liệu danh mục trước khi thành lập."
	mergersEN    = "After the 2025 mergers (ministries from 2025-03-01, provinces from 2025-07-01), predecessors' figures are carried into their successor (numerators and denominators summed, never averaged rates). Indicators of the catalogue in force at the end of a period are the unit's own: a new unit has none before it existed."
	blanksVI     = "Ô để trống: không có số liệu (không phải 0)."
	blanksEN     = "A blank cell means no data (never 0)."
)
