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
	"app.title":                     {"Giám sát dịch vụ công trực tuyến", "Online public services monitoring"},
	"lang.switch":                   {"English", "Tiếng Việt"},
	"login.title":                   {"Đăng nhập", "Sign in"},
	"login.login":                   {"Tên đăng nhập", "Login"},
	"login.password":                {"Mật khẩu", "Password"},
	"login.submit":                  {"Đăng nhập", "Sign in"},
	"login.wrong":                   {"Sai tên đăng nhập hoặc mật khẩu.", "Wrong login or password."},
	"login.limited":                 {"Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau %d giây.", "Too many failed sign-ins. Try again in %d seconds."},
	"login.csrf":                    {"Phiên của biểu mẫu đã hết hạn. Vui lòng đăng nhập lại.", "The form has expired. Please sign in again."},
	"logout":                        {"Đăng xuất", "Sign out"},
	"units.title":                   {"Danh mục đơn vị", "Units"},
	"units.intro":                   {"Các bộ, cơ quan và tỉnh, thành phố có hiệu lực vào ngày đã chọn.", "Ministries, agencies and provinces in force on the chosen day."},
	"units.date":                    {"Ngày", "Date"},
	"units.show":                    {"Xem", "Show"},
	"units.ministries":              {"Bộ, cơ quan ngang bộ và cơ quan cung cấp dịch vụ công", "Ministries, ministerial-level agencies and other service-providing bodies"},
	"units.provinces":               {"Tỉnh, thành phố trực thuộc trung ương", "Provinces and centrally-run cities"},
	"units.count":                   {"%d đơn vị", "%d units"},
	"units.none":                    {"Không có đơn vị nào có hiệu lực vào ngày này.", "No unit was in force on this day."},
	"col.code":                      {"Mã", "Code"},
	"col.name":                      {"Tên", "Name"},
	"col.kind":                      {"Loại", "Kind"},
	"col.region":                    {"Vùng", "Region"},
	"col.valid":                     {"Hiệu lực", "In force"},
	"col.successor":                 {"Đơn vị kế thừa", "Successor"},
	"col.note":                      {"Ghi chú", "Note"},
	"valid.since":                   {"từ %s", "since %s"},
	"valid.range":                   {"%s – %s", "%s – %s"},
	"unverified":                    {"chưa xác minh", "unverified"},
	"unverified.title":              {"Thông tin chưa được xác minh từ nguồn chính thức", "Not confirmed by an official source"},
	"era.before":                    {"Trước ngày 01/07/2025: 63 tỉnh, thành phố (trước sắp xếp theo Nghị quyết 202/2025/QH15).", "Before 2025-07-01: 63 provinces (before Resolution 202/2025/QH15)."},
	"era.after":                     {"Từ ngày 01/07/2025: 34 tỉnh, thành phố (Nghị quyết 202/2025/QH15).", "From 2025-07-01: 34 provinces (Resolution 202/2025/QH15)."},
	"era.ministries":                {"Cơ cấu bộ, ngành thay đổi từ ngày 01/03/2025 (Nghị quyết 176/2025/QH15).", "Ministries were restructured on 2025-03-01 (Resolution 176/2025/QH15)."},
	"error.title":                   {"Lỗi", "Error"},
	"error.bad_date":                {"Ngày không hợp lệ %q: hãy nhập theo dạng YYYY-MM-DD.", "Invalid date %q: use YYYY-MM-DD."},
	"error.unavailable":             {"Không đọc được dữ liệu lúc này; vui lòng thử lại sau.", "The data cannot be read right now; please try again later."},
	"collection.title":              {"Tình trạng thu thập dữ liệu", "Collection health"},
	"collection.sources":            {"Nguồn dữ liệu (cổng dịch vụ công)", "Sources (portals)"},
	"collection.runs":               {"Các lần thu thập gần đây", "Recent collection runs"},
	"collection.quarantine":         {"Bản ghi bị cách ly gần đây", "Recently quarantined records"},
	"col.source":                    {"Nguồn", "Source"},
	"col.unit":                      {"Đơn vị", "Unit"},
	"col.watermark":                 {"Dữ liệu đến ngày", "Data up to"},
	"col.lag":                       {"Độ trễ (ngày)", "Lag (days)"},
	"col.last_success":              {"Lần thành công cuối", "Last success"},
	"col.errors":                    {"Lỗi liên tiếp", "Error streak"},
	"col.next_check":                {"Lần thử tiếp theo", "Next check"},
	"col.last_error":                {"Lỗi gần nhất", "Last error"},
	"col.window":                    {"Khoảng ngày", "Window"},
	"col.started":                   {"Bắt đầu", "Started"},
	"col.status":                    {"Trạng thái", "Status"},
	"col.accepted":                  {"Bản ghi nhận", "Accepted"},
	"col.quarantined":               {"Bản ghi cách ly", "Quarantined"},
	"col.received":                  {"Thời điểm nhận", "Received"},
	"col.procedure":                 {"Thủ tục", "Procedure"},
	"col.reason":                    {"Lý do", "Reason"},
	"upload.title":                  {"Gửi số liệu bằng tệp", "Send statistics as a file"},
	"upload.intro":                  {"Dành cho đơn vị chưa kết nối API: điền mẫu (CSV hoặc XLSX), mỗi dòng là một đơn vị, một ngày, một thủ tục. Các ngày có trong tệp sẽ thay thế số liệu đã có của những ngày đó.", "For units without an API: fill the template (CSV or XLSX), one row per unit, day and procedure. The days in the file replace what egovkpi has for those days."},
	"upload.template":               {"Tải mẫu", "Download the template"},
	"upload.token":                  {"Mã truy cập của đơn vị", "Your unit's token"},
	"upload.file":                   {"Tệp số liệu (.csv, .xlsx)", "Statistics file (.csv, .xlsx)"},
	"upload.send":                   {"Gửi", "Send"},
	"upload.bad_token":              {"Mã truy cập không đúng hoặc đã bị thu hồi.", "Unknown or revoked token."},
	"upload.no_file":                {"Chưa chọn tệp.", "No file was chosen."},
	"upload.too_large":              {"Tệp %d MB vượt giới hạn %d MB.", "The file of %d MB is over the %d MB limit."},
	"upload.done":                   {"%s: đã đọc %d dòng, nhận %d, từ chối %d (đưa vào khu cách ly), cập nhật %d ngày.", "%s: %d rows read, %d accepted, %d refused (quarantined), %d days updated."},
	"kind.province":                 {"Tỉnh", "Province"},
	"kind.municipality":             {"Thành phố trực thuộc TW", "Centrally-run city"},
	"kind.ministry":                 {"Bộ", "Ministry"},
	"kind.ministerial-level agency": {"Cơ quan ngang bộ", "Ministerial-level agency"},
	"kind.government agency":        {"Cơ quan thuộc Chính phủ", "Government agency"},
	"kind.state bank":               {"Ngân hàng nhà nước", "State bank"},
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
