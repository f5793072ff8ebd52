package simulator

import (
	"math"
	"sync"
	"time"

	"egovkpi"
)

// day is a calendar day as a count of days since 1970-01-01.
type day int32

// never is a day after every day the simulator serves.
const never day = math.MaxInt32

func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day(egovkpi.Date(y, m, d).Unix() / 86400)
}

func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d day) String() string { return d.time().Format(egovkpi.DateLayout) }

func ymd(y int, m time.Month, dd int) day { return dayOf(egovkpi.Date(y, m, dd)) }

// path is a piecewise-linear function of the day, flat beyond its ends and
// non-decreasing: a national trend.
type path struct {
	d []float64
	v []float64
}

// mkPath builds a path from pairs of "YYYY-MM-DD", value.
func mkPath(pairs ...any) path {
	var p path
	for i := 0; i < len(pairs); i += 2 {
		t, err := time.Parse(egovkpi.DateLayout, pairs[i].(string))
		if err != nil {
			panic(err)
		}
		p.d = append(p.d, float64(dayOf(t)))
		p.v = append(p.v, pairs[i+1].(float64))
	}
	return p
}

// at returns the value on day x.
func (p path) at(x float64) float64 {
	if x <= p.d[0] {
		return p.v[0]
	}
	n := len(p.d)
	if x >= p.d[n-1] {
		return p.v[n-1]
	}
	i := 1
	for p.d[i] < x {
		i++
	}
	f := (x - p.d[i-1]) / (p.d[i] - p.d[i-1])
	return p.v[i-1] + f*(p.v[i]-p.v[i-1])
}

// inv returns the first day on which the path reaches u, -Inf if it starts
// at or above u, +Inf if it never does.
func (p path) inv(u float64) float64 {
	if u <= p.v[0] {
		return math.Inf(-1)
	}
	for i := 1; i < len(p.d); i++ {
		if p.v[i] >= u {
			f := (u - p.v[i-1]) / (p.v[i] - p.v[i-1])
			return p.d[i-1] + f*(p.d[i]-p.d[i-1])
		}
	}
	return math.Inf(1)
}

// The national paths the simulator is calibrated on: published national
// figures, quoted in each path's comment, with straight lines between them
// (the sources are not part of this repository).
var (
	// pathLevel4 is the share of procedures eligible for full-process that
	// have a level-4 (full-process) service: ≈11 % in March 2020, 31 % early
	// 2021, 48 % in September 2021, 96–97 % of eligible by mid/late 2022.
	pathLevel4 = mkPath(
		"2012-01-01", 0.0,
		"2016-01-01", 0.01,
		"2018-01-01", 0.03,
		"2019-01-01", 0.05,
		"2019-12-01", 0.09,
		"2020-03-15", 0.1113,
		"2020-12-31", 0.28,
		"2021-01-31", 0.31,
		"2021-09-15", 0.4827,
		"2021-12-31", 0.84,
		"2022-06-30", 0.97,
		"2022-09-30", 0.978,
		"2023-12-31", 0.985,
		"2026-12-31", 0.99,
	)
	// pathLevel3 is the share of all procedures with an online service at
	// level 3 or more (partial or full from 2022-08-15).
	pathLevel3 = mkPath(
		"2010-01-01", 0.0,
		"2014-01-01", 0.05,
		"2016-01-01", 0.12,
		"2018-01-01", 0.25,
		"2019-01-01", 0.35,
		"2020-01-01", 0.45,
		"2021-01-01", 0.62,
		"2021-09-15", 0.75,
		"2022-06-30", 0.86,
		"2023-12-31", 0.90,
		"2026-12-31", 0.94,
	)
	// pathNPSP is the share of online services integrated on the National
	// Public Service Portal (launched 2019-12-09).
	pathNPSP = mkPath(
		"2019-12-09", 0.0,
		"2020-12-31", 0.30,
		"2021-12-31", 0.50,
		"2022-12-31", 0.65,
		"2023-12-31", 0.72,
		"2024-12-31", 0.78,
		"2026-12-31", 0.85,
	)
	// pathOnline is the share of dossiers received online: ≈5 % in 2019,
	// 30 % at the end of 2021, 40–43 % in 2022, over 50 % in 2024.
	pathOnline = mkPath(
		"2010-01-01", 0.002,
		"2016-01-01", 0.01,
		"2018-01-01", 0.02,
		"2019-01-01", 0.03,
		"2019-12-31", 0.07,
		"2020-12-31", 0.18,
		"2021-12-31", 0.30,
		"2022-08-31", 0.40,
		"2022-11-30", 0.432,
		"2023-12-31", 0.48,
		"2024-12-31", 0.57,
		"2025-12-31", 0.66,
		"2026-12-31", 0.74,
		"2030-12-31", 0.85,
	)
	// pathPaid is the share of dossiers with a financial obligation paid
	// online.
	pathPaid = mkPath(
		"2018-01-01", 0.0,
		"2019-12-31", 0.01,
		"2020-12-31", 0.05,
		"2021-12-31", 0.12,
		"2022-12-31", 0.25,
		"2023-12-31", 0.35,
		"2024-12-31", 0.45,
		"2025-12-31", 0.55,
		"2026-12-31", 0.62,
	)
	// pathDigitized is the share of dossiers with digitized components
	// (Decree 107/2021 and Decree 45/2020).
	pathDigitized = mkPath(
		"2021-06-30", 0.0,
		"2022-06-30", 0.15,
		"2022-12-31", 0.35,
		"2023-12-31", 0.60,
		"2024-12-31", 0.75,
		"2025-12-31", 0.85,
		"2026-12-31", 0.90,
	)
	// pathEResult is the share of dossiers of paper-result procedures with
	// an electronic result.
	pathEResult = mkPath(
		"2021-06-30", 0.0,
		"2022-12-31", 0.30,
		"2023-12-31", 0.55,
		"2024-12-31", 0.72,
		"2025-12-31", 0.85,
		"2026-12-31", 0.90,
	)
	// pathReuse is the share of dossiers reusing digitized data.
	pathReuse = mkPath(
		"2022-06-30", 0.0,
		"2023-12-31", 0.15,
		"2024-12-31", 0.30,
		"2025-12-31", 0.45,
		"2026-12-31", 0.55,
	)
	// pathSync is the share of dossiers of NPSP-integrated procedures
	// synchronised to NPSP.
	pathSync = mkPath(
		"2020-01-01", 0.20,
		"2021-12-31", 0.50,
		"2022-12-31", 0.70,
		"2023-12-31", 0.85,
		"2024-12-31", 0.92,
		"2026-12-31", 0.96,
	)
	// pathSatisfaction is the national satisfaction rate (90 % in 2022,
	// 93 % in August 2024).
	pathSatisfaction = mkPath(
		"2020-01-01", 0.88,
		"2022-06-30", 0.90,
		"2024-08-31", 0.93,
		"2026-12-31", 0.94,
	)
)

