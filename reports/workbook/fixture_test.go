package workbook_test

import (
	"context"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/bench"
	"egovkpi/collector/simulator"
	"egovkpi/collector/store"
	"egovkpi/internal/chtest"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

func TestMain(m *testing.M) { chtest.Main(m) }

// fixture is a database with the simulator's data of every unit of both
// eras for the first days of the middle month of the quarters from 2024Q4
// to 2025Q4, across the 2025 mergers of ministries (2025-03-01) and
// provinces (2025-07-01). A 2025Q4 workbook shows eight quarters, from
// 2024Q1: the first three have no data at all (blank cells).
type fixture struct {
	db       *chtest.DB
	reg      *refdata.Registry
	settings metrics.Settings
	period   metrics.Period
	today    time.Time
}

// fixtureDays are the days of data in each quarter: with completeness
// rules of 5 %, units with 30 dossiers or more in them are ranked, the
// smallest ministries are not (not enough data).
const fixtureDays = 5

// fixtureQuarters are the quarters with data.
var fixtureQuarters = []metrics.Period{metrics.QuarterOf(2024, 4), metrics.QuarterOf(2025, 1), metrics.QuarterOf(2025, 2), metrics.QuarterOf(2025, 3), metrics.QuarterOf(2025, 4)}

func newFixture(tb testing.TB) fixture {
	tb.Helper()
	reg, err := refdata.Load()
	if err != nil {
		tb.Fatal(err)
	}
	settings, err := metrics.DefaultSettings()
	if err != nil {
		tb.Fatal(err)
	}
	settings.Rules = metrics.Rules{MinDenominator: 30, MinCompleteness: 0.05}
	fx := fixture{db: testdb.Migrated(tb), reg: reg, settings: settings, period: metrics.QuarterOf(2025, 4), today: egovkpi.Date(2026, 1, 10)}
	ctx := context.Background()
	st := store.New(fx.db.Conn, nil)
	sim := simulator.New(simulator.Options{Seed: 1, Registry: reg})
	touched := store.Touched{}
	for _, q := range fixtureQuarters {
		from := q.From.AddDate(0, 1, 0)
		sum, err := bench.National(ctx, st, sim, from, from.AddDate(0, 0, fixtureDays-1), 12, nil)
		if err != nil {
			tb.Fatal(err)
		}
		touched.Merge(sum.Touched)
	}
	if err := st.RefreshRollups(ctx, touched); err != nil {
		tb.Fatal(err)
	}
	return fx
}

// sampleStatus is the report status of a few units for the fixture's
// quarter: one on time, one late, one missing, one pending.
func sampleStatus(fx fixture) []workflow.UnitStatus {
	q := workflow.QuarterOf(fx.period.To)
	due := workflow.Deadlines{Days: 15}.Due(q)
	at := func(d time.Time) *time.Time { return &d }
	return []workflow.UnitStatus{
		{UnitID: "p34-01", Block: egovkpi.BlockProvince, Quarter: q, State: workflow.Approved, Version: 3, Due: due, OnTime: true,
			UpdatedAt: at(time.Date(2026, 1, 12, 9, 30, 0, 0, workflow.Vietnam)), FirstSubmitted: at(time.Date(2026, 1, 8, 16, 45, 0, 0, workflow.Vietnam))},
		{UnitID: "p34-08", Block: egovkpi.BlockProvince, Quarter: q, State: workflow.Submitted, Version: 2, Due: due, Late: true,
			UpdatedAt: at(time.Date(2026, 1, 20, 10, 0, 0, 0, workflow.Vietnam)), FirstSubmitted: at(time.Date(2026, 1, 20, 10, 0, 0, 0, workflow.Vietnam))},
		{UnitID: "m-MOF", Block: egovkpi.BlockMinistry, Quarter: q, State: workflow.NotStarted, Due: due, Missing: true},
		{UnitID: "m-MOH", Block: egovkpi.BlockMinistry, Quarter: q, State: workflow.Draft, Version: 1, Due: due, Pending: true,
			UpdatedAt: at(time.Date(2026, 1, 5, 8, 0, 0, 0, workflow.Vietnam))},
	}
}

// sampleRates are reporting rates to go with sampleStatus.
func sampleRates() []workflow.Rate {
	q := []workflow.Quarter{{Year: 2025, Q: 4}}
	return []workflow.Rate{
		{Block: egovkpi.BlockMinistry, Quarters: q, Expected: 19, Submitted: 12, OnTime: 10, Late: 2, Missing: 7, Approved: 9},
		{Block: egovkpi.BlockProvince, Quarters: q, Expected: 34, Submitted: 30, OnTime: 28, Late: 2, Missing: 4, Approved: 25},
	}
}
