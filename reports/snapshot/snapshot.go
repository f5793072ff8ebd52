// Package snapshot freezes a period's figures as the official ones and says
// what changed since.
//
// An analyst freezes a period: both blocks' league tables of every KPI and
// both blocks' Decision 766 index are computed exactly as the figures API
// computes them (metrics.League and metrics.Index766, no filter, the
// operator's ranking rules and methodology) and every row is stored, with
// who froze it, when, the 766 version in force for the period and the
// ranking rules. Snapshots are append-only: none is ever changed; freezing
// a period again adds a snapshot, and the latest of a period is its
// official one while the earlier ones stay listed. Later corrections to the
// data change the live tables, never a snapshot; Changes recomputes the live
// tables and lists every unit whose published figure or rank moved.
//
// Storage: the snapshots table holds one header per snapshot and
// snapshot_entries its rows. The rows are written first and the header
// last, with the number of rows, so a snapshot that is listed is whole.
package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// IndexTable is the table id of a block's Decision 766 index; league
// tables are named by their KPI id.
const IndexTable = "index766"

// ActionFreeze is the audit action of a freeze; the entry's Target is the
// snapshot's id.
const ActionFreeze = "snapshot-freeze"

// MaxNote is the longest note, in characters.
const MaxNote = 2000

// ErrNotFound is the error of Load and Changes for an unknown snapshot id.
var ErrNotFound = errors.New("snapshot: no such snapshot")

// ErrInvalid matches (errors.Is) Freeze's errors about the request itself:
// a period that cannot be frozen, nobody freezing, a bad note. Each says
// what is wrong; nothing was stored.
var ErrInvalid = errors.New("snapshot: invalid request")

// invalid is an error about a request; it matches ErrInvalid.
type invalid string

func (e invalid) Error() string        { return "snapshot: " + string(e) }
func (e invalid) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error { return invalid(fmt.Sprintf(format, args...)) }

// Snapshot is a snapshot's header.
type Snapshot struct {
	ID string
	// Period is the period as metrics.ParsePeriod reads it (2026Q3); From
	// and To are its first and last day.
	Period   string
	From, To time.Time
	// FrozenBy is who froze it: a login, or "cli:<os user>".
	FrozenBy string
	FrozenAt time.Time
	// Methodology is the id of the Decision 766 version in force for the
	// period, which scored the index tables; empty when no version was in
	// force (the snapshot then has league tables only).
	Methodology string
	// Rules are the ranking rules the tables were ranked with.
	Rules metrics.Rules
	Note  string
	// Build is the egovkpi version that computed the figures (may be
	// empty).
	Build string
	// Rows is the number of rows over all tables.
	Rows int
	// Official is true for the latest snapshot of its period.
	Official bool
}

// Row is one unit's line of a frozen (or live) table.
type Row struct {
	UnitID string
	// Numerator and Denominator are the KPI's sums (nil: no data); nil in
	// index tables.
	Numerator, Denominator *float64
	// Published is the published percentage (2 decimals), or the 766
	// total; nil: no data.
	Published    *float64
	Rank         int  // 1-based competition rank; 0: not ranked
	Movement     *int // rank of the previous comparable period − rank; nil when either is unranked
	Completeness float64
	// NotEnoughData: shown, marked and not ranked.
	NotEnoughData bool
	// Band, Dossiers, Complaints and Result are for index rows only: the
	// band's id, the counts behind the modifiers and the scored result
	// (groups, indicators, assumptions), nil when the unit had no input.
	Band       string
	Dossiers   *float64
	Complaints *float64
	Result     *m766.Result
}

// Table is one frozen table: a block's league table of one KPI, or its 766
// index. Rows are in the table's order: ranked units best first, then those
// with not enough data, then those without data.
type Table struct {
	Block egovkpi.Block
	// ID is the KPI id, or IndexTable.
	ID   string
	Rows []Row
}

// Frozen is a snapshot with its tables, in the order pages show them: per
// block (ministries, then provinces) every KPI in catalogue order, then the
// 766 index.
type Frozen struct {
	Snapshot
	Tables []Table
}

// Table returns the frozen table of a block and table id.
func (f Frozen) Table(block egovkpi.Block, id string) (Table, bool) {
	for _, t := range f.Tables {
		if t.Block == block && t.ID == id {
			return t, true
		}
	}
	return Table{}, false
}

// Request is what an analyst asks to freeze.
type Request struct {
	// Period must have ended before Today; a year to date cannot be frozen
	// (its days move), its year or a range can.
	Period metrics.Period
	// By is who freezes: a login, or "cli:<os user>".
	By string
	// Note is optional, at most MaxNote characters.
	Note string
	// Today is the day of reference of the figures (completeness counts the
	// days before it), as for the figures API.
	Today time.Time
	// Build is the egovkpi version, recorded with the snapshot (optional).
	Build string
}

