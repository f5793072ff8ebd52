package refdata_test

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"egovkpi"
	"egovkpi/internal/refdata"
)

func load(t *testing.T) *refdata.Registry {
	t.Helper()
	reg, err := refdata.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return reg
}

func mustUnit(t *testing.T, reg *refdata.Registry, id string) egovkpi.Unit {
	t.Helper()
	u, ok := reg.ByID(id)
	if !ok {
		t.Fatalf("ByID(%q): not found", id)
	}
	return u
}

// oldToNew is the 2025 merge map, copied by hand from
// province_merge_2025_old_to_new.csv (old_code -> new_code), so that the
// test checks units.csv against the source independently of how it was
// generated.
var oldToNew = map[string]string{
	"01": "01", "02": "08", "04": "04", "06": "19", "08": "08", "10": "15", "11": "11", "12": "12",
	"14": "14", "15": "15", "17": "25", "19": "19", "20": "20", "22": "22", "24": "24", "25": "25",
	"26": "25", "27": "24", "30": "31", "31": "31", "33": "33", "34": "33", "35": "37", "36": "37",
	"37": "37", "38": "38", "40": "40", "42": "42", "44": "44", "45": "44", "46": "46", "48": "48",
	"49": "48", "51": "51", "52": "52", "54": "66", "56": "56", "58": "56", "60": "68", "62": "51",
	"64": "52", "66": "66", "67": "68", "68": "68", "70": "75", "72": "80", "74": "79", "75": "75",
	"77": "79", "79": "79", "80": "80", "82": "82", "83": "86", "84": "86", "86": "86", "87": "82",
	"89": "91", "91": "91", "92": "92", "93": "92", "94": "92", "95": "96", "96": "96",
}

// mergedFrom is merged_from_old_codes of provinces_34_from_2025-07-01.csv.
var mergedFrom = map[string][]string{
	"01": {"01"},             // Hà Nội
	"04": {"04"},             // Cao Bằng
	"08": {"08", "02"},       // Tuyên Quang, Hà Giang
	"11": {"11"},             // Điện Biên
	"12": {"12"},             // Lai Châu
	"14": {"14"},             // Sơn La
	"15": {"10", "15"},       // Lào Cai, Yên Bái
	"19": {"19", "06"},       // Thái Nguyên, Bắc Kạn
	"20": {"20"},             // Lạng Sơn
	"22": {"22"},             // Quảng Ninh
	"24": {"27", "24"},       // Bắc Ninh, Bắc Giang
	"25": {"25", "26", "17"}, // Phú Thọ, Vĩnh Phúc, Hòa Bình
	"31": {"31", "30"},       // Hải Phòng, Hải Dương
	"33": {"33", "34"},       // Hưng Yên, Thái Bình
	"37": {"37", "35", "36"}, // Ninh Bình, Hà Nam, Nam Định
	"38": {"38"},             // Thanh Hóa
	"40": {"40"},             // Nghệ An
	"42": {"42"},             // Hà Tĩnh
	"44": {"45", "44"},       // Quảng Trị, Quảng Bình
	"46": {"46"},             // Thừa Thiên Huế
	"48": {"48", "49"},       // Đà Nẵng, Quảng Nam
	"51": {"51", "62"},       // Quảng Ngãi, Kon Tum
	"52": {"64", "52"},       // Gia Lai, Bình Định
	"56": {"56", "58"},       // Khánh Hòa, Ninh Thuận
	"66": {"66", "54"},       // Đắk Lắk, Phú Yên
	"68": {"68", "67", "60"}, // Lâm Đồng, Đắk Nông, Bình Thuận
	"75": {"75", "70"},       // Đồng Nai, Bình Phước
	"79": {"79", "74", "77"}, // Hồ Chí Minh, Bình Dương, Bà Rịa - Vũng Tàu
	"80": {"72", "80"},       // Tây Ninh, Long An
	"82": {"87", "82"},       // Đồng Tháp, Tiền Giang
	"86": {"86", "83", "84"}, // Vĩnh Long, Bến Tre, Trà Vinh
	"91": {"89", "91"},       // An Giang, Kiên Giang
	"92": {"92", "94", "93"}, // Cần Thơ, Sóc Trăng, Hậu Giang
	"96": {"96", "95"},       // Cà Mau, Bạc Liêu
}

