package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"golang.org/x/sync/errgroup"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/metrics/m766"
)

// Counts behind the 766 modifiers: the dossiers of the period are the
// on-time rate's denominator (finished plus in progress), the complaints
// the complaints-on-time rate's (received). Unreported counts stay nil
// (unknown), so no modifier applies on them.
const (
	dossiersKPI   = "on_time_rate"
	complaintsKPI = "complaints_on_time_rate"
)

// IndexEntry is one unit's Decision 766 index over a period. Entry.Published
// is the total (nil: no input at all), Entry.Value is unused.
type IndexEntry struct {
	Entry
	Result     m766.Result
	Dossiers   *float64
	Complaints *float64
}

// IndexTable is the 766 index of a block's units over a period, scored with
// the version in force on the period's last day and ranked on the total.
type IndexTable struct {
	Block    egovkpi.Block
	Period   Period
	Previous Period
	Version  *m766.Version
	Rules    Rules
	// NotCollected are the version's inputs egovkpi has no KPI for: they
	// are missing (0 points) for every unit.
	NotCollected []string
	Notes        []string
	Entries      []IndexEntry
}

// Index766 scores every unit of a block over a period with the version of
// set in force on the period's last day, from the same carried figures as
// the league tables (rollups only). Units are ranked on the total with
// competition ranks; a unit under the rules' minimum dossiers (the volume)
// or completeness is shown, marked and not ranked. Movement compares with
// the previous comparable period scored with its own version.
func Index766(ctx context.Context, conn driver.Conn, reg *refdata.Registry, set *m766.Set, block egovkpi.Block, p Period, rules Rules, f Filter, today time.Time) (IndexTable, error) {
	v, err := set.ForDay(p.To)
	if err != nil {
		return IndexTable{}, err
	}
	t := IndexTable{Block: block, Period: p, Previous: p.Previous(), Version: v, Rules: rules}
	kpis, notCollected := indexKPIs(v)
	t.NotCollected = notCollected
	var cur, prev []IndexEntry
	pv, noPrevious := set.ForDay(t.Previous.To)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		cur, err = indexEntries(gctx, conn, reg, v, kpis, block, p, rules, f, today)
		return
	})
	if noPrevious == nil {
		pk, _ := indexKPIs(pv)
		g.Go(func() (err error) {
			prev, err = indexEntries(gctx, conn, reg, pv, pk, block, t.Previous, rules, f, today)
			return
		})
	}
	if err := g.Wait(); err != nil {
		return t, err
	}
	if noPrevious == nil {
		moveIndex(cur, prev)
		if pv != v {
			t.Notes = append(t.Notes, fmt.Sprintf("movement compares with %s, scored with version %s", t.Previous, pv.ID))
		}
	}
	if p.From.Before(egovkpi.FullProcessDecree) {
		t.Notes = append(t.Notes, levelsNote)
	}
	t.Entries = cur
	return t, nil
}

// levelsNote states how service levels map across 2022-08-15.
const levelsNote = "2022-08-15: service levels changed (Decree 42/2022): level 4 is counted as full-process and level 3 as partial before that day (a mapping, not a legal text)"

// indexKPIs returns the KPIs a version reads (its inputs that are KPIs,
// plus the two counts) and the inputs no KPI provides.
func indexKPIs(v *m766.Version) ([]KPI, []string) {
	var kpis []KPI
	var missing []string
	seen := map[string]bool{}
	add := func(id string) bool {
		if seen[id] {
			return true
		}
		k, err := KPIByID(id)
		if err != nil {
			return false
		}
		seen[id] = true
		kpis = append(kpis, k)
		return true
	}
	for _, in := range v.Inputs() {
		if !add(in) {
			missing = append(missing, in)
		}
	}
	add(dossiersKPI)
	add(complaintsKPI)
	return kpis, missing
}

