package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"egovkpi/collector/protocol"
)

// Usage is one procedure's statistics for one day of one unit, ready to
// store. Values[f] is meaningful only when Has(f).
type Usage struct {
	UnitID    string
	Day       time.Time
	Procedure string
	Values    [NumFields]uint32
	Set       uint32 // bit f: Values[f] was reported (or derived)
}

// Has reports whether field f is reported.
func (u *Usage) Has(f Field) bool { return u.Set&(1<<f) != 0 }

// Get returns field f and whether it is reported.
func (u *Usage) Get(f Field) (uint32, bool) { return u.Values[f], u.Has(f) }

// SetValue reports field f as v.
func (u *Usage) SetValue(f Field, v uint32) {
	u.Values[f] = v
	u.Set |= 1 << f
}

// Key identifies a usage record within a unit: one row per day and
// procedure.
type Key struct {
	Day       time.Time
	Procedure string
}

// Key returns the record's key.
func (u *Usage) Key() Key { return Key{u.Day, u.Procedure} }

// procedureCode is the national code format: one or two digits, a dot, six
// digits (1.001234). Codes are stored as given.
var procedureCode = regexp.MustCompile(`^\d{1,2}\.\d{6}$`)

// ValidProcedureCode reports whether s has the national code format.
func ValidProcedureCode(s string) bool { return procedureCode.MatchString(s) }

// Invalid is a record that failed a rule, with the reason.
type Invalid struct {
	Reason string
}

func (e *Invalid) Error() string { return e.Reason }

func invalid(format string, args ...any) error { return &Invalid{Reason: fmt.Sprintf(format, args...)} }

// wireUsage is a record as sent: every value kept raw, so that a value of
// the wrong type is reported with its field's name.
type wireUsage struct {
	Date                    json.RawMessage `json:"date"`
	Procedure               json.RawMessage `json:"procedure"`
	Received                json.RawMessage `json:"received"`
	ReceivedInPerson        json.RawMessage `json:"received_in_person"`
	ReceivedOnline          json.RawMessage `json:"received_online"`
	ReceivedPost            json.RawMessage `json:"received_post"`
	FullProcessOnline       json.RawMessage `json:"full_process_online"`
	Processed               json.RawMessage `json:"processed"`
	ProcessedOnTime         json.RawMessage `json:"processed_on_time"`
	ProcessedLate           json.RawMessage `json:"processed_late"`
	InProgressOnTime        json.RawMessage `json:"in_progress_on_time"`
	InProgressOverdue       json.RawMessage `json:"in_progress_overdue"`
	FinancialObligation     json.RawMessage `json:"financial_obligation"`
	PaidOnline              json.RawMessage `json:"paid_online"`
	Digitized               json.RawMessage `json:"digitized"`
	EResult                 json.RawMessage `json:"e_result"`
	ReusedData              json.RawMessage `json:"reused_data"`
	SyncedNPSP              json.RawMessage `json:"synced_npsp"`
	ComplaintsReceived      json.RawMessage `json:"complaints_received"`
	ComplaintsOnTime        json.RawMessage `json:"complaints_on_time"`
	ComplaintsPendingOnTime json.RawMessage `json:"complaints_pending_on_time"`
	VotesSatisfied          json.RawMessage `json:"votes_satisfied"`
	VotesDissatisfied       json.RawMessage `json:"votes_dissatisfied"`
}

// counts lists the raw count values in Field order.
func (w *wireUsage) counts() [NumFields]json.RawMessage {
	return [NumFields]json.RawMessage{
		w.Received, w.ReceivedInPerson, w.ReceivedOnline, w.ReceivedPost, w.FullProcessOnline,
		w.Processed, w.ProcessedOnTime, w.ProcessedLate, w.InProgressOnTime, w.InProgressOverdue,
		w.FinancialObligation, w.PaidOnline, w.Digitized, w.EResult, w.ReusedData, w.SyncedNPSP,
		w.ComplaintsReceived, w.ComplaintsOnTime, w.ComplaintsPendingOnTime, w.VotesSatisfied, w.VotesDissatisfied,
	}
}

