package workflow_test

import (
	"testing"
	"time"

	"egovkpi"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

func TestQuarters(t *testing.T) {
	q := workflow.QuarterOf(egovkpi.Date(2026, 8, 31))
	if q != (workflow.Quarter{Year: 2026, Q: 3}) || q.String() != "2026Q3" {
		t.Fatalf("QuarterOf(2026-08-31) = %v", q)
	}
	if !q.First().Equal(egovkpi.Date(2026, 7, 1)) || !q.Last().Equal(egovkpi.Date(2026, 9, 30)) {
		t.Errorf("2026Q3 spans %s to %s", q.First(), q.Last())
	}
	if p := q.Period(); p != metrics.QuarterOf(2026, 3) {
		t.Errorf("2026Q3 period: %+v", p)
	}
	if n, p := (workflow.Quarter{Year: 2026, Q: 4}).Next(), (workflow.Quarter{Year: 2026, Q: 1}).Prev(); n != (workflow.Quarter{Year: 2027, Q: 1}) || p != (workflow.Quarter{Year: 2025, Q: 4}) {
		t.Errorf("after 2026Q4: %v; before 2026Q1: %v", n, p)
	}
	for _, s := range []string{"2026Q5", "1999Q1", "2101Q1", "26Q1", "2026-07"} {
		if _, err := workflow.ParseQuarter(s); err == nil {
			t.Errorf("ParseQuarter(%q) accepted", s)
		}
	}
	if got, err := workflow.ParseQuarter(" 2026q3 "); err != nil || got != q {
		t.Errorf("ParseQuarter(2026q3) = %v, %v", got, err)
	}
}

func TestQuartersOf(t *testing.T) {
	today := egovkpi.Date(2026, 8, 15)
	for _, c := range []struct {
		period string
		want   []string
	}{
		{"2026", []string{"2026Q1", "2026Q2", "2026Q3"}}, // up to the quarter begun by today
		{"2025", []string{"2025Q1", "2025Q2", "2025Q3", "2025Q4"}},
		{"2026-05", []string{"2026Q2"}},
		{"2025-12-15..2026-01-10", []string{"2025Q4", "2026Q1"}},
		{"2026-08-20..2026-08-30", []string{"2026Q3"}}, // the quarter has begun, the days not yet
		{"2026Q4", nil},
	} {
		p, err := metrics.ParsePeriod(c.period, today)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, q := range workflow.QuartersOf(p, today) {
			got = append(got, q.String())
		}
		if len(got) != len(c.want) {
			t.Errorf("QuartersOf(%s) = %v, want %v", c.period, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("QuartersOf(%s) = %v, want %v", c.period, got, c.want)
				break
			}
		}
	}
}

func TestEditable(t *testing.T) {
	for s, want := range map[workflow.State]bool{
		workflow.NotStarted: true, workflow.Draft: true, workflow.Returned: true,
		workflow.Submitted: false, workflow.Resubmitted: false, workflow.Approved: false,
	} {
		if s.Editable() != want {
			t.Errorf("%s editable: %v, want %v", s, s.Editable(), want)
		}
	}
}

func TestTally(t *testing.T) {
	qs := []workflow.Quarter{{Year: 2026, Q: 1}, {Year: 2026, Q: 2}}
	at := time.Date(2026, 4, 10, 9, 0, 0, 0, egovkpi.Vietnam)
	ss := []workflow.UnitStatus{
		{UnitID: "p34-01", Block: egovkpi.BlockProvince, State: workflow.Approved, FirstSubmitted: &at, OnTime: true},
		{UnitID: "p34-02", Block: egovkpi.BlockProvince, State: workflow.Submitted, FirstSubmitted: &at, Late: true},
		{UnitID: "p34-03", Block: egovkpi.BlockProvince, State: workflow.Draft, Missing: true},
		{UnitID: "m-MOF", Block: egovkpi.BlockMinistry, State: workflow.NotStarted, Pending: true},
	}
	rates := workflow.Tally(qs, ss)
	if len(rates) != len(metrics.Blocks) {
		t.Fatalf("%d rates, want one per block", len(rates))
	}
	for i, r := range rates {
		if r.Block != metrics.Blocks[i] || len(r.Quarters) != 2 {
			t.Errorf("rate %d: %+v", i, r)
		}
		switch r.Block {
		case egovkpi.BlockProvince:
			if r.Expected != 3 || r.Submitted != 2 || r.OnTime != 1 || r.Late != 1 || r.Missing != 1 || r.Pending != 0 || r.Approved != 1 {
				t.Errorf("provinces: %+v", r)
			}
		case egovkpi.BlockMinistry:
			if r.Expected != 1 || r.Pending != 1 || r.Submitted != 0 {
				t.Errorf("ministries: %+v", r)
			}
		}
	}
	if rates := workflow.Tally(qs, nil); len(rates) != 2 || rates[0].Expected != 0 || rates[0].SubmittedShare() != nil {
		t.Errorf("no statuses: %+v", rates)
	}
}
