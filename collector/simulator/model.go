package simulator

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"egovkpi"
	"egovkpi/collector/protocol"
)

// Sizes of the national pool of provincial procedures.
const (
	poolSize      = 2400 // provincial procedures in the national database
	poolCore      = 1700 // the most used ones, in every province
	poolActive    = 600  // the procedures in common use; the others get a few dossiers a year, or none
	provinceMin   = 1800 // catalogue size of a province: provinceMin..provinceMax
	provinceMax   = 2000
	zipfProvince  = 1.5 // exponent of the national popularity of procedures
	zipfMinistry  = 1.1
	mergerBoost   = 1.15 // a merged province receives more than its predecessors did (commune reform)
	province2019  = 430e3
	eligibleShare = 0.68
	rarePop       = 4e-6
	feeShare      = 0.42
	paperShare    = 0.60
)

// natProc is a procedure of the national database: its code, name, sector
// and national flags, shared by every unit that applies it.
type natProc struct {
	code, name, field string
	pop               float64 // national popularity (0: never used)
	eligible          bool
	fee               bool
	paper             bool
}

// proc is a procedure as one unit applies it.
type proc struct {
	nat   *natProc
	owner *unitModel // the unit whose dossiers these are (a predecessor for an absorbed ministry's procedures)
	key   uint64     // hash of seed, owner and code
	base  byte       // level before level 3: '1' or '2'
	d3    day        // first day at level ≥ 3 (partial or full)
	d4    day        // first day at level 4 (full); never unless eligible
	dNPSP day        // first day integrated on NPSP (once at level ≥ 3)
	lw    float64    // owner's annual volume × this procedure's share of it
	onF   float64    // relative propensity to be used online
	dur   float64    // mean processing time, days
}

// unitModel holds one unit's parameters; its procedures are built on first
// use.
type unitModel struct {
	u        egovkpi.Unit
	n        int // index in Simulator.units
	key      uint64
	province bool
	idx      int // ministries: index among ministries (code block)
	profile  ministryProfile

	annual    float64 // dossiers a year at the 2019 level (merged provinces: sum of predecessors, boosted)
	lead      float64 // how far the unit leads (> 0) or lags (< 0) the national paths of service levels, in −0.8..0.8
	onlineF   float64 // online share relative to the national path
	maturity  float64 // digitization, payment and sync shares relative to national
	onTime    float64 // on-time rate in 2019
	satOffset float64 // satisfaction relative to national
	postShare float64 // share of non-online dossiers arriving by post
	voteShare float64 // share of dossiers that get a vote
	outage    float64 // probability that a day is missing
	missing   uint32  // fields never reported (bit set of omit*)
	wrongEra  string

	preds []*unitModel

	once  sync.Once
	procs []*proc // own procedures, by code
	all   []*proc // own and absorbed procedures (ministries with predecessors), by code
	// capable share: own procedures by d3 with the cumulative share of
	// weighted online propensity.
	capDays []day
	capCum  []float64
}

// Fields a unit may never report.
const (
	omitPost = 1 << iota
	omitFullProcess
	omitInProgress
	omitReuse
	omitSync
	omitComplaints
	omitVotes
)