func TestLoadChecksumAndSize(t *testing.T) {
	reg := load(t)
	raw, err := os.ReadFile("units.csv")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got, want := reg.Checksum(), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Checksum() = %s, want sha256 of units.csv %s", got, want)
	}
	// 27 ministry rows + 63 provinces + 34 provinces.
	if got := len(reg.All()); got != 27+63+34 {
		t.Errorf("len(All()) = %d, want %d", got, 27+63+34)
	}
	again := load(t)
	if again.Checksum() != reg.Checksum() {
		t.Error("second Load returned a different registry")
	}
}

func TestValidOnCounts(t *testing.T) {
	reg := load(t)
	vn := time.FixedZone("ICT", 7*3600)
	// Ministry block, worked out by hand from ministries.csv (27 rows):
	//   - 8 rows end on 2025-02-28 ("until 2025-02-28", incl. VSS "until
	//     2025-02-28 as Gov agency"): MPI, MARD, MOT, MONRE, MIC, MOLISA,
	//     CEMA, VSS;
	//   - 2 rows start on 2025-03-01 ("from 2025-03-01"): MAE, MERA;
	//   - the other 17 run throughout (15 "2021-2025 and current" plus VBSP
	//     and VDB "2021-current").
	// So on 2025-02-28: 27 - 2 = 25; on 2025-03-01: 27 - 8 = 19.
	tests := []struct {
		name  string
		day   time.Time
		block egovkpi.Block
		want  int
	}{
		{"63 provinces at end of 2024", egovkpi.Date(2024, 12, 31), egovkpi.BlockProvince, 63},
		{"63 provinces on the last day", egovkpi.Date(2025, 6, 30), egovkpi.BlockProvince, 63},
		{"late on the last day, Vietnam time", time.Date(2025, 6, 30, 23, 30, 0, 0, vn), egovkpi.BlockProvince, 63},
		{"34 provinces from the merger", egovkpi.ProvinceMerger, egovkpi.BlockProvince, 34},
		{"34 provinces in 2026", egovkpi.Date(2026, 3, 1), egovkpi.BlockProvince, 34},
		{"ministries before the reform", egovkpi.Date(2025, 2, 28), egovkpi.BlockMinistry, 25},
		{"ministries from the reform", egovkpi.MinistryReform, egovkpi.BlockMinistry, 19},
		{"ministries in 2020", egovkpi.Date(2020, 1, 1), egovkpi.BlockMinistry, 25},
		{"all blocks on 2025-06-30", egovkpi.Date(2025, 6, 30), "", 19 + 63},
		{"all blocks on 2025-07-01", egovkpi.ProvinceMerger, "", 19 + 34},
		{"before the reference data starts", egovkpi.Date(2008, 7, 31), "", 0},
		{"first day of the reference data", egovkpi.Date(2008, 8, 1), "", 25 + 63},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reg.ValidOn(tt.day, tt.block)
			if len(got) != tt.want {
				t.Errorf("ValidOn(%s, %q) = %d units, want %d", tt.day, tt.block, len(got), tt.want)
			}
			for _, u := range got {
				if tt.block != "" && u.Block != tt.block {
					t.Errorf("ValidOn(%q) returned %s of block %s", tt.block, u.ID, u.Block)
				}
			}
		})
	}
}

