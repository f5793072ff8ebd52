package m766

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"egovkpi"
)

func f(x float64) *float64 { return &x }

func load(t *testing.T) *Set {
	t.Helper()
	s, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func version(t *testing.T, id string) *Version {
	t.Helper()
	v, err := load(t).Version(id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func indicator(t *testing.T, r Result, id string) IndicatorResult {
	t.Helper()
	for _, g := range r.Groups {
		for _, ir := range g.Indicators {
			if ir.ID == id {
				return ir
			}
		}
	}
	t.Fatalf("indicator %q not in result", id)
	return IndicatorResult{}
}

func group(t *testing.T, r Result, id string) GroupResult {
	t.Helper()
	for _, g := range r.Groups {
		if g.ID == id {
			return g
		}
	}
	t.Fatalf("group %q not in result", id)
	return GroupResult{}
}

func wantScore(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func hasAssumption(r Result, sub string) bool {
	for _, a := range r.Assumptions {
		if strings.Contains(a, sub) {
			return true
		}
	}
	return false
}

// The embedded file loads; both versions sum to 100 (groups, and indicators
// per group); the points are exactly kpi-spec.md's.
func TestEmbeddedLoads(t *testing.T) {
	s := load(t)
	vs := s.Versions()
	if len(vs) != 2 || vs[0].ID != "2022" || vs[1].ID != "2025" {
		t.Fatalf("versions = %v, want 2022 then 2025", vs)
	}
	if got := vs[0].ValidFrom.Format(egovkpi.DateLayout); got != "2022-06-23" {
		t.Errorf("2022 valid_from = %s, want 2022-06-23 (the decision date)", got)
	}
	if got := vs[1].ValidFrom.Format(egovkpi.DateLayout); got != "2025-01-01" {
		t.Errorf("2025 valid_from = %s, want 2025-01-01", got)
	}
	if len(vs[1].AssumedFields) != 1 || vs[1].AssumedFields[0] != "valid_from" {
		t.Errorf("2025 assumed_fields = %v, want [valid_from]", vs[1].AssumedFields)
	}
	for _, v := range vs {
		total := 0.0
		for _, g := range v.Groups {
			total += g.Points
			sum := 0.0
			for _, ind := range v.Indicators {
				if ind.Group == g.ID {
					sum += ind.Points
				}
			}
			wantScore(t, "version "+v.ID+" group "+g.ID+" indicator sum", sum, g.Points)
		}
		wantScore(t, "version "+v.ID+" group sum", total, 100)
		for _, ind := range v.Indicators {
			if !ind.Confirmed && ind.Note == "" {
				t.Errorf("version %s indicator %s: unconfirmed without a note", v.ID, ind.ID)
			}
		}
		var bands []string
		for _, b := range v.Bands {
			bands = append(bands, b.ID+"/"+b.Name.VI+"/"+b.Name.EN)
			if b.ID == "good" && (b.Confirmed || b.Min != 70) {
				t.Errorf("version %s: band good = %+v, want min 70 unconfirmed", v.ID, b)
			}
		}
		if got := strings.Join(bands, ","); got != "excellent/Tốt/Excellent,good/Khá/Good,average/Trung bình/Average,weak/Yếu/Weak" {
			t.Errorf("version %s bands = %s", v.ID, got)
		}
	}
	groups := func(v *Version) map[string]float64 {
		m := map[string]float64{}
		for _, g := range v.Groups {
			m[g.ID] = g.Points
		}
		return m
	}
	g22 := groups(vs[0])
	for id, p := range map[string]float64{"publicity": 18, "progress": 20, "online": 22, "digitization": 22, "satisfaction": 18} {
		wantScore(t, "2022 group "+id, g22[id], p)
	}
	if len(g22) != 5 {
		t.Errorf("2022 has %d groups, want 5", len(g22))
	}
	for _, ind := range vs[0].Indicators {
		if ind.Confirmed {
			t.Errorf("2022 indicator %s is confirmed; kpi-spec.md confirms only the group points", ind.ID)
		}
	}
	g25 := groups(vs[1])
	for id, p := range map[string]float64{"publicity": 18, "progress": 20, "online": 12, "digitization": 22, "satisfaction": 18, "payment": 10} {
		wantScore(t, "2025 group "+id, g25[id], p)
	}
	if len(g25) != 6 {
		t.Errorf("2025 has %d groups, want 6", len(g25))
	}
	want25 := map[string]float64{
		"published_on_time": 6, "updated_on_time": 4, "content_complete": 2, "npsp_sync": 6,
		"on_time":             20,
		"full_process_online": 12,
		"e_result":            6, "digitized": 4, "e_certified_copies": 2, "data_reuse": 2, "npsp_storage": 4,
		"population_data_dossiers": 2, "population_data_procedures": 2,
		"dossier_satisfaction": 6, "complaints_on_time": 6, "complaint_satisfaction": 6,
		"online_payment": 10,
	}
	if len(vs[1].Indicators) != len(want25) {
		t.Errorf("2025 has %d indicators, want %d", len(vs[1].Indicators), len(want25))
	}
	for _, ind := range vs[1].Indicators {
		wantScore(t, "2025 indicator "+ind.ID, ind.Points, want25[ind.ID])
		if ind.ID == "full_process_online" && ind.Confirmed {
			t.Error("2025 full_process_online: the proportional rule is an assumption, want confirmed false")
		}
	}
}

// Proportional: on-time 0.9734 × 20 = 19.468 → 19.47.
func TestProportionalOnTime(t *testing.T) {
	r := version(t, "2025").Score(Inputs{Ratios: map[string]*float64{"on_time_rate": f(0.9734)}, Dossiers: f(1000), Complaints: f(1)})
	wantScore(t, "on_time", indicator(t, r, "on_time").Score, 19.47)
	wantScore(t, "progress group", group(t, r, "progress").Score, 19.47)
	if ir := indicator(t, r, "on_time"); ir.Missing || ir.Ratio == nil || *ir.Ratio != 0.9734 || ir.Rule != RuleProportional {
		t.Errorf("on_time = %+v", ir)
	}
}

// Capped, data reuse (2 points, threshold 0.8): 0.6 → 2 × 0.6/0.8 = 1.5;
// 0.8 → 2; 0.85 → 2.
func TestCappedDataReuse(t *testing.T) {
	v := version(t, "2025")
	for _, c := range []struct{ ratio, want float64 }{{0.6, 1.5}, {0.8, 2}, {0.85, 2}} {
		r := v.Score(Inputs{Ratios: map[string]*float64{"data_reuse_rate": f(c.ratio)}, Dossiers: f(10), Complaints: f(1)})
		wantScore(t, "data_reuse at "+ftoa(c.ratio), indicator(t, r, "data_reuse").Score, c.want)
	}
}

// Capped, satisfaction with dossier handling (6 points, threshold 0.9):
// 0.81 → 6 × 0.81/0.9 = 5.4; 0.95 → 6.
func TestCappedDossierSatisfaction(t *testing.T) {
	v := version(t, "2025")
	for _, c := range []struct{ ratio, want float64 }{{0.81, 5.4}, {0.9, 6}, {0.95, 6}} {
		r := v.Score(Inputs{Ratios: map[string]*float64{"satisfaction": f(c.ratio)}, Dossiers: f(10), Complaints: f(1)})
		wantScore(t, "dossier_satisfaction at "+ftoa(c.ratio), indicator(t, r, "dossier_satisfaction").Score, c.want)
	}
}

func ftoa(x float64) string { b, _ := json.Marshal(x); return string(b) }

func payment(a, b, c *float64) Inputs {
	return Inputs{Ratios: map[string]*float64{
		"online_payment_rate":               a,
		"fee_procedures_paid_online_rate":   b,
		"fee_procedures_with_dossiers_rate": c,
	}, Dossiers: f(10), Complaints: f(1)}
}

// Payment: 6·A + min(2, 2.5·B) + 2.5·C.
func TestPayment(t *testing.T) {
	v := version(t, "2025")
	cases := []struct {
		name    string
		a, b, c float64
		want    float64
	}{
		// 6·0.5 = 3; 2.5·0.6 = 1.5 < 2; 2.5·0.9 = 2.25; 3 + 1.5 + 2.25 = 6.75.
		{"worked", 0.5, 0.6, 0.9, 6.75},
		// 2.5·0.9 = 2.25 → min(2, 2.25) = 2; 3 + 2 + 2.25 = 7.25.
		{"B term capped at 2", 0.5, 0.9, 0.9, 7.25},
		// 6 + min(2, 2.5) + 2.5 = 10.5 → capped at the indicator's 10.
		{"formula above 10", 1, 1, 1, 10},
		// 6·0.9 = 5.4; min(2, 2.5) = 2; 2.5·0.8 = 2; 9.4 (below the cap).
		{"below the cap", 0.9, 1, 0.8, 9.4},
	}
	for _, c := range cases {
		r := v.Score(payment(f(c.a), f(c.b), f(c.c)))
		ir := indicator(t, r, "online_payment")
		wantScore(t, c.name, ir.Score, c.want)
		wantScore(t, c.name+" (group)", group(t, r, "payment").Score, c.want)
		if len(ir.Inputs) != 3 || ir.Inputs[1].Name != "fee_procedures_paid_online_rate" || *ir.Inputs[2].Ratio != c.c {
			t.Errorf("%s: inputs = %+v", c.name, ir.Inputs)
		}
	}
	r := v.Score(payment(f(1), f(1), f(1)))
	if !hasAssumption(r, "capping the score at 10 is our assumption") {
		t.Errorf("payment cap not among the assumptions: %q", r.Assumptions)
	}
	for _, ind := range v.Indicators {
		want := "[" + ind.Input + "]"
		if ind.ID == "online_payment" {
			want = "[online_payment_rate fee_procedures_paid_online_rate fee_procedures_with_dossiers_rate]"
		}
		if got := fmt.Sprint(ind.Inputs()); got != want {
			t.Errorf("%s: Inputs() = %s, want %s", ind.ID, got, want)
		}
	}
	// Any of A, B, C missing: missing, 0.
	r = v.Score(payment(f(0.5), nil, f(0.9)))
	if ir := indicator(t, r, "online_payment"); !ir.Missing || ir.Score != 0 {
		t.Errorf("payment with B missing = %+v, want missing, 0", ir)
	}
}

// No complaints: both complaint indicators score their full 6, even with
// low or missing ratios; with complaints they are 6 × 0.5 = 3.
func TestNoComplaints(t *testing.T) {
	v := version(t, "2025")
	ratios := map[string]*float64{"complaints_on_time_rate": f(0.5)}
	r := v.Score(Inputs{Ratios: ratios, Dossiers: f(10), Complaints: f(0)})
	for _, id := range []string{"complaints_on_time", "complaint_satisfaction"} {
		ir := indicator(t, r, id)
		if ir.Score != 6 || ir.Missing || ir.Applied != ModNoComplaintsFull {
			t.Errorf("no complaints: %s = %+v, want 6 by %s", id, ir, ModNoComplaintsFull)
		}
	}
	ratios["complaint_satisfaction_rate"] = f(0.5)
	r = v.Score(Inputs{Ratios: ratios, Dossiers: f(10), Complaints: f(4)})
	for _, id := range []string{"complaints_on_time", "complaint_satisfaction"} {
		wantScore(t, "4 complaints: "+id, indicator(t, r, id).Score, 3)
	}
}

// No dossiers: on-time and satisfaction with dossier handling score 0 even
// with ratios given; with dossiers 20 × 0.99 = 19.8 and 6 (0.95 ≥ 0.9).
func TestNoDossiers(t *testing.T) {
	v := version(t, "2025")
	ratios := map[string]*float64{"on_time_rate": f(0.99), "satisfaction": f(0.95)}
	r := v.Score(Inputs{Ratios: ratios, Dossiers: f(0), Complaints: f(1)})
	for _, id := range []string{"on_time", "dossier_satisfaction"} {
		ir := indicator(t, r, id)
		if ir.Score != 0 || ir.Missing || ir.Applied != ModNoDossiersZero {
			t.Errorf("no dossiers: %s = %+v, want 0 by %s", id, ir, ModNoDossiersZero)
		}
	}
	r = v.Score(Inputs{Ratios: ratios, Dossiers: f(5), Complaints: f(1)})
	wantScore(t, "on_time with dossiers", indicator(t, r, "on_time").Score, 19.8)
	wantScore(t, "dossier_satisfaction with dossiers", indicator(t, r, "dossier_satisfaction").Score, 6)
}

// Unknown counts (nil): neither modifier applies; on-time is scored on its
// ratio (20 × 0.5 = 10) and the complaint indicators without a ratio are
// missing, not given full points.
func TestUnknownCounts(t *testing.T) {
	r := version(t, "2025").Score(Inputs{Ratios: map[string]*float64{"on_time_rate": f(0.5)}})
	ir := indicator(t, r, "on_time")
	if ir.Score != 10 || ir.Applied != "" {
		t.Errorf("on_time with unknown dossiers: %+v, want 10 by its ratio", ir)
	}
	for _, id := range []string{"complaints_on_time", "complaint_satisfaction"} {
		if ir := indicator(t, r, id); ir.Score != 0 || !ir.Missing || ir.Applied != "" {
			t.Errorf("unknown complaints: %s = %+v, want missing", id, ir)
		}
	}
}

// Rounding per indicator, then summing: e-result 6 × 0.500667 = 3.004002
// → 3.00; digitized 4 × 0.501 = 2.004 → 2.00; e-certified 2 × 0.502 =
// 1.004 → 1.00. Group and total = 6.00; rounding the unrounded sum
// 6.008002 instead would give 6.01.
func TestRoundPerIndicatorThenSum(t *testing.T) {
	r := version(t, "2025").Score(Inputs{Ratios: map[string]*float64{
		"e_result_rate": f(0.500667), "digitization_rate": f(0.501), "e_certified_copy_rate": f(0.502),
	}, Dossiers: f(10), Complaints: f(1)})
	wantScore(t, "e_result", indicator(t, r, "e_result").Score, 3)
	wantScore(t, "digitized", indicator(t, r, "digitized").Score, 2)
	wantScore(t, "e_certified_copies", indicator(t, r, "e_certified_copies").Score, 1)
	wantScore(t, "digitization group", group(t, r, "digitization").Score, 6)
	// Every other indicator is missing (0; Complaints: 1 and Dossiers: 10,
	// so no modifier gives points): the total is the group's.
	wantScore(t, "total", r.Total, 6)
	if other := Round2(6*0.500667 + 4*0.501 + 2*0.502); other != 6.01 {
		t.Fatalf("the case does not discriminate: rounding the sum gives %v, want 6.01", other)
	}
}

// Round2 is half away from zero on the decimal value.
func TestRound2(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{19.468, 19.47}, {2.675, 2.68}, {1.005, 1.01}, {-1.005, -1.01}, {0.125, 0.13},
		{2.674999, 2.67}, {5.4, 5.4}, {0, 0},
	} {
		if got := Round2(c.in); got != c.want {
			t.Errorf("Round2(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// Bands: 90 Tốt, 89.99 Khá, 70 Khá, 69.99 Trung bình, 50 Trung bình,
// 49.99 Yếu.
func TestBands(t *testing.T) {
	v := version(t, "2025")
	for _, c := range []struct {
		total  float64
		id, vi string
	}{
		{100, "excellent", "Tốt"}, {90, "excellent", "Tốt"}, {89.99, "good", "Khá"}, {70, "good", "Khá"},
		{69.99, "average", "Trung bình"}, {50, "average", "Trung bình"}, {49.99, "weak", "Yếu"}, {0, "weak", "Yếu"},
	} {
		if b := v.BandOf(c.total); b.ID != c.id || b.Name.VI != c.vi {
			t.Errorf("BandOf(%v) = %s/%s, want %s/%s", c.total, b.ID, b.Name.VI, c.id, c.vi)
		}
	}
	// Through Score: on-time alone, 20 × 1 = 20 → Yếu; the 70 cut-off does
	// not decide it, so it is not among the assumptions.
	r := v.Score(Inputs{Ratios: map[string]*float64{"on_time_rate": f(1)}, Dossiers: f(1), Complaints: f(1)})
	if r.Band.ID != "weak" || r.Band.Name.EN != "Weak" || hasAssumption(r, "70 cut-off") {
		t.Errorf("total %v: band %+v, assumptions %q", r.Total, r.Band, r.Assumptions)
	}
}

// ForDay: 2022 from 2022-06-23 to 2024-12-31, 2025 from 2025-01-01; before
// the decision, an error. The calendar day is read in the time's location.
func TestForDay(t *testing.T) {
	s := load(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		d    time.Time
		want string
	}{
		{day(2022, 6, 23), "2022"}, {day(2023, 7, 1), "2022"}, {day(2024, 12, 31), "2022"},
		{day(2025, 1, 1), "2025"}, {day(2026, 3, 31), "2025"},
		// 00:30 on 1 January 2025 in Vietnam is 31 December in UTC: the
		// day is 1 January.
		{time.Date(2025, 1, 1, 0, 30, 0, 0, time.FixedZone("ICT", 7*3600)), "2025"},
		{time.Date(2024, 12, 31, 23, 59, 0, 0, time.FixedZone("ICT", 7*3600)), "2022"},
	} {
		v, err := s.ForDay(c.d)
		if err != nil || v.ID != c.want {
			t.Errorf("ForDay(%v) = %v, %v; want %s", c.d, v, err, c.want)
		}
	}
	if _, err := s.ForDay(day(2022, 6, 22)); err == nil || !strings.Contains(err.Error(), "2022-06-22") {
		t.Errorf("ForDay(2022-06-22) error = %v, want one naming the day", err)
	}
}

// A full 2025 score over every input, by hand:
//
//	publicity:    6×0.95 = 5.70; 4×0.875 = 3.50; 2×0.9 = 1.80;
//	              6×0.9823 = 5.8938 → 5.89                        = 16.89
//	progress:     20×0.9734 = 19.468 → 19.47                      = 19.47
//	online:       12×0.4567 = 5.4804 → 5.48                       =  5.48
//	digitization: 6×0.7 = 4.20; 4×0.6543 = 2.6172 → 2.62;
//	              2×0.3 = 0.60; 2×0.6/0.8 = 1.50; 4×0.5 = 2.00;
//	              2×0.8 = 1.60; 2×1 = 2.00                        = 14.52
//	satisfaction: 6×0.81/0.9 = 5.40; 6×0.75 = 4.50; 6×0.8 = 4.80  = 14.70
//	payment:      6×0.5 + min(2, 2.5×0.6) + 2.5×0.9 = 6.75        =  6.75
//	total = 16.89 + 19.47 + 5.48 + 14.52 + 14.70 + 6.75           = 77.81 → Khá
func TestFullScore2025(t *testing.T) {
	v := version(t, "2025")
	in := Inputs{Ratios: map[string]*float64{
		"procedures_published_on_time_rate": f(0.95),
		"procedures_updated_on_time_rate":   f(0.875),
		"procedure_content_complete_rate":   f(0.9),
		"npsp_sync_rate":                    f(0.9823),
		"on_time_rate":                      f(0.9734),
		"full_process_online_rate":          f(0.4567),
		"e_result_rate":                     f(0.7),
		"digitization_rate":                 f(0.6543),
		"e_certified_copy_rate":             f(0.3),
		"data_reuse_rate":                   f(0.6),
		"npsp_storage_link_rate":            f(0.5),
		"population_data_dossier_rate":      f(0.8),
		"population_data_procedure_rate":    f(1),
		"satisfaction":                      f(0.81),
		"complaints_on_time_rate":           f(0.75),
		"complaint_satisfaction_rate":       f(0.8),
		"online_payment_rate":               f(0.5),
		"fee_procedures_paid_online_rate":   f(0.6),
		"fee_procedures_with_dossiers_rate": f(0.9),
	}, Dossiers: f(120000), Complaints: f(40)}
	if len(in.Ratios) != len(v.Inputs()) {
		t.Fatalf("the test gives %d ratios, the version needs %d: %v", len(in.Ratios), len(v.Inputs()), v.Inputs())
	}
	r := v.Score(in)
	if r.Version != "2025" {
		t.Errorf("version = %q", r.Version)
	}
	for id, want := range map[string]float64{
		"publicity": 16.89, "progress": 19.47, "online": 5.48, "digitization": 14.52, "satisfaction": 14.70, "payment": 6.75,
	} {
		wantScore(t, "group "+id, group(t, r, id).Score, want)
	}
	wantScore(t, "npsp_sync", indicator(t, r, "npsp_sync").Score, 5.89)
	wantScore(t, "digitized", indicator(t, r, "digitized").Score, 2.62)
	wantScore(t, "total", r.Total, 77.81)
	if r.Band.ID != "good" || r.Band.Name.VI != "Khá" || r.Band.Name.EN != "Good" || r.Band.Min != 70 {
		t.Errorf("band = %+v, want good/Khá", r.Band)
	}
	for _, g := range r.Groups {
		for _, ir := range g.Indicators {
			if ir.Missing || ir.Applied != "" {
				t.Errorf("indicator %s: missing %v, applied %q", ir.ID, ir.Missing, ir.Applied)
			}
		}
	}
	for _, want := range []string{
		"version 2025: valid_from assumed", "70 cut-off", "capping the score at 10",
		"indicator full_process_online:", "indicator published_on_time:", "indicator complaint_satisfaction:",
	} {
		if !hasAssumption(r, want) {
			t.Errorf("assumptions lack %q: %q", want, r.Assumptions)
		}
	}
	for _, no := range []string{"indicator on_time:", "indicator data_reuse:", "missing inputs", "out-of-range"} {
		if hasAssumption(r, no) {
			t.Errorf("assumptions should not have %q: %q", no, r.Assumptions)
		}
	}
}

// A full 2022 score, by hand:
//
//	publicity:    5.70 + 3.50 + 1.80 + 5.89 (as in 2025)          = 16.89
//	progress:     20×0.9734 = 19.468 → 19.47                      = 19.47
//	online:       6×0.72/0.8 = 5.40; 0.6 ≥ 0.5 → 8; 8×0.25 = 2.00 = 15.40
//	digitization: 8×0.6543 = 5.2344 → 5.23; 8×0.7 = 5.60;
//	              6×0.6/0.8 = 4.50                                = 15.33
//	satisfaction: 5.40 + 4.50 + 4.80 (as in 2025)                 = 14.70
//	total = 16.89 + 19.47 + 15.40 + 15.33 + 14.70                 = 81.79 → Khá
func TestFullScore2022(t *testing.T) {
	v := version(t, "2022")
	in := Inputs{Ratios: map[string]*float64{
		"procedures_published_on_time_rate": f(0.95),
		"procedures_updated_on_time_rate":   f(0.875),
		"procedure_content_complete_rate":   f(0.9),
		"npsp_sync_rate":                    f(0.9823),
		"on_time_rate":                      f(0.9734),
		"online_service_coverage":           f(0.72),
		"online_rate":                       f(0.6),
		"online_payment_rate":               f(0.25),
		"digitization_rate":                 f(0.6543),
		"e_result_rate":                     f(0.7),
		"data_reuse_rate":                   f(0.6),
		"satisfaction":                      f(0.81),
		"complaints_on_time_rate":           f(0.75),
		"complaint_satisfaction_rate":       f(0.8),
	}, Dossiers: f(100), Complaints: f(2)}
	if len(in.Ratios) != len(v.Inputs()) {
		t.Fatalf("the test gives %d ratios, the version needs %d: %v", len(in.Ratios), len(v.Inputs()), v.Inputs())
	}
	r := v.Score(in)
	for id, want := range map[string]float64{
		"publicity": 16.89, "progress": 19.47, "online": 15.40, "digitization": 15.33, "satisfaction": 14.70,
	} {
		wantScore(t, "group "+id, group(t, r, id).Score, want)
	}
	wantScore(t, "total", r.Total, 81.79)
	if r.Band.ID != "good" {
		t.Errorf("band = %+v, want good", r.Band)
	}
	// Every 2022 indicator is unconfirmed: 14 indicator assumptions + the
	// 70 cut-off.
	n := 0
	for _, a := range r.Assumptions {
		if strings.HasPrefix(a, "indicator ") {
			n++
		}
	}
	if n != 14 || !hasAssumption(r, "70 cut-off") {
		t.Errorf("assumptions = %q, want 14 indicators and the 70 cut-off", r.Assumptions)
	}
}

// Missing inputs score 0 and are reported as missing, with the assumption.
func TestMissing(t *testing.T) {
	v := version(t, "2025")
	r := v.Score(Inputs{Ratios: map[string]*float64{"on_time_rate": nil}, Dossiers: f(10), Complaints: f(3)})
	if r.Total != 0 || r.Band.ID != "weak" {
		t.Errorf("total %v band %s, want 0 weak", r.Total, r.Band.ID)
	}
	for _, g := range r.Groups {
		for _, ir := range g.Indicators {
			if !ir.Missing || ir.Score != 0 || ir.Ratio != nil {
				t.Errorf("indicator %s = %+v, want missing", ir.ID, ir)
			}
		}
	}
	if !hasAssumption(r, "missing inputs (published_on_time,") || !hasAssumption(r, "scores 0 and is reported as missing") {
		t.Errorf("assumptions = %q", r.Assumptions)
	}
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"ratio":null`) || !strings.Contains(string(b), `"missing":true`) {
		t.Errorf("JSON = %s, %v", b, err)
	}
}

// A ratio outside [0, 1] is clamped: 1.2 → 20, -0.1 → 0; both reported.
func TestOutOfRange(t *testing.T) {
	v := version(t, "2025")
	r := v.Score(Inputs{Ratios: map[string]*float64{"on_time_rate": f(1.2), "e_result_rate": f(-0.1)}, Dossiers: f(10), Complaints: f(1)})
	wantScore(t, "on_time at 1.2", indicator(t, r, "on_time").Score, 20)
	wantScore(t, "e_result at -0.1", indicator(t, r, "e_result").Score, 0)
	if *indicator(t, r, "on_time").Ratio != 1.2 {
		t.Error("the reported ratio should be the one given")
	}
	if !hasAssumption(r, "on_time:on_time_rate=1.2") || !hasAssumption(r, "e_result:e_result_rate=-0.1") {
		t.Errorf("assumptions = %q", r.Assumptions)
	}
}

// Inputs lists every ratio once, payment B and C after A.
func TestInputs(t *testing.T) {
	in := version(t, "2025").Inputs()
	if len(in) != 19 {
		t.Errorf("2025 needs %d inputs, want 19 (17 indicators + payment B and C): %v", len(in), in)
	}
	got := strings.Join(in, ",")
	if !strings.Contains(got, "online_payment_rate,fee_procedures_paid_online_rate,fee_procedures_with_dossiers_rate") {
		t.Errorf("2025 inputs = %s", got)
	}
	if n := len(version(t, "2022").Inputs()); n != 14 {
		t.Errorf("2022 needs %d inputs, want 14", n)
	}
}

const minimal = `{
  "missing_input_note": "missing scores 0",
  "out_of_range_note": "clamped",
  "versions": [
    {
      "id": "v1", "valid_from": "2022-06-23",
      "name": {"vi": "một", "en": "one"},
      "groups": [
        {"id": "ga", "name": {"vi": "A", "en": "A"}, "points": 60},
        {"id": "gb", "name": {"vi": "B", "en": "B"}, "points": 40}
      ],
      "indicators": [
        {"id": "a1", "group": "ga", "name": {"vi": "a", "en": "a"}, "points": 60,
         "rule": {"type": "proportional"}, "input": "ra", "confirmed": true},
        {"id": "b1", "group": "gb", "name": {"vi": "b", "en": "b"}, "points": 40,
         "rule": {"type": "capped", "threshold": 0.8}, "input": "rb", "confirmed": true}
      ],
      "bands": [
        {"min": 50, "id": "hi", "name": {"vi": "cao", "en": "high"}, "confirmed": true},
        {"min": 0, "id": "lo", "name": {"vi": "thấp", "en": "low"}, "confirmed": true}
      ]
    }
  ]
}`

func mutate(t *testing.T, old, new string) string {
	t.Helper()
	if strings.Count(minimal, old) != 1 {
		t.Fatalf("%q is not once in the minimal document", old)
	}
	return strings.Replace(minimal, old, new, 1)
}

// Parse errors name the version, group, indicator or band at fault.
func TestParseErrors(t *testing.T) {
	if _, err := Parse(strings.NewReader(minimal)); err != nil {
		t.Fatalf("minimal document: %v", err)
	}
	cases := []struct {
		name, old, new string
		want           []string
	}{
		{"indicator points not summing", `"points": 60,
         "rule"`, `"points": 55,
         "rule"`, []string{`version "v1"`, `group "ga"`, "sum to 55", "60"}},
		{"groups not summing to 100", `"points": 40}`, `"points": 45}`, []string{`version "v1"`, "group points sum to 105"}},
		{"unknown rule", `"type": "proportional"`, `"type": "linear"`, []string{`version "v1"`, `group "ga"`, `indicator "a1"`, `unknown rule "linear"`}},
		{"missing threshold", `"type": "capped", "threshold": 0.8`, `"type": "capped"`, []string{`indicator "b1"`, `needs parameter "threshold"`}},
		{"threshold out of range", `"threshold": 0.8`, `"threshold": 1.5`, []string{`indicator "b1"`, "threshold 1.5"}},
		{"parameter the rule does not take", `"type": "proportional"`, `"type": "proportional", "threshold": 0.5`, []string{`indicator "a1"`, `does not take parameter "threshold"`}},
		{"payment without its inputs", `"type": "proportional"`, `"type": "payment", "a_weight": 6, "b_weight": 2.5, "b_cap": 2, "c_weight": 2.5`, []string{`indicator "a1"`, `needs parameter "b_input"`}},
		{"unknown modifier", `"type": "proportional"`, `"type": "proportional", "modifiers": ["no_data_full"]`, []string{`indicator "a1"`, `unknown modifier "no_data_full"`}},
		{"bands out of order", `{"min": 0, "id": "lo"`, `{"min": 60, "id": "lo"`, []string{`version "v1"`, `band "lo"`, "below the previous band", `"hi"`}},
		{"last band above 0", `{"min": 0, "id": "lo"`, `{"min": 10, "id": "lo"`, []string{`band "lo"`, "must be 0"}},
		{"unknown group", `"group": "gb"`, `"group": "gc"`, []string{`indicator "b1"`, `unknown group "gc"`}},
		{"unconfirmed without a note", `"input": "rb", "confirmed": true`, `"input": "rb", "confirmed": false`, []string{`indicator "b1"`, "needs a note"}},
		{"confirmed absent", `"input": "rb", "confirmed": true`, `"input": "rb"`, []string{`indicator "b1"`, "confirmed is required"}},
		{"unknown field", `"input": "ra"`, `"input": "ra", "treshold": 0.8`, []string{"treshold"}},
		{"bad date", `"valid_from": "2022-06-23"`, `"valid_from": "23/06/2022"`, []string{`version "v1"`, "valid_from"}},
		{"assumed field unknown", `"id": "v1",`, `"id": "v1", "assumed_fields": ["start"], "note": "x",`, []string{`version "v1"`, `unknown field "start"`}},
		{"no missing-input note", `"missing_input_note": "missing scores 0",`, ``, []string{"missing_input_note"}},
	}
	for _, c := range cases {
		_, err := Parse(strings.NewReader(mutate(t, c.old, c.new)))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
	// Two versions from the same day.
	var doc map[string]any
	if err := json.Unmarshal([]byte(minimal), &doc); err != nil {
		t.Fatal(err)
	}
	vs := doc["versions"].([]any)
	second := map[string]any{}
	for k, val := range vs[0].(map[string]any) {
		second[k] = val
	}
	second["id"] = "v2"
	doc["versions"] = append(vs, second)
	b, _ := json.Marshal(doc)
	if _, err := Parse(strings.NewReader(string(b))); err == nil || !strings.Contains(err.Error(), `"v1" and "v2"`) {
		t.Errorf("same valid_from: error %v", err)
	}
}

// LoadFile reads an operator's file of the same shape; its errors name the
// file.
func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "m766.json")
	doc := strings.Replace(string(embedded), `"points": 20, "rule": {"type": "proportional", "modifiers": ["no_dossiers_zero"]}, "input": "on_time_rate",
          "confirmed": true`, `"points": 20, "rule": {"type": "capped", "threshold": 0.5, "modifiers": ["no_dossiers_zero"]}, "input": "on_time_rate",
          "confirmed": true`, 1)
	if doc == string(embedded) {
		t.Fatal("the 2025 on-time indicator was not found in the embedded file")
	}
	if err := os.WriteFile(good, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadFile(good)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	v, _ := s.Version("2025")
	// The override applies: 0.6 ≥ 0.5 → 20 (embedded: 20 × 0.6 = 12).
	r := v.Score(Inputs{Ratios: map[string]*float64{"on_time_rate": f(0.6)}, Dossiers: f(1), Complaints: f(1)})
	wantScore(t, "overridden on_time", indicator(t, r, "on_time").Score, 20)

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(mutate(t, `"type": "proportional"`, `"type": "linear"`)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `indicator "a1"`) {
		t.Errorf("LoadFile(bad) error = %v", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "absent.json")); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("LoadFile(absent) error = %v", err)
	}
	if _, err := load(t).Version("2030"); err == nil || !strings.Contains(err.Error(), "2022, 2025") {
		t.Errorf("Version(2030) error = %v", err)
	}
}