func (s *Simulator) buildUnits() {
	all := s.reg.All()
	s.byID = make(map[string]*unitModel, len(all))
	mi := 0
	for _, u := range all {
		m := &unitModel{u: u, n: len(s.units), key: hash2(s.seedKey, strHash("unit:"+u.ID)), province: u.Block == egovkpi.BlockProvince}
		r := rng{m.key}
		if m.province {
			f := r.between(0.72, 1.25)
			switch u.Code {
			case "01", "79":
				f = 1.25
			case "31", "48", "92":
				f = math.Max(f, 1.1)
			}
			m.annual = province2019 * f
			m.onTime = r.between(0.90, 0.98)
		} else {
			m.idx = mi
			mi++
			p, ok := ministryProfiles[u.Code]
			if !ok {
				p = defaultMinistry
			}
			m.profile = p
			m.annual = p.annual * r.between(0.85, 1.15)
			m.onlineF = r.between(0.6, 1.6)
			if p.online > 0 {
				m.onlineF = p.online
			}
			m.onTime = r.between(0.88, 0.99)
		}
		m.maturity = r.between(0.8, 1.2)
		m.satOffset = r.between(-0.015, 0.015)
		m.postShare = r.between(0.005, 0.04)
		m.voteShare = r.between(0.1, 0.4)
		m.outage = r.between(2, 6) / 365
		for bit, share := range []float64{0.15, 0.05, 0.10, 0.20, 0.10, 0.10, 0.20} {
			if r.float() < share {
				m.missing |= 1 << bit
			}
		}
		s.units = append(s.units, m)
		s.byID[u.ID] = m
	}
	for _, m := range s.units {
		for _, p := range s.reg.Predecessors(m.u.ID) {
			m.preds = append(m.preds, s.byID[p.ID])
		}
		if m.province && len(m.preds) > 0 {
			var sum float64
			for _, p := range m.preds {
				sum += p.annual
			}
			m.annual = sum * mergerBoost
		}
	}
	// Spread the leads and online factors evenly within each group (the
	// 63, the 34, the ministries), so that each group averages exactly the
	// national paths.
	groups := map[string][]*unitModel{}
	for _, m := range s.units {
		g := "ministry"
		if m.province {
			g = strings.SplitN(m.u.ID, "-", 2)[0]
		}
		groups[g] = append(groups[g], m)
	}
	for g, ms := range groups {
		spread(ms, hash2(s.seedKey, strHash("lead:"+g)), func(m *unitModel, q float64) { m.lead = -0.8 + 1.6*q })
		if g != "ministry" {
			spread(ms, hash2(s.seedKey, strHash("online:"+g)), func(m *unitModel, q float64) { m.onlineF = 0.7 + 0.6*q })
		}
	}
	// A merged province carries on its predecessors' practice: its factors
	// are their volume-weighted averages.
	for _, m := range s.units {
		if !m.province || len(m.preds) == 0 {
			continue
		}
		var w, lead, on, mat, ot, sat float64
		for _, p := range m.preds {
			w += p.annual
			lead += p.annual * p.lead
			on += p.annual * p.onlineF
			mat += p.annual * p.maturity
			ot += p.annual * p.onTime
			sat += p.annual * p.satOffset
		}
		m.lead, m.onlineF, m.maturity, m.onTime, m.satOffset = lead/w, on/w, mat/w, ot/w, sat/w
	}
	for _, m := range s.units {
		m.wrongEra = s.wrongEraCode(m)
	}
}

// spread gives the units the evenly spaced quantiles (k+0.5)/n in an order
// drawn from key.
func spread(ms []*unitModel, key uint64, set func(*unitModel, float64)) {
	order := slices.Clone(ms)
	slices.SortFunc(order, func(a, b *unitModel) int {
		ha, hb := hash2(key, a.key), hash2(key, b.key)
		switch {
		case ha < hb:
			return -1
		case ha > hb:
			return 1
		}
		return 0
	})
	for k, m := range order {
		set(m, (float64(k)+0.5)/float64(len(order)))
	}
}

// wrongEraCode is the code the WrongEra fault puts on the unit's pages.
func (s *Simulator) wrongEraCode(m *unitModel) string {
	for _, p := range m.preds {
		if p.u.Code != m.u.Code {
			return p.u.Code
		}
	}
	if m.u.SuccessorID != "" {
		if succ, ok := s.byID[m.u.SuccessorID]; ok && succ.u.Code != m.u.Code {
			return succ.u.Code
		}
	}
	// No linked unit with another code: any unit of the other era.
	for _, o := range s.units {
		if o.province != m.province || o.u.Code == m.u.Code {
			continue
		}
		if m.u.ValidTo.IsZero() != o.u.ValidTo.IsZero() {
			return o.u.Code
		}
	}
	for _, o := range s.units {
		if o.province == m.province && o.u.Code != m.u.Code {
			return o.u.Code
		}
	}
	return m.u.Code + "X"
}

