package metrics

import (
	"sort"

	"egovkpi/metrics/m766"
)

// Published rounds a ratio to the published figure: a percentage with two
// decimals, half away from zero on the decimal value (61.125 % → 61.13, as
// every 766 score is rounded). Ranks follow the published figure, so units
// that publish the same figure share a rank.
func Published(ratio float64) float64 { return m766.Round2(ratio * 100) }

// Entry is one unit's line in a league table.
type Entry struct {
	UnitID       string
	Value        Value
	Published    *float64 // percentage, 2 decimals; nil: no data
	Completeness float64  // days with data ÷ days expected, 0–1
	// NotEnoughData: shown, marked, and not ranked (volume or completeness
	// under the minimum).
	NotEnoughData bool
	Rank          int  // 1-based competition rank; 0: not ranked
	Movement      *int // previous rank − rank (positive: moved up); nil when either is unranked
}

// Rules say when a unit is ranked.
type Rules struct {
	// MinDenominator is the smallest denominator (volume) that is ranked.
	MinDenominator float64
	// MinCompleteness is the smallest share of expected days with data.
	MinCompleteness float64
}

// DefaultRules: at least 30 dossiers (or procedures) behind the figure and
// 80 % of the expected days with data. Operators can change them.
var DefaultRules = Rules{MinDenominator: 30, MinCompleteness: 0.8}

// Rank orders entries best first and gives competition ranks ("1224") on
// the published figure; then come the entries with not enough data (best
// figure first, unranked), then those without data, in unit order.
func Rank(es []Entry, higherIsBetter bool, r Rules) {
	for i := range es {
		e := &es[i]
		if ratio := e.Value.Ratio(); ratio != nil {
			p := Published(*ratio)
			e.Published = &p
		} else {
			e.Published = nil
		}
		den := 0.0
		if e.Value.Den != nil {
			den = *e.Value.Den
		}
		e.NotEnoughData = e.Published != nil && r.tooLittle(den, e.Completeness)
	}
	RankPublished(es, higherIsBetter)
}

// tooLittle reports whether a figure with this volume and completeness is
// not ranked.
func (r Rules) tooLittle(volume, completeness float64) bool {
	return volume < r.MinDenominator || completeness < r.MinCompleteness
}

// RankPublished orders and ranks entries whose Published and NotEnoughData
// are already set (Rank sets them from the KPI value; the 766 index from
// the total): ranked entries first with competition ranks, then those with
// not enough data, then those without a figure.
func RankPublished(es []Entry, higherIsBetter bool) {
	ranked := func(e Entry) bool { return e.Published != nil && !e.NotEnoughData }
	group := func(e Entry) int {
		switch {
		case ranked(e):
			return 0
		case e.Published != nil:
			return 1
		}
		return 2
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if group(a) != group(b) {
			return group(a) < group(b)
		}
		if a.Published != nil && *a.Published != *b.Published {
			if higherIsBetter {
				return *a.Published > *b.Published
			}
			return *a.Published < *b.Published
		}
		return a.UnitID < b.UnitID
	})
	for i := range es {
		es[i].Rank = 0
		if !ranked(es[i]) {
			continue
		}
		if i > 0 && ranked(es[i-1]) && *es[i-1].Published == *es[i].Published {
			es[i].Rank = es[i-1].Rank
		} else {
			es[i].Rank = i + 1
		}
	}
}

// Move fills each entry's movement from the ranks of the previous
// comparable period.
func Move(es []Entry, previous []Entry) {
	prev := map[string]int{}
	for _, p := range previous {
		prev[p.UnitID] = p.Rank
	}
	for i := range es {
		es[i].Movement = nil
		if r, ok := prev[es[i].UnitID]; ok && r > 0 && es[i].Rank > 0 {
			m := r - es[i].Rank
			es[i].Movement = &m
		}
	}
}

// Settings are what an operator sets about figures: the ranking rules and
// the Decision 766 methodology.
type Settings struct {
	Rules       Rules
	Methodology *m766.Set
}

// DefaultSettings are DefaultRules and the embedded methodology.
func DefaultSettings() (Settings, error) {
	set, err := m766.Load()
	if err != nil {
		return Settings{}, err
	}
	return Settings{Rules: DefaultRules, Methodology: set}, nil
}