func TestSuccessorsOfThe63(t *testing.T) {
	reg := load(t)
	if len(oldToNew) != 63 {
		t.Fatalf("test literal oldToNew has %d entries, want 63", len(oldToNew))
	}
	old := reg.ValidOn(egovkpi.Date(2025, 6, 30), egovkpi.BlockProvince)
	if len(old) != 63 {
		t.Fatalf("%d provinces on 2025-06-30, want 63", len(old))
	}
	for _, u := range old {
		t.Run(u.ID, func(t *testing.T) {
			wantNew, ok := oldToNew[u.Code]
			if !ok {
				t.Fatalf("code %s not in the merge map", u.Code)
			}
			if u.ID != "p63-"+u.Code {
				t.Errorf("id %q, want p63-%s", u.ID, u.Code)
			}
			if !u.ValidTo.Equal(egovkpi.Date(2025, 6, 30)) {
				t.Errorf("ValidTo = %s, want 2025-06-30", u.ValidTo)
			}
			s, ok := reg.Successor(u.ID)
			if !ok {
				t.Fatalf("no successor")
			}
			if want := "p34-" + wantNew; s.ID != want {
				t.Errorf("successor %s, want %s", s.ID, want)
			}
			if !s.ValidOn(egovkpi.ProvinceMerger) || !s.ValidTo.IsZero() {
				t.Errorf("successor %s is not one of the 34 (valid %s..%s)", s.ID, s.ValidFrom, s.ValidTo)
			}
			// Exactly one: the successor lists u among its predecessors once.
			n := 0
			for _, p := range reg.Predecessors(s.ID) {
				if p.ID == u.ID {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s appears %d times among the predecessors of %s", u.ID, n, s.ID)
			}
		})
	}
}

func TestPredecessorsOfThe34(t *testing.T) {
	reg := load(t)
	if len(mergedFrom) != 34 {
		t.Fatalf("test literal mergedFrom has %d entries, want 34", len(mergedFrom))
	}
	// The two literals must agree with each other.
	for newCode, olds := range mergedFrom {
		for _, o := range olds {
			if oldToNew[o] != newCode {
				t.Errorf("literals disagree: %s merged into %s, oldToNew says %s", o, newCode, oldToNew[o])
			}
		}
	}
	total := 0
	for _, u := range reg.ValidOn(egovkpi.ProvinceMerger, egovkpi.BlockProvince) {
		t.Run(u.ID, func(t *testing.T) {
			want, ok := mergedFrom[u.Code]
			if !ok {
				t.Fatalf("code %s is not one of the 34", u.Code)
			}
			if u.NPSPCode == "" {
				t.Error("empty NPSP code")
			}
			var got []string
			for _, p := range reg.Predecessors(u.ID) {
				got = append(got, p.Code)
				if !strings.HasPrefix(p.ID, "p63-") {
					t.Errorf("predecessor %s is not one of the 63", p.ID)
				}
			}
			total += len(got)
			want = slices.Sorted(slices.Values(want))
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("Predecessors = %v, want %v", got, want)
			}
			if _, ok := reg.Successor(u.ID); ok {
				t.Error("a province of the 34 has a successor")
			}
		})
	}
	if total != 63 {
		t.Errorf("the 34 have %d predecessors in all, want 63", total)
	}
}

