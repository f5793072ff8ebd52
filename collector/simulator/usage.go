package simulator

import (
	"slices"

	"egovkpi/collector/protocol"
	"egovkpi/collector/record"
)

// numCounts is the number of counts of a usage record.
const numCounts = int(record.NumFields)

// Daily means of processed dossiers and complaints relative to received.
const (
	processedRatio = 0.99
	complaintRatio = 0.0015
)

// pending is a procedure with activity on a day, between the two passes of
// dayRecords.
type pending struct {
	p                 *proc
	recv, proc, compl int64
	r                 rng
}

// dayParams are the unit-wide quantities of one day.
type dayParams struct {
	base       float64 // growth × share of the year's volume falling on the day
	target     float64 // online share the unit aims at
	onTime     float64
	paid       float64
	digitized  float64
	eResult    float64
	reuse      float64
	sync       float64
	sat        float64
	digitizing bool
	syncing    bool
	voting     bool
}

func (m *unitModel) params(d day) dayParams {
	x := float64(d)
	years := float64(d-growthEpoch) / 365.25
	mat := func(p path) float64 { return clamp(p.at(x)*m.maturity, 0, 0.99) }
	return dayParams{
		base:       growth(d) * dayShare(d),
		target:     clamp(pathOnline.at(x)*m.onlineF, 0, 0.97),
		onTime:     clamp(m.onTime+0.004*years, 0.80, 0.995),
		paid:       mat(pathPaid),
		digitized:  mat(pathDigitized),
		eResult:    mat(pathEResult),
		reuse:      mat(pathReuse),
		sync:       mat(pathSync),
		sat:        clamp(pathSatisfaction.at(x)+m.satOffset, 0.5, 0.99),
		digitizing: d >= digitizationStart,
		syncing:    d >= syncStart,
		voting:     d >= votesStart,
	}
}

// dayRecords appends the unit's records of day d (which must not be an
// outage day) to out, in procedure code order.
func (s *Simulator) dayRecords(m *unitModel, d day, out []protocol.Usage) []protocol.Usage {
	s.ensure(m)
	procs := m.catalogueAt(d)
	dp := m.params(d)
	dayKey := mix(m.key ^ (uint64(d) * golden))

	// Pass 1: which procedures have any activity.
	act := make([]pending, 0, 256)
	for _, p := range procs {
		if p.lw == 0 {
			continue
		}
		// Received, processed and complaints are independent Poisson
		// counts of means λ, 0.99·λ and 0.0015·λ: drawn as their Poisson
		// total, split binomially (one exponential per procedure, and none
		// of the rest for the many procedures without activity).
		lambda := p.lw * dp.base
		r := rng{dayKey ^ p.key}
		total := poisson(lambda*(1+processedRatio+complaintRatio), r.float())
		if total == 0 {
			continue
		}
		recv := binomial(total, 1/(1+processedRatio+complaintRatio), &r)
		compl := binomial(total-recv, complaintRatio/(processedRatio+complaintRatio), &r)
		act = append(act, pending{p: p, recv: recv, proc: total - recv - compl, compl: compl, r: r})
	}
	if len(act) == 0 {
		return out
	}

	// Capable shares of the owners (several for a ministry that absorbed
	// others).
	type ownerCap struct {
		m *unitModel
		c float64
	}
	var caps []ownerCap
	capOf := func(o *unitModel) float64 {
		for _, c := range caps {
			if c.m == o {
				return c.c
			}
		}
		c := o.capable(d)
		caps = append(caps, ownerCap{o, c})
		return c
	}

	// Pass 2: the counts, into one slab.
	out = slices.Grow(out, len(act))
	slab := make([]int64, len(act)*numCounts)
	date := d.String()
	for i := range act {
		a := &act[i]
		p, r := a.p, &a.r
		v := slab[i*numCounts : (i+1)*numCounts : (i+1)*numCounts]
		n := 0
		set := func(x int64) *int64 {
			v[n] = x
			n++
			return &v[n-1]
		}
		out = append(out, protocol.Usage{Date: date, Procedure: p.nat.code})
		rec := &out[len(out)-1]
		lambda := p.lw * dp.base

		// Channels.
		var online, fpo int64
		if p.d3 <= d {
			share := 0.0
			if c := capOf(p.owner); c > 0 {
				share = clamp(dp.target*p.onF/c, 0, 0.99)
			}
			online = split(a.recv, share, r.float())
			if p.d4 <= d {
				fpo = split(online, 0.9, r.float())
			}
		}
		rest := a.recv - online
		rec.Received = set(a.recv)
		rec.ReceivedOnline = set(online)
		if m.missing&omitPost == 0 {
			post := split(rest, m.postShare, r.float())
			rec.ReceivedPost = set(post)
			rec.ReceivedInPerson = set(rest - post)
		} else {
			rec.ReceivedInPerson = set(rest)
		}
		if m.missing&omitFullProcess == 0 {
			rec.FullProcessOnline = set(fpo)
		}

		// Processing.
		onTime := split(a.proc, dp.onTime, r.float())
		rec.Processed = set(a.proc)
		rec.ProcessedOnTime = set(onTime)
		rec.ProcessedLate = set(a.proc - onTime)
		if m.missing&omitInProgress == 0 {
			ip := poisson(lambda*p.dur, r.float())
			ipOnTime := split(ip, 1-(1-dp.onTime)*1.5, r.float())
			rec.InProgressOnTime = set(ipOnTime)
			rec.InProgressOverdue = set(ip - ipOnTime)
		}

		// Payment.
		var fin, paid int64
		if p.nat.fee {
			fin = split(a.recv, 0.85, r.float())
			paid = split(fin, dp.paid, r.float())
		}
		rec.FinancialObligation = set(fin)
		rec.PaidOnline = set(paid)

		// Digitization.
		if dp.digitizing {
			rec.Digitized = set(split(a.recv, dp.digitized, r.float()))
			var er int64
			if p.nat.paper {
				er = split(a.recv, dp.eResult, r.float())
			}
			rec.EResult = set(er)
			if m.missing&omitReuse == 0 {
				rec.ReusedData = set(split(a.recv, dp.reuse, r.float()))
			}
		}
		if dp.syncing && m.missing&omitSync == 0 {
			var sy int64
			if p.d3 <= d && p.dNPSP <= d {
				sy = split(a.recv, dp.sync, r.float())
			}
			rec.SyncedNPSP = set(sy)
		}

		// Complaints and votes.
		if m.missing&omitComplaints == 0 {
			ct := split(a.compl, 0.85, r.float())
			rec.ComplaintsReceived = set(a.compl)
			rec.ComplaintsOnTime = set(ct)
			rec.ComplaintsPendingOnTime = set(split(a.compl-ct, 0.6, r.float()))
		}
		if dp.voting && m.missing&omitVotes == 0 {
			votes := split(a.recv, m.voteShare, r.float())
			sat := split(votes, dp.sat, r.float())
			rec.VotesSatisfied = set(sat)
			rec.VotesDissatisfied = set(votes - sat)
		}
	}
	return out
}
