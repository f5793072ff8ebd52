package workflow

import (
	"context"
	"fmt"
	"time"

	"egovkpi"
	"egovkpi/metrics"
)

// Statuses is every expected unit's status for quarter q (the units in
// force at the quarter's end), of one block or of both (block ""), sorted
// by block and unit.
func (s *Store) Statuses(ctx context.Context, q Quarter, block egovkpi.Block) ([]UnitStatus, error) {
	type latest struct {
		n         uint32
		state     string
		updated   time.Time
		submits   uint64
		submitted time.Time
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
	blocks := metrics.Blocks
	if block != "" {
		blocks = []egovkpi.Block{block}
	}
	now := s.now()
	due, cutoff := s.deadlines.Due(q), s.deadlines.Cutoff(q)
	var out []UnitStatus
	for _, b := range blocks {
		for _, u := range s.reg.ValidOn(q.Last(), b) {
			st := UnitStatus{UnitID: u.ID, Block: b, Quarter: q, State: NotStarted, Due: due}
			if l, ok := byUnit[u.ID]; ok {
				st.State, st.Version = State(l.state), int(l.n)
				updated := l.updated
				st.UpdatedAt = &updated
				if l.submits > 0 {
					first := l.submitted
					st.FirstSubmitted = &first
				}
			}
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
			out = append(out, st)
		}
	}
	SortStatuses(out)
	return out, nil
}

// Rates counts each block's reports over the quarters given (a period's
// quarters): one Rate per block, in metrics.Blocks order.
func (s *Store) Rates(ctx context.Context, quarters []Quarter) ([]Rate, error) {
	var out []Rate
	for _, b := range metrics.Blocks {
		out = append(out, Rate{Block: b, Quarters: quarters})
	}
	for _, q := range quarters {
		ss, err := s.Statuses(ctx, q, "")
		if err != nil {
			return nil, err
		}
		for _, st := range ss {
			for i := range out {
				if out[i].Block == st.Block {
					out[i].add(st)
				}
			}
		}
	}
	return out, nil
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
	var out []Quarter
	for q := QuarterOf(p.From); !q.First().After(p.To) && !q.First().After(today); q = q.Next() {
		out = append(out, q)
	}
	return out
}
