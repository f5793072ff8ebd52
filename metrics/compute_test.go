package metrics

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
	"egovkpi/internal/chtest"
	"egovkpi/internal/testdb"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// readCSV reads a scenario file, skipping # comment lines, as maps by
// header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comment = '#'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// loadScenario writes a scenario's usage and catalogues through the
// collector's store and refreshes the rollups.
func loadScenario(t *testing.T, dir string) *chtest.DB {
	t.Helper()
	db := testdb.Migrated(t)
	ctx := context.Background()
	st := store.New(db.Conn, nil)
	type key struct {
		unit  string
		dates string
	}
	loads := map[key][]record.Usage{}
	for _, r := range readCSV(t, filepath.Join(dir, "usage.csv")) {
		days := scenarioDays(t, r["date"])
		k := key{r["unit_id"], r["date"]}
		if r["procedure"] == "" {
			loads[k] = loads[k][:0:0]
			continue
		}
		u := record.Usage{UnitID: r["unit_id"], Day: days[0], Procedure: r["procedure"]}
		for _, f := range record.Fields() {
			if v := r[f.Name()]; v != "" {
				n, err := strconv.ParseUint(v, 10, 32)
				if err != nil {
					t.Fatalf("usage.csv %s: %v", f.Name(), err)
				}
				u.SetValue(f, uint32(n))
			}
		}
		loads[k] = append(loads[k], u)
	}
	touched := store.Touched{}
	for k, rows := range loads {
		tt, err := st.WriteUsage(ctx, store.UsageLoad{LoadID: st.NewLoadID(), Source: "scenario", UnitID: k.unit, Days: scenarioDays(t, k.dates), Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		touched.Merge(tt)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		t.Fatal(err)
	}
	type catKey struct {
		unit string
		asOf time.Time
	}
	cats := map[catKey][]record.Procedure{}
	for _, r := range readCSV(t, filepath.Join(dir, "catalogue.csv")) {
		d, _ := egovkpi.ParseDate(r["as_of"])
		k := catKey{r["unit_id"], d}
		svc, err := record.ServiceOf(r["level"], d)
		if err != nil {
			t.Fatalf("catalogue.csv: %v", err)
		}
		cats[k] = append(cats[k], record.Procedure{
			Code: r["procedure"], Name: "Thủ tục " + r["procedure"], Level: r["level"], Service: svc,
			EligibleFullProcess: r["eligible_full_process"] == "1", FeeBearing: r["fee_bearing"] == "1", PaperResult: r["paper_result"] == "1",
		})
	}
	for k, ps := range cats {
		if err := st.WriteCatalogue(ctx, store.CatalogueLoad{LoadID: st.NewLoadID(), Source: "scenario", UnitID: k.unit, AsOf: k.asOf, Procedures: ps}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// scenarioDays reads a usage.csv date: one day, or a range "from..to" that
// one load covers (its rows are given on the first day).
func scenarioDays(t *testing.T, s string) []time.Time {
	t.Helper()
	from, to, isRange := strings.Cut(s, "..")
	if !isRange {
		to = from
	}
	f, err1 := egovkpi.ParseDate(from)
	l, err2 := egovkpi.ParseDate(to)
	if err1 != nil || err2 != nil || l.Before(f) {
		t.Fatalf("usage.csv: bad date %q", s)
	}
	var days []time.Time
	for d := f; !d.After(l); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

func fmtNum(p *float64) string {
	if p == nil {
		return "NULL"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func TestKPIsOfScenarioBasic(t *testing.T) {
	dir := filepath.Join("testdata", "basic")
	db := loadScenario(t, dir)
	p, _ := ParsePeriod("2025-08", egovkpi.Date(2026, 1, 1))
	got, err := Compute(context.Background(), db.Conn, p, KPIs(), nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, want := range readCSV(t, filepath.Join(dir, "expected.csv")) {
		seen[want["kpi"]] = true
		v := got[want["unit_id"]][want["kpi"]]
		where := want["kpi"] + " of " + want["unit_id"]
		if n := fmtNum(v.Num); n != want["num"] {
			t.Errorf("%s: numerator %s, want %s", where, n, want["num"])
		}
		if d := fmtNum(v.Den); d != want["den"] {
			t.Errorf("%s: denominator %s, want %s", where, d, want["den"])
		}
		r := v.Ratio()
		switch {
		case want["value"] == "NULL" && r != nil:
			t.Errorf("%s: value %v, want NULL (no data)", where, *r)
		case want["value"] != "NULL":
			w, _ := strconv.ParseFloat(want["value"], 64)
			if r == nil || math.Abs(*r-w) > 5e-7 {
				t.Errorf("%s: value %s, want %s", where, fmtNum(r), want["value"])
			}
		}
	}
	for _, k := range KPIs() {
		if !seen[k.ID] {
			t.Errorf("KPI %s has no expected figure in the scenario", k.ID)
		}
	}
}

func TestKPIByID(t *testing.T) {
	if _, err := KPIByID("online_rate"); err != nil {
		t.Fatal(err)
	}
	if _, err := KPIByID("speed"); err == nil || !strings.Contains(err.Error(), "accepted: complaints_on_time_rate") {
		t.Fatalf("unknown KPI: %v", err)
	}
	for _, k := range KPIs() {
		if k.NameVI == "" || k.NameEN == "" || k.DescVI == "" || k.DescEN == "" || k.Numerator == "" || k.Denominator == "" {
			t.Errorf("KPI %s is incomplete", k.ID)
		}
	}
	for _, id := range HeadlineKPIs {
		if _, err := KPIByID(id); err != nil {
			t.Errorf("headline KPI: %v", err)
		}
	}
}
