package simulator

// provinceFields are the sectors of the national pool of provincial
// procedures, with their relative sizes.
var provinceFields = []struct {
	name   string
	weight int
}{
	{"Hộ tịch", 6}, {"Chứng thực", 2}, {"Đất đai", 8}, {"Xây dựng", 6},
	{"Đăng ký kinh doanh", 5}, {"Giáo dục và Đào tạo", 9}, {"Y tế", 9},
	{"Lao động", 6}, {"Tư pháp", 5}, {"Giao thông vận tải", 7},
	{"Tài nguyên và Môi trường", 6}, {"Bảo trợ xã hội", 3}, {"Người có công", 3},
	{"Nông nghiệp và Phát triển nông thôn", 7}, {"Công thương", 7},
	{"Văn hóa, Thể thao và Du lịch", 6}, {"Nội vụ", 4}, {"Tôn giáo", 2},
	{"Thông tin và Truyền thông", 3}, {"Khoa học và Công nghệ", 3},
	{"Tài chính", 3}, {"Kế hoạch và Đầu tư", 4}, {"Thanh tra", 2},
}

// ministryFields are the sectors of each ministry's own procedures.
var ministryFields = map[string][]string{
	"MND":    {"Quốc phòng", "Chính sách quân đội"},
	"MPS":    {"Cư trú", "Căn cước", "Xuất nhập cảnh", "Đăng ký xe", "Phòng cháy, chữa cháy"},
	"MOFA":   {"Lãnh sự", "Hợp tác quốc tế"},
	"MOHA":   {"Tổ chức bộ máy", "Thi đua, khen thưởng", "Công chức, viên chức"},
	"MOJ":    {"Lý lịch tư pháp", "Quốc tịch", "Công chứng", "Trợ giúp pháp lý"},
	"MPI":    {"Đầu tư", "Đăng ký doanh nghiệp", "Đấu thầu"},
	"MOF":    {"Thuế", "Hải quan", "Quản lý giá", "Kho bạc Nhà nước"},
	"MOIT":   {"Xuất nhập khẩu", "Xúc tiến thương mại", "An toàn công nghiệp", "Điện lực"},
	"MARD":   {"Thú y", "Bảo vệ thực vật", "Thủy sản", "Lâm nghiệp"},
	"MOT":    {"Đường bộ", "Hàng hải", "Hàng không", "Đường sắt"},
	"MOC":    {"Xây dựng", "Nhà ở", "Kinh doanh bất động sản"},
	"MONRE":  {"Đất đai", "Môi trường", "Khoáng sản", "Tài nguyên nước"},
	"MIC":    {"Bưu chính", "Viễn thông", "Báo chí", "Xuất bản"},
	"MOLISA": {"Lao động", "Việc làm", "Bảo trợ xã hội", "Người có công"},
	"MOCST":  {"Văn hóa", "Thể thao", "Du lịch", "Di sản văn hóa"},
	"MOST":   {"Khoa học và Công nghệ", "Sở hữu trí tuệ", "Tiêu chuẩn, đo lường, chất lượng", "Năng lượng nguyên tử"},
	"MOET":   {"Giáo dục và Đào tạo", "Văn bằng, chứng chỉ"},
	"MOH":    {"Dược phẩm", "Khám bệnh, chữa bệnh", "Trang thiết bị y tế", "An toàn thực phẩm"},
	"CEMA":   {"Công tác dân tộc"},
	"SBV":    {"Ngân hàng", "Ngoại hối"},
	"GI":     {"Thanh tra", "Khiếu nại, tố cáo"},
	"GO":     {"Kiểm soát thủ tục hành chính"},
	"MAE":    {"Nông nghiệp và Môi trường"},
	"MERA":   {"Dân tộc", "Tôn giáo"},
	"VSS":    {"Bảo hiểm xã hội", "Bảo hiểm y tế"},
	"VBSP":   {"Tín dụng chính sách"},
	"VDB":    {"Tín dụng đầu tư phát triển"},
}

