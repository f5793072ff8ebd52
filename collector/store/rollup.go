package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/internal/chlock"
)

// Touched is the set of (month, unit) slices that loads changed: the
// rollups are refreshed for exactly these.
type Touched map[time.Time]map[string]bool

// Add marks the month of day d of unitID.
func (t Touched) Add(d time.Time, unitID string) {
	m := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	if t[m] == nil {
		t[m] = map[string]bool{}
	}
	t[m][unitID] = true
}

// Merge adds every slice of o.
func (t Touched) Merge(o Touched) {
	for m, units := range o {
		for u := range units {
			t.Add(m, u)
		}
	}
}

// Slices counts the (month, unit) slices.
func (t Touched) Slices() int {
	n := 0
	for _, units := range t {
		n += len(units)
	}
	return n
}

// rollup is one rollup table, refreshed month by month.
type rollup struct {
	table string
	// monthColumn is the Date column the table is partitioned on with
	// toYYYYMM.
	monthColumn string
	// compute returns the INSERT … SELECT that fills stage with the rows of
	// the given units for the month [from, to]. Its placeholders come in
	// sets of three, bound to (from, to, units) in order (see argSet).
	compute func(stage string) string
}

// argSet is the number of placeholders of a set: from, to, units.
const argSet = 3

// sumOf sums a count over the rows that reported it: NULL when none did.
func sumOf(f record.Field) string {
	return fmt.Sprintf("if(countIf(bitAnd(reported, %d) != 0) > 0, sum(%s), NULL)", uint32(1)<<f, f.Name())
}

// sums sums every count (see sumOf), each as prefix and its name: an alias
// must not be a column's name, or ClickHouse substitutes it inside sum().
func sums(prefix string) string {
	var parts []string
	for _, f := range record.Fields() {
		parts = append(parts, sumOf(f)+" AS "+prefix+f.Name())
	}
	return strings.Join(parts, ",\n           ")
}

// columns lists the count columns, each name after prefix.
func columns(prefix string) string {
	var parts []string
	for _, f := range record.Fields() {
		parts = append(parts, prefix+f.Name())
	}
	return strings.Join(parts, ", ")
}

// currentLoads selects (unit_id, day, load_id) of the current load of every
// covered day of the units in the window: the only rows that count. The
// usage_unit_day query uses it twice: as the days to fill (a covered day
// without facts has a row of zeros) and to read only the current load's
// facts rather than aggregate every superseded load too.
const currentLoads = `SELECT unit_id, day, max(load_id) AS current_load FROM usage_versions
WHERE day >= toDate(?) AND day <= toDate(?) AND has(?, unit_id)
GROUP BY unit_id, day`

var rollups = []rollup{
	{
		table:       "usage_unit_day",
		monthColumn: "day",
		compute: func(stage string) string {
			return `INSERT INTO ` + stage + ` (unit_id, day, load_id, records, procedures_active, procedures_online, ` + columns("") + `)
SELECT unit_id, day, current_load, records, procedures_active, procedures_online, ` + columns("f_") + `
FROM (` + currentLoads + `) AS v
ANY LEFT JOIN (
    SELECT unit_id, day, load_id AS current_load,
           toUInt32(count()) AS records,
           toUInt32(countIf(received > 0)) AS procedures_active,
           toUInt32(countIf(received_online > 0)) AS procedures_online,
           ` + sums("f_") + `
    FROM usage_facts
    WHERE day >= toDate(?) AND day <= toDate(?) AND has(?, unit_id)
      AND (unit_id, day, load_id) IN (` + currentLoads + `)
    GROUP BY unit_id, day, load_id
) AS f USING (unit_id, day, current_load)`
		},
	},
	{
		table:       "usage_unit_procedure_month",
		monthColumn: "month",
		compute: func(stage string) string {
			return `INSERT INTO ` + stage + ` (month, unit_id, procedure, days, ` + columns("") + `)
SELECT toStartOfMonth(day), unit_id, procedure, toUInt16(count()), ` + sums("f_") + `
FROM usage_facts
WHERE day >= toDate(?) AND day <= toDate(?) AND has(?, unit_id)
  AND (unit_id, day, load_id) IN (` + currentLoads + `)
GROUP BY toStartOfMonth(day), unit_id, procedure`
		},
	},
}

