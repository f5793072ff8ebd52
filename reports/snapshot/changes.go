package snapshot

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// Comparison is a snapshot against the live tables of its period.
type Comparison struct {
	Snapshot Snapshot
	// Methodology and Rules are those the live tables were computed with:
	// the operator's current settings, which may differ from the
	// snapshot's (see MethodologyChanged and RulesChanged).
	Methodology string
	Rules       metrics.Rules
	// Changes lists every (table, unit) whose published figure or rank
	// moved, table by table in the snapshot's order; within a table the
	// biggest moves come first.
	Changes []Change
}

// MethodologyChanged reports whether the live index was scored with
// another 766 version than the snapshot's: its moves are not all
// corrections to data.
func (c Comparison) MethodologyChanged() bool { return c.Methodology != c.Snapshot.Methodology }

// RulesChanged reports whether the live tables were ranked with other rules
// than the snapshot's: ranks may move without any data changing.
func (c Comparison) RulesChanged() bool { return c.Rules != c.Snapshot.Rules }

// Change is a unit whose published figure or rank in a table differs
// between the snapshot and the live table.
type Change struct {
	Block egovkpi.Block
	// Table is the KPI id, or IndexTable.
	Table  string
	UnitID string
	// Before is the unit's frozen row, nil when the snapshot's table does
	// not have the unit; After is its live row, nil when the live table
	// does not have it.
	Before, After *Row
}

// FigureMoved reports whether the published figure differs (a figure that
// appears or disappears, a row that appears or disappears, included).
func (c Change) FigureMoved() bool {
	if c.Before == nil || c.After == nil {
		return true
	}
	return !samePublished(c.Before.Published, c.After.Published)
}

// RankMoved reports whether the rank differs (ranked on one side only
// included).
func (c Change) RankMoved() bool {
	if c.Before == nil || c.After == nil {
		return true
	}
	return c.Before.Rank != c.After.Rank
}

// Delta is the live published figure minus the frozen one (percentage
// points, or 766 points), nil when either is missing.
func (c Change) Delta() *float64 {
	if c.Before == nil || c.After == nil || c.Before.Published == nil || c.After.Published == nil {
		return nil
	}
	d := m766.Round2(*c.After.Published - *c.Before.Published)
	return &d
}

// Changes loads snapshot id and compares it with the live tables (see
// Compare). It fails with ErrNotFound for an unknown id.
func Changes(ctx context.Context, conn driver.Conn, reg *refdata.Registry, settings metrics.Settings, id string, today time.Time) (Comparison, error) {
	f, err := Load(ctx, conn, id)
	if err != nil {
		return Comparison{}, err
	}
	return Compare(ctx, conn, reg, settings, f, today)
}

// Compare recomputes the live tables of a loaded snapshot's period with
// settings (as the figures API computes them on day today) and lists every
// unit whose published figure or rank differs from the snapshot.
func Compare(ctx context.Context, conn driver.Conn, reg *refdata.Registry, settings metrics.Settings, f Frozen, today time.Time) (Comparison, error) {
	p, err := metrics.ParsePeriod(f.Period, today)
	if err != nil {
		return Comparison{}, fmt.Errorf("snapshot %s: period %q: %w", f.ID, f.Period, err)
	}
	if !p.From.Equal(f.From) || !p.To.Equal(f.To) {
		return Comparison{}, fmt.Errorf("snapshot %s: period %s now reads as %s..%s, the snapshot froze %s..%s", f.ID, f.Period,
			p.From.Format(egovkpi.DateLayout), p.To.Format(egovkpi.DateLayout), f.From.Format(egovkpi.DateLayout), f.To.Format(egovkpi.DateLayout))
	}
	live, err := compute(ctx, conn, reg, settings, p, today)
	if err != nil {
		return Comparison{}, err
	}
	return Comparison{Snapshot: f.Snapshot, Methodology: live.methodology, Rules: settings.Rules, Changes: diff(f.Tables, live.tables)}, nil
}

// tableKey names a table.
type tableKey struct {
	block egovkpi.Block
	id    string
}

// diff lists the moved (table, unit) pairs between frozen and live tables.
func diff(frozen, live []Table) []Change {
	before, after := tablesByKey(frozen), tablesByKey(live)
	var keys []tableKey
	for _, ts := range [][]Table{frozen, live} {
		for _, t := range ts {
			if k := (tableKey{t.Block, t.ID}); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.SortStableFunc(keys, func(a, b tableKey) int { return compareTables(a.block, a.id, b.block, b.id) })
	var out []Change
	for _, k := range keys {
		out = append(out, diffTable(k, before[k], after[k])...)
	}
	return out
}

func tablesByKey(ts []Table) map[tableKey][]Row {
	m := map[tableKey][]Row{}
	for _, t := range ts {
		m[tableKey{t.Block, t.ID}] = t.Rows
	}
	return m
}

// diffTable lists one table's moved units, biggest moves first.
func diffTable(k tableKey, before, after []Row) []Change {
	rowsOf := func(rs []Row) map[string]*Row {
		m := make(map[string]*Row, len(rs))
		for i := range rs {
			m[rs[i].UnitID] = &rs[i]
		}
		return m
	}
	b, a := rowsOf(before), rowsOf(after)
	var units []string
	for _, rs := range [][]Row{before, after} {
		for _, r := range rs {
			if !slices.Contains(units, r.UnitID) {
				units = append(units, r.UnitID)
			}
		}
	}
	var out []Change
	for _, u := range units {
		c := Change{Block: k.block, Table: k.id, UnitID: u, Before: b[u], After: a[u]}
		if c.FigureMoved() || c.RankMoved() {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y Change) int {
		if c := cmp.Compare(figureMove(y), figureMove(x)); c != 0 {
			return c
		}
		if c := cmp.Compare(rankMove(y), rankMove(x)); c != 0 {
			return c
		}
		return cmp.Compare(x.UnitID, y.UnitID)
	})
	return out
}

// figureMove is the size of a figure's move: |Δ|, or +Inf when the row or
// the figure appears or disappears.
func figureMove(c Change) float64 {
	if d := c.Delta(); d != nil {
		return math.Abs(*d)
	}
	if c.Before != nil && c.After != nil && c.Before.Published == nil && c.After.Published == nil {
		return 0
	}
	return math.Inf(1)
}

// rankMove is the size of a rank's move: |Δ| when ranked on both sides,
// +Inf when ranked on one side only (or the row appears or disappears).
func rankMove(c Change) float64 {
	switch {
	case c.Before == nil || c.After == nil:
		return math.Inf(1)
	case c.Before.Rank == 0 && c.After.Rank == 0:
		return 0
	case c.Before.Rank == 0 || c.After.Rank == 0:
		return math.Inf(1)
	}
	return math.Abs(float64(c.After.Rank - c.Before.Rank))
}

// samePublished reports whether two published figures are the same (both
// missing, or equal).
func samePublished(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
