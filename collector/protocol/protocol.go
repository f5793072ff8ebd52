// Package protocol defines version 1 of the portal statistics protocol: what
// a ministry or provincial portal exposes so that egovkpi can pull its
// statistics, and what a portal pushes to egovkpi. docs/portal-api.md and
// docs/portal-api.openapi.yaml describe it for portal operators.
//
// A portal serves two resources under its base URL, each paged with a
// continuation token and authenticated with a bearer token:
//
//	GET {base}/v1/catalogue?as_of=YYYY-MM-DD[&page_token=T][&page_size=N]
//	GET {base}/v1/usage?from=YYYY-MM-DD&to=YYYY-MM-DD[&page_token=T][&page_size=N]
//
// Counts a portal does not report are null (or absent), never 0.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"egovkpi"
)

// Version is the protocol identifier carried in every page.
const Version = "egovkpi-portal/1"

// Paths of the two resources, relative to a portal's base URL.
const (
	CataloguePath = "/v1/catalogue"
	UsagePath     = "/v1/usage"
)

// Limits a portal and egovkpi agree on.
const (
	// MaxPageSize is the largest page_size a portal must honour.
	MaxPageSize = 5000
	// DefaultPageSize is used when page_size is absent.
	DefaultPageSize = 1000
	// MaxBodyBytes is the largest page or push body egovkpi accepts.
	MaxBodyBytes = 32 << 20
)

// Online service levels. Before 2022-08-15 (Decree 43/2011) a procedure's
// online service has a level 1–4; from 2022-08-15 (Decree 42/2022) it is
// full-process, partial or none.
const (
	Level1       = "1"
	Level2       = "2"
	Level3       = "3"
	Level4       = "4"
	LevelFull    = "full"
	LevelPartial = "partial"
	LevelNone    = "none"
)

// Procedure is one administrative procedure in a unit's catalogue.
type Procedure struct {
	// Code is the national procedure code in the National Database on
	// Administrative Procedures, e.g. "1.001234".
	Code  string `json:"code"`
	Name  string `json:"name"`
	Field string `json:"field"` // the sector, e.g. "Hộ tịch"
	// Level is "1".."4" as of a date before 2022-08-15, and "full",
	// "partial" or "none" from 2022-08-15.
	Level string `json:"level"`
	// EligibleFullProcess: the procedure can be offered full-process online
	// (the denominator of full-process coverage).
	EligibleFullProcess bool `json:"eligible_full_process"`
	FeeBearing          bool `json:"fee_bearing"`     // the procedure charges a fee
	PaperResult         bool `json:"paper_result"`    // its result is a paper document
	NPSPIntegrated      bool `json:"npsp_integrated"` // integrated on the National Public Service Portal
}

// CataloguePage is one page of GET /v1/catalogue.
type CataloguePage struct {
	Protocol string `json:"protocol"`
	// Unit is the official code of the unit the portal serves: a province's
	// statistics-office code ("08") or a ministry's short code ("MOF").
	Unit       string      `json:"unit"`
	AsOf       string      `json:"as_of"` // YYYY-MM-DD
	Procedures []Procedure `json:"procedures"`
	// NextPageToken continues the listing; empty on the last page.
	NextPageToken string `json:"next_page_token,omitempty"`
}

