package simulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"egovkpi"
	"egovkpi/collector/protocol"
	"egovkpi/internal/refdata"
)

// Options configure a Simulator.
type Options struct {
	// Seed makes every number of the simulation; two simulators with the
	// same seed and registry serve exactly the same data and tokens.
	Seed int64
	// Registry lists the units to simulate; nil means refdata.Load().
	Registry *refdata.Registry
	// Latency is added to every HTTP response (default 0).
	Latency time.Duration
}

// Simulator simulates the statistics portal of every unit of a registry,
// in both eras. Its methods are safe for concurrent use.
type Simulator struct {
	seed    int64
	seedKey uint64
	reg     *refdata.Registry
	latency time.Duration
	units   []*unitModel // registry order
	byID    map[string]*unitModel
	pool    []natProc // national pool of provincial procedures, by popularity
	key     []byte    // HMAC key of tokens

	mu     sync.Mutex
	faults map[string]Fault
	tries  map[tryKey]int // requests per page, for the faults

	counts dayCounts
}

// ErrUnknownUnit is wrapped by the errors of Catalogue and Usage for a unit
// the registry does not list.
var ErrUnknownUnit = errors.New("simulator: unknown unit")

// ErrOutsideValidity is wrapped by the errors of Catalogue and Usage for a
// day on which the unit does not exist.
var ErrOutsideValidity = errors.New("simulator: day outside the unit's validity")

// New returns a simulator of every unit of o.Registry (or of the embedded
// reference list). It panics if the embedded list cannot be loaded, which
// the refdata tests rule out.
func New(o Options) *Simulator {
	reg := o.Registry
	if reg == nil {
		var err error
		if reg, err = refdata.Load(); err != nil {
			panic(fmt.Sprintf("simulator: loading the reference units: %v", err))
		}
	}
	s := &Simulator{
		seed:    o.Seed,
		seedKey: mix(uint64(o.Seed) ^ 0x65676f766b7069),
		reg:     reg,
		latency: o.Latency,
		key:     tokenKey(o.Seed),
		faults:  map[string]Fault{},
		tries:   map[tryKey]int{},
	}
	s.buildPool()
	s.buildUnits()
	return s
}

// tokenKey is the HMAC key of the tokens of a seed.
func tokenKey(seed int64) []byte { return []byte("egovkpi-simulator:" + strconv.FormatInt(seed, 10)) }

// TokenFor returns the bearer token of a unit's portal for a seed:
// hex(HMAC-SHA256(key "egovkpi-simulator:<seed>", message unitID)), e.g.
// for seed 1 the key is "egovkpi-simulator:1". Configurations can compute
// it without a Simulator.
func TokenFor(seed int64, unitID string) string { return token(tokenKey(seed), unitID) }

func token(key []byte, unitID string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(unitID))
	return hex.EncodeToString(mac.Sum(nil))
}

// Token returns the bearer token the unit's portal accepts (see TokenFor).
func (s *Simulator) Token(unitID string) string { return token(s.key, unitID) }

// Seed returns the simulator's seed.
func (s *Simulator) Seed() int64 { return s.seed }

// Units returns the simulated units, in registry order.
func (s *Simulator) Units() []egovkpi.Unit {
	out := make([]egovkpi.Unit, len(s.units))
	for i, m := range s.units {
		out[i] = m.u
	}
	return out
}

// WrongEraCode returns the unit code the WrongEra fault puts on the unit's
// pages: for a unit with predecessors, the first predecessor code that
// differs from its own (p34-08 → "02", m-MOF → "MPI"); for a unit with a
// successor of another code, that code (p63-02 → "08", m-MPI → "MOF");
// otherwise the code of a unit of the other era (for a continuing ministry,
// an ended ministry's code). It is empty for an unknown unit.
func (s *Simulator) WrongEraCode(unitID string) string {
	m, ok := s.byID[unitID]
	if !ok {
		return ""
	}
	return m.wrongEra
}

func (s *Simulator) unit(unitID string) (*unitModel, error) {
	m, ok := s.byID[unitID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownUnit, unitID)
	}
	return m, nil
}

// validity describes the days a unit serves.
func validity(u egovkpi.Unit) string {
	to := "today"
	if !u.ValidTo.IsZero() {
		to = u.ValidTo.Format(egovkpi.DateLayout)
	}
	return fmt.Sprintf("unit %s (%s, code %s) serves only %s..%s", u.ID, u.NameVI, u.Code,
		u.ValidFrom.Format(egovkpi.DateLayout), to)
}

func (m *unitModel) checkDay(d day, what string) error {
	if !m.u.ValidOn(d.time()) {
		return fmt.Errorf("%w: %s %s is outside: %s", ErrOutsideValidity, what, d, validity(m.u))
	}
	return nil
}

// Catalogue returns the unit's catalogue as of asOf, by procedure code:
// exactly what its clean portal serves.
func (s *Simulator) Catalogue(unitID string, asOf time.Time) ([]protocol.Procedure, error) {
	m, err := s.unit(unitID)
	if err != nil {
		return nil, err
	}
	d := dayOf(asOf)
	if err := m.checkDay(d, "as_of"); err != nil {
		return nil, err
	}
	return s.catalogue(m, d), nil
}

func (s *Simulator) catalogue(m *unitModel, d day) []protocol.Procedure {
	s.ensure(m)
	procs := m.catalogueAt(d)
	out := make([]protocol.Procedure, len(procs))
	for i, p := range procs {
		out[i] = protocol.Procedure{
			Code:                p.nat.code,
			Name:                p.nat.name,
			Field:               p.nat.field,
			Level:               p.level(d),
			EligibleFullProcess: p.nat.eligible,
			FeeBearing:          p.nat.fee,
			PaperResult:         p.nat.paper,
			NPSPIntegrated:      p.d3 <= d && p.dNPSP <= d,
		}
	}
	return out
}

// Usage returns the unit's usage records of the days from..to (any length;
// the portal's 92-day limit applies only over HTTP), ordered by date then
// procedure code, and the days of the window with no statistics (outages):
// exactly what its clean portal serves. Every day must be inside the
// unit's validity.
func (s *Simulator) Usage(unitID string, from, to time.Time) (records []protocol.Usage, missingDays []time.Time, err error) {
	m, err := s.unit(unitID)
	if err != nil {
		return nil, nil, err
	}
	f, t := dayOf(from), dayOf(to)
	if f > t {
		return nil, nil, fmt.Errorf("simulator: from %s is after to %s", f, t)
	}
	if err := m.checkDay(f, "from"); err != nil {
		return nil, nil, err
	}
	if err := m.checkDay(t, "to"); err != nil {
		return nil, nil, err
	}
	for d := f; d <= t; d++ {
		if m.outageDay(d) {
			missingDays = append(missingDays, d.time())
			continue
		}
		records = s.dayRecords(m, d, records)
	}
	return records, missingDays, nil
}
