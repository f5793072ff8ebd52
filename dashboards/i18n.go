package dashboards

import (
	"fmt"
	"strings"
	"time"
)

// Lang is a page language: Vietnamese first, English second.
type Lang string

// The supported languages.
const (
	Vietnamese Lang = "vi"
	English    Lang = "en"
)

// parseLang accepts "vi" or "en"; anything else is Vietnamese.
func parseLang(s string) Lang {
	if strings.EqualFold(strings.TrimSpace(s), "en") {
		return English
	}
	return Vietnamese
}

// messages holds every piece of interface text, Vietnamese and English.
var messages = map[string][2]string{
	"app.title":                         {"Giám sát dịch vụ công trực tuyến", "Online public services monitoring"},
	"lang.switch":                       {"English", "Tiếng Việt"},
	"login.title":                       {"Đăng nhập", "Sign in"},
	"login.login":                       {"Tên đăng nhập", "Login"},
	"login.password":                    {"Mật khẩu", "Password"},
	"login.submit":                      {"Đăng nhập", "Sign in"},
	"login.wrong":                       {"Sai tên đăng nhập hoặc mật khẩu.", "Wrong login or password."},
	"login.limited":                     {"Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau %d giây.", "Too many failed sign-ins. Try again in %d seconds."},
	"login.csrf":                        {"Phiên của biểu mẫu đã hết hạn. Vui lòng đăng nhập lại.", "The form has expired. Please sign in again."},
	"logout":                            {"Đăng xuất", "Sign out"},
	"units.title":                       {"Danh mục đơn vị", "Units"},
	"units.intro":                       {"Các bộ, cơ quan và tỉnh, thành phố có hiệu lực vào ngày đã chọn.", "Ministries, agencies and provinces in force on the chosen day."},
	"units.date":                        {"Ngày", "Date"},
	"units.show":                        {"Xem", "Show"},
	"units.ministries":                  {"Bộ, cơ quan ngang bộ và cơ quan cung cấp dịch vụ công", "Ministries, ministerial-level agencies and other service-providing bodies"},
	"units.provinces":                   {"Tỉnh, thành phố trực thuộc trung ương", "Provinces and centrally-run cities"},
	"units.count":                       {"%d đơn vị", "%d units"},
	"units.none":                        {"Không có đơn vị nào có hiệu lực vào ngày này.", "No unit was in force on this day."},
	"col.code":                          {"Mã", "Code"},
	"col.name":                          {"Tên", "Name"},
	"col.kind":                          {"Loại", "Kind"},
	"col.region":                        {"Vùng", "Region"},
	"col.valid":                         {"Hiệu lực", "In force"},
	"col.successor":                     {"Đơn vị kế thừa", "Successor"},
	"col.note":                          {"Ghi chú", "Note"},
	"valid.since":                       {"từ %s", "since %s"},
	"valid.range":                       {"%s – %s", "%s – %s"},
	"unverified":                        {"chưa xác minh", "unverified"},
	"unverified.title":                  {"Thông tin chưa được xác minh từ nguồn chính thức", "Not confirmed by an official source"},
	"era.before":                        {"Trước ngày 01/07/2025: 63 tỉnh, thành phố (trước sắp xếp theo Nghị quyết 202/2025/QH15).", "Before 2025-07-01: 63 provinces (before Resolution 202/2025/QH15)."},
	"era.after":                         {"Từ ngày 01/07/2025: 34 tỉnh, thành phố (Nghị quyết 202/2025/QH15).", "From 2025-07-01: 34 provinces (Resolution 202/2025/QH15)."},
	"era.ministries":                    {"Cơ cấu bộ, ngành thay đổi từ ngày 01/03/2025 (Nghị quyết 176/2025/QH15).", "Ministries were restructured on 2025-03-01 (Resolution 176/2025/QH15)."},
	"error.title":                       {"Lỗi", "Error"},
	"error.bad_date":                    {"Ngày không hợp lệ %q: hãy nhập theo dạng YYYY-MM-DD.", "Invalid date %q: use YYYY-MM-DD."},
	"error.unavailable":                 {"Không đọc được dữ liệu lúc này; vui lòng thử lại sau.", "The data cannot be read right now; please try again later."},
	"collection.title":                  {"Tình trạng thu thập dữ liệu", "Collection health"},
	"collection.sources":                {"Nguồn dữ liệu (cổng dịch vụ công)", "Sources (portals)"},
	"collection.runs":                   {"Các lần thu thập gần đây", "Recent collection runs"},
	"collection.quarantine":             {"Bản ghi bị cách ly gần đây", "Recently quarantined records"},
	"col.source":                        {"Nguồn", "Source"},
	"col.unit":                          {"Đơn vị", "Unit"},
	"col.watermark":                     {"Dữ liệu đến ngày", "Data up to"},
	"col.lag":                           {"Độ trễ (ngày)", "Lag (days)"},
	"col.last_success":                  {"Lần thành công cuối", "Last success"},
	"col.errors":                        {"Lỗi liên tiếp", "Error streak"},
	"col.next_check":                    {"Lần thử tiếp theo", "Next check"},
	"col.last_error":                    {"Lỗi gần nhất", "Last error"},
	"col.window":                        {"Khoảng ngày", "Window"},
	"col.started":                       {"Bắt đầu", "Started"},
	"col.status":                        {"Trạng thái", "Status"},
	"col.accepted":                      {"Bản ghi nhận", "Accepted"},
	"col.quarantined":                   {"Bản ghi cách ly", "Quarantined"},
	"col.received":                      {"Thời điểm nhận", "Received"},
	"col.procedure":                     {"Thủ tục", "Procedure"},
	"col.reason":                        {"Lý do", "Reason"},
	"upload.title":                      {"Gửi số liệu bằng tệp", "Send statistics as a file"},
	"upload.intro":                      {"Dành cho đơn vị chưa kết nối API: điền mẫu (CSV hoặc XLSX), mỗi dòng là một đơn vị, một ngày, một thủ tục. Các ngày có trong tệp sẽ thay thế số liệu đã có của những ngày đó.", "For units without an API: fill the template (CSV or XLSX), one row per unit, day and procedure. The days in the file replace what egovkpi has for those days."},
	"upload.template":                   {"Tải mẫu", "Download the template"},
	"upload.token":                      {"Mã truy cập của đơn vị", "Your unit's token"},
	"upload.file":                       {"Tệp số liệu (.csv, .xlsx)", "Statistics file (.csv, .xlsx)"},
	"upload.send":                       {"Gửi", "Send"},
	"upload.not_reporter":               {"Chỉ báo cáo viên của đơn vị (hoặc mã truy cập của đơn vị) mới gửi được số liệu.", "Only a unit's reporter (or the unit's token) may send statistics."},
	"upload.for":                        {"Gửi số liệu của đơn vị %s (tài khoản đang đăng nhập).", "Sending for unit %s (the signed-in account)."},
	"upload.bad_token":                  {"Mã truy cập không đúng hoặc đã bị thu hồi.", "Unknown or revoked token."},
	"upload.no_file":                    {"Chưa chọn tệp.", "No file was chosen."},
	"upload.too_large":                  {"Tệp %d MB vượt giới hạn %d MB.", "The file of %d MB is over the %d MB limit."},
	"upload.done":                       {"%s: đã đọc %d dòng, nhận %d, từ chối %d (đưa vào khu cách ly), cập nhật %d ngày.", "%s: %d rows read, %d accepted, %d refused (quarantined), %d days updated."},
	"nav.label":                         {"Điều hướng", "Navigation"},
	"block.ministry":                    {"Bộ, ngành", "Ministries"},
	"block.province":                    {"Tỉnh, thành phố", "Provinces"},
	"block.all":                         {"cả nước", "nationwide"},
	"band.met":                          {"Đạt mục tiêu", "Target met"},
	"band.near":                         {"Gần đạt mục tiêu", "Near the target"},
	"band.below":                        {"Chưa đạt mục tiêu", "Below the target"},
	"col.band":                          {"Xếp loại", "Band"},
	"col.completeness":                  {"Độ đầy đủ dữ liệu", "Data completeness"},
	"col.numerator":                     {"Tử số", "Numerator"},
	"col.denominator":                   {"Mẫu số", "Denominator"},
	"col.dossiers":                      {"Số hồ sơ", "Dossiers"},
	"col.kpi":                           {"Chỉ tiêu", "Indicator"},
	"col.movement":                      {"Thay đổi hạng", "Rank change"},
	"col.period":                        {"Kỳ", "Period"},
	"col.rank":                          {"Hạng", "Rank"},
	"col.remark":                        {"Ghi chú", "Remark"},
	"col.target":                        {"Mục tiêu", "Target"},
	"filter.all_regions":                {"Tất cả các vùng", "All regions"},
	"filter.all_kinds":                  {"Tất cả các loại", "All kinds"},
	"index766.title":                    {"Bộ chỉ số 766 (phục vụ người dân, doanh nghiệp)", "Decision 766 index (serving citizens and businesses)"},
	"index766.missing":                  {"%s điểm thuộc các chỉ tiêu egovkpi chưa thu thập được tính 0 cho mọi đơn vị: %s.", "%s points of inputs egovkpi does not collect score 0 for every unit: %s."},
	"unit.points":                       {"điểm", "points"},
	"league.title":                      {"Bảng xếp hạng", "League tables"},
	"league.download":                   {"Tải bảng đang xem", "Download this table"},
	"league.empty":                      {"Chưa có số liệu %s cho kỳ %s.", "No %s data for %s yet."},
	"league.legend":                     {"▲/▼: thay đổi hạng so với kỳ trước. Đơn vị có quá ít hồ sơ hoặc dữ liệu chưa đầy đủ không được xếp hạng và đứng sau các đơn vị được xếp hạng. Màu: xếp loại theo Quyết định 766 hoặc mức đạt mục tiêu.", "▲/▼: rank change since the previous period. Units with too few dossiers or incomplete data are not ranked and come after the ranked ones. Colours: the Decision 766 band or how far the target is met."},
	"league.no_data":                    {"Chưa có số liệu", "No data"},
	"league.not_enough":                 {"chưa đủ dữ liệu", "not enough data"},
	"league.not_enough_title":           {"Quá ít hồ sơ hoặc dữ liệu của kỳ chưa đầy đủ: không xếp hạng", "Too few dossiers or incomplete data for the period: not ranked"},
	"league.sheet":                      {"Bảng xếp hạng", "League table"},
	"league.target":                     {"Mục tiêu %s %% năm %d (%s)", "Target %s%% for %d (%s)"},
	"league.target_short":               {"mục tiêu %s %% (%d)", "target %s%% (%d)"},
	"map.caption":                       {"Bản đồ ô: mỗi ô là một tỉnh, thành phố, xếp gần đúng vị trí địa lý; màu theo xếp loại. Có thể hiện quần đảo Hoàng Sa và Trường Sa của Việt Nam.", "Tile map: one tile per province, placed close to its geography, coloured by band, with Viet Nam's Hoàng Sa and Trường Sa archipelagos."},
	"overview.title":                    {"Tổng quan", "Overview"},
	"overview.compared":                 {"so với %s", "compared with %s"},
	"overview.headlines":                {"Các chỉ tiêu chính của cả nước", "National headline indicators"},
	"overview.points":                   {"điểm %", "points"},
	"overview.trend":                    {"Diễn biến theo quý (cả nước)", "Trend by quarter (nationwide)"},
	"overview.bands_title":              {"Phân bố đơn vị theo xếp loại Bộ chỉ số 766", "Units by Decision 766 band"},
	"overview.bands":                    {"Xếp loại: %s", "Bands: %s"},
	"overview.changed":                  {"Thay đổi so với kỳ trước", "Changes since the previous period"},
	"overview.no_moves":                 {"Không có thay đổi thứ hạng.", "No rank changed."},
	"overview.full_table":               {"Xem bảng xếp hạng đầy đủ", "See the full table"},
	"period.quarter":                    {"Quý %s/%s", "Q%s %s"},
	"period.half":                       {"6 tháng %s/%s", "H%s %s"},
	"period.month":                      {"Tháng %s/%s", "%[2]s-%[1]s"},
	"period.year":                       {"Năm %s", "Year %s"},
	"part.slow":                         {"Phần này tải quá lâu nên tạm không hiển thị; vui lòng tải lại trang sau ít phút.", "This part took too long and is not shown; reload the page in a few minutes."},
	"part.no_version":                   {"Kỳ này trước phiên bản đầu tiên của phương pháp Bộ chỉ số 766: không có chỉ số.", "This period is before the first version of the Decision 766 methodology: no index."},
	"part.failed":                       {"Không đọc được dữ liệu của phần này lúc này.", "This part's data cannot be read right now."},
	"unit.unknown":                      {"Không có đơn vị %q.", "No unit %q."},
	"unit.forbidden":                    {"Tài khoản báo cáo viên chỉ xem được chi tiết của đơn vị mình.", "A reporter sees the detail of its own unit only."},
	"unit.ended":                        {"Đơn vị này đã kết thúc hoạt động ngày %s; số liệu dưới đây là của quý cuối cùng. Xem đơn vị kế thừa.", "This unit ended on %s; the figures below are of its last quarter. See its successor."},
	"unit.not_yet":                      {"%s có hiệu lực từ %s.", "%s is in force from %s."},
	"unit.predecessors":                 {"Hình thành từ", "Formed from"},
	"unit.successor":                    {"Đơn vị kế thừa", "Successor"},
	"unit.trend":                        {"Diễn biến theo quý", "Trend by quarter"},
	"unit.kpis":                         {"Các chỉ tiêu · %s", "Indicators · %s"},
	"unit.block_figure":                 {"Chung khối %s", "All %s"},
	"unit.national":                     {"Cả nước", "Nationwide"},
	"unit.total":                        {"Tổng điểm", "Total"},
	"unit.group":                        {"Nhóm chỉ tiêu", "Group"},
	"unit.score":                        {"Điểm đạt", "Score"},
	"unit.max":                          {"Điểm tối đa", "Points"},
	"unit.weakest":                      {"Thủ tục cần cải thiện", "Weakest procedures"},
	"unit.most_offline":                 {"Nhiều hồ sơ không trực tuyến nhất", "Most dossiers not online"},
	"unit.most_late":                    {"Nhiều hồ sơ trễ hạn nhất", "Most late dossiers"},
	"unit.offline":                      {"Không trực tuyến", "Not online"},
	"unit.late":                         {"Trễ hạn", "Late"},
	"unit.received":                     {"Tiếp nhận", "Received"},
	"unit.none":                         {"Không có.", "None."},
	"unit.connection":                   {"Kết nối cổng dịch vụ công", "Portal connection"},
	"unit.no_source":                    {"Đơn vị chưa có nguồn thu thập tự động (gửi số liệu bằng API hoặc tệp).", "No collected source for this unit (it sends by API or file)."},
	"quarantine.title":                  {"Khu cách ly dữ liệu", "Quarantine"},
	"quarantine.item":                   {"Bản ghi bị cách ly", "Quarantined item"},
	"quarantine.pending":                {"Chỉ bản ghi chưa xử lý lại", "Only items not replayed"},
	"quarantine.replay":                 {"Xử lý lại", "Replay"},
	"quarantine.replayed":               {"đã nhận khi xử lý lại", "accepted on replay"},
	"quarantine.empty":                  {"Không có bản ghi nào.", "No item."},
	"quarantine.unknown":                {"Không có bản ghi cách ly %s.", "No quarantined item %s."},
	"quarantine.raw":                    {"Nội dung gốc", "Raw payload"},
	"quarantine.how_replay":             {"Xử lý lại: egovkpi quarantine replay %s", "Replay: egovkpi quarantine replay %s"},
	"pager.prev":                        {"Trang trước", "Previous"},
	"pager.next":                        {"Trang sau", "Next"},
	"pager.page":                        {"Trang %d", "Page %d"},
	"method.title":                      {"Phương pháp tính", "Methodology"},
	"method.intro":                      {"Cách egovkpi tính từng chỉ tiêu và Bộ chỉ số 766, đúng như mã nguồn đang chạy; những điểm là giả định hoặc chưa được xác nhận đều được ghi rõ.", "How egovkpi computes each indicator and the Decision 766 index, as the running code does; what is assumed or unconfirmed is marked."},
	"method.kpis":                       {"Các chỉ tiêu", "Indicators"},
	"method.definition":                 {"Định nghĩa", "Definition"},
	"method.source.unit_day":            {"Tính từ số liệu hồ sơ theo ngày", "Computed from daily dossier counts"},
	"method.source.procedure_catalogue": {"Tính từ danh mục thủ tục có hiệu lực cuối kỳ và số liệu theo thủ tục", "Computed from the catalogue in force at the end of the period and per-procedure counts"},
	"method.lower_better":               {"càng thấp càng tốt", "lower is better"},
	"method.assumed":                    {"giả định", "assumption"},
	"method.target":                     {"%s %% năm %d (%s) — %s", "%s%% in %d (%s) — %s"},
	"method.766_intro":                  {"Mỗi kỳ được tính theo phiên bản phương pháp có hiệu lực vào ngày cuối kỳ. Điểm từng chỉ tiêu được làm tròn 2 chữ số rồi cộng lại.", "Each period is scored with the version in force on its last day. Each indicator's score is rounded to 2 decimals, then summed."},
	"method.valid_from":                 {"hiệu lực từ %s", "in force from %s"},
	"method.in_force":                   {"đang áp dụng", "in force"},
	"method.indicator":                  {"Chỉ tiêu thành phần", "Indicator"},
	"method.rule":                       {"Cách tính điểm", "Scoring"},
	"method.collected":                  {"egovkpi thu thập", "Collected by egovkpi"},
	"method.yes":                        {"có", "yes"},
	"method.not_collected":              {"chưa thu thập (0 điểm)", "not collected (scores 0)"},
	"method.rule.proportional":          {"Tỷ lệ × điểm tối đa", "Share × points"},
	"method.rule.capped":                {"Đạt tối đa khi tỷ lệ ≥ %s %%; dưới đó tính theo tỷ lệ", "Full points from %s%%; proportional below"},
	"method.rule.payment":               {"%s × A + min(%s × B, %s) + %s × C (A: tỷ lệ hồ sơ thanh toán trực tuyến; B, C: tỷ lệ thủ tục có phí được thanh toán trực tuyến, có hồ sơ)", "%s × A + min(%s × B, %s) + %s × C (A: share of dossiers paid online; B, C: fee-bearing procedures paid online, with dossiers)"},
	"method.bands":                      {"Xếp loại", "Bands"},
	"method.levels":                     {"Mức độ dịch vụ trước và sau ngày 15/08/2022", "Service levels before and after 2022-08-15"},
	"method.levels_text":                {"Từ 15/08/2022 (Nghị định 42/2022/NĐ-CP) dịch vụ công trực tuyến chia thành toàn trình và một phần. Với số liệu trước ngày này, egovkpi quy đổi như sau (quy đổi của egovkpi, không phải văn bản pháp lý); mọi chuỗi số liệu đi qua ngày này đều ghi chú.", "From 2022-08-15 (Decree 42/2022) online services are full-process or partial. egovkpi maps earlier levels as below (a mapping, not a legal text); every series that crosses the day says so."},
	"method.before":                     {"Trước 15/08/2022", "Before 2022-08-15"},
	"method.after":                      {"Từ 15/08/2022", "From 2022-08-15"},
	"method.level4":                     {"Mức độ 4", "Level 4"},
	"method.level3":                     {"Mức độ 3", "Level 3"},
	"method.level12":                    {"Mức độ 1, 2", "Levels 1 and 2"},
	"method.full":                       {"Toàn trình", "Full-process"},
	"method.partial":                    {"Một phần", "Partial"},
	"method.none":                       {"Không phải dịch vụ công trực tuyến", "Not an online service"},
	"method.ranking":                    {"Quy tắc xếp hạng", "Ranking rules"},
	"method.ranking_text":               {"Bộ, ngành và tỉnh, thành phố được xếp hạng riêng. Đơn vị được xếp hạng khi mẫu số từ %s trở lên và dữ liệu của kỳ đầy đủ từ %s %% số ngày trở lên; các đơn vị bằng điểm (2 chữ số thập phân) cùng hạng.", "Ministries and provinces are ranked separately. A unit is ranked when its denominator is at least %s and its data covers at least %s%% of the period's days; units with the same published figure (2 decimals) share a rank."},
	"method.mergers_text":               {"Sau sắp xếp năm 2025 (bộ, ngành từ 01/03/2025; tỉnh từ 01/07/2025), số liệu của đơn vị cũ được cộng dồn vào đơn vị kế thừa (cộng tử số và mẫu số, không lấy trung bình tỷ lệ).", "After the 2025 mergers (ministries from 2025-03-01, provinces from 2025-07-01), predecessors' figures are carried into their successor (numerators and denominators summed, never averaged rates)."},
	"method.assumptions":                {"Giả định và thông tin chưa xác nhận", "Assumptions and unconfirmed points"},
	"method.assume.version":             {"Phiên bản phương pháp \"2025\" được coi là áp dụng từ 01/01/2025.", "The \"2025\" methodology is taken to apply from 2025-01-01."},
	"method.assume.regions":             {"Vùng của 34 tỉnh, thành phố là vùng của tỉnh đặt trung tâm hành chính (chưa có phân vùng chính thức).", "The region of each of the 34 provinces is that of its administrative-centre component (no official assignment found)."},
	"method.assume.inputs":              {"Các chỉ tiêu 766 chưa có trong giao thức cổng dịch vụ công được tính 0 điểm cho mọi đơn vị và được liệt kê trong từng bảng.", "The 766 inputs the portal protocol lacks score 0 for every unit and are listed with every table."},
	"method.assume.months":              {"Chỉ tiêu theo thủ tục dùng các tháng trọn vẹn giao với kỳ.", "Procedure-level indicators use the whole months that overlap the period."},
	"method.unverified_units":           {"Thông tin đơn vị chưa xác minh", "Unit facts not confirmed"},
	"kind.province":                     {"Tỉnh", "Province"},
	"kind.municipality":                 {"Thành phố trực thuộc TW", "Centrally-run city"},
	"kind.ministry":                     {"Bộ", "Ministry"},
	"kind.ministerial-level agency":     {"Cơ quan ngang bộ", "Ministerial-level agency"},
	"kind.government agency":            {"Cơ quan thuộc Chính phủ", "Government agency"},
	"kind.state bank":                   {"Ngân hàng nhà nước", "State bank"},
}

// T returns the message for key in lang, formatted with args.
func (l Lang) T(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if l == English {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// FormatDate writes a day as Vietnamese readers expect (02/01/2006) or as
// ISO for English.
func (l Lang) FormatDate(t time.Time) string {
	if l == English {
		return t.Format("2006-01-02")
	}
	return t.Format("02/01/2006")
}