// Usage is one procedure's statistics for one day. Every count is a pointer:
// nil means not reported.
type Usage struct {
	Date      string `json:"date"`      // YYYY-MM-DD
	Procedure string `json:"procedure"` // national procedure code

	// Dossiers received in the day: the total and by channel. A channel not
	// reported counts as in person (the national rule); the total, when
	// absent, is the sum of the channels.
	Received         *int64 `json:"received,omitempty"`
	ReceivedInPerson *int64 `json:"received_in_person,omitempty"`
	ReceivedOnline   *int64 `json:"received_online,omitempty"`
	ReceivedPost     *int64 `json:"received_post,omitempty"`
	// FullProcessOnline are online dossiers of the procedure's full-process
	// service (a part of ReceivedOnline).
	FullProcessOnline *int64 `json:"full_process_online,omitempty"`

	// Dossiers finished in the day, and how many of them on time or late.
	Processed       *int64 `json:"processed,omitempty"`
	ProcessedOnTime *int64 `json:"processed_on_time,omitempty"`
	ProcessedLate   *int64 `json:"processed_late,omitempty"`
	// Dossiers still in progress at the end of the day, within and past
	// their deadline.
	InProgressOnTime  *int64 `json:"in_progress_on_time,omitempty"`
	InProgressOverdue *int64 `json:"in_progress_overdue,omitempty"`

	// Payment: dossiers with a financial obligation (fees above 0) and those
	// paid online (NPSP or the unit's payment gateway).
	FinancialObligation *int64 `json:"financial_obligation,omitempty"`
	PaidOnline          *int64 `json:"paid_online,omitempty"`

	// Digitization, counted over the dossiers received in the day.
	Digitized  *int64 `json:"digitized,omitempty"`   // with digitized components
	EResult    *int64 `json:"e_result,omitempty"`    // with an electronic result
	ReusedData *int64 `json:"reused_data,omitempty"` // reusing digitized data
	SyncedNPSP *int64 `json:"synced_npsp,omitempty"` // synchronised to NPSP

	// Complaints and votes of the day.
	ComplaintsReceived      *int64 `json:"complaints_received,omitempty"`
	ComplaintsOnTime        *int64 `json:"complaints_on_time,omitempty"`
	ComplaintsPendingOnTime *int64 `json:"complaints_pending_on_time,omitempty"`
	VotesSatisfied          *int64 `json:"votes_satisfied,omitempty"`
	VotesDissatisfied       *int64 `json:"votes_dissatisfied,omitempty"`
}

// Counts returns the record's 21 counts in the order of their declaration
// (the order of record.Field and of the usage_facts columns).
func (u Usage) Counts() []*int64 {
	return []*int64{
		u.Received, u.ReceivedInPerson, u.ReceivedOnline, u.ReceivedPost, u.FullProcessOnline,
		u.Processed, u.ProcessedOnTime, u.ProcessedLate, u.InProgressOnTime, u.InProgressOverdue,
		u.FinancialObligation, u.PaidOnline, u.Digitized, u.EResult, u.ReusedData, u.SyncedNPSP,
		u.ComplaintsReceived, u.ComplaintsOnTime, u.ComplaintsPendingOnTime, u.VotesSatisfied, u.VotesDissatisfied,
	}
}

// UsagePage is one page of GET /v1/usage, and the body of a push.
type UsagePage struct {
	Protocol string `json:"protocol"`
	Unit     string `json:"unit"` // official unit code, as in CataloguePage
	From     string `json:"from"` // first day covered, YYYY-MM-DD
	To       string `json:"to"`   // last day covered, YYYY-MM-DD
	// MissingDays lists the days of From..To for which the portal has no
	// statistics (an outage); every other day of the window is complete:
	// a procedure absent on such a day had no activity.
	MissingDays []string `json:"missing_days,omitempty"`
	// Records are kept raw so that one bad record does not spoil the page:
	// DecodeUsage checks each one.
	Records       []json.RawMessage `json:"records"`
	NextPageToken string            `json:"next_page_token,omitempty"`
}

// Error is the body of every error response.
type Error struct {
	Error string `json:"error"`
}

// DateLayout is the layout of every date in the protocol: egovkpi's.
const DateLayout = egovkpi.DateLayout

// ParseDate parses a protocol date (see egovkpi.ParseDate).
func ParseDate(s string) (time.Time, error) { return egovkpi.ParseDate(s) }

// RawCataloguePage is a CataloguePage as the collector reads it: the
// procedures are kept raw so that one bad entry does not spoil the page.
type RawCataloguePage struct {
	Protocol      string            `json:"protocol"`
	Unit          string            `json:"unit"`
	AsOf          string            `json:"as_of"`
	Procedures    []json.RawMessage `json:"procedures"`
	NextPageToken string            `json:"next_page_token,omitempty"`
}

// DecodeStrict decodes a page: an unknown field is an error (a misspelt
// missing_days must not pass for a complete window), and so is anything
// after the object.
func DecodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON object")
	}
	return nil
}

// DescribeJSONError words an encoding/json error met decoding body, for the
// quarantine and the portal's operators: a syntax error with its byte and
// line, a wrong type with its field; any other error without the "json: "
// prefix.
func DescribeJSONError(body []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := bytes.Count(body[:min(int(se.Offset), len(body))], []byte("\n")) + 1
		return fmt.Sprintf("%v (byte %d, line %d of %d bytes)", se, se.Offset, line, len(body))
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Sprintf("want %s, got %s (byte %d)", te.Type, te.Value, te.Offset)
		}
		return fmt.Sprintf("field %s: want %s, got %s (byte %d)", te.Field, te.Type, te.Value, te.Offset)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
