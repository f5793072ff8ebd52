package metrics

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Source is the table a KPI is computed from.
type Source string

// Sources.
const (
	// UnitDay KPIs are ratios of flows summed over the days of the period
	// in usage_unit_day.
	UnitDay Source = "unit_day"
	// ProcedureCatalogue KPIs join the catalogue in force at the end of the
	// period to the period's usage per procedure (usage_unit_procedure_month,
	// so whole months).
	ProcedureCatalogue Source = "procedure_catalogue"
)

// KPI is one indicator: it owns its numerator and denominator (SQL
// aggregates over its source), its direction and its meaning. A value is
// numerator ÷ denominator; a zero or missing denominator is no data (NULL),
// and aggregating units or periods sums numerators and denominators.
type KPI struct {
	ID     string
	Source Source
	// Numerator and Denominator are SQL aggregate expressions over the
	// source's columns (see sourceColumns).
	Numerator, Denominator string
	HigherIsBetter         bool
	NameVI, NameEN         string
	DescVI, DescEN         string
	// Assumption says where the definition is ours rather than the
	// official text, or empty.
	Assumption string
	// State KPIs describe the catalogue in force at the end of the period
	// (not flows over it): a successor's figure is its own, its
	// predecessors' catalogues are not added.
	State bool
}

// catalogue lists every KPI, in the order of kpi-spec.md.
var catalogue = []KPI{
	{
		ID: "online_service_coverage", Source: ProcedureCatalogue, HigherIsBetter: true, State: true,
		Numerator: "countIf(service != 'none')", Denominator: "count()",
		NameVI: "Tỷ lệ TTHC có dịch vụ công trực tuyến", NameEN: "Online-service coverage",
		DescVI: "Số thủ tục có dịch vụ công trực tuyến (một phần hoặc toàn trình) trên tổng số thủ tục thuộc thẩm quyền, theo danh mục có hiệu lực cuối kỳ.",
		DescEN: "Procedures with a partial or full-process online service over all procedures of the unit, in the catalogue in force at the end of the period.",
	},
	{
		ID: "full_process_coverage", Source: ProcedureCatalogue, HigherIsBetter: true, State: true,
		Numerator: "countIf(service = 'full')", Denominator: "countIf(eligible_full_process = 1)",
		NameVI: "Tỷ lệ DVCTT toàn trình", NameEN: "Full-process (level 4) coverage",
		DescVI: "Số thủ tục cung cấp dịch vụ công trực tuyến toàn trình trên số thủ tục đủ điều kiện cung cấp toàn trình (trước 15/8/2022: mức độ 4).",
		DescEN: "Procedures with a published full-process service over procedures eligible for full-process (level 4 before 2022-08-15).",
	},
	{
		ID: "services_with_online_dossiers", Source: ProcedureCatalogue, HigherIsBetter: true, State: true,
		Numerator: "countIf(service != 'none' AND ifNull(p_received_online, 0) > 0)", Denominator: "countIf(service != 'none')",
		NameVI: "Tỷ lệ DVCTT phát sinh hồ sơ", NameEN: "Online services with online dossiers",
		DescVI:     "Số dịch vụ công trực tuyến có ít nhất một hồ sơ nộp trực tuyến trong kỳ trên tổng số dịch vụ công trực tuyến.",
		DescEN:     "Online services with at least one dossier received online in the period over all online services.",
		Assumption: "online services are those of the catalogue in force at the end of the period whose level is partial or full",
	},
	{
		ID: "online_rate", Source: UnitDay, HigherIsBetter: true,
		Numerator: "sum(received_online)", Denominator: "sum(received)",
		NameVI: "Tỷ lệ hồ sơ trực tuyến", NameEN: "Online-processing rate",
		DescVI: "Số hồ sơ tiếp nhận trực tuyến trên tổng số hồ sơ tiếp nhận trong kỳ.",
		DescEN: "Dossiers received online over all dossiers received in the period.",
	},
	{
		ID: "full_process_online_rate", Source: ProcedureCatalogue, HigherIsBetter: true,
		Numerator: "sumIf(p_full_process_online, eligible_full_process = 1)", Denominator: "sumIf(p_received, eligible_full_process = 1)",
		NameVI: "Tỷ lệ hồ sơ trực tuyến toàn trình", NameEN: "Full-process online rate",
		DescVI: "Số hồ sơ nộp trực tuyến toàn trình trên số hồ sơ của các thủ tục đủ điều kiện toàn trình.",
		DescEN: "Full-process online dossiers over the dossiers of procedures eligible for full-process.",
	},
	{
		ID: "on_time_rate", Source: UnitDay, HigherIsBetter: true,
		Numerator:   "sum(processed_on_time) + ifNull(argMax(in_progress_on_time, day), 0)",
		Denominator: "sum(processed) + ifNull(argMax(in_progress_on_time, day), 0) + ifNull(argMax(in_progress_overdue, day), 0)",
		NameVI:      "Tỷ lệ hồ sơ đúng hạn", NameEN: "On-time rate",
		DescVI:     "Hồ sơ giải quyết đúng hạn cộng hồ sơ đang giải quyết trong hạn, trên hồ sơ đã giải quyết cộng hồ sơ đang giải quyết.",
		DescEN:     "Dossiers finished on time plus dossiers in progress within their deadline, over dossiers finished plus dossiers in progress.",
		Assumption: "dossiers in progress are the backlog on the last day with data in the period (a stock, not summed over days)",
	},
	{
		ID: "online_payment_rate", Source: UnitDay, HigherIsBetter: true,
		Numerator: "sum(paid_online)", Denominator: "sum(financial_obligation)",
		NameVI: "Tỷ lệ thanh toán trực tuyến", NameEN: "Online payment rate",
		DescVI: "Số hồ sơ thanh toán trực tuyến trên số hồ sơ có nghĩa vụ tài chính (phí, lệ phí khác 0).",
		DescEN: "Dossiers paid online over dossiers with a financial obligation (fees above 0).",
	},
	{
		ID: "fee_procedures_paid_online_rate", Source: ProcedureCatalogue, HigherIsBetter: true,
		Numerator: "countIf(fee_bearing = 1 AND ifNull(p_paid_online, 0) > 0)", Denominator: "countIf(fee_bearing = 1)",
		NameVI: "Tỷ lệ TTHC có phí phát sinh thanh toán trực tuyến", NameEN: "Fee-bearing procedures paid online",
		DescVI:     "Số thủ tục có phí, lệ phí có ít nhất một hồ sơ thanh toán trực tuyến trong kỳ trên số thủ tục có phí, lệ phí (B của chỉ số thanh toán 766).",
		DescEN:     "Fee-bearing procedures with at least one dossier paid online in the period over fee-bearing procedures (B of the 766 payment formula).",
		Assumption: "fee-bearing procedures are those flagged in the catalogue in force at the end of the period; a successor adds its predecessors' counts",
	},
	{
		ID: "fee_procedures_with_dossiers_rate", Source: ProcedureCatalogue, HigherIsBetter: true,
		Numerator: "countIf(fee_bearing = 1 AND ifNull(p_received, 0) > 0)", Denominator: "countIf(fee_bearing = 1)",
		NameVI: "Tỷ lệ TTHC có phí phát sinh hồ sơ", NameEN: "Fee-bearing procedures with dossiers",
		DescVI:     "Số thủ tục có phí, lệ phí có ít nhất một hồ sơ trong kỳ trên số thủ tục có phí, lệ phí (C của chỉ số thanh toán 766).",
		DescEN:     "Fee-bearing procedures with at least one dossier received in the period over fee-bearing procedures (C of the 766 payment formula).",
		Assumption: "fee-bearing procedures are those flagged in the catalogue in force at the end of the period; a successor adds its predecessors' counts",
	},
	{
		ID: "digitization_rate", Source: UnitDay, HigherIsBetter: true,
		Numerator: "sum(digitized)", Denominator: "sum(received)",
		NameVI: "Tỷ lệ số hóa hồ sơ", NameEN: "Digitization rate",
		DescVI:     "Số hồ sơ có thành phần được số hóa trên số hồ sơ tiếp nhận.",
		DescEN:     "Dossiers with digitized components over dossiers received.",
		Assumption: "the official rule also asks for an e-result where the result is a paper document; portals report the two counts separately",
	},
	{
		ID: "e_result_rate", Source: ProcedureCatalogue, HigherIsBetter: true,
		Numerator: "sumIf(p_e_result, paper_result = 1)", Denominator: "sumIf(p_processed, paper_result = 1)",
		NameVI: "Tỷ lệ cấp kết quả điện tử", NameEN: "E-result rate",
		DescVI:     "Số hồ sơ có kết quả điện tử trên số hồ sơ đã giải quyết của các thủ tục có kết quả là giấy tờ.",
		DescEN:     "Dossiers with an e-result over dossiers finished, for procedures whose result is a paper document.",
		Assumption: "the base is the dossiers finished in the period",
	},
	{
		ID: "data_reuse_rate", Source: UnitDay, HigherIsBetter: true,
		Numerator: "sum(reused_data)", Denominator: "sum(received)",
		NameVI: "Tỷ lệ tái sử dụng dữ liệu", NameEN: "Data-reuse rate",
		DescVI: "Số hồ sơ có thành phần tái sử dụng dữ liệu đã số hóa trên số hồ sơ tiếp nhận.",
		DescEN: "Dossiers with at least one component reusing digitized data over dossiers received.",
	},
	{
		ID: "npsp_sync_rate", Source: UnitDay, HigherIsBetter: true,
		Numerator: "sum(synced_npsp)", Denominator: "sum(received)",
		NameVI: "Tỷ lệ đồng bộ lên Cổng DVCQG", NameEN: "NPSP sync rate",
		DescVI:     "Số hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia trên số hồ sơ đơn vị tiếp nhận.",
		DescEN:     "Dossiers synchronised to the National Public Service Portal over dossiers the unit received.",
		Assumption: "the official denominator is the larger of the unit's and NPSP's counts; egovkpi has only the unit's",
	},
	{
		ID: "satisfaction", Source: UnitDay, HigherIsBetter: true,
		Numerator:   "sum(processed) - sum(processed_late) - ifNull(sum(complaints_received), 0) - ifNull(sum(votes_dissatisfied), 0)",
		Denominator: "sum(processed)",
		NameVI:      "Mức độ hài lòng trong xử lý hồ sơ", NameEN: "Satisfaction with dossier handling",
		DescVI:     "100% trừ tỷ lệ hồ sơ quá hạn và tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc không hài lòng.",
		DescEN:     "100 % less the overdue rate and the rate of dossiers with complaints or dislikes.",
		Assumption: "both rates are taken over the dossiers finished in the period; complaints and dislikes not reported count as none",
	},
	{
		ID: "complaints_on_time_rate", Source: UnitDay, HigherIsBetter: true,
		Numerator: "sum(complaints_on_time) + ifNull(sum(complaints_pending_on_time), 0)", Denominator: "sum(complaints_received)",
		NameVI: "Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn", NameEN: "Complaints handled on time",
		DescVI: "Phản ánh, kiến nghị được xử lý đúng hạn cộng đang xử lý trong hạn, trên tổng số phản ánh, kiến nghị nhận được.",
		DescEN: "Complaints handled on time plus those in progress within the deadline, over complaints received.",
	},
}