// defaultMinistryFields serve a ministry missing from ministryFields.
var defaultMinistryFields = []string{"Hành chính"}

// realNames are real procedure names by sector: the most used procedures
// of a sector get them, in order; the others are "Thủ tục <sector> số N".
var realNames = map[string][]string{
	"Hộ tịch": {"Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử", "Cấp bản sao trích lục hộ tịch",
		"Cấp Giấy xác nhận tình trạng hôn nhân", "Đăng ký nhận cha, mẹ, con",
		"Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch"},
	"Chứng thực": {"Chứng thực bản sao từ bản chính", "Chứng thực chữ ký", "Chứng thực hợp đồng, giao dịch"},
	"Đất đai": {"Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
		"Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "Đăng ký thế chấp quyền sử dụng đất",
		"Xóa đăng ký thế chấp", "Chuyển mục đích sử dụng đất", "Cấp đổi Giấy chứng nhận quyền sử dụng đất"},
	"Xây dựng": {"Cấp giấy phép xây dựng nhà ở riêng lẻ", "Cấp giấy phép sửa chữa, cải tạo công trình",
		"Gia hạn giấy phép xây dựng", "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở"},
	"Đăng ký kinh doanh": {"Đăng ký thành lập hộ kinh doanh", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
		"Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", "Đăng ký thành lập doanh nghiệp tư nhân",
		"Thông báo tạm ngừng kinh doanh"},
	"Giáo dục và Đào tạo": {"Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "Chuyển trường đối với học sinh trung học cơ sở",
		"Phúc khảo bài thi tốt nghiệp trung học phổ thông", "Cho phép trường mầm non hoạt động giáo dục"},
	"Y tế": {"Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "Cấp giấy phép hoạt động đối với phòng khám",
		"Cấp giấy chứng nhận đủ điều kiện kinh doanh dược", "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"},
	"Lao động": {"Giải quyết hưởng trợ cấp thất nghiệp", "Cấp giấy phép lao động cho người lao động nước ngoài",
		"Đăng ký nội quy lao động", "Cấp giấy phép hoạt động dịch vụ việc làm"},
	"Tư pháp": {"Cấp Phiếu lý lịch tư pháp", "Đăng ký hành nghề công chứng", "Thành lập Văn phòng công chứng"},
	"Giao thông vận tải": {"Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Cấp phù hiệu xe ô tô kinh doanh vận tải",
		"Cấp giấy phép kinh doanh vận tải bằng xe ô tô", "Đăng ký phương tiện thủy nội địa lần đầu"},
	"Tài nguyên và Môi trường": {"Cấp giấy phép môi trường", "Cấp giấy phép khai thác nước dưới đất",
		"Thẩm định báo cáo đánh giá tác động môi trường", "Cấp giấy phép thăm dò khoáng sản"},
	"Bảo trợ xã hội": {"Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", "Hỗ trợ chi phí mai táng",
		"Xác định, xác định lại mức độ khuyết tật"},
	"Người có công":                       {"Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", "Cấp giấy chứng nhận thân nhân liệt sĩ"},
	"Nông nghiệp và Phát triển nông thôn": {"Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản", "Cấp giấy phép khai thác thủy sản", "Cấp chứng chỉ hành nghề thú y"},
	"Công thương": {"Cấp giấy phép bán lẻ sản phẩm rượu", "Cấp giấy phép kinh doanh bán lẻ sản phẩm thuốc lá",
		"Cấp giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu"},
	"Văn hóa, Thể thao và Du lịch": {"Cấp giấy phép kinh doanh dịch vụ karaoke", "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa",
		"Công nhận hạng cơ sở lưu trú du lịch"},
	"Tôn giáo":           {"Đăng ký sinh hoạt tôn giáo tập trung"},
	"Kế hoạch và Đầu tư": {"Cấp giấy chứng nhận đăng ký đầu tư", "Quyết định chủ trương đầu tư"},
	"Thanh tra":          {"Giải quyết khiếu nại lần đầu", "Giải quyết tố cáo"},
	"Cư trú":             {"Đăng ký thường trú", "Đăng ký tạm trú", "Xóa đăng ký thường trú"},
	"Căn cước":           {"Cấp thẻ căn cước", "Cấp đổi thẻ căn cước", "Xác nhận số chứng minh nhân dân"},
	"Xuất nhập cảnh":     {"Cấp hộ chiếu phổ thông trong nước", "Cấp thị thực cho người nước ngoài"},
	"Đăng ký xe":         {"Đăng ký xe lần đầu", "Thu hồi đăng ký, biển số xe"},
	"Thuế":               {"Hoàn thuế giá trị gia tăng", "Đăng ký thuế lần đầu", "Khai thuế thu nhập cá nhân"},
	"Hải quan":           {"Thủ tục hải quan đối với hàng hóa xuất khẩu", "Thủ tục hải quan đối với hàng hóa nhập khẩu"},
	"Xuất nhập khẩu":     {"Cấp Giấy chứng nhận xuất xứ hàng hóa (C/O)", "Cấp giấy phép nhập khẩu tự động"},
	"Bảo hiểm xã hội":    {"Cấp lại sổ bảo hiểm xã hội", "Giải quyết hưởng chế độ ốm đau", "Giải quyết hưởng chế độ thai sản"},
	"Bảo hiểm y tế":      {"Cấp lại thẻ bảo hiểm y tế", "Gia hạn thẻ bảo hiểm y tế"},
	"Lãnh sự":            {"Hợp pháp hóa lãnh sự", "Chứng nhận lãnh sự"},
	"Lý lịch tư pháp":    {"Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"},
	"Quốc tịch":          {"Thôi quốc tịch Việt Nam", "Nhập quốc tịch Việt Nam"},
	"Dược phẩm":          {"Cấp giấy đăng ký lưu hành thuốc", "Cấp phép nhập khẩu thuốc"},
	"Đường bộ":           {"Cấp giấy phép lái xe quốc tế", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp"},
	"Sở hữu trí tuệ":     {"Đăng ký nhãn hiệu", "Đăng ký sáng chế"},
}

// ministryProfile holds a ministry's catalogue size, its volume in 2019
// (dossiers a year) and its online factor (0: drawn from the seed).
type ministryProfile struct {
	procs  int
	annual float64
	online float64
}

// ministryProfiles by short code; a ministry not listed gets
// defaultMinistry. A ministry that absorbs others on 2025-03-01 also serves
// their procedures and their dossiers from the day after they end.
var ministryProfiles = map[string]ministryProfile{
	"MND":    {120, 15e3, 0},
	"MPS":    {300, 4e6, 1.3},
	"MOFA":   {150, 250e3, 0},
	"MOHA":   {200, 60e3, 0},
	"MOJ":    {250, 400e3, 0},
	"MPI":    {220, 200e3, 0},
	"MOF":    {380, 3e6, 2.0},
	"MOIT":   {400, 1.2e6, 2.3},
	"MARD":   {300, 300e3, 0},
	"MOT":    {350, 600e3, 0},
	"MOC":    {180, 20e3, 0},
	"MONRE":  {200, 40e3, 0},
	"MIC":    {180, 50e3, 0},
	"MOLISA": {200, 80e3, 0},
	"MOCST":  {250, 30e3, 0},
	"MOST":   {250, 80e3, 0},
	"MOET":   {200, 100e3, 2.2},
	"MOH":    {400, 250e3, 0},
	"CEMA":   {60, 1.5e3, 0},
	"SBV":    {200, 40e3, 0},
	"GI":     {60, 800, 0},
	"GO":     {60, 500, 0},
	"MAE":    {60, 5e3, 0},
	"MERA":   {50, 2e3, 0},
	"VSS":    {150, 3e6, 1.4},
	"VBSP":   {60, 10e3, 0},
	"VDB":    {60, 1e3, 0},
}

var defaultMinistry = ministryProfile{100, 20e3, 0}
