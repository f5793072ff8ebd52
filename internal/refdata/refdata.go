// Package refdata holds egovkpi's own reference list of units — ministries,
// agencies and provinces of both eras (the 63 provinces until 2025-06-30 and
// the 34 from 2025-07-01; the ministries before and after 2025-03-01) —
// embedded in the binary as units.csv.
//
// The file is the project's data, converted once from the shared reference
// files; its note column keeps every remark of the sources, including the
// "UNVERIFIED" marks that egovkpi.Unit.Unverified reports. Load parses and
// validates it; Parse does the same for any reader (tests, overrides).
package refdata

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"egovkpi"
)

//go:embed units.csv
var unitsCSV []byte

// columns is the exact header of a units file.
var columns = []string{
	"id", "code", "npsp_code", "block", "kind", "name_vi", "name_vi_full",
	"name_ascii", "name_en", "region", "valid_from", "valid_to",
	"successor_id", "note", "source",
}

// Column indexes into a record.
const (
	colID = iota
	colCode
	colNPSPCode
	colBlock
	colKind
	colNameVI
	colNameVIFull
	colNameASCII
	colNameEN
	colRegion
	colValidFrom
	colValidTo
	colSuccessorID
	colNote
	colSource
	numColumns
)

// kinds lists the legal kinds accepted in each block.
var kinds = map[egovkpi.Block][]string{
	egovkpi.BlockMinistry: {"ministry", "ministerial-level agency", "government agency", "state bank"},
	egovkpi.BlockProvince: {"province", "municipality"},
}

// ErrNotFound is wrapped by the error Resolve returns when no unit matches.
var ErrNotFound = errors.New("refdata: unit not found")

// ParseError is a problem with one field of a units file. Line is the
// 1-based line of the file and Column the 1-based field number, named by
// Field. Syntax errors of the CSV itself are reported as *csv.ParseError
// instead (which also carries a line and column).
type ParseError struct {
	Line   int
	Column int
	Field  string
	Err    error
}