// KPIs returns the catalogue.
func KPIs() []KPI { return append([]KPI(nil), catalogue...) }

// HeadlineKPIs are the ids of the KPIs the national trend charts draw: the
// overview page's and the leadership workbook's.
var HeadlineKPIs = []string{"online_rate", "on_time_rate", "online_payment_rate", "digitization_rate", "full_process_online_rate"}

// KPIByID returns a KPI, or an error naming the accepted ids.
func KPIByID(id string) (KPI, error) {
	for _, k := range catalogue {
		if k.ID == id {
			return k, nil
		}
	}
	ids := make([]string, len(catalogue))
	for i, k := range catalogue {
		ids[i] = k.ID
	}
	sort.Strings(ids)
	return KPI{}, fmt.Errorf("unknown KPI %q (accepted: %s)", id, strings.Join(ids, ", "))
}

// Name returns the KPI's name in lang ("vi" or "en").
func (k KPI) Name(lang string) string {
	if lang == "en" {
		return k.NameEN
	}
	return k.NameVI
}

// Markdown writes the KPI table of docs/kpi-methodology.md from the
// catalogue, so the document says what the code computes.
func Markdown(w io.Writer) error {
	if _, err := fmt.Fprintln(w, "| id | KPI | numerator | denominator | from | assumption |\n|---|---|---|---|---|---|"); err != nil {
		return err
	}
	for _, k := range catalogue {
		from := "days (`usage_unit_day`)"
		if k.Source == ProcedureCatalogue {
			from = "catalogue in force at the end + procedures' months"
			if k.State {
				from = "catalogue in force at the end (state)"
			}
		}
		if _, err := fmt.Fprintf(w, "| `%s` | %s<br>*%s* | `%s` | `%s` | %s | %s |\n", k.ID, k.NameEN, k.NameVI, k.Numerator, k.Denominator, from, k.Assumption); err != nil {
			return err
		}
	}
	return nil
}