// RefreshRollups recomputes the rollups of exactly the touched (month,
// unit) slices from the current loads. Each month's partition is rebuilt in
// a staging table (the untouched units copied, the touched ones computed)
// and swapped in with REPLACE PARTITION, so readers see the old month or
// the new one, never a mix. It runs under the "rollups" lock.
func (s *Store) RefreshRollups(ctx context.Context, t Touched) error {
	if len(t) == 0 {
		return nil
	}
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	lock, err := chlock.Acquire(ctx, s.conn, "rollups", chlock.Options{TTL: 5 * time.Minute, Wait: 5 * time.Minute})
	if err != nil {
		return fmt.Errorf("store: refresh rollups: %w", err)
	}
	defer func() {
		if err := lock.Release(); err != nil {
			s.log.Warn("rollups lock not released; it expires by itself", slog.Any("err", err))
		}
	}()
	months := make([]time.Time, 0, len(t))
	for m := range t {
		months = append(months, m)
	}
	sort.Slice(months, func(i, j int) bool { return months[i].After(months[j]) }) // recent first
	start := time.Now()
	for _, m := range months {
		units := make([]string, 0, len(t[m]))
		for u := range t[m] {
			units = append(units, u)
		}
		sort.Strings(units)
		for _, r := range rollups {
			if err := s.refreshMonth(ctx, r, m, units); err != nil {
				return err
			}
		}
		if err := lock.Renew(ctx); err != nil {
			return fmt.Errorf("store: refresh rollups: %w", err)
		}
	}
	if err := s.noteChanges(ctx, ChangeUsage, months); err != nil {
		return err
	}
	s.log.Debug("rollups refreshed", slog.Int("months", len(months)), slog.Int("slices", t.Slices()), slog.Duration("took", time.Since(start)))
	return nil
}

func (s *Store) refreshMonth(ctx context.Context, r rollup, month time.Time, units []string) error {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	stage := r.table + "_stage_" + hex.EncodeToString(rnd[:])
	if err := s.conn.Exec(ctx, "CREATE TABLE "+stage+" AS "+r.table); err != nil {
		return fmt.Errorf("store: create %s: %w", stage, err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.conn.Exec(dctx, "DROP TABLE IF EXISTS "+stage); err != nil {
			s.log.Warn("staging table not dropped", slog.String("table", stage), slog.Any("err", err))
		}
	}()
	yyyymm := month.Year()*100 + int(month.Month())
	from := month.Format(egovkpi.DateLayout)
	to := month.AddDate(0, 1, -1).Format(egovkpi.DateLayout)
	if err := s.conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM %s WHERE toYYYYMM(%s) = %d AND NOT has(?, unit_id)", stage, r.table, r.monthColumn, yyyymm), units); err != nil {
		return fmt.Errorf("store: copy %s %d: %w", r.table, yyyymm, err)
	}
	q := r.compute(stage)
	n := strings.Count(q, "?")
	if n == 0 || n%argSet != 0 {
		return fmt.Errorf("store: compute %s: %d placeholders, not sets of (from, to, units)", r.table, n)
	}
	args := make([]any, 0, n)
	for range n / argSet {
		args = append(args, from, to, units)
	}
	if err := s.conn.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("store: compute %s %d: %w", r.table, yyyymm, err)
	}
	if err := s.conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s REPLACE PARTITION %d FROM %s", r.table, yyyymm, stage)); err != nil {
		return fmt.Errorf("store: swap %s %d: %w", r.table, yyyymm, err)
	}
	return nil
}

// StaleSlices finds (month, unit) slices whose rollup is older than their
// current load: left by a process that stopped between a load and its
// refresh. The collector refreshes them at start.
func (s *Store) StaleSlices(ctx context.Context) (Touched, error) {
	rows, err := s.conn.Query(ctx, `SELECT v.unit_id, v.day FROM (
    SELECT unit_id, day, max(load_id) AS current_load FROM usage_versions GROUP BY unit_id, day
) AS v
ANY LEFT JOIN (SELECT unit_id, day, load_id AS rolled_load FROM usage_unit_day) AS r USING (unit_id, day)
WHERE rolled_load != current_load`)
	if err != nil {
		return nil, fmt.Errorf("store: find stale rollups: %w", err)
	}
	defer rows.Close()
	t := Touched{}
	for rows.Next() {
		var u string
		var d time.Time
		if err := rows.Scan(&u, &d); err != nil {
			return nil, fmt.Errorf("store: find stale rollups: %w", err)
		}
		t.Add(egovkpi.Day(d), u)
	}
	return t, rows.Err()
}
