package simulator

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"egovkpi/collector/protocol"
)

// Fault is a misbehaviour of one unit's portal, switchable at run time.
//
// The per-page faults answer the first requests of each page (counted per
// unit, resource, window and page token, so that a client retrying the same
// request eventually gets the good answer) in this order: ServerErrors
// answers 500, 502, 503, 500, …; then RateLimit answers 429 with
// Retry-After: 1; then Truncated answers one body cut in the middle; then
// Malformed answers one body with a stray token. A page therefore needs
// ServerErrors + RateLimit + (Truncated?1:0) + (Malformed?1:0) failed tries
// before its good answer. SetFault resets the unit's counts.
type Fault struct {
	// Slow delays every request to the unit's portal.
	Slow time.Duration
	// ServerErrors: the first N requests of each page answer 500/502/503.
	ServerErrors int
	// RateLimit: the next N requests of each page answer 429 with
	// Retry-After: 1.
	RateLimit int
	// Truncated: then one request of each page answers a body cut in the
	// middle (the declared Content-Length is not reached, the connection
	// is closed).
	Truncated bool
	// Malformed: then one request of each page answers invalid JSON (a
	// stray token at the start of the records or procedures array).
	Malformed bool
	// DuplicatePages: every page's records (or procedures) are served again
	// as the following page, under a different token, so the listing
	// contains each record twice.
	DuplicatePages bool
	// Contradictions: this fraction of usage records, chosen by a hash of
	// unit, date and procedure (see Corrupted), is served corrupted so that
	// a part exceeds its whole: received_online > received, or
	// processed_on_time + processed_late > processed.
	Contradictions float64
	// WrongEra: pages carry the code of a unit of the other era (see
	// WrongEraCode) instead of the unit's own.
	WrongEra bool
}

// FailedTries returns how many requests of each page fail under f before
// the good answer: ServerErrors + RateLimit + 1 if Truncated + 1 if
// Malformed.
func (f Fault) FailedTries() int {
	n := f.ServerErrors + f.RateLimit
	if f.Truncated {
		n++
	}
	if f.Malformed {
		n++
	}
	return n
}

// String formats f in the ParseFaults syntax ("" for no fault).
func (f Fault) String() string {
	var parts []string
	if f.Slow > 0 {
		parts = append(parts, "slow:"+f.Slow.String())
	}
	if f.ServerErrors > 0 {
		parts = append(parts, "5xx:"+strconv.Itoa(f.ServerErrors))
	}
	if f.RateLimit > 0 {
		parts = append(parts, "429:"+strconv.Itoa(f.RateLimit))
	}
	if f.Truncated {
		parts = append(parts, "truncated")
	}
	if f.Malformed {
		parts = append(parts, "malformed")
	}
	if f.DuplicatePages {
		parts = append(parts, "dup")
	}
	if f.Contradictions > 0 {
		parts = append(parts, "contradictions:"+strconv.FormatFloat(f.Contradictions, 'g', -1, 64))
	}
	if f.WrongEra {
		parts = append(parts, "wrongera")
	}
	return strings.Join(parts, ",")
}

// maxTries bounds the memory of the try counts.
const maxTries = 1 << 20

// tryKey identifies a page of a listing for counting tries.
type tryKey struct {
	unit, resource, window, token string
}

// SetFault sets the faults of a unit's portal (the zero Fault clears them)
// and resets its per-page try counts.
func (s *Simulator) SetFault(unitID string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Fault{}) {
		delete(s.faults, unitID)
	} else {
		s.faults[unitID] = f
	}
	for k := range s.tries {
		if k.unit == unitID {
			delete(s.tries, k)
		}
	}
}

// Faults returns a copy of the faults in force, by unit ID.
func (s *Simulator) Faults() map[string]Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.faults)
}

func (s *Simulator) fault(unitID string) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults[unitID]
}

// try counts a request of a page and returns its 0-based number.
func (s *Simulator) try(k tryKey) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.tries[k]
	if len(s.tries) >= maxTries {
		clear(s.tries) // a long demo run: forget old pages
	}
	s.tries[k] = n + 1
	return n
}

// corruptHash is the uniform in [0, 1) that decides whether a record is
// corrupted, and the mode.
func (s *Simulator) corruptHash(unitID, date, procedure string) (float64, uint64) {
	h := hash2(hash2(s.seedKey^0x636f7272, strHash(unitID)), strHash(date+"|"+procedure))
	return unitFloat(h), mix(h)
}

