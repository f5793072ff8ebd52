package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"egovkpi/collector/protocol"
	"egovkpi/internal/refdata"
)

// Rejected is a record that was refused, with its reason and raw text.
type Rejected struct {
	Index     int       // position in the payload (0-based, across pages)
	UnitCode  string    // the unit code the payload carried
	Day       time.Time // zero when unknown
	Procedure string
	Reason    string
	Raw       []byte
}

// UsageBatch is a checked usage payload of one unit.
type UsageBatch struct {
	UnitID string
	// Days are the days the payload covers: their stored data is replaced
	// by Good. A day whose every record was refused is not covered (its
	// stored data stays) and is listed in Skipped.
	Days    []time.Time
	Skipped []time.Time
	Good    []Usage
	Bad     []Rejected
}

// CatalogueBatch is a checked catalogue payload of one unit as of a date.
type CatalogueBatch struct {
	UnitID     string
	AsOf       time.Time
	Procedures []Procedure
	Bad        []Rejected
}

// Checker applies the rules that need context: the unit registry (codes
// across eras, validity) and the catalogues (known procedures).
type Checker struct {
	Units *refdata.Registry
	// Procedures returns the codes of unitID's catalogue in force on day
	// (the latest as of that day or before), and false when the unit has no
	// catalogue in force then.
	Procedures func(unitID string, day time.Time) (map[string]bool, bool)
}

// PayloadError refuses a whole payload (or page): its records are all
// refused with this reason and it covers no day.
type PayloadError struct{ Reason string }

func (e *PayloadError) Error() string { return e.Reason }

// identity checks that a payload's unit code is unitID on day d.
func (c *Checker) identity(unitID, code string, d time.Time) error {
	u, err := c.Units.Resolve(code, d)
	if err != nil {
		return &PayloadError{Reason: fmt.Sprintf("unit code %q: %v", code, err)}
	}
	if u.ID != unitID {
		return &PayloadError{Reason: fmt.Sprintf("unit code %q is %s (%s) on %s, not this source's unit %s", code, u.ID, u.NameVI, d.Format(protocol.DateLayout), unitID)}
	}
	return nil
}

