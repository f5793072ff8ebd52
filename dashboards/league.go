package dashboards

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
	"egovkpi/metrics"
)

// Index766 is the league "KPI" that shows the Decision 766 index instead of
// one indicator.
const Index766 = "index766"

// leagueQuery is what a league page shows: the table's parameters and the
// order of its rows. The page, its CSV and its Excel read the same query,
// so a download holds exactly what is on screen.
type leagueQuery struct {
	Block  egovkpi.Block
	Period metrics.Period
	KPI    string // a KPI id or Index766
	Filter metrics.Filter
	Sort   string // a sortKeys key
	Desc   bool
}

// sortKeys are the columns a league table sorts on.
var sortKeys = []string{"rank", "name", "region", "value", "movement", "completeness"}

// parseLeagueQuery reads a league page's query with defaults: provinces,
// the last whole quarter, the online rate, by rank.
func (a *App) parseLeagueQuery(c *fiber.Ctx) (leagueQuery, error) {
	param := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	defaults := map[string]string{"block": string(egovkpi.BlockProvince), "period": a.defaultPeriod().String(), "kpi": "online_rate"}
	withDefaults := func(k string) string {
		if v := param(k); v != "" {
			return v
		}
		return defaults[k]
	}
	q := leagueQuery{KPI: withDefaults("kpi"), Sort: param("sort")}
	var name string
	var err error
	if q.Block, q.Period, q.Filter, name, err = parseBlockPeriod(withDefaults, a.today, a.reg); err != nil {
		return q, paramError(name, err)
	}
	if q.KPI != Index766 {
		if _, err := metrics.KPIByID(q.KPI); err != nil {
			return q, paramError("kpi", err)
		}
	}
	if q.Sort == "" {
		q.Sort = "rank"
	}
	if !slices.Contains(sortKeys, q.Sort) {
		return q, paramError("sort", fmt.Errorf("unknown column %q (accepted: %s)", q.Sort, strings.Join(sortKeys, ", ")))
	}
	switch param("dir") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, paramError("dir", fmt.Errorf("%q (accepted: asc, desc)", param("dir")))
	}
	return q, nil
}

// values returns the query as URL parameters, with sort changed when
// sortBy is set (a column header's link toggles the direction).
func (q leagueQuery) values(sortBy string) url.Values {
	v := url.Values{"block": {string(q.Block)}, "period": {q.Period.String()}, "kpi": {q.KPI}}
	if q.Filter.Region != "" {
		v.Set("region", q.Filter.Region)
	}
	if q.Filter.Kind != "" {
		v.Set("kind", q.Filter.Kind)
	}
	sort, desc := q.Sort, q.Desc
	if sortBy != "" {
		desc = sortBy == q.Sort && !q.Desc
		sort = sortBy
	}
	if sort != "rank" {
		v.Set("sort", sort)
	}
	if desc {
		v.Set("dir", "desc")
	}
	return v
}

// leagueRow is one line of a league table as shown and downloaded.
type leagueRow struct {
	Rank      *int
	Movement  *int
	UnitID    string
	Code      string
	Name      string
	Region    string
	Value     *float64 // published: a percentage, or 766 points
	Num, Den  *float64
	Complete  float64
	NotEnough bool
	BandClass string // band-excellent … band-weak (766), band-met/near/below (target), band-none
	BandName  string
}

// leagueTable is a league table ready to show.
type leagueTable struct {
	Query       leagueQuery
	Title       string // the KPI's or the index's name
	Unit        string // "%" or "điểm"/"points"
	Target      *metrics.TargetJSON
	Empty       bool
	Message     string
	Notes       []string
	Rows        []leagueRow
	Methodology string // the 766 version, for the index
}