// buildPool builds the national pool of provincial procedures, in order of
// national popularity (rank 0 is the most used).
func (s *Simulator) buildPool() {
	// Codes: 1.00xxxx and 2.00xxxx, assigned to ranks by a seeded shuffle.
	perm := make([]int, poolSize)
	for i := range perm {
		perm[i] = i
	}
	r := rng{hash2(s.seedKey, strHash("pool"))}
	for i := len(perm) - 1; i > 0; i-- {
		j := int(r.next() % uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	var totalW int
	for _, f := range provinceFields {
		totalW += f.weight
	}
	s.pool = make([]natProc, poolSize)
	perField := map[string]int{}
	for rank := range s.pool {
		n := perm[rank]
		code := fmt.Sprintf("%d.00%04d", 1+n%2, (n/2*3571+1234)%10000)
		h := hash2(s.seedKey, strHash("nat:"+code))
		pr := rng{h}
		pick := int(pr.next() % uint64(totalW))
		field := provinceFields[len(provinceFields)-1].name
		for _, f := range provinceFields {
			if pick < f.weight {
				field = f.name
				break
			}
			pick -= f.weight
		}
		k := perField[field]
		perField[field]++
		np := natProc{code: code, field: field, name: procName(field, k)}
		switch {
		case rank < poolActive:
			np.pop = math.Pow(float64(rank)+5, -zipfProvince)
		case pr.float() < 0.5:
			np.pop = rarePop // a few dossiers a year in a province
		}
		np.eligible = pr.float() < eligibleShare
		np.fee = pr.float() < feeShare
		np.paper = pr.float() < paperShare
		s.pool[rank] = np
	}
}

// procName names the k-th most used procedure of a sector.
func procName(field string, k int) string {
	if names := realNames[field]; k < len(names) {
		return names[k]
	}
	return fmt.Sprintf("Thủ tục %s số %d", strings.ToLower(field), k+1)
}

// ministryPool builds a ministry's own procedures, in order of popularity.
// Codes are 1.BBBNNN with BBB = 100 + the ministry's index.
func (s *Simulator) ministryPool(m *unitModel) []natProc {
	r := rng{hash2(m.key, strHash("catalogue"))}
	n := int(float64(m.profile.procs) * r.between(0.95, 1.05))
	n = max(50, min(n, 800))
	fields := ministryFields[m.u.Code]
	if len(fields) == 0 {
		fields = defaultMinistryFields
	}
	off := int(r.next() % 1000)
	perField := map[string]int{}
	out := make([]natProc, n)
	active := int(float64(n) * 0.7)
	for rank := range out {
		code := fmt.Sprintf("1.%03d%03d", 100+m.idx, (rank*389+off)%1000)
		pr := rng{hash2(m.key, strHash("nat:"+code))}
		field := fields[int(pr.next()%uint64(len(fields)))]
		k := perField[field]
		perField[field]++
		np := natProc{code: code, field: field, name: procName(field, k)}
		if rank < active {
			np.pop = math.Pow(float64(rank)+3, -zipfMinistry)
		}
		np.eligible = pr.float() < eligibleShare
		np.fee = pr.float() < feeShare
		np.paper = pr.float() < paperShare
		out[rank] = np
	}
	return out
}

// ensure builds the unit's procedures (once).
func (s *Simulator) ensure(m *unitModel) {
	m.once.Do(func() { s.build(m) })
}

func (s *Simulator) build(m *unitModel) {
	var nats []*natProc
	if m.province {
		r := rng{hash2(m.key, strHash("catalogue"))}
		n := provinceMin + int(r.next()%uint64(provinceMax-provinceMin+1))
		for i := 0; i < poolCore; i++ {
			nats = append(nats, &s.pool[i])
		}
		// The extra procedures: the optional part of the pool in a
		// unit-specific order.
		type cand struct {
			h uint64
			i int
		}
		opt := make([]cand, 0, poolSize-poolCore)
		for i := poolCore; i < poolSize; i++ {
			opt = append(opt, cand{hash2(m.key, uint64(i)), i})
		}
		sort.Slice(opt, func(a, b int) bool { return opt[a].h < opt[b].h })
		for _, c := range opt[:n-poolCore] {
			nats = append(nats, &s.pool[c.i])
		}
	} else {
		own := s.ministryPool(m)
		for i := range own {
			nats = append(nats, &own[i])
		}
	}

	procs := make([]proc, len(nats))
	var total float64
	for i, np := range nats {
		p := &procs[i]
		p.nat = np
		p.owner = m
		p.key = hash2(m.key, strHash(np.code))
		r := rng{p.key}
		w := np.pop * math.Exp(0.6*r.normal())
		if r.float() < 0.10 {
			w = 0 // not used in this unit
		}
		p.lw = w
		total += w
		p.onF = r.between(0.6, 1.4)
		p.dur = 1 + 19*math.Pow(r.float(), 2)
		p.base = '1'
		if r.float() < 0.6 {
			p.base = '2'
		}
		p.d3 = pathDay(pathLevel3, r.float(), m.lead)
		p.d4 = never
		if np.eligible {
			p.d4 = pathDay(pathLevel4, r.float(), m.lead)
			p.d3 = min(p.d3, p.d4)
		}
		p.dNPSP = max(npspLaunch, pathDay(pathNPSP, r.float(), m.lead))
	}
	for i := range procs {
		if total > 0 {
			procs[i].lw = m.annual * procs[i].lw / total
		}
	}
	m.procs = make([]*proc, len(procs))
	for i := range procs {
		m.procs[i] = &procs[i]
	}
	slices.SortFunc(m.procs, func(a, b *proc) int { return strings.Compare(a.nat.code, b.nat.code) })

	// Capable share: Σ over procedures at level ≥ 3 of weight × propensity.
	byD3 := slices.Clone(m.procs)
	slices.SortFunc(byD3, func(a, b *proc) int { return int(a.d3) - int(b.d3) })
	var cum float64
	for _, p := range byD3 {
		if p.lw == 0 || p.d3 == never {
			continue
		}
		cum += p.lw / m.annual * p.onF
		m.capDays = append(m.capDays, p.d3)
		m.capCum = append(m.capCum, cum)
	}

	m.all = m.procs
	if !m.province && len(m.preds) > 0 {
		m.all = slices.Clone(m.procs)
		for _, pm := range m.preds {
			s.ensure(pm)
			m.all = append(m.all, pm.procs...)
		}
		slices.SortFunc(m.all, func(a, b *proc) int { return strings.Compare(a.nat.code, b.nat.code) })
	}
}

// pathDay is the day a procedure with quantile u reaches a path in a unit
// whose lead is c. The unit's share on a day when the national share is x
// is F(x) = x + c·x·(1−x): monotone, within [0, 1], and equal to x on
// average over units (c is symmetric around 0), so the units spread around
// the national path without biasing it. A procedure reaches the level when
// F(x) ≥ u, i.e. when x ≥ F⁻¹(u).
func pathDay(p path, u, c float64) day {
	y := u
	if math.Abs(c) > 1e-9 {
		y = ((1 + c) - math.Sqrt((1+c)*(1+c)-4*c*u)) / (2 * c)
	}
	x := p.inv(y)
	switch {
	case math.IsInf(x, 1):
		return never
	case math.IsInf(x, -1):
		return 0
	}
	return day(math.Ceil(x))
}

// capable returns the weighted share of the unit's own dossiers whose
// procedure has an online service (level ≥ 3) on day d.
func (m *unitModel) capable(d day) float64 {
	i := sort.Search(len(m.capDays), func(i int) bool { return m.capDays[i] > d })
	if i == 0 {
		return 0
	}
	return m.capCum[i-1]
}

// catalogueAt returns the procedures the unit serves on day d, by code.
func (m *unitModel) catalogueAt(d day) []*proc {
	if len(m.all) == len(m.procs) {
		return m.procs
	}
	out := make([]*proc, 0, len(m.all))
	for _, p := range m.all {
		if p.owner == m || d > dayOf(p.owner.u.ValidTo) {
			out = append(out, p)
		}
	}
	return out
}

// level returns the procedure's service level on day d.
func (p *proc) level(d day) string {
	if d < fullProcessDecree {
		switch {
		case p.d4 <= d:
			return protocol.Level4
		case p.d3 <= d:
			return protocol.Level3
		}
		return string(p.base)
	}
	switch {
	case p.d4 <= d:
		return protocol.LevelFull
	case p.d3 <= d:
		return protocol.LevelPartial
	}
	return protocol.LevelNone
}

// outageDay reports whether the unit has no statistics for day d.
func (m *unitModel) outageDay(d day) bool {
	return unitFloat(hash2(m.key^0x6f7574616765, uint64(d))) < m.outage
}
