package metrics

import (
	"strings"
	"testing"

	"egovkpi"
)

func TestTargets(t *testing.T) {
	ts, err := Targets()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 5 {
		t.Fatalf("%d targets, want the 5 of kpi-spec.md", len(ts))
	}
	y2021 := YearOf(2021)
	tg, ok := TargetFor(ts, "full_process_coverage", egovkpi.BlockProvince, y2021)
	if !ok || tg.Value != 1 || tg.Year != 2021 {
		t.Fatalf("2021 target: %+v %v", tg, ok)
	}
	// Later years keep the latest bar; earlier years have none.
	if tg, ok := TargetFor(ts, "full_process_coverage", egovkpi.BlockMinistry, YearOf(2024)); !ok || tg.Year != 2021 {
		t.Fatalf("2024 target: %+v %v", tg, ok)
	}
	if _, ok := TargetFor(ts, "full_process_coverage", egovkpi.BlockMinistry, YearOf(2019)); ok {
		t.Fatal("a target before any was set")
	}
	// 0.97 of a 1.00 target: 97 % attained, not met; no data: nothing.
	a, met := Attainment(Value{Num: f(97), Den: f(100)}, tg)
	if a == nil || *a != 0.97 || met {
		t.Fatalf("attainment %v %v", a, met)
	}
	if a, met := Attainment(Value{Num: f(0), Den: f(0)}, tg); a != nil || met {
		t.Fatal("attainment of no data")
	}
	for att, want := range map[float64]string{1.2: TargetMet, 1: TargetMet, 0.97: TargetNear, 0.9: TargetNear, 0.89: TargetBelow, 0: TargetBelow} {
		if got := TargetStatus(&att); got != want {
			t.Errorf("TargetStatus(%v) = %q, want %q", att, got, want)
		}
	}
	if got := TargetStatus(nil); got != "" {
		t.Errorf("TargetStatus(nil) = %q, want none", got)
	}
	for _, tt := range ts {
		if _, err := KPIByID(tt.KPI); tt.Computed() && err != nil {
			t.Errorf("target %+v: %v (a KPI egovkpi does not compute is written [name])", tt, err)
		}
	}
}

func TestBadTargets(t *testing.T) {
	head := "kpi,year,block,target,source,note\n"
	for body, want := range map[string]string{
		"speed,2020,all,0.3,x,":            "unknown KPI \"speed\"",
		"online_rate,20x0,all,0.3,x,":      "year \"20x0\"",
		"online_rate,2020,district,0.3,x,": "unknown block \"district\"",
		"online_rate,2020,all,30,x,":       "want a share above 0 and at most 1",
		"online_rate,2020,all,0.3,,":       "needs its source",
	} {
		_, err := ParseTargets(strings.NewReader(head + body))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "row 1") {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}