// leagueTableOf reads the figures of q (the API's JSON, cached) and lays
// them out in q's order.
func (a *App) leagueTableOf(ctx context.Context, lang Lang, q leagueQuery) (leagueTable, error) {
	t := leagueTable{Query: q, Unit: "%"}
	if q.KPI == Index766 {
		j, err := decoded[metrics.IndexTableJSON](a.index766JSON(ctx, IndexRequest{Block: q.Block, Period: q.Period, Filter: q.Filter}))
		if err != nil {
			return t, err
		}
		t.Title, t.Unit = lang.T("index766.title"), lang.T("unit.points")
		t.Empty, t.Message = j.Empty, j.Message
		t.Methodology = pick(lang, j.Methodology.NameVI, j.Methodology.NameEN)
		t.Notes = append(t.Notes, lang.T("index766.missing", lang.Number(j.MissingPoints, 0), strings.Join(j.NotCollected, ", ")))
		for _, r := range j.Rows {
			row := leagueRow{Rank: r.Rank, Movement: r.Movement, UnitID: r.UnitID, Code: r.Code, Name: pick(lang, r.NameVI, r.NameEN),
				Region: regionName(lang, r.Region), Value: r.Total, Den: r.Dossiers, Complete: r.Completeness, NotEnough: r.NotEnoughData, BandClass: "band-none"}
			if r.Band != nil {
				row.BandClass, row.BandName = "band-"+r.Band.ID, pick(lang, r.Band.Name.VI, r.Band.Name.EN)
			}
			t.Rows = append(t.Rows, row)
		}
	} else {
		k, _ := metrics.KPIByID(q.KPI)
		j, err := decoded[metrics.TableJSON](a.leagueJSON(ctx, LeagueRequest{Block: q.Block, Period: q.Period, KPI: k, Filter: q.Filter}))
		if err != nil {
			return t, err
		}
		t.Title = pick(lang, j.KPI.NameVI, j.KPI.NameEN)
		t.Empty, t.Message, t.Target = j.Empty, j.Message, j.Target
		for _, r := range j.Rows {
			row := leagueRow{Rank: r.Rank, Movement: r.Movement, UnitID: r.UnitID, Code: r.Code, Name: pick(lang, r.NameVI, r.NameEN),
				Region: regionName(lang, r.Region), Value: r.Published, Num: r.Numerator, Den: r.Denominator, Complete: r.Completeness,
				NotEnough: r.NotEnoughData}
			row.BandClass, row.BandName = attainmentBand(lang, r.Attainment, j.Target != nil)
			t.Rows = append(t.Rows, row)
		}
	}
	if t.Empty {
		t.Message = lang.T("league.empty", t.Title, q.Period.String())
	}
	sortRows(t.Rows, q.Sort, q.Desc)
	return t, nil
}

// attainmentBand colours a KPI value against its target
// (metrics.TargetStatus): met, near, below; none without a target or a
// value.
func attainmentBand(lang Lang, att *float64, hasTarget bool) (class, name string) {
	status := metrics.TargetStatus(att)
	if !hasTarget || status == "" {
		return "band-none", ""
	}
	return "band-" + status, lang.T("band." + status)
}

// sortRows orders rows by a column; rows without the column's value stay
// last whatever the direction. "rank" keeps the table's own order (ranked,
// then not enough data, then no data) and, descending, reverses only the
// ranked rows.
func sortRows(rows []leagueRow, key string, desc bool) {
	if key == "rank" {
		if desc {
			ranked := slices.IndexFunc(rows, func(r leagueRow) bool { return r.Rank == nil })
			if ranked < 0 {
				ranked = len(rows)
			}
			slices.Reverse(rows[:ranked])
		}
		return
	}
	collate := func(a, b string) int { return strings.Compare(foldVietnamese(a), foldVietnamese(b)) }
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		var c int
		switch key {
		case "name":
			c = collate(x.Name, y.Name)
		case "region":
			c = collate(x.Region, y.Region)
		case "value", "movement":
			a, b := x.Value, y.Value
			if key == "movement" {
				a, b = intToFloat(x.Movement), intToFloat(y.Movement)
			}
			switch {
			case a == nil || b == nil:
				return a != nil && b == nil // no value: last, whatever the direction
			case *a < *b:
				c = -1
			case *a > *b:
				c = 1
			}
		case "completeness":
			c = cmp.Compare(x.Complete, y.Complete)
		}
		if desc {
			c = -c
		}
		return c < 0
	})
}

