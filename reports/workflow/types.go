// Package workflow keeps the units' quarterly reports: every version of
// every report (append-only, in ClickHouse), the review workflow by role
// (draft → submitted → returned → resubmitted → approved), deadlines, and
// the reporting rates per block and period.
package workflow

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"egovkpi"
	"egovkpi/metrics"
	"egovkpi/reports/form"
)

// State is where a report stands in the review workflow.
type State string

// States. NotStarted is never stored: it is a unit with no version yet.
const (
	NotStarted  State = "not_started"
	Draft       State = "draft"
	Submitted   State = "submitted"
	Returned    State = "returned"
	Resubmitted State = "resubmitted"
	Approved    State = "approved"
)

// Label is the state's name in lang ("vi" or "en").
func (s State) Label(lang string) string {
	vi := map[State]string{NotStarted: "Chưa bắt đầu", Draft: "Đang soạn", Submitted: "Đã gửi", Returned: "Bị trả lại", Resubmitted: "Đã gửi lại", Approved: "Đã duyệt"}
	en := map[State]string{NotStarted: "Not started", Draft: "Draft", Submitted: "Submitted", Returned: "Returned", Resubmitted: "Resubmitted", Approved: "Approved"}
	if lang == "en" {
		return en[s]
	}
	return vi[s]
}

// HasBeenSubmitted says whether a report in this state has reached the
// reviewers at least once.
func (s State) HasBeenSubmitted() bool {
	return s == Submitted || s == Returned || s == Resubmitted || s == Approved
}

// Editable says whether a reporter may save or submit a report in this
// state: not started, a draft, or returned. A submitted report is with the
// reviewers; an approved one is locked.
func (s State) Editable() bool {
	return s == NotStarted || s == Draft || s == Returned
}

// Key names one report: a unit's report for a quarter.
type Key struct {
	UnitID  string
	Quarter Quarter
}

func (k Key) String() string { return k.UnitID + "/" + k.Quarter.String() }

// Quarter is a calendar quarter, the key of a report (comparable, unlike
// metrics.Period; Period gives the span of days).
type Quarter struct {
	Year, Q int
}

// QuarterOf is the quarter containing day d.
func QuarterOf(d time.Time) Quarter {
	p, _ := metrics.Containing(metrics.Quarter, d)
	return quarterOfPeriod(p)
}

// quarterOfPeriod is the quarter a quarter period covers.
func quarterOfPeriod(p metrics.Period) Quarter {
	return Quarter{p.From.Year(), (int(p.From.Month())-1)/3 + 1}
}

// Period is the quarter's span of days.
func (q Quarter) Period() metrics.Period { return metrics.QuarterOf(q.Year, q.Q) }

// ParseQuarter reads "2026Q3".
func ParseQuarter(s string) (Quarter, error) {
	var q Quarter
	y, n, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "Q")
	if !ok || len(y) != 4 || len(n) != 1 {
		return q, fmt.Errorf("quarter %q: want YYYYQn, e.g. 2026Q3", s)
	}
	if _, err := fmt.Sscanf(y+" "+n, "%d %d", &q.Year, &q.Q); err != nil || q.Q < 1 || q.Q > 4 || q.Year < 2000 || q.Year > 2100 {
		return Quarter{}, fmt.Errorf("quarter %q: want YYYYQn with n from 1 to 4, e.g. 2026Q3", s)
	}
	return q, nil
}

func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// First is the quarter's first day (UTC midnight, the calendar date).
func (q Quarter) First() time.Time { return q.Period().From }

// Last is the quarter's last day.
func (q Quarter) Last() time.Time { return q.Period().To }

// Next is the following quarter.
func (q Quarter) Next() Quarter { return QuarterOf(q.Last().AddDate(0, 0, 1)) }

// Prev is the quarter before q.
func (q Quarter) Prev() Quarter { return quarterOfPeriod(q.Period().Previous()) }