// Usage checks the pages of one usage listing (or one push) of unitID.
func (c *Checker) Usage(unitID string, pages []protocol.UsagePage) UsageBatch {
	b := UsageBatch{UnitID: unitID}
	unit, ok := c.Units.ByID(unitID)
	type kept struct {
		u     Usage
		index int
		raw   []byte
	}
	var good []kept
	type catalogue struct {
		codes map[string]bool
		ok    bool
	}
	inForce := map[time.Time]catalogue{} // day → catalogue in force, looked up once
	covered := map[time.Time]bool{}
	offered := map[time.Time]int{} // records per day in accepted pages
	index := 0
	for _, p := range pages {
		reject := func(reason string) {
			for _, raw := range p.Records {
				b.Bad = append(b.Bad, Rejected{Index: index, UnitCode: p.Unit, Reason: reason, Raw: raw})
				index++
			}
		}
		if !ok {
			reject(fmt.Sprintf("unknown unit %s", unitID))
			continue
		}
		from, to, missing, err := pageWindow(p)
		if err != nil {
			reject(err.Error())
			continue
		}
		var pageErr error
		var days []time.Time
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if !unit.ValidOn(d) || missing[d] {
				continue
			}
			if err := c.identity(unitID, p.Unit, d); err != nil {
				pageErr = err
				break
			}
			days = append(days, d)
		}
		if pageErr != nil {
			reject(pageErr.Error())
			continue
		}
		for _, d := range days {
			covered[d] = true
		}
		for _, raw := range p.Records {
			i := index
			index++
			u, err := DecodeUsage(raw)
			bad := func(reason string) {
				b.Bad = append(b.Bad, Rejected{Index: i, UnitCode: p.Unit, Day: u.Day, Procedure: u.Procedure, Reason: reason, Raw: raw})
			}
			if err != nil {
				u.Day, u.Procedure = peek(raw)
				if !u.Day.IsZero() {
					offered[u.Day]++
				}
				bad(err.Error())
				continue
			}
			u.UnitID = unitID
			ds := u.Day.Format(protocol.DateLayout)
			switch {
			case u.Day.Before(from) || u.Day.After(to):
				bad(fmt.Sprintf("date %s is outside the payload's window %s..%s", ds, p.From, p.To))
				continue
			case missing[u.Day]:
				bad(fmt.Sprintf("date %s is listed in missing_days", ds))
				continue
			case !unit.ValidOn(u.Day):
				bad(fmt.Sprintf("date %s is outside the validity of unit %s (%s)", ds, unitID, unit.Validity()))
				continue
			}
			offered[u.Day]++
			if c.Procedures != nil {
				cat, seen := inForce[u.Day]
				if !seen {
					cat.codes, cat.ok = c.Procedures(unitID, u.Day)
					inForce[u.Day] = cat
				}
				if !cat.ok {
					bad(fmt.Sprintf("no catalogue of unit %s is in force on %s: send the catalogue first", unitID, ds))
					continue
				}
				if !cat.codes[u.Procedure] {
					bad(fmt.Sprintf("procedure %s is not in the catalogue of unit %s in force on %s", u.Procedure, unitID, ds))
					continue
				}
			}
			good = append(good, kept{u, i, raw})
		}
	}
	// Duplicates: identical copies keep the first; conflicting copies are
	// all refused, since neither can be trusted.
	byKey := map[Key][]int{}
	for i, k := range good {
		byKey[k.u.Key()] = append(byKey[k.u.Key()], i)
	}
	perDay := map[time.Time]int{}
	for i, k := range good {
		idx := byKey[k.u.Key()]
		bad := func(reason string) {
			b.Bad = append(b.Bad, Rejected{Index: k.index, UnitCode: "", Day: k.u.Day, Procedure: k.u.Procedure, Reason: reason, Raw: k.raw})
		}
		if len(idx) > 1 {
			first := good[idx[0]]
			conflict := false
			for _, j := range idx[1:] {
				if good[j].u.Values != first.u.Values || good[j].u.Set != first.u.Set {
					conflict = true
				}
			}
			if conflict {
				bad(fmt.Sprintf("conflicting duplicates: %d records for procedure %s on %s with different counts", len(idx), k.u.Procedure, k.u.Day.Format(protocol.DateLayout)))
				continue
			}
			if idx[0] != i {
				bad(fmt.Sprintf("duplicate of record #%d (same procedure %s and date %s)", first.index, k.u.Procedure, k.u.Day.Format(protocol.DateLayout)))
				continue
			}
		}
		b.Good = append(b.Good, k.u)
		perDay[k.u.Day]++
	}
	for d := range covered {
		if offered[d] > 0 && perDay[d] == 0 {
			b.Skipped = append(b.Skipped, d)
			continue
		}
		b.Days = append(b.Days, d)
	}
	sortDays(b.Days)
	sortDays(b.Skipped)
	sort.SliceStable(b.Bad, func(i, j int) bool { return b.Bad[i].Index < b.Bad[j].Index })
	return b
}