// Dates at which fields start being reported by every portal.
var (
	npspLaunch        = ymd(2019, time.December, 9)
	digitizationStart = ymd(2022, time.January, 1) // digitized, e_result, reused_data
	votesStart        = ymd(2022, time.July, 1)    // Decision 766 satisfaction votes
	syncStart         = ymd(2020, time.January, 1) // synced_npsp
	fullProcessDecree = dayOf(egovkpi.FullProcessDecree)
	growthEpoch       = ymd(2019, time.July, 1)
)

// tet is the first day of the lunar new year (Tết Nguyên Đán) by year.
var tet = map[int]day{
	2008: ymd(2008, 2, 7), 2009: ymd(2009, 1, 26), 2010: ymd(2010, 2, 14),
	2011: ymd(2011, 2, 3), 2012: ymd(2012, 1, 23), 2013: ymd(2013, 2, 10),
	2014: ymd(2014, 1, 31), 2015: ymd(2015, 2, 19), 2016: ymd(2016, 2, 8),
	2017: ymd(2017, 1, 28), 2018: ymd(2018, 2, 16), 2019: ymd(2019, 2, 5),
	2020: ymd(2020, 1, 25), 2021: ymd(2021, 2, 12), 2022: ymd(2022, 2, 1),
	2023: ymd(2023, 1, 22), 2024: ymd(2024, 2, 10), 2025: ymd(2025, 1, 29),
	2026: ymd(2026, 2, 17), 2027: ymd(2027, 2, 6), 2028: ymd(2028, 1, 26),
	2029: ymd(2029, 2, 13), 2030: ymd(2030, 2, 3), 2031: ymd(2031, 1, 23),
	2032: ymd(2032, 2, 11), 2033: ymd(2033, 1, 31), 2034: ymd(2034, 2, 19),
	2035: ymd(2035, 2, 8),
}

// holiday reports whether d is a Vietnamese public holiday: New Year's Day,
// the Tết break (two days before the lunar new year to four after),
// Reunification Day and Labour Day (30 April, 1 May) and National Day
// (2 September, and 3 September from 2021). The Hùng Kings'
// commemoration is not modelled.
func holiday(d day) bool {
	t := d.time()
	y, m, dd := t.Date()
	switch {
	case m == time.January && dd == 1,
		m == time.April && dd == 30,
		m == time.May && dd == 1,
		m == time.September && dd == 2,
		m == time.September && dd == 3 && y >= 2021:
		return true
	}
	if ny, ok := tet[y]; ok && d >= ny-2 && d <= ny+4 {
		return true
	}
	return false
}

// dayWeight is the relative activity of a day: weekdays 1, Saturdays 0.2
// (one-stop shops open in the morning), Sundays and holidays 0.05.
func dayWeight(d day) float64 {
	if holiday(d) {
		return 0.05
	}
	switch d.time().Weekday() {
	case time.Saturday:
		return 0.2
	case time.Sunday:
		return 0.05
	}
	return 1
}

// yearWeights holds the sum of dayWeight over each calendar year, so that a
// unit's annual volume is spread exactly over the days of its year.
var yearWeights = sync.OnceValue(func() map[int]float64 {
	m := map[int]float64{}
	for y := 2000; y <= 2040; y++ {
		var s float64
		for d := ymd(y, 1, 1); d < ymd(y+1, 1, 1); d++ {
			s += dayWeight(d)
		}
		m[y] = s
	}
	return m
})

// dayShare is the share of its year's volume that falls on day d.
func dayShare(d day) float64 {
	y := d.time().Year()
	s, ok := yearWeights()[y]
	if !ok {
		s = 270
	}
	return dayWeight(d) / s
}

// growth is the volume growth factor on day d: 5 % a year around mid-2019.
func growth(d day) float64 {
	return math.Pow(1.05, float64(d-growthEpoch)/365.25)
}
