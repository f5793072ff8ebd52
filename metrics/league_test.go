package metrics

import (
	"strings"
	"testing"

	"egovkpi"
	"egovkpi/internal/refdata"
)

func f(x float64) *float64 { return &x }

func entry(unit string, num, den float64) Entry {
	return Entry{UnitID: unit, Value: Value{UnitID: unit, Num: f(num), Den: f(den)}, Completeness: 1}
}

func TestRankTiesOnThePublishedFigure(t *testing.T) {
	es := []Entry{
		entry("a", 812.34, 1000), // 81.23 %
		entry("b", 812.29, 1000), // 81.23 % once published: shares a's rank
		entry("c", 900, 1000),    // 90.00 %
		entry("d", 500, 1000),    // 50.00 %: after the tie, rank 4
		entry("e", 20, 20),       // 100 % of 20 dossiers: not enough data
		{UnitID: "f", Value: Value{UnitID: "f"}, Completeness: 1},                            // no data
		{UnitID: "g", Value: Value{UnitID: "g", Num: f(95), Den: f(100)}, Completeness: 0.5}, // half the days: not enough data
	}
	Rank(es, true, DefaultRules)
	var got []string
	for _, e := range es {
		pub := fmtNum(e.Published)
		mark := ""
		if e.NotEnoughData {
			mark = "*"
		}
		got = append(got, e.UnitID+":"+pub+":"+string(rune('0'+e.Rank))+mark)
	}
	want := "c:90:1 a:81.23:2 b:81.23:2 d:50:4 e:100:0* g:95:0* f:NULL:0"
	if strings.Join(got, " ") != want {
		t.Fatalf("ranking\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	// Lower is better: the order turns over, ties stay ties.
	Rank(es, false, DefaultRules)
	if es[0].UnitID != "d" || es[1].Rank != 2 || es[2].Rank != 2 || es[3].UnitID != "c" || es[3].Rank != 4 {
		t.Fatalf("lower is better: %+v", es[:4])
	}
}

// Published rounds half away from zero on the decimal value: 978 of 1600
// is 61.125 %, stored in binary as 61.12499…, and publishes as 61.13.
func TestPublishedRoundsHalfUp(t *testing.T) {
	if p := Published(978.0 / 1600); p != 61.13 {
		t.Fatalf("Published(978/1600) = %v, want 61.13", p)
	}
	if p := Published(2.0 / 3); p != 66.67 {
		t.Fatalf("Published(2/3) = %v, want 66.67", p)
	}
}

func TestMovement(t *testing.T) {
	prev := []Entry{entry("a", 9, 10), entry("b", 8, 10), entry("c", 1, 10)}
	cur := []Entry{entry("a", 1, 10), entry("b", 9, 10), entry("c", 8, 10), entry("d", 5, 10)}
	for i := range prev {
		prev[i].Value.Den = f(100)
		prev[i].Value.Num = f(*prev[i].Value.Num * 10)
	}
	for i := range cur {
		cur[i].Value.Den = f(100)
		cur[i].Value.Num = f(*cur[i].Value.Num * 10)
	}
	Rank(prev, true, DefaultRules) // a 1, b 2, c 3
	Rank(cur, true, DefaultRules)  // b 1, c 2, d 3, a 4
	Move(cur, prev)
	moves := map[string]string{}
	for _, e := range cur {
		if e.Movement == nil {
			moves[e.UnitID] = "new"
		} else {
			moves[e.UnitID] = fmtNum(f(float64(*e.Movement)))
		}
	}
	if moves["b"] != "1" || moves["c"] != "1" || moves["a"] != "-3" || moves["d"] != "new" {
		t.Fatalf("movements %v", moves)
	}
}

func TestLineageAcrossTheMergers(t *testing.T) {
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	today := egovkpi.Date(2026, 11, 22)
	year2025, _ := ParsePeriod("2025", today)
	q3, _ := ParsePeriod("2025Q3", today)
	provinces := Shown(reg, egovkpi.BlockProvince, year2025)
	if len(provinces) != 34 {
		t.Fatalf("2025 shows %d provinces, want the 34", len(provinces))
	}
	if got := strings.Join(provinces["p34-08"], ","); got != "p34-08,p63-08,p63-02" && got != "p34-08,p63-02,p63-08" {
		t.Fatalf("p34-08 in 2025 carries %s", got)
	}
	if got := Shown(reg, egovkpi.BlockProvince, q3)["p34-08"]; len(got) != 1 {
		t.Fatalf("p34-08 in 2025Q3 carries %v, want itself only", got)
	}
	ministries := Shown(reg, egovkpi.BlockMinistry, year2025)
	if len(ministries) != 19 || len(ministries["m-MAE"]) != 3 || len(ministries["m-MOF"]) != 3 {
		t.Fatalf("ministries 2025: %d shown, MAE %v, MOF %v", len(ministries), ministries["m-MAE"], ministries["m-MOF"])
	}
	if n := ExpectedDays(reg, provinces["p34-08"], year2025, today); n != 365 {
		t.Fatalf("p34-08 is expected on %d days of 2025, want 365 (Jan–Jun as its predecessors)", n)
	}
	if n := ExpectedDays(reg, []string{"p34-08"}, q3, egovkpi.Date(2025, 8, 11)); n != 41 {
		t.Fatalf("2025Q3 on 2025-08-11 expects %d days, want 41 (1 July to 10 August)", n)
	}

	// Carrying sums numerators and denominators, never ratios; a state KPI
	// keeps the unit's own.
	vs := Values{}
	vs.put(Value{UnitID: "p63-08", KPI: "online_rate", Num: f(10), Den: f(100)})  // 10 %
	vs.put(Value{UnitID: "p63-02", KPI: "online_rate", Num: f(90), Den: f(100)})  // 90 %
	vs.put(Value{UnitID: "p34-08", KPI: "online_rate", Num: f(300), Den: f(400)}) // 75 %
	vs.put(Value{UnitID: "p63-08", KPI: "full_process_coverage", Num: f(1), Den: f(2)})
	vs.put(Value{UnitID: "p34-08", KPI: "full_process_coverage", Num: f(5), Den: f(10)})
	kpis := []KPI{mustKPI(t, "online_rate"), mustKPI(t, "full_process_coverage")}
	carried := Carry(vs, map[string][]string{"p34-08": provinces["p34-08"]}, kpis)
	on := carried["p34-08"]["online_rate"]
	if *on.Num != 400 || *on.Den != 600 { // 400/600 = 66.67 %, not the mean of 10, 90 and 75
		t.Fatalf("online_rate carried: %s/%s", fmtNum(on.Num), fmtNum(on.Den))
	}
	fc := carried["p34-08"]["full_process_coverage"]
	if *fc.Num != 5 || *fc.Den != 10 {
		t.Fatalf("full_process_coverage (state) carried: %s/%s", fmtNum(fc.Num), fmtNum(fc.Den))
	}
}

func mustKPI(t *testing.T, id string) KPI {
	k, err := KPIByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
