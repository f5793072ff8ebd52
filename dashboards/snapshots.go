package dashboards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
	"egovkpi/internal/auth"
	"egovkpi/metrics"
	"egovkpi/reports/snapshot"
)

// snapshotRow is one snapshot in the list.
type snapshotRow struct {
	snapshot.Snapshot
	URL, PeriodLabel, At string
}

func (a *App) snapshotRow(lang Lang, s snapshot.Snapshot) snapshotRow {
	r := snapshotRow{Snapshot: s, URL: "/snapshots/" + s.ID, PeriodLabel: s.Period, At: a.when(lang, s.FrozenAt)}
	if p, err := metrics.ParsePeriod(s.Period, a.today()); err == nil {
		r.PeriodLabel = periodLabel(lang, p)
	}
	return r
}

// snapshotsPage lists the official snapshots, newest first, the official
// one of each period marked; analysts freeze a period from here.
func (a *App) snapshotsPage(c *fiber.Ctx) error {
	return a.renderSnapshots(c, a.defaultPeriod().String(), "", "")
}

func (a *App) renderSnapshots(c *fiber.Ctx, period, note, problem string) error {
	lang := a.lang(c)
	list, err := snapshot.List(c.UserContext(), a.deps.Conn)
	if err != nil {
		return err
	}
	rows := make([]snapshotRow, len(list))
	for i, s := range list {
		rows[i] = a.snapshotRow(lang, s)
	}
	var periods []option
	cur, err := metrics.ParsePeriod(period, a.today())
	if err != nil {
		cur = a.defaultPeriod()
	}
	for _, p := range a.periodChoices(cur) {
		periods = append(periods, option{p.String(), periodLabel(lang, p), p.String() == cur.String()})
	}
	s, _, _ := a.session(c)
	return a.render(c, "snapshots.html", map[string]any{"Lang": lang, "Title": lang.T("snapshots.title"),
		"Snapshots": rows, "Periods": periods, "Note": note, "Error": problem, "MayFreeze": s.User.Role == auth.Analyst, "MaxNote": snapshot.MaxNote})
}