// Corrupted reports whether the unit's Contradictions fault in force
// corrupts the record of r.Date and r.Procedure (the counts of r do not
// matter). Over HTTP exactly these records are served corrupted.
func (s *Simulator) Corrupted(unitID string, r protocol.Usage) bool {
	f := s.fault(unitID).Contradictions
	if f <= 0 {
		return false
	}
	u, _ := s.corruptHash(unitID, r.Date, r.Procedure)
	return u < f
}

// corrupt returns a copy of r in which a part exceeds its whole.
func corrupt(r protocol.Usage, mode uint64) protocol.Usage {
	val := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	if mode%2 == 0 {
		x := val(r.Received) + 1 + int64(mode>>8%3)
		r.ReceivedOnline = &x
	} else {
		x := val(r.Processed) + 1 + int64(mode>>8%3)
		r.ProcessedOnTime = &x
	}
	return r
}

// ParseFaults parses a fault specification for the command line:
// "UNIT=ITEM,ITEM;UNIT=ITEM", e.g.
// "p34-08=slow:2s,5xx:2;p34-01=429:1,truncated;m-MOF=contradictions:0.05,wrongera,dup,malformed".
// Items: slow:DURATION, 5xx:N, 429:N, truncated, malformed, dup (or
// duplicate), contradictions:FRACTION (0..1), wrongera. Unit IDs are not
// checked against a registry. Every error names the bad part.
func ParseFaults(spec string) (map[string]Fault, error) {
	out := map[string]Fault{}
	var errs []error
	for part := range strings.SplitSeq(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		unit, items, ok := strings.Cut(part, "=")
		unit = strings.TrimSpace(unit)
		if !ok || unit == "" || strings.TrimSpace(items) == "" {
			errs = append(errs, fmt.Errorf("fault spec part %q: want UNIT=FAULT[,FAULT…], e.g. p34-08=slow:2s,5xx:2", part))
			continue
		}
		if strings.ContainsAny(unit, " \t,:") {
			errs = append(errs, fmt.Errorf("fault spec part %q: bad unit id %q", part, unit))
			continue
		}
		if _, dup := out[unit]; dup {
			errs = append(errs, fmt.Errorf("fault spec part %q: unit %s given twice", part, unit))
			continue
		}
		var f Fault
		for item := range strings.SplitSeq(items, ",") {
			item = strings.TrimSpace(item)
			if err := parseItem(&f, item); err != nil {
				errs = append(errs, fmt.Errorf("fault %q of %s: %w", item, unit, err))
			}
		}
		out[unit] = f
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func parseItem(f *Fault, item string) error {
	name, arg, hasArg := strings.Cut(item, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	arg = strings.TrimSpace(arg)
	needArg := func() error {
		if !hasArg || arg == "" {
			return fmt.Errorf("%s needs a value (%s:VALUE)", name, name)
		}
		return nil
	}
	noArg := func() error {
		if hasArg {
			return fmt.Errorf("%s takes no value", name)
		}
		return nil
	}
	count := func() (int, error) {
		if err := needArg(); err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s: %q is not a count ≥ 0", name, arg)
		}
		return n, nil
	}
	var err error
	switch name {
	case "":
		return errors.New("empty fault")
	case "slow":
		if err = needArg(); err == nil {
			var d time.Duration
			if d, err = time.ParseDuration(arg); err != nil || d < 0 {
				return fmt.Errorf("slow: %q is not a duration ≥ 0 like 2s or 500ms", arg)
			}
			f.Slow = d
		}
	case "5xx":
		f.ServerErrors, err = count()
	case "429":
		f.RateLimit, err = count()
	case "truncated":
		err = noArg()
		f.Truncated = true
	case "malformed":
		err = noArg()
		f.Malformed = true
	case "dup", "duplicate", "duplicates":
		err = noArg()
		f.DuplicatePages = true
	case "wrongera":
		err = noArg()
		f.WrongEra = true
	case "contradictions":
		if err = needArg(); err == nil {
			x, perr := strconv.ParseFloat(arg, 64)
			if perr != nil || x < 0 || x > 1 {
				return fmt.Errorf("contradictions: %q is not a fraction in 0..1", arg)
			}
			f.Contradictions = x
		}
	default:
		return fmt.Errorf("unknown fault %q (accepted: slow:DURATION, 5xx:N, 429:N, truncated, malformed, dup, contradictions:FRACTION, wrongera)", name)
	}
	return err
}
