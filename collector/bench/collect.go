package bench

import (
	"context"
	"sort"
	"strings"
	"time"

	"egovkpi/collector"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
)

// faultMix is the rotation of faults given to the faulty portals: slow,
// failing, rate-limited, broken JSON, duplicated pages, self-contradicting
// counts and a code from the wrong era.
var faultMix = []simulator.Fault{
	{Slow: 2 * time.Second},
	{ServerErrors: 2},
	{RateLimit: 1},
	{Truncated: true},
	{Malformed: true},
	{DuplicatePages: true},
	{Contradictions: 0.05},
	{WrongEra: true},
	{ServerErrors: 1000}, // down for the whole run
}

// SetFaults makes every n-th of units faulty (n = 1/fraction), rotating
// through faultMix, and returns the faulty units.
func SetFaults(sim *simulator.Simulator, units []string, fraction float64) []string {
	if fraction <= 0 {
		return nil
	}
	sort.Strings(units)
	step := int(1/fraction + 0.5)
	var faulty []string
	for i := 0; i < len(units); i += step {
		sim.SetFault(units[i], faultMix[len(faulty)%len(faultMix)])
		faulty = append(faulty, units[i])
	}
	return faulty
}

// CollectSummary describes a collection of every portal.
type CollectSummary struct {
	Took                  time.Duration
	Sources, Faulty       int
	ByStatus              map[string]int
	Accepted, Quarantined int
	// Problems holds the first error line of every run that was not ok.
	Problems []string
}

// CollectAll pulls [from, to] from every source through workers and waits
// for the rollups.
func CollectAll(ctx context.Context, col *collector.Collector, srcs []collector.Source, from, to time.Time, workers int) CollectSummary {
	start := time.Now()
	runs := col.PullAll(ctx, srcs, from, to, workers)
	return summarise(runs, time.Since(start))
}

// summarise counts the runs of a collection that took took.
func summarise(runs []store.Run, took time.Duration) CollectSummary {
	s := CollectSummary{Took: took, Sources: len(runs), ByStatus: map[string]int{}}
	for _, r := range runs {
		s.add(r)
	}
	return s
}

// add counts a run.
func (s *CollectSummary) add(r store.Run) {
	s.ByStatus[r.Status]++
	s.Accepted += r.RowsAccepted
	s.Quarantined += r.RowsQuarantined
	if r.Status != store.RunOK {
		first, _, _ := strings.Cut(r.Error, "\n")
		s.Problems = append(s.Problems, r.Source+" "+r.Status+": "+first)
	}
}

// Sources returns a source for every unit valid somewhere in [from, to],
// pointing at the simulator served at baseURL.
func Sources(sim *simulator.Simulator, baseURL string, from, to time.Time) []collector.Source {
	var out []collector.Source
	for _, u := range sim.Units() {
		if u.ValidFrom.After(to) || (!u.ValidTo.IsZero() && u.ValidTo.Before(from)) {
			continue
		}
		out = append(out, collector.Source{ID: u.ID, UnitID: u.ID, URL: baseURL + "/portals/" + u.ID, Token: sim.Token(u.ID),
			Timeout: 5 * time.Second, Concurrency: 2, RepullDays: 7, Enabled: true})
	}
	return out
}

// CollectThenRefresh pulls [from, to] from every enabled source through
// workers without refreshing the rollups, then refreshes them in one go: it
// returns the collection's summary and how long the refresh took, so that
// the two are measured apart.
func CollectThenRefresh(ctx context.Context, col *collector.Collector, srcs []collector.Source, from, to time.Time, workers int) (CollectSummary, time.Duration, error) {
	start := time.Now()
	s := summarise(col.PullEach(ctx, srcs, from, to, workers), time.Since(start))
	refresh := time.Now()
	err := col.Refresher.Flush(ctx)
	return s, time.Since(refresh), err
}

// Percentile returns the p-th percentile (0 < p ≤ 100, nearest rank) of
// durations; it sorts them.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(float64(len(ds))*p/100+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}
