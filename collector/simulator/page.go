package simulator

import (
	"sync"

	"egovkpi/collector/protocol"
)

// dayCounts caches how many records each unit has on each day, so that a
// page of a long window generates only the days it serves (plus, once, the
// days after it, to know whether another page follows).
type dayCounts struct {
	mu sync.RWMutex
	m  map[uint64]int32
}

const maxCachedCounts = 1 << 22

func countKey(m *unitModel, d day) uint64 { return uint64(m.n)<<32 | uint64(uint32(d)) }

func (c *dayCounts) get(k uint64) (int, bool) {
	c.mu.RLock()
	n, ok := c.m[k]
	c.mu.RUnlock()
	return int(n), ok
}

func (c *dayCounts) put(k uint64, n int) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedCounts {
		c.m = map[uint64]int32{}
	}
	c.m[k] = int32(n)
	c.mu.Unlock()
}

// usagePage returns the records of the request's page, the missing days of
// its window, whether records follow the page, and false if the page
// starts past the end of the listing.
func (s *Simulator) usagePage(req *request) (records []protocol.Usage, missing []day, more, ok bool) {
	m := req.m
	lo, hi := req.offset, req.offset+req.size // the page is [lo, hi) of the listing
	pos := 0                                  // listing position of the current day's first record
	for d := req.from; d <= req.to; d++ {
		if m.outageDay(d) {
			missing = append(missing, d)
			continue
		}
		if more {
			continue // only the missing days are still needed
		}
		k := countKey(m, d)
		n, cached := s.counts.get(k)
		var recs []protocol.Usage
		if !cached {
			recs = s.dayRecords(m, d, nil)
			n = len(recs)
			s.counts.put(k, n)
		}
		switch {
		case pos+n <= lo: // before the page
		case pos < hi: // overlaps the page
			if recs == nil {
				recs = s.dayRecords(m, d, nil)
			}
			a, b := max(lo-pos, 0), min(hi-pos, n)
			records = append(records, recs[a:b]...)
			if pos+n > hi {
				more = true
			}
		default: // after the page
			if n > 0 {
				more = true
			}
		}
		pos += n
	}
	if lo > 0 && lo >= pos && !more {
		return nil, missing, false, false
	}
	return records, missing, more, true
}
