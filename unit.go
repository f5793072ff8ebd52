package egovkpi

import (
	"fmt"
	"strings"
	"time"
)

// Block is the league a unit is ranked in: ministries and provinces are
// ranked separately (Decision 766).
type Block string

// The two blocks.
const (
	BlockMinistry Block = "ministry"
	BlockProvince Block = "province"
)

// ParseBlock parses "ministry" or "province".
func ParseBlock(s string) (Block, error) {
	switch b := Block(strings.ToLower(strings.TrimSpace(s))); b {
	case BlockMinistry, BlockProvince:
		return b, nil
	}
	return "", fmt.Errorf("unknown block %q (accepted: ministry, province)", s)
}

// Dates at which the unit lists change.
var (
	// MinistryReform is the first day of the ministries after Resolution
	// 176/2025/QH15.
	MinistryReform = Date(2025, time.March, 1)
	// ProvinceMerger is the first day of the 34 provinces of Resolution
	// 202/2025/QH15.
	ProvinceMerger = Date(2025, time.July, 1)
	// FullProcessDecree is the first day of Decree 42/2022/ND-CP service
	// levels (full-process and partial instead of levels 1–4).
	FullProcessDecree = Date(2022, time.August, 15)
)

// Date returns midnight UTC of the given day. Days in egovkpi are calendar
// days in Vietnam; they are carried as UTC midnights so that they compare and
// format without time-zone surprises.
func Date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Day returns the calendar day of t, in t's own location, as a UTC midnight
// (the form days take in egovkpi): a Date read from ClickHouse, or a time
// late on a day, becomes that day.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return Date(y, m, d)
}

// DateLayout is the ISO layout used for days everywhere (CLI, API, SQL).
const DateLayout = "2006-01-02"

// ParseDate parses a day in the ISO layout 2006-01-02.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q (expected YYYY-MM-DD)", s)
	}
	return t, nil
}

// Unit is a ministry, agency or province as it existed over a span of time.
// A province that was merged in 2025 and the province it became are two
// units linked by Successor; a ministry that continued across 2025-03-01 is
// one unit.
type Unit struct {
	// ID is unique over all eras: "p63-01" (a province of the 63),
	// "p34-01" (a province of the 34), "m-MOF" (a ministry or agency).
	ID string
	// Code is the official code: the statistics-office code for provinces
	// (shared by the two eras, so only unique on a given day) and the short
	// code for ministries.
	Code string
	// NPSPCode is the department code on the National Public Service Portal
	// where known (the 34 provinces), else empty.
	NPSPCode   string
	NameVI     string // short Vietnamese name with diacritics: "Hà Nội"
	NameVIFull string // full Vietnamese name: "Thành phố Hà Nội"
	NameASCII  string // Vietnamese name without diacritics: "Ha Noi"
	NameEN     string // English name: "Hanoi"
	// Kind is the legal kind: province, municipality, ministry,
	// ministerial-level agency, government agency, state bank.
	Kind  string
	Block Block
	// Region is the socio-economic region code for provinces (DBSH, TDMNPB,
	// BTB_DHMT, TAY_NGUYEN, DNB, DBSCL), empty for ministries.
	Region string
	// ValidFrom is the first day the unit exists in egovkpi's reference data.
	ValidFrom time.Time
	// ValidTo is the last day the unit exists; zero while it still exists.
	ValidTo time.Time
	// SuccessorID is the ID of the unit that took over on ValidTo+1, empty
	// if none.
	SuccessorID string
	// Note carries the reference data's remarks, including UNVERIFIED marks.
	Note string
}

// ValidOn reports whether the unit exists on the calendar day of d (in d's
// own time zone; the time of day is ignored).
func (u Unit) ValidOn(d time.Time) bool {
	d = Day(d)
	if d.Before(u.ValidFrom) {
		return false
	}
	return u.ValidTo.IsZero() || !d.After(u.ValidTo)
}

// Validity describes the days the unit exists: "from 2025-07-01", or
// "from 2020-01-01 to 2025-06-30" for a unit that ended.
func (u Unit) Validity() string {
	s := "from " + u.ValidFrom.Format(DateLayout)
	if !u.ValidTo.IsZero() {
		s += " to " + u.ValidTo.Format(DateLayout)
	}
	return s
}

// Unverified reports whether the reference data marks any fact about the
// unit as not confirmed.
func (u Unit) Unverified() bool {
	return strings.Contains(u.Note, "UNVERIFIED")
}

// Name returns the unit's name in the language given ("vi" or "en").
func (u Unit) Name(lang string) string {
	if lang == "en" {
		return u.NameEN
	}
	return u.NameVI
}

// Region is a socio-economic region of Vietnam.
type Region struct {
	Code   string
	NameVI string
	NameEN string
}

// Regions are the six socio-economic regions used to group provinces.
var Regions = []Region{
	{"TDMNPB", "Trung du và miền núi phía Bắc", "Northern Midlands and Mountains"},
	{"DBSH", "Đồng bằng sông Hồng", "Red River Delta"},
	{"BTB_DHMT", "Bắc Trung Bộ và Duyên hải miền Trung", "North Central and Central Coast"},
	{"TAY_NGUYEN", "Tây Nguyên", "Central Highlands"},
	{"DNB", "Đông Nam Bộ", "Southeast"},
	{"DBSCL", "Đồng bằng sông Cửu Long", "Mekong River Delta"},
}

// RegionByCode returns the region with the given code.
func RegionByCode(code string) (Region, bool) {
	for _, r := range Regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}