// Catalogue checks the pages of one catalogue listing of unitID.
func (c *Checker) Catalogue(unitID string, pages []protocol.RawCataloguePage) (CatalogueBatch, error) {
	b := CatalogueBatch{UnitID: unitID}
	if len(pages) == 0 {
		return b, &PayloadError{Reason: "empty catalogue listing"}
	}
	unit, ok := c.Units.ByID(unitID)
	if !ok {
		return b, &PayloadError{Reason: "unknown unit " + unitID}
	}
	asOf, err := protocol.ParseDate(pages[0].AsOf)
	if err != nil {
		return b, &PayloadError{Reason: fmt.Sprintf("as_of %q is not a date YYYY-MM-DD", pages[0].AsOf)}
	}
	if !unit.ValidOn(asOf) {
		return b, &PayloadError{Reason: fmt.Sprintf("as_of %s is outside the validity of unit %s (%s)", pages[0].AsOf, unitID, unit.Validity())}
	}
	b.AsOf = asOf
	seen := map[string]int{}
	index := 0
	for _, p := range pages {
		if p.Protocol != protocol.Version {
			return b, &PayloadError{Reason: fmt.Sprintf("protocol %q is not supported (want %q)", p.Protocol, protocol.Version)}
		}
		if p.AsOf != pages[0].AsOf {
			return b, &PayloadError{Reason: fmt.Sprintf("pages disagree on as_of: %s and %s", pages[0].AsOf, p.AsOf)}
		}
		if err := c.identity(unitID, p.Unit, asOf); err != nil {
			return b, err
		}
		for _, raw := range p.Procedures {
			i := index
			index++
			pr, err := DecodeProcedure(raw, asOf)
			if err != nil {
				b.Bad = append(b.Bad, Rejected{Index: i, UnitCode: p.Unit, Day: asOf, Reason: err.Error(), Raw: raw})
				continue
			}
			if first, dup := seen[pr.Code]; dup {
				b.Bad = append(b.Bad, Rejected{Index: i, UnitCode: p.Unit, Day: asOf, Procedure: pr.Code, Reason: fmt.Sprintf("duplicate of entry #%d (procedure %s)", first, pr.Code), Raw: raw})
				continue
			}
			seen[pr.Code] = i
			b.Procedures = append(b.Procedures, pr)
		}
	}
	if len(b.Procedures) == 0 && len(b.Bad) > 0 {
		// An empty catalogue would refuse every usage record of the unit.
		return b, &PayloadError{Reason: fmt.Sprintf("every one of the %d catalogue entries was refused (first: %s); the catalogue in force is kept", len(b.Bad), b.Bad[0].Reason)}
	}
	return b, nil
}

func pageWindow(p protocol.UsagePage) (from, to time.Time, missing map[time.Time]bool, err error) {
	if p.Protocol != protocol.Version {
		return from, to, nil, &PayloadError{Reason: fmt.Sprintf("protocol %q is not supported (want %q)", p.Protocol, protocol.Version)}
	}
	if from, err = protocol.ParseDate(p.From); err != nil {
		return from, to, nil, &PayloadError{Reason: fmt.Sprintf("from %q is not a date YYYY-MM-DD", p.From)}
	}
	if to, err = protocol.ParseDate(p.To); err != nil {
		return from, to, nil, &PayloadError{Reason: fmt.Sprintf("to %q is not a date YYYY-MM-DD", p.To)}
	}
	if to.Before(from) {
		return from, to, nil, &PayloadError{Reason: fmt.Sprintf("window %s..%s ends before it starts", p.From, p.To)}
	}
	if to.Sub(from) > 366*24*time.Hour {
		return from, to, nil, &PayloadError{Reason: fmt.Sprintf("window %s..%s is longer than a year", p.From, p.To)}
	}
	missing = map[time.Time]bool{}
	for _, s := range p.MissingDays {
		d, err := protocol.ParseDate(s)
		if err != nil {
			return from, to, nil, &PayloadError{Reason: fmt.Sprintf("missing_days: %q is not a date YYYY-MM-DD", s)}
		}
		missing[d] = true
	}
	return from, to, missing, nil
}

func sortDays(ds []time.Time) {
	sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
}

// Compact returns raw JSON without insignificant space, for storage.
func Compact(raw []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}

// peek reads the date and procedure of a record that failed to decode, so
// that its rejection can still say which day and procedure it was about.
func peek(raw []byte) (time.Time, string) {
	var r struct {
		Date      any `json:"date"`
		Procedure any `json:"procedure"`
	}
	_ = json.Unmarshal(raw, &r)
	ds, _ := r.Date.(string)
	d, _ := protocol.ParseDate(ds)
	p, _ := r.Procedure.(string)
	return d, p
}
