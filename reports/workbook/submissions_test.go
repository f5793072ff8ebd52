package workbook_test

import (
	"context"
	"testing"

	"egovkpi"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/metrics"
	"egovkpi/reports/workbook"
	"egovkpi/reports/workflow"
)

// ReadSubmissions gives the status of the quarter holding the period's
// last day and the rates over the period's quarters that have begun.
func TestReadSubmissions(t *testing.T) {
	reg, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := workflow.New(testdb.Migrated(t).Conn, reg, nil, nil, workflow.Options{Deadlines: workflow.Deadlines{Days: 15}})
	ctx := context.Background()
	provinces := len(reg.ValidOn(egovkpi.Date(2025, 12, 31), egovkpi.BlockProvince))

	// A year, on 10 May: its first two quarters only, no status of 2025Q4.
	status, rates, err := workbook.ReadSubmissions(ctx, st, metrics.YearOf(2025), egovkpi.Date(2025, 5, 10))
	if err != nil {
		t.Fatal(err)
	}
	if len(status) != 0 {
		t.Errorf("%d statuses of a quarter not begun", len(status))
	}
	if len(rates) != 2 || len(rates[1].Quarters) != 2 || rates[1].Quarters[1] != (workflow.Quarter{Year: 2025, Q: 2}) {
		t.Fatalf("rates of 2025 on 10 May: %+v, want the two blocks over 2025Q1 and 2025Q2", rates)
	}
	// A quarter that has ended: its units' status, and its rates.
	status, rates, err = workbook.ReadSubmissions(ctx, st, metrics.QuarterOf(2025, 4), egovkpi.Date(2026, 1, 10))
	if err != nil {
		t.Fatal(err)
	}
	if len(status) == 0 || status[0].Quarter != (workflow.Quarter{Year: 2025, Q: 4}) {
		t.Fatalf("status of 2025Q4: %d units", len(status))
	}
	if rates[1].Block != egovkpi.BlockProvince || rates[1].Expected != provinces || len(rates[1].Quarters) != 1 {
		t.Errorf("province rate of 2025Q4: %+v, want %d expected over one quarter", rates[1], provinces)
	}
}
