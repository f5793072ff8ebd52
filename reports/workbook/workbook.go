// Package workbook writes the leadership workbook of a period: an Excel
// file with the headline figures against their targets, the Decision 766
// league tables of ministries and provinces, every KPI of every unit over
// the last eight quarters, the national trend with a native chart, the
// reports' submission status and the methodology.
//
// Every figure is computed by the same metrics calls as the JSON API
// (metrics.National, metrics.Index766, and Compute and Carry as the
// league tables and series use them), so the workbook and the API agree
// to the last digit. Sheets are written with excelize's StreamWriter.
package workbook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

// Input is what a workbook is about and who asked for it.
type Input struct {
	// Period is the period of the workbook, usually a quarter. The KPI
	// and trend sheets show the TrendQuarters quarters ending with the
	// one that holds its last day.
	Period metrics.Period
	// Settings are the ranking rules and the 766 methodology, as the API
	// uses them.
	Settings metrics.Settings
	// Status is every unit's report status for the quarter holding the
	// period's last day, and Rates the reporting rates over the period's
	// quarters that have begun (see ReadSubmissions); both may be empty,
	// and then the status sheet says StatusNote (or that no report is
	// expected).
	Status     []workflow.UnitStatus
	Rates      []workflow.Rate
	StatusNote string
	// Today is the day of reference of data completeness (data for today
	// is not due), as the API's.
	Today time.Time
	// GeneratedAt (zero: now) and GeneratedBy are printed on the cover.
	GeneratedAt time.Time
	GeneratedBy string
}

// Write computes the figures of in.Period and writes the workbook to w.
// Nothing is written when a figure cannot be computed.
func Write(ctx context.Context, w io.Writer, conn driver.Conn, reg *refdata.Registry, in Input) error {
	if err := check(conn, reg, in); err != nil {
		return err
	}
	if in.GeneratedAt.IsZero() {
		in.GeneratedAt = time.Now()
	}
	fig, err := compute(ctx, conn, reg, in)
	if err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	b, err := newBook()
	if err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	defer b.f.Close()
	sheets := []*sheet{coverSheet(b, fig, in), trendSheet(b, fig)}
	for _, blk := range metrics.Blocks {
		sheets = append(sheets, leagueSheet(b, fig, in.Settings.Rules, blk))
	}
	for _, k := range fig.kpis {
		sheets = append(sheets, kpiSheet(b, fig, k))
	}
	sheets = append(sheets, submissionSheet(b, reg, in), methodologySheet(b, fig, in.Settings))
	for _, s := range sheets {
		if err := b.write(s); err != nil {
			return fmt.Errorf("workbook: sheet %q: %w", s.name, err)
		}
	}
	b.f.SetActiveSheet(0)
	if _, err := b.f.WriteTo(w); err != nil {
		return fmt.Errorf("workbook: writing the file: %w", err)
	}
	return nil
}

// check refuses an input the workbook cannot be made from, naming the
// field.
func check(conn driver.Conn, reg *refdata.Registry, in Input) error {
	switch {
	case conn == nil:
		return errors.New("workbook: no database connection")
	case reg == nil:
		return errors.New("workbook: no unit registry")
	case in.Period.From.IsZero() || in.Period.To.Before(in.Period.From):
		return fmt.Errorf("workbook: Input.Period %q is not a period (accepted: %s)", in.Period, metrics.PeriodFormats)
	case in.Settings.Methodology == nil:
		return errors.New("workbook: Input.Settings has no 766 methodology (see metrics.DefaultSettings)")
	case in.Today.IsZero():
		return errors.New("workbook: Input.Today is not set (the day of reference of data completeness)")
	}
	return nil
}

// ReadSubmissions reads from st the report status of every expected unit
// for the quarter holding p's last day (none when that quarter has not
// begun by today), and the reporting rates over the quarters of p that
// have begun by today (workflow.QuartersOf): Input.Status and Input.Rates.
// Each quarter's statuses are read once.
func ReadSubmissions(ctx context.Context, st *workflow.Store, p metrics.Period, today time.Time) ([]workflow.UnitStatus, []workflow.Rate, error) {
	quarters := workflow.QuartersOf(p, today)
	var status, all []workflow.UnitStatus
	for _, q := range quarters {
		ss, err := st.Statuses(ctx, q, "")
		if err != nil {
			return nil, nil, fmt.Errorf("report status of %s: %w", q, err)
		}
		if q == workflow.QuarterOf(p.To) {
			status = ss
		}
		all = append(all, ss...)
	}
	return status, workflow.Tally(quarters, all), nil
}