// Error formats the error as "refdata: line L, column C (field): message".
func (e *ParseError) Error() string {
	return fmt.Sprintf("refdata: line %d, column %d (%s): %v", e.Line, e.Column, e.Field, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Registry is a validated, immutable list of units. Its methods are safe for
// concurrent use and return copies, never views of its internal state.
type Registry struct {
	units    []egovkpi.Unit // in All order
	sources  []string       // source column, parallel to units
	byID     map[string]int
	preds    map[string][]int // successor ID -> indexes of its predecessors
	checksum string
}

var loadEmbedded = sync.OnceValues(func() (*Registry, error) {
	return Parse(bytes.NewReader(unitsCSV))
})

// Load returns the registry of the embedded units.csv. The file is parsed
// once; later calls return the same registry.
func Load() (*Registry, error) {
	return loadEmbedded()
}

// record is one parsed row with the line of each of its fields.
type record struct {
	unit   egovkpi.Unit
	source string
	lines  [numColumns]int
}

// Parse reads and validates a units file: a header row equal to the columns
// of units.csv, then one unit per row. It reports every problem it finds
// (joined with errors.Join), each naming its line and column: duplicate or
// malformed ids, unknown blocks, kinds or regions, bad dates, valid_to before
// valid_from, unknown successors or successors not valid on the day after
// valid_to, and a code valid for two units on the same day.
func Parse(r io.Reader) (*Registry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("refdata: reading units: %w", err)
	}
	sum := sha256.Sum256(data)

	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = numColumns

	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{Line: 1, Column: 1, Field: columns[0], Err: errors.New("empty file, expected a header row")}
	}
	if err != nil {
		return nil, fmt.Errorf("refdata: %w", err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	for i, want := range columns {
		if header[i] != want {
			line, _ := cr.FieldPos(i)
			return nil, &ParseError{Line: line, Column: i + 1, Field: want,
				Err: fmt.Errorf("header has %q, expected %q (header: %s)", header[i], want, strings.Join(columns, ","))}
		}
	}

	var (
		errs []error
		recs []record
		seen = map[string]int{} // id -> index in recs
	)
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A *csv.ParseError names its line (and column for syntax
			// errors); the reader cannot resynchronise reliably, so stop.
			errs = append(errs, fmt.Errorf("refdata: %w", err))
			return nil, errors.Join(errs...)
		}
		var rec record
		for i := range rec.lines {
			rec.lines[i], _ = cr.FieldPos(i)
		}
		fail := func(col int, format string, args ...any) {
			errs = append(errs, &ParseError{Line: rec.lines[col], Column: col + 1, Field: columns[col], Err: fmt.Errorf(format, args...)})
		}
		ok := parseRecord(fields, &rec, fail)
		if !ok {
			continue
		}
		if prev, dup := seen[rec.unit.ID]; dup {
			fail(colID, "duplicate id %q (first on line %d)", rec.unit.ID, recs[prev].lines[colID])
			continue
		}
		seen[rec.unit.ID] = len(recs)
		recs = append(recs, rec)
	}

	errs = append(errs, checkSuccessors(recs, seen)...)
	errs = append(errs, checkCodeOverlaps(recs)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	slices.SortStableFunc(recs, func(a, b record) int { return compareUnits(a.unit, b.unit) })
	reg := &Registry{
		units:    make([]egovkpi.Unit, len(recs)),
		sources:  make([]string, len(recs)),
		byID:     make(map[string]int, len(recs)),
		preds:    map[string][]int{},
		checksum: hex.EncodeToString(sum[:]),
	}
	for i, rec := range recs {
		reg.units[i] = rec.unit
		reg.sources[i] = rec.source
		reg.byID[rec.unit.ID] = i
	}
	for i, u := range reg.units {
		if u.SuccessorID != "" {
			reg.preds[u.SuccessorID] = append(reg.preds[u.SuccessorID], i)
		}
	}
	return reg, nil
}

// parseRecord fills rec from the fields of one row, reporting each problem
// through fail. It returns false if the row is unusable.
func parseRecord(f []string, rec *record, fail func(col int, format string, args ...any)) bool {
	ok := true
	bad := func(col int, format string, args ...any) {
		fail(col, format, args...)
		ok = false
	}
	for i, s := range f {
		if s != strings.TrimSpace(s) {
			bad(i, "value %q has leading or trailing white space", s)
		}
	}
	for _, col := range []int{colID, colCode, colBlock, colKind, colNameVI, colNameVIFull, colNameASCII, colNameEN, colValidFrom, colSource} {
		if f[col] == "" {
			bad(col, "required value is empty")
		}
	}
	if !ok {
		return false
	}

	u := egovkpi.Unit{
		ID:          f[colID],
		Code:        f[colCode],
		NPSPCode:    f[colNPSPCode],
		NameVI:      f[colNameVI],
		NameVIFull:  f[colNameVIFull],
		NameASCII:   f[colNameASCII],
		NameEN:      f[colNameEN],
		Kind:        f[colKind],
		Block:       egovkpi.Block(f[colBlock]),
		Region:      f[colRegion],
		SuccessorID: f[colSuccessorID],
		Note:        f[colNote],
	}

	switch u.Block {
	case egovkpi.BlockMinistry:
		if u.ID != "m-"+u.Code {
			bad(colID, "id %q of a ministry must be %q", u.ID, "m-"+u.Code)
		}
		if u.Region != "" {
			bad(colRegion, "region %q given for a unit of block ministry (must be empty)", u.Region)
		}
	case egovkpi.BlockProvince:
		if !strings.HasPrefix(u.ID, "p") || !strings.HasSuffix(u.ID, "-"+u.Code) {
			bad(colID, "id %q of a province must be p<era>-%s", u.ID, u.Code)
		}
		if _, known := egovkpi.RegionByCode(u.Region); !known {
			bad(colRegion, "unknown region %q (accepted: %s)", u.Region, regionCodes())
		}
	default:
		bad(colBlock, "unknown block %q (accepted: ministry, province)", f[colBlock])
	}
	if allowed, known := kinds[u.Block]; known && !slices.Contains(allowed, u.Kind) {
		bad(colKind, "unknown kind %q for block %s (accepted: %s)", u.Kind, u.Block, strings.Join(allowed, ", "))
	}
	for i := range len(u.NameASCII) {
		if u.NameASCII[i] >= 0x80 {
			bad(colNameASCII, "name_ascii %q contains non-ASCII characters", u.NameASCII)
			break
		}
	}

	from, err := egovkpi.ParseDate(f[colValidFrom])
	if err != nil {
		bad(colValidFrom, "%v", err)
	}
	u.ValidFrom = from
	if f[colValidTo] != "" {
		to, err := egovkpi.ParseDate(f[colValidTo])
		switch {
		case err != nil:
			bad(colValidTo, "%v", err)
		case !from.IsZero() && to.Before(from):
			bad(colValidTo, "valid_to %s is before valid_from %s", f[colValidTo], f[colValidFrom])
		}
		u.ValidTo = to
	}
	if u.SuccessorID != "" {
		if u.SuccessorID == u.ID {
			bad(colSuccessorID, "unit %q is its own successor", u.ID)
		}
		if f[colValidTo] == "" {
			bad(colSuccessorID, "successor %q given but valid_to is empty", u.SuccessorID)
		}
	}

	rec.unit = u
	rec.source = f[colSource]
	return ok
}

// checkSuccessors reports successors that are unknown or do not exist on the
// day after their predecessor ends.
func checkSuccessors(recs []record, byID map[string]int) []error {
	var errs []error
	for _, rec := range recs {
		u := rec.unit
		if u.SuccessorID == "" {
			continue
		}
		fail := func(format string, args ...any) {
			errs = append(errs, &ParseError{Line: rec.lines[colSuccessorID], Column: colSuccessorID + 1,
				Field: columns[colSuccessorID], Err: fmt.Errorf(format, args...)})
		}
		i, known := byID[u.SuccessorID]
		if !known {
			fail("unknown successor %q of %q", u.SuccessorID, u.ID)
			continue
		}
		next := u.ValidTo.AddDate(0, 0, 1)
		if s := recs[i].unit; !s.ValidOn(next) {
			fail("successor %q (line %d) is not valid on %s, the day after %q ends",
				s.ID, recs[i].lines[colID], next.Format(egovkpi.DateLayout), u.ID)
		}
	}
	return errs
}

// checkCodeOverlaps reports a code held by two units on the same day.
func checkCodeOverlaps(recs []record) []error {
	var errs []error
	byCode := map[string][]int{}
	for i, rec := range recs {
		byCode[rec.unit.Code] = append(byCode[rec.unit.Code], i)
	}
	for i, rec := range recs {
		for _, j := range byCode[rec.unit.Code] {
			if j >= i {
				break
			}
			a, b := recs[j].unit, rec.unit
			if overlap(a, b) {
				start := a.ValidFrom
				if b.ValidFrom.After(start) {
					start = b.ValidFrom
				}
				errs = append(errs, &ParseError{Line: rec.lines[colCode], Column: colCode + 1, Field: columns[colCode],
					Err: fmt.Errorf("code %q of %q is also valid for %q (line %d) on %s",
						b.Code, b.ID, a.ID, recs[j].lines[colID], start.Format(egovkpi.DateLayout))})
			}
		}
	}
	return errs
}

// overlap reports whether two units share at least one valid day.
func overlap(a, b egovkpi.Unit) bool {
	return a.ValidOn(b.ValidFrom) || b.ValidOn(a.ValidFrom)
}

// compareUnits orders units: block ministry first, then province, then by
// valid_from, then code, then id.
func compareUnits(a, b egovkpi.Unit) int {
	return cmp.Or(
		cmp.Compare(blockRank(a.Block), blockRank(b.Block)),
		a.ValidFrom.Compare(b.ValidFrom),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.ID, b.ID),
	)
}

func blockRank(b egovkpi.Block) int {
	switch b {
	case egovkpi.BlockMinistry:
		return 0
	case egovkpi.BlockProvince:
		return 1
	}
	return 2
}

func regionCodes() string {
	codes := make([]string, len(egovkpi.Regions))
	for i, r := range egovkpi.Regions {
		codes[i] = r.Code
	}
	return strings.Join(codes, ", ")
}

// All returns every unit: block ministry first, then province; within a
// block by valid_from, then code.
func (r *Registry) All() []egovkpi.Unit {
	return slices.Clone(r.units)
}

// ByID returns the unit with the given id ("p63-01", "p34-01", "m-MOF").
func (r *Registry) ByID(id string) (egovkpi.Unit, bool) {
	i, ok := r.byID[id]
	if !ok {
		return egovkpi.Unit{}, false
	}
	return r.units[i], true
}

// Source returns the legal basis or origin recorded for the unit with the
// given id (the source column of units.csv).
func (r *Registry) Source(id string) (string, bool) {
	i, ok := r.byID[id]
	if !ok {
		return "", false
	}
	return r.sources[i], true
}

// ValidOn returns the units that exist on day d, in All order, restricted to
// the given block unless block is "". Only the calendar day of d (in d's
// location) matters.
func (r *Registry) ValidOn(d time.Time, block egovkpi.Block) []egovkpi.Unit {
	d = egovkpi.Day(d)
	var out []egovkpi.Unit
	for _, u := range r.units {
		if (block == "" || u.Block == block) && u.ValidOn(d) {
			out = append(out, u)
		}
	}
	return out
}

// Resolve returns the unit whose official code (statistics-office code for
// provinces, short code for ministries; matched ignoring case and
// surrounding space) is valid on day d. Province codes are shared by the two
// eras, so "08" is Tuyên Quang of the 63 before 2025-07-01 and Tuyên Quang of
// the 34 after. If no unit matches, the error wraps ErrNotFound and names the
// code, the day and the spans in which the code was valid.
func (r *Registry) Resolve(code string, d time.Time) (egovkpi.Unit, error) {
	d = egovkpi.Day(d)
	code = strings.TrimSpace(code)
	var known []string
	for _, u := range r.units {
		if !strings.EqualFold(u.Code, code) {
			continue
		}
		if u.ValidOn(d) {
			return u, nil
		}
		span := u.ID + " " + u.NameVI + " " + u.Validity()
		if u.SuccessorID != "" {
			span += ", successor " + u.SuccessorID
		}
		known = append(known, span)
	}
	on := d.Format(egovkpi.DateLayout)
	if len(known) == 0 {
		return egovkpi.Unit{}, fmt.Errorf("%w: no unit has code %q (asked for %s)", ErrNotFound, code, on)
	}
	return egovkpi.Unit{}, fmt.Errorf("%w: no unit with code %q is valid on %s (code known as: %s)",
		ErrNotFound, code, on, strings.Join(known, "; "))
}

// Predecessors returns the units whose SuccessorID is id, in All order: the
// provinces merged into a province of the 34, or the ministries folded into a
// ministry on 2025-03-01. It is empty for an unknown id.
func (r *Registry) Predecessors(id string) []egovkpi.Unit {
	idx := r.preds[id]
	out := make([]egovkpi.Unit, len(idx))
	for k, i := range idx {
		out[k] = r.units[i]
	}
	return out
}

// Successor returns the unit that took over from the unit with the given id
// on the day after it ended, if any.
func (r *Registry) Successor(id string) (egovkpi.Unit, bool) {
	u, ok := r.ByID(id)
	if !ok || u.SuccessorID == "" {
		return egovkpi.Unit{}, false
	}
	return r.ByID(u.SuccessorID)
}

// Checksum returns the SHA-256 of the parsed file as lowercase hex; for the
// registry of Load it is the checksum of the embedded units.csv, so data
// derived from the reference list can record which version it used.
func (r *Registry) Checksum() string {
	return r.checksum
}