// check names what is wrong with a request.
func (r Request) check() error {
	if strings.TrimSpace(r.By) == "" {
		return invalidf("who freezes is missing")
	}
	if r.Period.Kind == metrics.YTD {
		return invalidf("period %s is a year to date, whose days move: freeze the year or a range of days instead", r.Period)
	}
	if r.Period.From.IsZero() || r.Period.To.Before(r.Period.From) {
		return invalidf("the period is missing")
	}
	if today := egovkpi.Day(r.Today); !r.Period.To.Before(today) {
		return invalidf("period %s ends on %s: its figures can be frozen from %s", r.Period, r.Period.To.Format(egovkpi.DateLayout), r.Period.To.AddDate(0, 0, 1).Format(egovkpi.DateLayout))
	}
	if !utf8.ValidString(r.Note) {
		return invalidf("the note is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(r.Note); n > MaxNote {
		return invalidf("the note has %d characters, at most %d are kept", n, MaxNote)
	}
	return nil
}

// Freeze computes the period's tables as the figures API does (both blocks,
// every KPI with settings' rules, the 766 index with settings' methodology,
// no filter), stores them as a new snapshot and writes the freeze to the
// audit log. The new snapshot is its period's official one.
func Freeze(ctx context.Context, conn driver.Conn, reg *refdata.Registry, settings metrics.Settings, audit *auth.Store, r Request) (Snapshot, error) {
	if err := r.check(); err != nil {
		return Snapshot{}, err
	}
	live, err := compute(ctx, conn, reg, settings, r.Period, r.Today)
	if err != nil {
		return Snapshot{}, err
	}
	now := time.Now()
	s := Snapshot{
		ID: newID(r.Period), Period: r.Period.String(), From: r.Period.From, To: r.Period.To,
		FrozenBy: strings.TrimSpace(r.By), FrozenAt: now.Truncate(time.Second),
		Methodology: live.methodology, Rules: settings.Rules, Note: strings.TrimSpace(r.Note), Build: r.Build,
		Official: true,
	}
	for _, t := range live.tables {
		s.Rows += len(t.Rows)
	}
	if err := writeEntries(ctx, conn, s.ID, live.tables); err != nil {
		return Snapshot{}, err
	}
	if err := writeHeader(ctx, conn, s, uint64(now.UnixNano())); err != nil {
		return Snapshot{}, err
	}
	detail := fmt.Sprintf("period %s (%s..%s), 766 version %q, %d rows", s.Period, s.From.Format(egovkpi.DateLayout), s.To.Format(egovkpi.DateLayout), s.Methodology, s.Rows)
	if s.Note != "" {
		detail += "; note: " + s.Note
	}
	if err := audit.Audit(ctx, auth.Entry{At: s.FrozenAt, Actor: s.FrozenBy, Action: ActionFreeze, Target: s.ID, Detail: detail}); err != nil {
		return s, fmt.Errorf("snapshot %s is stored, but its audit entry is not: %w", s.ID, err)
	}
	return s, nil
}

// newID names a snapshot by its period and a random suffix: 2026Q3-3f9a1c0d.
func newID(p metrics.Period) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return p.String() + "-" + hex.EncodeToString(b)
}

// computed are a period's live tables.
type computed struct {
	methodology string // "" when no 766 version is in force
	tables      []Table
}

// parallelTables is how many tables are computed at once.
const parallelTables = 4

// compute computes a period's tables as the figures API does: per block,
// every KPI's league table, then the 766 index when a version is in force
// for the period.
func compute(ctx context.Context, conn driver.Conn, reg *refdata.Registry, settings metrics.Settings, p metrics.Period, today time.Time) (computed, error) {
	if settings.Methodology == nil {
		return computed{}, errors.New("snapshot: the settings have no Decision 766 methodology")
	}
	var out computed
	withIndex := true
	switch v, err := settings.Methodology.ForDay(p.To); {
	case errors.Is(err, m766.ErrNoVersion):
		withIndex = false
	case err != nil:
		return out, fmt.Errorf("snapshot: 766 version of %s: %w", p, err)
	default:
		out.methodology = v.ID
	}
	type job struct {
		block egovkpi.Block
		kpi   *metrics.KPI // nil: the index
	}
	var jobs []job
	for _, b := range metrics.Blocks {
		for _, k := range metrics.KPIs() {
			jobs = append(jobs, job{block: b, kpi: &k})
		}
		if withIndex {
			jobs = append(jobs, job{block: b})
		}
	}
	out.tables = make([]Table, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelTables)
	for i, j := range jobs {
		g.Go(func() error {
			if j.kpi == nil {
				t, err := metrics.Index766(gctx, conn, reg, settings.Methodology, j.block, p, settings.Rules, metrics.Filter{}, today)
				if err != nil {
					return fmt.Errorf("snapshot: 766 index of the %s block, %s: %w", j.block, p, err)
				}
				out.tables[i] = Table{Block: j.block, ID: IndexTable, Rows: indexRows(t)}
				return nil
			}
			t, err := metrics.League(gctx, conn, reg, j.block, p, *j.kpi, settings.Rules, metrics.Filter{}, today)
			if err != nil {
				return fmt.Errorf("snapshot: league table %s of the %s block, %s: %w", j.kpi.ID, j.block, p, err)
			}
			out.tables[i] = Table{Block: j.block, ID: j.kpi.ID, Rows: leagueRows(t)}
			return nil
		})
	}
	return out, g.Wait()
}

// leagueRows are a league table's rows, in its order.
func leagueRows(t metrics.Table) []Row {
	rows := make([]Row, len(t.Entries))
	for i, e := range t.Entries {
		rows[i] = Row{UnitID: e.UnitID, Numerator: e.Value.Num, Denominator: e.Value.Den, Published: e.Published,
			Rank: e.Rank, Movement: e.Movement, Completeness: e.Completeness, NotEnoughData: e.NotEnoughData}
	}
	return rows
}

// indexRows are a 766 table's rows, in its order.
func indexRows(t metrics.IndexTable) []Row {
	rows := make([]Row, len(t.Entries))
	for i, e := range t.Entries {
		r := Row{UnitID: e.UnitID, Published: e.Published, Rank: e.Rank, Movement: e.Movement,
			Completeness: e.Completeness, NotEnoughData: e.NotEnoughData, Dossiers: e.Dossiers, Complaints: e.Complaints}
		if e.Published != nil {
			res := e.Result
			r.Result = &res
			r.Band = res.Band.ID
		}
		rows[i] = r
	}
	return rows
}
