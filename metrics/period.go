package metrics

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"egovkpi"
)

// PeriodKind is the shape of a period.
type PeriodKind string

// The kinds of period.
const (
	Month   PeriodKind = "month"   // 2024-03
	Quarter PeriodKind = "quarter" // 2024Q3
	Half    PeriodKind = "half"    // 2024H1
	Year    PeriodKind = "year"    // 2024
	YTD     PeriodKind = "ytd"     // 2024YTD: 1 January to the day of reference
	Range   PeriodKind = "range"   // 2024-01-01..2024-02-15
)

// Period is a span of whole days, From and To included.
type Period struct {
	Kind     PeriodKind
	From, To time.Time
}

var (
	monthRe   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterRe = regexp.MustCompile(`^(\d{4})[Qq]([1-4])$`)
	halfRe    = regexp.MustCompile(`^(\d{4})[Hh]([12])$`)
	yearRe    = regexp.MustCompile(`^(\d{4})$`)
	ytdRe     = regexp.MustCompile(`^(\d{4})(?i:ytd)$`)
	rangeRe   = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$`)
)

// PeriodFormats lists the accepted forms, for error messages.
const PeriodFormats = "2024-03 (month), 2024Q3 (quarter), 2024H1 (half-year), 2024 (year), 2024YTD (year to date), 2024-01-01..2024-02-15 (days)"

// ParsePeriod reads a period. today is the day of reference of a
// year-to-date period (its last day, or 31 December of a past year).
func ParsePeriod(s string, today time.Time) (Period, error) {
	s = strings.TrimSpace(s)
	year := func(x string) int { y, _ := strconv.Atoi(x); return y }
	switch {
	case monthRe.MatchString(s):
		m := monthRe.FindStringSubmatch(s)
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, fmt.Errorf("period %q: month %d does not exist (accepted: %s)", s, mo, PeriodFormats)
		}
		return MonthOf(year(m[1]), time.Month(mo)), nil
	case quarterRe.MatchString(s):
		m := quarterRe.FindStringSubmatch(s)
		q, _ := strconv.Atoi(m[2])
		return QuarterOf(year(m[1]), q), nil
	case halfRe.MatchString(s):
		m := halfRe.FindStringSubmatch(s)
		h, _ := strconv.Atoi(m[2])
		return HalfOf(year(m[1]), h), nil
	case yearRe.MatchString(s):
		return YearOf(year(s)), nil
	case ytdRe.MatchString(s):
		y := year(ytdRe.FindStringSubmatch(s)[1])
		return YTDOf(y, today)
	case rangeRe.MatchString(s):
		m := rangeRe.FindStringSubmatch(s)
		from, err1 := egovkpi.ParseDate(m[1])
		to, err2 := egovkpi.ParseDate(m[2])
		if err1 != nil || err2 != nil {
			return Period{}, fmt.Errorf("period %q: not a valid day range (accepted: %s)", s, PeriodFormats)
		}
		if to.Before(from) {
			return Period{}, fmt.Errorf("period %q ends before it starts", s)
		}
		return Period{Kind: Range, From: from, To: to}, nil
	}
	return Period{}, fmt.Errorf("period %q is not understood (accepted: %s)", s, PeriodFormats)
}

// MonthOf returns a calendar month.
func MonthOf(y int, m time.Month) Period {
	from := egovkpi.Date(y, m, 1)
	return Period{Kind: Month, From: from, To: from.AddDate(0, 1, -1)}
}

// QuarterOf returns quarter q (1–4) of year y.
func QuarterOf(y, q int) Period {
	from := egovkpi.Date(y, time.Month(3*(q-1)+1), 1)
	return Period{Kind: Quarter, From: from, To: from.AddDate(0, 3, -1)}
}

// HalfOf returns half h (1–2) of year y.
func HalfOf(y, h int) Period {
	from := egovkpi.Date(y, time.Month(6*(h-1)+1), 1)
	return Period{Kind: Half, From: from, To: from.AddDate(0, 6, -1)}
}

// Containing returns the month, quarter, half or year that holds day d;
// ok is false for the other kinds (YTD, ranges), which no day determines.
func Containing(kind PeriodKind, d time.Time) (p Period, ok bool) {
	switch kind {
	case Month:
		return MonthOf(d.Year(), d.Month()), true
	case Quarter:
		return QuarterOf(d.Year(), (int(d.Month())-1)/3+1), true
	case Half:
		return HalfOf(d.Year(), (int(d.Month())-1)/6+1), true
	case Year:
		return YearOf(d.Year()), true
	}
	return Period{}, false
}

// YearOf returns a calendar year.
func YearOf(y int) Period {
	return Period{Kind: Year, From: egovkpi.Date(y, 1, 1), To: egovkpi.Date(y, 12, 31)}
}

// YTDOf returns 1 January of y to today (to 31 December for a past year).
func YTDOf(y int, today time.Time) (Period, error) {
	from := egovkpi.Date(y, 1, 1)
	to := egovkpi.Date(today.Year(), today.Month(), today.Day())
	if to.Year() > y {
		to = egovkpi.Date(y, 12, 31)
	}
	if to.Before(from) {
		return Period{}, fmt.Errorf("period %dYTD has not started (today is %s)", y, to.Format(egovkpi.DateLayout))
	}
	return Period{Kind: YTD, From: from, To: to}, nil
}

// String prints the period in the form ParsePeriod reads.
func (p Period) String() string {
	switch p.Kind {
	case Month:
		return p.From.Format("2006-01")
	case Quarter:
		return fmt.Sprintf("%dQ%d", p.From.Year(), (int(p.From.Month())+2)/3)
	case Half:
		return fmt.Sprintf("%dH%d", p.From.Year(), (int(p.From.Month())+5)/6)
	case Year:
		return strconv.Itoa(p.From.Year())
	case YTD:
		return fmt.Sprintf("%dYTD", p.From.Year())
	}
	return p.From.Format(egovkpi.DateLayout) + ".." + p.To.Format(egovkpi.DateLayout)
}

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24) + 1 }

// Previous returns the previous comparable period: the month, quarter,
// half or year before; for a year to date, the same days of the year
// before (1 January to the same date, 28 February for a 29 February); for
// a range, the range of the same length just before it.
func (p Period) Previous() Period {
	if prev, ok := Containing(p.Kind, p.From.AddDate(0, 0, -1)); ok {
		return prev
	}
	switch p.Kind {
	case YTD:
		y := p.From.Year() - 1
		m, d := p.To.Month(), p.To.Day()
		if m == time.February && d == 29 {
			d = 28
		}
		return Period{Kind: YTD, From: egovkpi.Date(y, 1, 1), To: egovkpi.Date(y, m, d)}
	}
	n := p.Days()
	to := p.From.AddDate(0, 0, -1)
	return Period{Kind: Range, From: to.AddDate(0, 0, -n+1), To: to}
}

// TrendLength is how many quarters a trend shows: the overview page's and
// unit page's charts and the leadership workbook's KPI and trend sheets.
const TrendLength = 8

// TrendQuarters are the TrendLength quarters ending with the one that holds
// p's last day, oldest first.
func TrendQuarters(p Period) []Period {
	q, _ := Containing(Quarter, p.To)
	qs, _ := Steps(q.From.AddDate(0, -3*(TrendLength-1), 0), q.To, Quarter)
	return qs
}