// freezeSnapshot freezes a period's figures as the official ones (an
// analyst, with an optional note) and shows the new snapshot.
func (a *App) freezeSnapshot(c *fiber.Ctx) error {
	lang := a.lang(c)
	period, note := strings.TrimSpace(c.FormValue("period")), strings.TrimSpace(c.FormValue("note"))
	refuse := func(why string) error {
		c.Status(fiber.StatusUnprocessableEntity)
		return a.renderSnapshots(c, period, note, why)
	}
	if period == "" {
		return refuse(lang.T("snapshots.no_period"))
	}
	p, err := metrics.ParsePeriod(period, a.today())
	if err != nil {
		return refuse(lang.T("snapshots.bad_period", period, err.Error()))
	}
	if n := utf8.RuneCountInString(note); n > snapshot.MaxNote {
		return refuse(lang.T("snapshots.note_long", n, snapshot.MaxNote))
	}
	if !p.To.Before(a.today()) {
		return refuse(lang.T("snapshots.not_ended", periodLabel(lang, p), lang.FormatDate(p.To.AddDate(0, 0, 1))))
	}
	s, _, _ := a.session(c)
	frozen, err := snapshot.Freeze(c.UserContext(), a.deps.Conn, a.reg, *a.deps.Figures, a.deps.Auth,
		snapshot.Request{Period: p, By: s.User.Login, Note: note, Today: a.today()})
	if errors.Is(err, snapshot.ErrInvalid) {
		return refuse(lang.T("snapshots.failed", err.Error()))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/snapshots/"+frozen.ID, fiber.StatusSeeOther)
}

// frozenRow is one unit's line of a frozen table.
type frozenRow struct {
	snapshot.Row
	Name, Value, Num, Den, Completeness string
	BandName                            string
}

// movedRow is a unit whose figure or rank moved since a snapshot.
type movedRow struct {
	Table, Block, UnitID, Name string
	Before, After              string
	RankBefore, RankAfter      string
	Delta                      string
}

// snapshotChanges are what moved since a snapshot, and whether the live
// tables were computed otherwise (another 766 version, other rules).
type snapshotChanges struct {
	Rows                      []movedRow
	Methodology               string
	MethodologyChanged, Rules bool
}

// snapshotPage shows a snapshot: who froze it, when, with which 766
// version and ranking rules, one of its tables (picked by block and
// table), and every unit whose figure or rank moved since.
func (a *App) snapshotPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	id := strings.Clone(c.Params("id"))
	if len(id) > 64 {
		return paramError("id", fmt.Errorf("%.20q…: not a snapshot id", id))
	}
	ctx := c.UserContext()
	f, err := snapshot.Load(ctx, a.deps.Conn, id)
	if errors.Is(err, snapshot.ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, lang.T("snapshots.unknown", id))
	}
	if err != nil {
		return err
	}
	block, table := egovkpi.Block(c.Query("block", string(egovkpi.BlockProvince))), c.Query("table", snapshot.IndexTable)
	if _, ok := f.Table(block, table); !ok && len(f.Tables) > 0 {
		block, table = f.Tables[0].Block, f.Tables[0].ID
		for _, t := range f.Tables { // the first table of the asked block, else of the first block
			if string(t.Block) == c.Query("block") {
				block, table = t.Block, t.ID
				break
			}
		}
	}
	var tables []option
	for _, t := range f.Tables {
		tables = append(tables, option{"block=" + string(t.Block) + "&table=" + t.ID,
			lang.T("block."+string(t.Block)) + " · " + a.tableName(lang, t.ID), t.Block == block && t.ID == table})
	}
	t, _ := f.Table(block, table)
	rows := make([]frozenRow, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = frozenRow{Row: r, Name: a.unitName(lang, r.UnitID), Value: a.frozenValue(lang, t.ID, r.Published),
			Num: lang.Count(r.Numerator), Den: lang.Count(r.Denominator), Completeness: lang.Share(r.Completeness),
			BandName: a.bandName(lang, f.Methodology, r.Band)}
	}
	ps := parts{a: a}
	var changes Part[snapshotChanges]
	load(&ps, ctx, "snapshot changes", &changes, func(ctx context.Context) (snapshotChanges, error) {
		// The live side is computed as the figures are: cached until a load
		// changes the period's days.
		cmp, err := decoded[snapshot.Comparison](a.cachedJSON(ctx, "page:snapshot-changes:"+f.ID, f.From, f.To, func(ctx context.Context) ([]byte, error) {
			cmp, err := snapshot.Compare(ctx, a.deps.Conn, a.reg, *a.deps.Figures, f, a.today())
			if err != nil {
				return nil, err
			}
			return json.Marshal(cmp)
		}))
		if err != nil {
			return snapshotChanges{}, err
		}
		out := snapshotChanges{Methodology: cmp.Methodology, MethodologyChanged: cmp.MethodologyChanged(), Rules: cmp.RulesChanged()}
		for _, ch := range cmp.Changes {
			m := movedRow{Table: a.tableName(lang, ch.Table), Block: lang.T("block." + string(ch.Block)), UnitID: ch.UnitID, Name: a.unitName(lang, ch.UnitID)}
			m.Before, m.RankBefore = a.frozenSide(lang, ch.Table, ch.Before)
			m.After, m.RankAfter = a.frozenSide(lang, ch.Table, ch.After)
			if d := ch.Delta(); d != nil {
				m.Delta = lang.Number(*d, 2)
			}
			out.Rows = append(out.Rows, m)
		}
		return out, nil
	})
	ps.wait()
	sr := a.snapshotRow(lang, f.Snapshot)
	return a.render(c, "snapshot.html", map[string]any{"Lang": lang, "Title": lang.T("snapshots.one", sr.PeriodLabel),
		"S": sr, "Tables": tables, "TableName": lang.T("block."+string(block)) + " · " + a.tableName(lang, table), "Index": table == snapshot.IndexTable,
		"Rows": rows, "Changes": changes,
		"MinDenominator": lang.Number(f.Rules.MinDenominator, 0), "MinCompleteness": lang.Share(f.Rules.MinCompleteness)})
}

// tableName names a frozen table: a KPI or the 766 index.
func (a *App) tableName(lang Lang, id string) string {
	if id == snapshot.IndexTable {
		return lang.T("index766.title")
	}
	if k, err := metrics.KPIByID(id); err == nil {
		return k.Name(string(lang))
	}
	return id
}

// unitName names a unit by id (the id itself if unknown).
func (a *App) unitName(lang Lang, id string) string {
	if u, ok := a.reg.ByID(id); ok {
		return u.Name(string(lang))
	}
	return id
}

// frozenValue writes a table's published figure: a percentage, or 766
// points.
func (a *App) frozenValue(lang Lang, table string, v *float64) string {
	if table == snapshot.IndexTable {
		return lang.Points(v)
	}
	return lang.Percent(v)
}

// frozenSide writes one side of a change: the figure and the rank ("–"
// for none, and for a unit not in the table).
func (a *App) frozenSide(lang Lang, table string, r *snapshot.Row) (value, rank string) {
	if r == nil {
		return lang.T("snapshots.absent"), "–"
	}
	rank = "–"
	if r.Rank > 0 {
		rank = fmt.Sprint(r.Rank)
	}
	return a.frozenValue(lang, table, r.Published), rank
}

// bandName names a band of a 766 version (its id when the version or the
// band is unknown to this server's methodology).
func (a *App) bandName(lang Lang, methodology, band string) string {
	if band == "" || a.deps.Figures.Methodology == nil {
		return band
	}
	v, err := a.deps.Figures.Methodology.Version(methodology)
	if err != nil {
		return band
	}
	for _, b := range v.Bands {
		if b.ID == band {
			return pick(lang, b.Name.VI, b.Name.EN)
		}
	}
	return band
}