// DecodeUsage decodes one raw protocol record strictly: unknown fields,
// wrong types, fractions, negative or too large counts are errors naming
// the field. It checks the date format and the procedure code format, fills
// the derived counts (see Normalise) and checks every part ≤ whole rule.
// The unit is not checked here (see Checker).
func DecodeUsage(raw json.RawMessage) (Usage, error) {
	var u Usage
	var w wireUsage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return u, invalid("not a JSON object")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return u, invalid("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return u, invalid("malformed record: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	date, err := stringField("date", w.Date)
	if err != nil {
		return u, err
	}
	proc, err := stringField("procedure", w.Procedure)
	if err != nil {
		return u, err
	}
	for f, v := range w.counts() {
		n, ok, err := countField(Field(f).Name(), v)
		if err != nil {
			return u, err
		}
		if ok {
			u.SetValue(Field(f), n)
		}
	}
	if date == "" {
		return u, invalid("field date is missing")
	}
	d, err := time.Parse(protocol.DateLayout, date)
	if err != nil {
		return u, invalid("field date: %q is not a date YYYY-MM-DD", date)
	}
	u.Day = d
	u.Procedure = strings.TrimSpace(proc)
	if u.Procedure == "" {
		return u, invalid("field procedure is missing")
	}
	if !ValidProcedureCode(u.Procedure) {
		return u, invalid("procedure %q is not a national procedure code (like 1.001234)", u.Procedure)
	}
	if err := u.Normalise(); err != nil {
		return u, err
	}
	return u, nil
}

// stringField reads a string value; absent or null is "".
func stringField(name string, v json.RawMessage) (string, error) {
	if len(v) == 0 || string(v) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", invalid("field %s: want a string, got %s", name, describeRaw(v))
	}
	return s, nil
}

// countField reads a count: absent or null is not reported.
func countField(name string, v json.RawMessage) (uint32, bool, error) {
	if len(v) == 0 || string(v) == "null" {
		return 0, false, nil
	}
	if n, ok := plainUint(v); ok {
		if n > math.MaxUint32 {
			return 0, false, invalid("field %s is too large (%d)", name, n)
		}
		return uint32(n), true, nil
	}
	switch v[0] {
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		i, err := strconv.ParseInt(string(v), 10, 64)
		switch {
		case err == nil && i == 0: // -0
			return 0, true, nil
		case err == nil && i < 0:
			return 0, false, invalid("field %s is negative (%d)", name, i)
		case err == nil:
			return 0, false, invalid("field %s is too large (%d)", name, i)
		}
		if _, ferr := strconv.ParseFloat(string(v), 64); ferr == nil {
			if strings.HasPrefix(string(v), "-") {
				return 0, false, invalid("field %s is negative (%s)", name, v)
			}
			return 0, false, invalid("field %s: want a whole number, got %s", name, v)
		}
		return 0, false, invalid("field %s is too large (%s)", name, v)
	}
	return 0, false, invalid("field %s: want a whole number or null, got %s", name, describeRaw(v))
}

// plainUint parses a run of decimal digits.
func plainUint(v []byte) (uint64, bool) {
	if len(v) == 0 || len(v) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

func describeRaw(v json.RawMessage) string {
	var x any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return string(v)
	}
	return describe(x)
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case json.Number:
		return "the number " + x.String()
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// Normalise applies the national counting rules and checks the record:
//   - received, when not reported, is the sum of the channels reported;
//   - a channel not reported counts as in person: received_in_person, when
//     not reported, is received less the online and post dossiers;
//   - every part ≤ whole rule holds, and when all three channels are
//     reported they add up to received.
func (u *Usage) Normalise() error {
	channels := []Field{ReceivedInPerson, ReceivedOnline, ReceivedPost}
	var sum uint64
	reported, all := false, true
	for _, c := range channels {
		if v, ok := u.Get(c); ok {
			sum += uint64(v)
			reported = true
		} else {
			all = false
		}
	}
	if !u.Has(Received) && reported {
		if sum > math.MaxUint32 {
			return invalid("channels add up to %d, too large", sum)
		}
		u.SetValue(Received, uint32(sum))
	}
	if r, ok := u.Get(Received); ok && !u.Has(ReceivedInPerson) && sum <= uint64(r) {
		u.SetValue(ReceivedInPerson, r-uint32(sum))
		all = u.Has(ReceivedOnline) && u.Has(ReceivedPost)
		sum = uint64(r)
	}
	if r, ok := u.Get(Received); ok && all && sum != uint64(r) {
		return invalid("received_in_person + received_online + received_post = %d, but received = %d", sum, r)
	}
	for _, w := range wholes {
		whole, ok := u.Get(w.whole)
		if !ok {
			continue
		}
		var parts uint64
		var names []string
		for _, p := range w.parts {
			if v, ok := u.Get(p); ok {
				parts += uint64(v)
				names = append(names, p.Name())
			}
		}
		if parts > uint64(whole) {
			return invalid("%s (%d) exceeds %s (%d)", strings.Join(names, " + "), parts, w.whole.Name(), whole)
		}
	}
	return nil
}