func TestMinistries(t *testing.T) {
	reg := load(t)
	successors := map[string]string{
		"m-MPI": "m-MOF", "m-MARD": "m-MAE", "m-MONRE": "m-MAE", "m-MOT": "m-MOC",
		"m-MIC": "m-MOST", "m-MOLISA": "m-MOHA", "m-CEMA": "m-MERA", "m-VSS": "m-MOF",
	}
	for _, u := range reg.ValidOn(egovkpi.Date(2025, 2, 28), egovkpi.BlockMinistry) {
		want := successors[u.ID]
		s, ok := reg.Successor(u.ID)
		switch {
		case want == "" && ok:
			t.Errorf("%s: unexpected successor %s", u.ID, s.ID)
		case want != "" && (!ok || s.ID != want):
			t.Errorf("%s: successor %v %q, want %s", u.ID, ok, s.ID, want)
		case want != "" && !u.ValidTo.Equal(egovkpi.Date(2025, 2, 28)):
			t.Errorf("%s: ValidTo %s, want 2025-02-28", u.ID, u.ValidTo)
		}
		if u.Region != "" || u.NPSPCode != "" {
			t.Errorf("%s: region %q, NPSP %q, want both empty", u.ID, u.Region, u.NPSPCode)
		}
		if u.NameVIFull != u.NameVI {
			t.Errorf("%s: NameVIFull %q != NameVI %q", u.ID, u.NameVIFull, u.NameVI)
		}
	}
	preds := func(id string) []string {
		var ids []string
		for _, p := range reg.Predecessors(id) {
			ids = append(ids, p.ID)
		}
		slices.Sort(ids)
		return ids
	}
	for id, want := range map[string][]string{
		"m-MAE":  {"m-MARD", "m-MONRE"},
		"m-MOF":  {"m-MPI", "m-VSS"},
		"m-MERA": {"m-CEMA"},
		"m-MND":  nil,
	} {
		if got := preds(id); !slices.Equal(got, want) {
			t.Errorf("Predecessors(%s) = %v, want %v", id, got, want)
		}
	}
	for id, kind := range map[string]string{
		"m-MOF": "ministry", "m-SBV": "ministerial-level agency", "m-CEMA": "ministerial-level agency",
		"m-VSS": "government agency", "m-VBSP": "state bank", "m-VDB": "state bank",
	} {
		if u := mustUnit(t, reg, id); u.Kind != kind {
			t.Errorf("%s: kind %q, want %q", id, u.Kind, kind)
		}
	}
	for _, id := range []string{"m-MAE", "m-MERA"} {
		if u := mustUnit(t, reg, id); !u.ValidFrom.Equal(egovkpi.MinistryReform) {
			t.Errorf("%s: ValidFrom %s, want %s", id, u.ValidFrom, egovkpi.MinistryReform)
		}
	}
	if u := mustUnit(t, reg, "m-MIC"); !strings.Contains(u.Note, "press functions to MOCST") {
		t.Errorf("m-MIC note lost the successor detail: %q", u.Note)
	}
	if src, _ := reg.Source("m-MAE"); !strings.Contains(src, "176/2025/QH15") {
		t.Errorf("m-MAE source %q, want Resolution 176/2025/QH15", src)
	}
	if src, _ := reg.Source("p34-01"); !strings.Contains(src, "202/2025/QH15") {
		t.Errorf("p34-01 source %q, want Resolution 202/2025/QH15", src)
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestNames(t *testing.T) {
	reg := load(t)
	exact := []struct {
		id, vi, full, ascii, en string
	}{
		{"p63-01", "Hà Nội", "Thành phố Hà Nội", "Ha Noi", "Hanoi"},
		{"p34-01", "Hà Nội", "Thành phố Hà Nội", "Ha Noi", "Hanoi"},
		{"p63-46", "Thừa Thiên Huế", "Tỉnh Thừa Thiên Huế", "Thua Thien Hue", "Thua Thien Hue"},
		{"p34-46", "Huế", "Thành phố Huế", "Hue", "Hue"},
		{"p63-75", "Đồng Nai", "Tỉnh Đồng Nai", "Dong Nai", "Dong Nai"},
		{"p63-77", "Bà Rịa - Vũng Tàu", "Tỉnh Bà Rịa - Vũng Tàu", "Ba Ria - Vung Tau", "Ba Ria - Vung Tau"},
		{"p34-79", "Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Ho Chi Minh", "Ho Chi Minh City"},
		{"m-MPI", "Bộ Kế hoạch và Đầu tư", "Bộ Kế hoạch và Đầu tư", "Bo Ke hoach va Dau tu", "Ministry of Planning and Investment"},
		{"m-MOCST", "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Văn hóa, Thể thao và Du lịch", "Bo Van hoa, The thao va Du lich", "Ministry of Culture, Sports and Tourism"},
		{"m-CEMA", "Ủy ban Dân tộc", "Ủy ban Dân tộc", "Uy ban Dan toc", "Committee for Ethnic Minority Affairs"},
	}
	for _, tt := range exact {
		u := mustUnit(t, reg, tt.id)
		if u.NameVI != tt.vi || u.NameVIFull != tt.full || u.NameASCII != tt.ascii || u.NameEN != tt.en {
			t.Errorf("%s: names %q / %q / %q / %q, want %q / %q / %q / %q", tt.id,
				u.NameVI, u.NameVIFull, u.NameASCII, u.NameEN, tt.vi, tt.full, tt.ascii, tt.en)
		}
	}

	// Real Vietnamese names that are written without any diacritic.
	plainASCII := map[string]bool{"Long An": true, "Kon Tum": true, "Gia Lai": true, "An Giang": true}
	seenPlain := map[string]bool{}
	for _, u := range reg.All() {
		if !isASCII(u.NameASCII) {
			t.Errorf("%s: name_ascii %q is not ASCII", u.ID, u.NameASCII)
		}
		if isASCII(u.NameVI) {
			if u.Block != egovkpi.BlockProvince || !plainASCII[u.NameVI] {
				t.Errorf("%s: name_vi %q has no diacritics (lost in conversion?)", u.ID, u.NameVI)
			}
			seenPlain[u.NameVI] = true
		}
		for _, r := range u.NameVI + u.NameVIFull {
			if unicode.Is(unicode.Mn, r) {
				t.Errorf("%s: name %q contains a combining mark (not NFC)", u.ID, u.NameVI)
				break
			}
		}
	}
	for name := range plainASCII {
		if !seenPlain[name] {
			t.Errorf("expected plain-ASCII province name %q not found", name)
		}
	}
}

func TestUnverifiedAndCaveats(t *testing.T) {
	reg := load(t)
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{"m-MOF", true}, {"m-VSS", true}, {"p34-22", true}, {"p63-46", true},
		{"p34-24", true}, {"p34-75", true},
		{"m-MND", false}, {"p34-01", false}, {"p63-01", false}, {"p34-46", false},
	} {
		if got := mustUnit(t, reg, tt.id).Unverified(); got != tt.want {
			t.Errorf("%s: Unverified() = %v, want %v", tt.id, got, tt.want)
		}
	}
	// The sources carry 7 UNVERIFIED marks on 6 rows (VSS has two).
	n := 0
	for _, u := range reg.All() {
		if u.Unverified() {
			n++
		}
	}
	if n != 6 {
		t.Errorf("%d units are marked UNVERIFIED, want 6", n)
	}
	if u := mustUnit(t, reg, "m-VSS"); strings.Count(u.Note, "UNVERIFIED") != 2 {
		t.Errorf("m-VSS note should keep both UNVERIFIED marks: %q", u.Note)
	}
	for _, u := range reg.ValidOn(egovkpi.ProvinceMerger, egovkpi.BlockProvince) {
		if !strings.Contains(u.Note, "no official post-2025 regional assignment found") {
			t.Errorf("%s: note lacks the region caveat: %q", u.ID, u.Note)
		}
		if _, ok := egovkpi.RegionByCode(u.Region); !ok {
			t.Errorf("%s: unknown region %q", u.ID, u.Region)
		}
	}
}

func TestResolve(t *testing.T) {
	reg := load(t)
	tests := []struct {
		code   string
		day    time.Time
		wantID string // "" = error expected
	}{
		{"08", egovkpi.Date(2024, 1, 1), "p63-08"},
		{"08", egovkpi.Date(2025, 8, 1), "p34-08"},
		{"02", egovkpi.Date(2024, 1, 1), "p63-02"},
		{"02", egovkpi.Date(2025, 8, 1), ""},
		{"46", egovkpi.Date(2025, 6, 30), "p63-46"},
		{"46", egovkpi.ProvinceMerger, "p34-46"},
		{"MOF", egovkpi.Date(2020, 1, 1), "m-MOF"},
		{"mof", egovkpi.Date(2026, 1, 1), "m-MOF"},
		{"MPI", egovkpi.Date(2025, 2, 28), "m-MPI"},
		{"MPI", egovkpi.MinistryReform, ""},
		{"MAE", egovkpi.Date(2025, 2, 28), ""},
		{"99", egovkpi.Date(2025, 8, 1), ""},
		{"", egovkpi.Date(2025, 8, 1), ""},
	}
	for _, tt := range tests {
		day := tt.day.Format(egovkpi.DateLayout)
		t.Run(tt.code+"@"+day, func(t *testing.T) {
			u, err := reg.Resolve(tt.code, tt.day)
			if tt.wantID != "" {
				if err != nil || u.ID != tt.wantID {
					t.Fatalf("Resolve = %s, %v; want %s", u.ID, err, tt.wantID)
				}
				return
			}
			if err == nil {
				t.Fatalf("Resolve = %s, want an error", u.ID)
			}
			if !errors.Is(err, refdata.ErrNotFound) {
				t.Errorf("error %v does not wrap ErrNotFound", err)
			}
			if msg := err.Error(); !strings.Contains(msg, `"`+tt.code+`"`) || !strings.Contains(msg, day) {
				t.Errorf("error %q does not name code %q and day %s", msg, tt.code, day)
			}
		})
	}
}

func TestAllOrder(t *testing.T) {
	reg := load(t)
	all := reg.All()
	rank := map[egovkpi.Block]int{egovkpi.BlockMinistry: 0, egovkpi.BlockProvince: 1}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		ka := []int{rank[a.Block], int(a.ValidFrom.Unix())}
		kb := []int{rank[b.Block], int(b.ValidFrom.Unix())}
		c := slices.Compare(ka, kb)
		if c > 0 || (c == 0 && a.Code >= b.Code) {
			t.Errorf("All()[%d] %s comes before All()[%d] %s", i-1, a.ID, i, b.ID)
		}
	}
	if all[0].ID != "m-CEMA" || all[len(all)-1].ID != "p34-96" {
		t.Errorf("All() runs %s .. %s, want m-CEMA .. p34-96", all[0].ID, all[len(all)-1].ID)
	}
	all[0].ID = "changed"
	if reg.All()[0].ID != "m-CEMA" {
		t.Error("All() exposes the registry's internal slice")
	}
	if _, ok := reg.ByID("p63-99"); ok {
		t.Error("ByID of an unknown id succeeded")
	}
}

