package workbook_test

import (
	"context"
	"io"
	"testing"

	"egovkpi/reports/workbook"
)

// BenchmarkWorkbook makes the fixture's 2025Q4 workbook (every unit of
// both blocks, every KPI, eight quarters; five weeks of national data) to
// io.Discard. `egovkpi bench workbook` measures it at national scale.
func BenchmarkWorkbook(b *testing.B) {
	fx := newFixture(b)
	in := workbook.Input{Period: fx.period, Settings: fx.settings, Today: fx.today, GeneratedBy: "bench", Status: sampleStatus(fx), Rates: sampleRates()}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := workbook.Write(ctx, io.Discard, fx.db.Conn, fx.reg, in); err != nil {
			b.Fatal(err)
		}
	}
}
