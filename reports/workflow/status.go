package workflow

import (
	"context"
	"fmt"
	"time"

	"egovkpi"
	"egovkpi/metrics"
)

// statusesTTL is how long a quarter's stored figures (latest versions and
// first submissions) are reused by Statuses. The store's own writes drop
// them at once; the TTL bounds how long another node's writes take to show.
const statusesTTL = 30 * time.Second

// latest is what the store holds of one unit's report for a quarter, as
// Statuses reads it.
type latest struct {
	n         uint32
	state     string
	updated   time.Time
	submits   uint64
	submitted time.Time
}

// cached is a quarter's latest versions by unit, as read at a moment.
type cached struct {
	byUnit map[string]latest
	read   time.Time
}

// Statuses is every expected unit's status for quarter q (the units in
// force at the quarter's end), of one block or of both (block ""), sorted
// by block and unit. The stored figures are reused for a short while
// (statusesTTL) and dropped on every write through this store; the
// on-time, late, missing and pending flags are worked out at every call.
func (s *Store) Statuses(ctx context.Context, q Quarter, block egovkpi.Block) ([]UnitStatus, error) {
	byUnit, err := s.latestByUnit(ctx, q)
	if err != nil {
		return nil, err
	}
	blocks := metrics.Blocks
	if block != "" {
		blocks = []egovkpi.Block{block}
	}
	now := s.now()
	var out []UnitStatus
	for _, b := range blocks {
		for _, u := range s.reg.ValidOn(q.Last(), b) {
			st := UnitStatus{UnitID: u.ID, Block: b, Quarter: q, State: NotStarted}
			if l, ok := byUnit[u.ID]; ok {
				st.State, st.Version = State(l.state), int(l.n)
				updated := l.updated
				st.UpdatedAt = &updated
				if l.submits > 0 {
					first := l.submitted
					st.FirstSubmitted = &first
				}
			}
			s.timeliness(&st, now)
			out = append(out, st)
		}
	}
	SortStatuses(out)
	return out, nil
}

// StatusOf is unit k's status from its versions already read (see
// Versions), as Statuses would give it.
func (s *Store) StatusOf(k Key, vs []Version) UnitStatus {
	st := UnitStatus{UnitID: k.UnitID, Quarter: k.Quarter, State: NotStarted}
	if u, ok := s.reg.ByID(k.UnitID); ok {
		st.Block = u.Block
	}
	r := summarise(k, vs)
	if r.Latest.N > 0 {
		st.State, st.Version = r.Latest.State, r.Latest.N
		updated := r.Latest.At
		for _, v := range vs {
			if v.At.After(updated) {
				updated = v.At
			}
		}
		st.UpdatedAt = &updated
	}
	st.FirstSubmitted = r.FirstSubmitted
	s.timeliness(&st, s.now())
	return st
}

// timeliness sets st's due day and whether it is on time, late, missing
// or pending at now: the one place these are decided.
func (s *Store) timeliness(st *UnitStatus, now time.Time) {
	st.Due = s.deadlines.Due(st.Quarter)
	cutoff := s.deadlines.Cutoff(st.Quarter)
	switch {
	case st.FirstSubmitted != nil && st.FirstSubmitted.Before(cutoff):
		st.OnTime = true
	case st.FirstSubmitted != nil:
		st.Late = true
	case now.Before(cutoff):
		st.Pending = true
	default:
		st.Missing = true
	}
}

// latestByUnit is q's latest version, last write and first submission by
// unit, from the cache while it is fresh.
func (s *Store) latestByUnit(ctx context.Context, q Quarter) (map[string]latest, error) {
	s.cacheMu.Lock()
	c, ok := s.cache[q]
	gen := s.generation
	s.cacheMu.Unlock()
	if ok && time.Since(c.read) < statusesTTL {
		return c.byUnit, nil
	}
	rows, err := s.conn.Query(ctx, `
		SELECT unit_id, max(n), argMax(state, n), max(at), countIf(action = 'submit'), minIf(at, action = 'submit')
		FROM report_versions
		WHERE quarter = ?
		GROUP BY unit_id`, q.String())
	if err != nil {
		return nil, fmt.Errorf("report statuses of %s: %w", q, err)
	}
	defer rows.Close()
	byUnit := map[string]latest{}
	for rows.Next() {
		var id string
		var l latest
		if err := rows.Scan(&id, &l.n, &l.state, &l.updated, &l.submits, &l.submitted); err != nil {
			return nil, fmt.Errorf("report statuses of %s: %w", q, err)
		}
		byUnit[id] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report statuses of %s: %w", q, err)
	}
	s.cacheMu.Lock()
	// A write since the read began may be missing from it: keep it only
	// when nothing was written meanwhile.
	if s.generation == gen {
		if s.cache == nil {
			s.cache = map[Quarter]cached{}
		}
		s.cache[q] = cached{byUnit: byUnit, read: time.Now()}
	}
	s.cacheMu.Unlock()
	return byUnit, nil
}

// forget drops the cached statuses: called on every write.
func (s *Store) forget() {
	s.cacheMu.Lock()
	s.cache = nil
	s.generation++
	s.cacheMu.Unlock()
}

// Rates counts each block's reports over the quarters given (a period's
// quarters): Statuses of each quarter, then Tally.
func (s *Store) Rates(ctx context.Context, quarters []Quarter) ([]Rate, error) {
	var all []UnitStatus
	for _, q := range quarters {
		ss, err := s.Statuses(ctx, q, "")
		if err != nil {
			return nil, err
		}
		all = append(all, ss...)
	}
	return Tally(quarters, all), nil
}

// Tally counts statuses already read into one Rate per block, in
// metrics.Blocks order, each covering quarters (the statuses are those of
// these quarters).
func Tally(quarters []Quarter, ss []UnitStatus) []Rate {
	out := make([]Rate, len(metrics.Blocks))
	for i, b := range metrics.Blocks {
		out[i] = Rate{Block: b, Quarters: quarters}
	}
	for _, st := range ss {
		for i := range out {
			if out[i].Block == st.Block {
				out[i].add(st)
			}
		}
	}
	return out
}

func (r *Rate) add(st UnitStatus) {
	r.Expected++
	if st.FirstSubmitted != nil {
		r.Submitted++
	}
	if st.OnTime {
		r.OnTime++
	}
	if st.Late {
		r.Late++
	}
	if st.Missing {
		r.Missing++
	}
	if st.Pending {
		r.Pending++
	}
	if st.State == Approved {
		r.Approved++
	}
}

// QuartersOf lists the quarters a period covers, up to the last one that
// has begun by today (a year covers four; a month or a span of days the
// quarters it touches).
func QuartersOf(p metrics.Period, today time.Time) []Quarter {
	to := p.To
	if today.Before(to) {
		to = today
	}
	// Steps refuses only more than 400 quarters, which no period of
	// reports spans.
	steps, _ := metrics.Steps(QuarterOf(p.From).First(), to, metrics.Quarter)
	var out []Quarter
	for _, step := range steps {
		out = append(out, quarterOfPeriod(step))
	}
	return out
}