const header = "id,code,npsp_code,block,kind,name_vi,name_vi_full,name_ascii,name_en,region,valid_from,valid_to,successor_id,note,source\n"

// Rows of a small valid file; lines 2 to 5.
const (
	rowA   = "m-A,A,,ministry,ministry,Bộ A,Bộ A,Bo A,Ministry A,,2008-08-01,2025-02-28,m-B,,Resolution X\n"
	rowB   = "m-B,B,,ministry,ministry,Bộ B,Bộ B,Bo B,Ministry B,,2025-03-01,,,,Resolution X\n"
	rowP63 = "p63-01,01,,province,municipality,Hà Nội,Thành phố Hà Nội,Ha Noi,Hanoi,DBSH,2008-08-01,2025-06-30,p34-01,,GSO\n"
	rowP34 = "p34-01,01,H26,province,municipality,Hà Nội,Thành phố Hà Nội,Ha Noi,Hanoi,DBSH,2025-07-01,,,\"UNVERIFIED, test\",Resolution Y\n"
)

func TestParseErrors(t *testing.T) {
	sub := strings.Replace
	tests := []struct {
		name      string
		in        string
		wantLine  int
		wantField string // "" when the error is a CSV syntax error
		wantText  string
	}{
		{"duplicate id", header + rowA + rowB + rowP63 + rowP34 + rowB, 6, "id", "duplicate id"},
		{"unknown successor", header + sub(rowA, "m-B,", "m-Z,", 1) + rowB + rowP63 + rowP34, 2, "successor_id", "unknown successor"},
		{"bad date", header + rowA + sub(rowB, "2025-03-01", "2025-02-30", 1) + rowP63 + rowP34, 3, "valid_from", "invalid date"},
		{"valid_to before valid_from", header + sub(rowA, "2025-02-28", "2007-01-01", 1) + rowB + rowP63 + rowP34, 2, "valid_to", "before"},
		{"unknown block", header + rowA + rowB + rowP63 + sub(rowP34, "province,", "provinse,", 1), 5, "block", "unknown block"},
		{"unknown region", header + rowA + rowB + rowP63 + sub(rowP34, "DBSH", "NORTH", 1), 5, "region", "unknown region"},
		{"code valid twice", header + rowA + rowB + rowP63 + sub(rowP34, "2025-07-01", "2025-06-01", 1), 5, "code", "also valid"},
		{"successor starts late", header + rowA + rowB + rowP63 + sub(rowP34, "2025-07-01", "2025-07-02", 1), 4, "successor_id", "not valid on 2025-07-01"},
		{"bad header", sub(header, "npsp_code", "npsp", 1) + rowA + rowB + rowP63 + rowP34, 1, "npsp_code", "header"},
		{"multi-line note shifts lines", header + sub(rowA, ",,Resolution X", ",\"two\nlines\",Resolution X", 1) + sub(rowB, "2025-03-01", "2025-13-01", 1) + rowP63 + rowP34, 4, "valid_from", "invalid date"},
		{"wrong field count", header + rowA + sub(rowB, ",,,,", ",,,", 1) + rowP63 + rowP34, 3, "", "wrong number of fields"},
		{"empty file", "", 1, "id", "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := refdata.Parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded (%d units), want an error", len(reg.All()))
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantText) {
				t.Errorf("error %q does not contain %q", msg, tt.wantText)
			}
			if tt.wantField == "" {
				var ce *csv.ParseError
				if !errors.As(err, &ce) || ce.Line != tt.wantLine {
					t.Errorf("error %q: want a csv.ParseError on line %d", msg, tt.wantLine)
				}
				return
			}
			var pe *refdata.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %q is not a *refdata.ParseError", msg)
			}
			if pe.Line != tt.wantLine || pe.Field != tt.wantField {
				t.Errorf("error at line %d field %s, want line %d field %s (%q)", pe.Line, pe.Field, tt.wantLine, tt.wantField, msg)
			}
			if want := "line " + strconv.Itoa(tt.wantLine) + ","; !strings.Contains(msg, want) {
				t.Errorf("error %q does not name %q", msg, want)
			}
		})
	}
}

func TestParseValidSmallFile(t *testing.T) {
	in := header + rowA + rowB + rowP63 + rowP34
	reg, err := refdata.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatalf("Parse of the valid base file: %v", err)
	}
	if got := len(reg.All()); got != 4 {
		t.Errorf("%d units, want 4", got)
	}
	if u, err := reg.Resolve("01", egovkpi.Date(2025, 7, 1)); err != nil || u.ID != "p34-01" || !u.Unverified() {
		t.Errorf("Resolve(01) = %+v, %v", u, err)
	}
	if s, ok := reg.Successor("m-A"); !ok || s.ID != "m-B" {
		t.Errorf("Successor(m-A) = %s, %v", s.ID, ok)
	}
	// A byte-order mark in front of the header is tolerated.
	if _, err := refdata.Parse(strings.NewReader("\ufeff" + in)); err != nil {
		t.Errorf("Parse with BOM: %v", err)
	}
}