func indexEntries(ctx context.Context, conn driver.Conn, reg *refdata.Registry, v *m766.Version, kpis []KPI, block egovkpi.Block, p Period, rules Rules, f Filter, today time.Time) ([]IndexEntry, error) {
	fig, err := figuresOf(ctx, conn, reg, block, p, kpis, f, today)
	if err != nil {
		return nil, err
	}
	inputs := v.Inputs()
	out := make([]IndexEntry, 0, len(fig.Units))
	for _, id := range fig.Units {
		vals := fig.Values[id]
		in := m766.Inputs{Ratios: map[string]*float64{}, Dossiers: vals[dossiersKPI].Den, Complaints: vals[complaintsKPI].Den}
		hasData := in.Dossiers != nil || in.Complaints != nil
		for _, name := range inputs {
			if val, ok := vals[name]; ok {
				in.Ratios[name] = val.Ratio()
				hasData = hasData || val.Den != nil
			}
		}
		e := IndexEntry{Entry: Entry{UnitID: id, Completeness: fig.Completeness[id]}, Dossiers: in.Dossiers, Complaints: in.Complaints}
		if hasData {
			e.Result = v.Score(in)
			total := e.Result.Total
			e.Published = &total
			volume := 0.0
			if in.Dossiers != nil {
				volume = *in.Dossiers
			}
			e.NotEnoughData = rules.tooLittle(volume, e.Completeness)
		}
		out = append(out, e)
	}
	rankIndex(out)
	return out, nil
}

// rankIndex ranks index entries on their totals, higher is better.
func rankIndex(es []IndexEntry) {
	plain := make([]Entry, len(es))
	at := map[string]IndexEntry{}
	for i, e := range es {
		plain[i] = e.Entry
		at[e.UnitID] = e
	}
	RankPublished(plain, true)
	for i, p := range plain {
		e := at[p.UnitID]
		e.Entry = p
		es[i] = e
	}
}

func moveIndex(cur, prev []IndexEntry) {
	c := make([]Entry, len(cur))
	p := make([]Entry, len(prev))
	for i := range cur {
		c[i] = cur[i].Entry
	}
	for i := range prev {
		p[i] = prev[i].Entry
	}
	Move(c, p)
	for i := range cur {
		cur[i].Movement = c[i].Movement
	}
}

// IndexTableJSON is the JSON form of a 766 table, the same for the API and
// the CLI.
type IndexTableJSON struct {
	Block          string          `json:"block"`
	Period         string          `json:"period"`
	PeriodFrom     string          `json:"period_from"`
	PeriodTo       string          `json:"period_to"`
	PreviousPeriod string          `json:"previous_period"`
	Methodology    MethodologyJSON `json:"methodology"`
	Rules          RulesJSON       `json:"rules"`
	// NotCollected are the inputs egovkpi does not collect: 0 points for
	// every unit (the maximum reachable is 100 − MissingPoints).
	NotCollected  []string `json:"not_collected"`
	MissingPoints float64  `json:"missing_points"`
	// Assumptions are those every row's score rests on; a row lists its
	// own others.
	Assumptions []string       `json:"assumptions"`
	Notes       []string       `json:"notes"`
	Empty       bool           `json:"empty"`
	Message     string         `json:"message,omitempty"`
	Rows        []IndexRowJSON `json:"rows"`
}

// MethodologyJSON names the 766 version that scored a table.
type MethodologyJSON struct {
	Version       string    `json:"version"`
	NameVI        string    `json:"name_vi"`
	NameEN        string    `json:"name_en"`
	ValidFrom     string    `json:"valid_from"`
	AssumedFields []string  `json:"assumed_fields"`
	Note          string    `json:"note"`
	Bands         []BandDoc `json:"bands"`
}

// BandDoc is a band and its lower bound.
type BandDoc struct {
	ID        string  `json:"id"`
	NameVI    string  `json:"name_vi"`
	NameEN    string  `json:"name_en"`
	Min       float64 `json:"min"`
	Confirmed bool    `json:"confirmed"`
}

// IndexRowJSON is one unit's 766 index. Total and Band are null when the
// unit has no input at all.
type IndexRowJSON struct {
	Rank          *int               `json:"rank"`
	UnitID        string             `json:"unit_id"`
	Code          string             `json:"code"`
	NameVI        string             `json:"name_vi"`
	NameEN        string             `json:"name_en"`
	Region        string             `json:"region,omitempty"`
	Total         *float64           `json:"total"`
	Band          *m766.BandResult   `json:"band"`
	Movement      *int               `json:"movement"`
	Completeness  float64            `json:"completeness"`
	NotEnoughData bool               `json:"not_enough_data"`
	Dossiers      *float64           `json:"dossiers"`
	Complaints    *float64           `json:"complaints"`
	Groups        []m766.GroupResult `json:"groups"`
	Assumptions   []string           `json:"assumptions"`
}

