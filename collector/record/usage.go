package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
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

// procedureCode is the national code format: a digit, a dot, six digits
// (1.001234). Codes are stored as given.
var procedureCode = regexp.MustCompile(`^\d{1,2}\.\d{6}$`)

// ValidProcedureCode reports whether s has the national code format.
func ValidProcedureCode(s string) bool { return procedureCode.MatchString(s) }

// Invalid is a record that failed a rule, with the reason.
type Invalid struct {
	Reason string
}

func (e *Invalid) Error() string { return e.Reason }

func invalid(format string, args ...any) error { return &Invalid{Reason: fmt.Sprintf(format, args...)} }

// DecodeUsage decodes one raw protocol record strictly: unknown fields,
// wrong types, fractions, negative or too large counts are errors naming
// the field. It checks the date format and the procedure code format, fills
// the derived counts (see Normalise) and checks every part ≤ whole rule.
// The unit is not checked here (see Checker).
func DecodeUsage(raw json.RawMessage) (Usage, error) {
	var u Usage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return u, invalid("not a JSON object: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return u, invalid("not a JSON object")
	}
	seen := map[string]bool{}
	var date string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return u, invalid("malformed record: %v", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return u, invalid("field %s appears twice", key)
		}
		seen[key] = true
		var val any
		if err := dec.Decode(&val); err != nil {
			return u, invalid("field %s: malformed value: %v", key, err)
		}
		switch key {
		case "date":
			s, ok := val.(string)
			if !ok {
				return u, invalid("field date: want a string YYYY-MM-DD, got %s", describe(val))
			}
			date = s
		case "procedure":
			s, ok := val.(string)
			if !ok {
				return u, invalid("field procedure: want a string, got %s", describe(val))
			}
			u.Procedure = strings.TrimSpace(s)
		default:
			f, ok := fieldByName[key]
			if !ok {
				return u, invalid("unknown field %q", key)
			}
			if val == nil {
				continue // null: not reported
			}
			n, ok := val.(json.Number)
			if !ok {
				return u, invalid("field %s: want a whole number or null, got %s", key, describe(val))
			}
			i, err := n.Int64()
			if err != nil {
				return u, invalid("field %s: want a whole number, got %s", key, n)
			}
			if i < 0 {
				return u, invalid("field %s is negative (%d)", key, i)
			}
			if i > math.MaxUint32 {
				return u, invalid("field %s is too large (%d)", key, i)
			}
			u.SetValue(f, uint32(i))
		}
	}
	if _, err := dec.Token(); err != nil {
		return u, invalid("malformed record: %v", err)
	}
	if date == "" {
		return u, invalid("field date is missing")
	}
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return u, invalid("field date: %q is not a date YYYY-MM-DD", date)
	}
	u.Day = d
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

var fieldByName = func() map[string]Field {
	m := make(map[string]Field, NumFields)
	for _, f := range Fields() {
		m[f.Name()] = f
	}
	return m
}()

// FieldByName returns the field with the given protocol name.
func FieldByName(name string) (Field, bool) {
	f, ok := fieldByName[name]
	return f, ok
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