func intToFloat(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

// foldVietnamese maps a name to a key that sorts as Vietnamese readers
// expect closely enough for a table: base letters first (Đ after D), tones
// ignored.
func foldVietnamese(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if base, ok := vietBase[r]; ok {
			b.WriteString(base)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var vietBase = func() map[rune]string {
	m := map[rune]string{'đ': "d~"}
	for base, forms := range map[string]string{
		"a": "àáảãạ", "a~": "ăằắẳẵặ", "a~~": "âầấẩẫậ", "e": "èéẻẽẹ", "e~": "êềếểễệ", "i": "ìíỉĩị",
		"o": "òóỏõọ", "o~": "ôồốổỗộ", "o~~": "ơờớởỡợ", "u": "ùúủũụ", "u~": "ưừứửữự", "y": "ỳýỷỹỵ",
	} {
		for _, r := range forms {
			m[r] = base
		}
	}
	m['ă'], m['â'], m['ê'], m['ô'], m['ơ'], m['ư'] = "a~", "a~~", "e~", "o~", "o~~", "u~"
	return m
}()

// pick returns the text of the language.
func pick(lang Lang, vi, en string) string {
	if lang == English && en != "" {
		return en
	}
	return vi
}

// regionName names a region code in the language.
func regionName(lang Lang, code string) string {
	r, ok := egovkpi.RegionByCode(code)
	if !ok {
		return code
	}
	return pick(lang, r.NameVI, r.NameEN)
}

// periodChoices are the periods a picker offers: the last 12 months, 8
// quarters, 4 half-years and 5 years before today, and the current one.
func (a *App) periodChoices(current metrics.Period) []metrics.Period {
	today := a.today()
	var out []metrics.Period
	seen := map[string]bool{}
	add := func(p metrics.Period) {
		if !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	for _, step := range []struct {
		kind metrics.PeriodKind
		n    int
	}{{metrics.Quarter, 8}, {metrics.Month, 12}, {metrics.Half, 4}, {metrics.Year, 5}} {
		p, _ := metrics.Containing(step.kind, today)
		for range step.n {
			p = p.Previous()
			add(p)
		}
	}
	if !seen[current.String()] {
		out = append([]metrics.Period{current}, out...)
	}
	return out
}

// defaultPeriod is the last whole quarter before today.
func (a *App) defaultPeriod() metrics.Period {
	p, _ := metrics.Containing(metrics.Quarter, a.today())
	return p.Previous()
}

// leaguePage shows a league table with its pickers, filters, sortable
// columns, band colours, movement, completeness, a tile map of the
// provinces and links to the same table as CSV and Excel.
func (a *App) leaguePage(c *fiber.Ctx) error {
	lang := a.lang(c)
	q, err := a.parseLeagueQuery(c)
	if err != nil {
		return err
	}
	ps := parts{a: a}
	var table Part[template.HTML]
	load(&ps, c.UserContext(), "league", &table, func(ctx context.Context) (template.HTML, error) { return a.leagueBody(ctx, lang, q) })
	ps.wait()
	var kpis []option
	for _, k := range metrics.KPIs() {
		kpis = append(kpis, option{k.ID, pick(lang, k.NameVI, k.NameEN), k.ID == q.KPI})
	}
	kpis = append([]option{{Index766, lang.T("index766.title"), q.KPI == Index766}}, kpis...)
	var periods []option
	for _, p := range a.periodChoices(q.Period) {
		periods = append(periods, option{p.String(), periodLabel(lang, p), p.String() == q.Period.String()})
	}
	regions := []option{{"", lang.T("filter.all_regions"), q.Filter.Region == ""}}
	for _, r := range egovkpi.Regions {
		regions = append(regions, option{r.Code, pick(lang, r.NameVI, r.NameEN), r.Code == q.Filter.Region})
	}
	kinds := []option{{"", lang.T("filter.all_kinds"), q.Filter.Kind == ""}}
	for _, k := range unitKinds(a.reg, q.Block) {
		kinds = append(kinds, option{k, lang.T("kind." + k), k == q.Filter.Kind})
	}
	return a.render(c, "league.html", map[string]any{
		"Lang": lang, "Title": lang.T("league.title"),
		"Q": q, "Table": table, "KPIs": kpis, "Periods": periods, "Regions": regions, "Kinds": kinds,
		"BlockMinistry": q.Block == egovkpi.BlockMinistry,
	})
}

// leagueBody renders the table part of a league page (the table, its
// links, the tile map). It depends only on the figures, the query and the
// language; in the table's own order (the page as first opened) it is
// cached like the figures it shows, and dropped with them when a load
// changes them: under load a page costs its header and pickers only. Other
// orders are rendered from the cached figures each time, so that one table
// does not take a dozen places of the cache.
func (a *App) leagueBody(ctx context.Context, lang Lang, q leagueQuery) (template.HTML, error) {
	render := func(ctx context.Context) ([]byte, error) {
		t, err := a.leagueTableOf(ctx, lang, q)
		if err != nil {
			return nil, err
		}
		headers := map[string]string{}
		for _, k := range sortKeys {
			headers[k] = "/league?" + q.values(k).Encode()
		}
		data := map[string]any{
			"Lang": lang, "Q": q, "Table": t, "Sort": headers, "PeriodLabel": periodLabel(lang, q.Period),
			"Query":         template.URL(q.values("").Encode()), // Encode escapes every value
			"BlockMinistry": q.Block == egovkpi.BlockMinistry,
		}
		if q.Block == egovkpi.BlockProvince {
			data["Map"] = a.tileMap(lang, q.Period.To, t.Rows, t.Unit)
		}
		var buf bytes.Buffer
		if err := a.tpl.ExecuteTemplate(&buf, "leagueBody", data); err != nil {
			return nil, fmt.Errorf("dashboards: render the league table: %w", err)
		}
		return buf.Bytes(), nil
	}
	var body []byte
	var err error
	if q.Sort == "rank" && !q.Desc {
		key := "page:league:" + string(lang) + ":" + q.values("").Encode()
		body, err = a.cachedJSON(ctx, key, q.Period.Previous().From, q.Period.To, render)
	} else {
		body, err = render(ctx)
	}
	return template.HTML(body), err // rendered by our templates, escaped there
}

// option is one choice of a picker.
type option struct {
	Value, Label string
	Selected     bool
}

// periodLabel names a period for people: "Quý 3/2025", "Q3 2025".
func periodLabel(lang Lang, p metrics.Period) string {
	s := p.String()
	switch p.Kind {
	case metrics.Quarter:
		return lang.T("period.quarter", s[5:], s[:4])
	case metrics.Half:
		return lang.T("period.half", s[5:], s[:4])
	case metrics.Month:
		return lang.T("period.month", s[5:], s[:4])
	case metrics.Year:
		return lang.T("period.year", s)
	}
	return s
}

// switchURL is this page in the other language.
func switchURL(c *fiber.Ctx, lang Lang) string {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Set("lang", string(otherLang(lang)))
	return c.Path() + "?" + q.Encode()
}