// Version is one saved state of a report. Every save, submission, return
// and approval writes a new version; none is ever changed.
type Version struct {
	Key
	// N counts from 1.
	N     int
	State State
	// Form is the report definition's version the answers follow.
	Form    string
	Answers form.Answers
	// Action is what made this version: save, submit, return, approve,
	// upload (an Excel template saved as a draft).
	Action string
	// Comment is the reviewer's comment on a return or approval, or the
	// reporter's note on a submission.
	Comment string
	Actor   string
	At      time.Time
}

// Report is a report's latest version, with its history summary.
type Report struct {
	Latest Version // N == 0 and State NotStarted when nothing is saved
	// FirstSubmitted is when it first reached the reviewers (nil: never).
	FirstSubmitted *time.Time
}

// Actions a version records.
const (
	ActionSave    = "save"
	ActionUpload  = "upload"
	ActionSubmit  = "submit"
	ActionReturn  = "return"
	ActionApprove = "approve"
)

// Deadlines say when each quarter's report is due.
type Deadlines struct {
	// Days after the quarter's last day: the report is due by the end of
	// that day, Vietnam time (15: the 15th day after the quarter ends).
	Days int
	// Overrides set a quarter's due day ("2026Q3" → 2026-10-20).
	Overrides map[Quarter]time.Time
}

// Vietnam is the time zone deadlines are counted in (egovkpi.Vietnam).
var Vietnam = egovkpi.Vietnam

// Due is the last day to file q's report (a calendar date).
func (d Deadlines) Due(q Quarter) time.Time {
	if t, ok := d.Overrides[q]; ok {
		return t
	}
	return q.Last().AddDate(0, 0, d.Days)
}

// Cutoff is the instant q's deadline ends: midnight after the due day,
// Vietnam time. A submission before it is on time.
func (d Deadlines) Cutoff(q Quarter) time.Time {
	due := d.Due(q)
	return time.Date(due.Year(), due.Month(), due.Day()+1, 0, 0, 0, 0, Vietnam)
}

// ParseOverrides reads "2026Q3=2026-10-20,2026Q4=2027-01-20".
func ParseOverrides(s string) (map[Quarter]time.Time, error) {
	out := map[Quarter]time.Time{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		qs, ds, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("deadline %q: want QUARTER=YYYY-MM-DD", part)
		}
		q, err := ParseQuarter(qs)
		if err != nil {
			return nil, err
		}
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(ds))
		if err != nil {
			return nil, fmt.Errorf("deadline of %s: %q: want YYYY-MM-DD", q, ds)
		}
		if !d.After(q.Last()) {
			return nil, fmt.Errorf("deadline of %s: %s is not after the quarter's end", q, ds)
		}
		out[q] = d
	}
	return out, nil
}

// UnitStatus is where one unit's report for a quarter stands.
type UnitStatus struct {
	UnitID  string
	Block   egovkpi.Block
	Quarter Quarter
	State   State
	// Version is the latest version's number (0: not started).
	Version   int
	UpdatedAt *time.Time
	// FirstSubmitted is when the report first reached the reviewers.
	FirstSubmitted *time.Time
	Due            time.Time
	// OnTime: submitted before the cutoff; Late: submitted after it;
	// Missing: not submitted and the cutoff has passed; Pending: not
	// submitted yet, the cutoff still ahead.
	OnTime, Late, Missing, Pending bool
}

// Rate counts a block's reports over a period's quarters.
type Rate struct {
	Block egovkpi.Block
	// Quarters the period covers (one for a quarter, four for a year).
	Quarters []Quarter
	// Expected: units in force at each quarter's end, summed over the
	// quarters.
	Expected  int
	Submitted int
	OnTime    int
	Late      int
	Missing   int
	Pending   int
	Approved  int
}

// SubmittedShare is Submitted ÷ Expected (nil when nothing is expected).
func (r Rate) SubmittedShare() *float64 { return share(r.Submitted, r.Expected) }

// OnTimeShare is OnTime ÷ Expected (nil when nothing is expected).
func (r Rate) OnTimeShare() *float64 { return share(r.OnTime, r.Expected) }

func share(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// SortStatuses orders statuses by block, then unit id.
func SortStatuses(ss []UnitStatus) {
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].Block != ss[j].Block {
			return ss[i].Block < ss[j].Block
		}
		return ss[i].UnitID < ss[j].UnitID
	})
}
