package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi"
	"egovkpi/metrics"
	"egovkpi/metrics/m766"
)

// headerColumns are the columns of the snapshots table, in the order
// scanHeader reads them.
const headerColumns = "id, period, period_from, period_to, frozen_by, frozen_at, methodology, rules, note, build, row_count"

// entryColumns are the columns of snapshot_entries, in the order
// writeEntries appends and Load scans them.
const entryColumns = "block, tbl, position, unit_id, numerator, denominator, published, rank, movement, completeness, not_enough_data, band, dossiers, complaints, result"

// writeEntries stores every row of a snapshot's tables in one batch.
func writeEntries(ctx context.Context, conn driver.Conn, id string, tables []Table) error {
	b, err := conn.PrepareBatch(ctx, "INSERT INTO snapshot_entries (snapshot_id, "+entryColumns+")")
	if err != nil {
		return fmt.Errorf("snapshot %s: write rows: %w", id, err)
	}
	defer b.Abort()
	for _, t := range tables {
		for pos, r := range t.Rows {
			result := ""
			if r.Result != nil {
				j, err := json.Marshal(r.Result)
				if err != nil {
					return fmt.Errorf("snapshot %s: 766 result of %s: %w", id, r.UnitID, err)
				}
				result = string(j)
			}
			var movement *int32
			if r.Movement != nil {
				m := int32(*r.Movement)
				movement = &m
			}
			var notEnough uint8
			if r.NotEnoughData {
				notEnough = 1
			}
			if err := b.Append(id, string(t.Block), t.ID, uint32(pos), r.UnitID, r.Numerator, r.Denominator, r.Published,
				uint32(r.Rank), movement, r.Completeness, notEnough, r.Band, r.Dossiers, r.Complaints, result); err != nil {
				return fmt.Errorf("snapshot %s: write row of %s in %s/%s: %w", id, r.UnitID, t.Block, t.ID, err)
			}
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("snapshot %s: write rows: %w", id, err)
	}
	return nil
}

// writeHeader stores a snapshot's header, which makes it visible.
func writeHeader(ctx context.Context, conn driver.Conn, s Snapshot, seq uint64) error {
	rules, err := json.Marshal(metrics.RulesJSON{MinDenominator: s.Rules.MinDenominator, MinCompleteness: s.Rules.MinCompleteness})
	if err != nil {
		return fmt.Errorf("snapshot %s: rules: %w", s.ID, err)
	}
	b, err := conn.PrepareBatch(ctx, "INSERT INTO snapshots ("+headerColumns+", seq)")
	if err != nil {
		return fmt.Errorf("snapshot %s: write header: %w", s.ID, err)
	}
	defer b.Abort()
	if err := b.Append(s.ID, s.Period, s.From, s.To, s.FrozenBy, s.FrozenAt, s.Methodology, string(rules), s.Note, s.Build, uint32(s.Rows), seq); err != nil {
		return fmt.Errorf("snapshot %s: write header: %w", s.ID, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("snapshot %s: write header: %w", s.ID, err)
	}
	return nil
}

// readHeaders runs a query of headerColumns (where and order are the
// query's tail) and marks each period's latest snapshot official.
func readHeaders(ctx context.Context, conn driver.Conn, tail string, args ...any) ([]Snapshot, error) {
	// The official snapshot of each period: the one with the highest seq.
	q := "SELECT " + headerColumns + ", id IN (SELECT argMax(id, seq) FROM snapshots GROUP BY period) AS official FROM snapshots " + tail
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read snapshots: %w", err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var (
			s                 Snapshot
			rules             string
			count             uint32
			official          uint8
			from, to, frozeAt time.Time
		)
		if err := rows.Scan(&s.ID, &s.Period, &from, &to, &s.FrozenBy, &frozeAt, &s.Methodology, &rules, &s.Note, &s.Build, &count, &official); err != nil {
			return nil, fmt.Errorf("snapshot: read snapshots: %w", err)
		}
		var rj metrics.RulesJSON
		if err := json.Unmarshal([]byte(rules), &rj); err != nil {
			return nil, fmt.Errorf("snapshot %s: rules %q: %w", s.ID, rules, err)
		}
		s.Rules = metrics.Rules{MinDenominator: rj.MinDenominator, MinCompleteness: rj.MinCompleteness}
		s.From, s.To, s.FrozenAt = egovkpi.Day(from), egovkpi.Day(to), frozeAt
		s.Rows, s.Official = int(count), official == 1
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("snapshot: read snapshots: %w", err)
	}
	return out, nil
}