// JSON renders the table; only keeps rows of unit when unit is not empty
// (ranks stay those of the whole block).
func (t IndexTable) JSON(reg *refdata.Registry, unit string) IndexTableJSON {
	v := t.Version
	out := IndexTableJSON{
		Block: string(t.Block), Period: t.Period.String(), PeriodFrom: t.Period.From.Format(egovkpi.DateLayout), PeriodTo: t.Period.To.Format(egovkpi.DateLayout),
		PreviousPeriod: t.Previous.String(),
		Methodology: MethodologyJSON{Version: v.ID, NameVI: v.Name.VI, NameEN: v.Name.EN, ValidFrom: v.ValidFrom.Format(egovkpi.DateLayout),
			AssumedFields: append([]string{}, v.AssumedFields...), Note: v.Note},
		Rules:        RulesJSON{MinDenominator: t.Rules.MinDenominator, MinCompleteness: t.Rules.MinCompleteness},
		NotCollected: append([]string{}, t.NotCollected...), Notes: append([]string{}, t.Notes...),
		Assumptions: []string{}, Rows: []IndexRowJSON{},
	}
	for _, b := range v.Bands {
		out.Methodology.Bands = append(out.Methodology.Bands, BandDoc{ID: b.ID, NameVI: b.Name.VI, NameEN: b.Name.EN, Min: b.Min, Confirmed: b.Confirmed})
	}
	notCollected := map[string]bool{}
	for _, n := range t.NotCollected {
		notCollected[n] = true
	}
	for _, ind := range v.Indicators {
		if slices.ContainsFunc(ind.Inputs(), func(in string) bool { return notCollected[in] }) {
			out.MissingPoints += ind.Points // any input missing scores the indicator 0
		}
	}
	common := commonAssumptions(t.Entries)
	out.Empty = true
	for _, e := range t.Entries {
		if e.Published != nil {
			out.Empty = false
		}
		if unit != "" && e.UnitID != unit {
			continue
		}
		u, _ := reg.ByID(e.UnitID)
		r := IndexRowJSON{UnitID: e.UnitID, Code: u.Code, NameVI: u.NameVI, NameEN: u.NameEN, Region: u.Region,
			Total: e.Published, Movement: e.Movement, Completeness: roundCompleteness(e.Completeness), NotEnoughData: e.NotEnoughData,
			Dossiers: e.Dossiers, Complaints: e.Complaints, Groups: []m766.GroupResult{}, Assumptions: []string{}}
		if e.Rank > 0 {
			rank := e.Rank
			r.Rank = &rank
		}
		if e.Published != nil {
			band := e.Result.Band
			r.Band = &band
			r.Groups = e.Result.Groups
			for _, a := range e.Result.Assumptions {
				if !common[a] {
					r.Assumptions = append(r.Assumptions, a)
				}
			}
		}
		out.Rows = append(out.Rows, r)
	}
	out.Assumptions = append(out.Assumptions, orderedCommon(t.Entries, common)...)
	if out.Empty {
		out.Message = fmt.Sprintf("no data for the Decision 766 index in %s: the table is empty", t.Period)
	}
	return out
}

// commonAssumptions are the assumptions every scored entry rests on.
func commonAssumptions(es []IndexEntry) map[string]bool {
	var common map[string]bool
	for _, e := range es {
		if e.Published == nil {
			continue
		}
		has := map[string]bool{}
		for _, a := range e.Result.Assumptions {
			has[a] = true
		}
		if common == nil {
			common = has
			continue
		}
		for a := range common {
			if !has[a] {
				delete(common, a)
			}
		}
	}
	return common
}

// orderedCommon lists the common assumptions in the order the first scored
// entry gives them.
func orderedCommon(es []IndexEntry, common map[string]bool) []string {
	var out []string
	for _, e := range es {
		if e.Published == nil {
			continue
		}
		for _, a := range e.Result.Assumptions {
			if common[a] {
				out = append(out, a)
			}
		}
		break
	}
	return out
}

// MarshalIndent is the one JSON encoding of a 766 table.
func (j IndexTableJSON) MarshalIndent() ([]byte, error) { return json.MarshalIndent(j, "", "  ") }