// List returns every snapshot, newest first; the latest of each period is
// marked Official.
func List(ctx context.Context, conn driver.Conn) ([]Snapshot, error) {
	return readHeaders(ctx, conn, "ORDER BY seq DESC, id DESC")
}

// Official returns the official snapshot of a period: its latest. ok is
// false when the period was never frozen.
func Official(ctx context.Context, conn driver.Conn, p metrics.Period) (Snapshot, bool, error) {
	ss, err := readHeaders(ctx, conn, "WHERE period = ? ORDER BY seq DESC, id DESC LIMIT 1", p.String())
	if err != nil || len(ss) == 0 {
		return Snapshot{}, false, err
	}
	return ss[0], true, nil
}

// header returns one snapshot's header, or ErrNotFound.
func header(ctx context.Context, conn driver.Conn, id string) (Snapshot, error) {
	ss, err := readHeaders(ctx, conn, "WHERE id = ?", id)
	if err != nil {
		return Snapshot{}, err
	}
	if len(ss) == 0 {
		return Snapshot{}, fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	return ss[0], nil
}

// Load returns a snapshot with its tables, each in rank order. It fails
// with ErrNotFound for an unknown id.
func Load(ctx context.Context, conn driver.Conn, id string) (Frozen, error) {
	s, err := header(ctx, conn, id)
	if err != nil {
		return Frozen{}, err
	}
	rows, err := conn.Query(ctx, "SELECT "+entryColumns+" FROM snapshot_entries WHERE snapshot_id = ? ORDER BY block, tbl, position", id)
	if err != nil {
		return Frozen{}, fmt.Errorf("snapshot %s: read rows: %w", id, err)
	}
	defer rows.Close()
	f := Frozen{Snapshot: s}
	n := 0
	for rows.Next() {
		var (
			block, tbl, band, result string
			pos, rank                uint32
			movement                 *int32
			notEnough                uint8
			r                        Row
		)
		if err := rows.Scan(&block, &tbl, &pos, &r.UnitID, &r.Numerator, &r.Denominator, &r.Published, &rank, &movement,
			&r.Completeness, &notEnough, &band, &r.Dossiers, &r.Complaints, &result); err != nil {
			return Frozen{}, fmt.Errorf("snapshot %s: read rows: %w", id, err)
		}
		r.Rank, r.NotEnoughData, r.Band = int(rank), notEnough == 1, band
		if movement != nil {
			m := int(*movement)
			r.Movement = &m
		}
		if result != "" {
			r.Result = &m766.Result{}
			if err := json.Unmarshal([]byte(result), r.Result); err != nil {
				return Frozen{}, fmt.Errorf("snapshot %s: 766 result of %s in %s: %w", id, r.UnitID, block, err)
			}
		}
		if k := len(f.Tables); k == 0 || f.Tables[k-1].Block != egovkpi.Block(block) || f.Tables[k-1].ID != tbl {
			f.Tables = append(f.Tables, Table{Block: egovkpi.Block(block), ID: tbl})
		}
		t := &f.Tables[len(f.Tables)-1]
		t.Rows = append(t.Rows, r)
		n++
	}
	if err := rows.Err(); err != nil {
		return Frozen{}, fmt.Errorf("snapshot %s: read rows: %w", id, err)
	}
	if n != s.Rows {
		return Frozen{}, fmt.Errorf("snapshot %s is incomplete: %d of its %d rows can be read (a replica still catching up, or a damaged write)", id, n, s.Rows)
	}
	slices.SortStableFunc(f.Tables, func(a, b Table) int { return compareTables(a.Block, a.ID, b.Block, b.ID) })
	return f, nil
}

// compareTables orders tables as pages show them: by block (metrics.Blocks
// order), then the KPIs in catalogue order, then the 766 index; a table of
// a KPI the catalogue no longer has comes last, by id.
func compareTables(ab egovkpi.Block, aid string, bb egovkpi.Block, bid string) int {
	if c := slices.Index(metrics.Blocks, ab) - slices.Index(metrics.Blocks, bb); c != 0 {
		return c
	}
	if c := tableOrder(aid) - tableOrder(bid); c != 0 {
		return c
	}
	switch {
	case aid < bid:
		return -1
	case aid > bid:
		return 1
	}
	return 0
}

// tableOrder is a table's place within its block.
func tableOrder(id string) int {
	kpis := metrics.KPIs()
	if id == IndexTable {
		return len(kpis)
	}
	if i := slices.IndexFunc(kpis, func(k metrics.KPI) bool { return k.ID == id }); i >= 0 {
		return i
	}
	return len(kpis) + 1
}
