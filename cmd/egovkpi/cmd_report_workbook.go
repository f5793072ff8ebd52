package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/workbook"
	"egovkpi/reports/workflow"
)

// reportWorkbookCommand writes the leadership workbook of a period.
func reportWorkbookCommand() command {
	return command{
		name: "workbook",
		summary: "Write the leadership Excel workbook of a period (headline figures against targets, the 766 league tables, every KPI of every unit over 8 quarters, " +
			"the national trend chart, report submissions, methodology), the same figures as the API: egovkpi report workbook --period 2026Q3 [--out FILE].",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			period := fs.String("period", "", "the period, usually a quarter: "+metrics.PeriodFormats)
			out := fs.String("out", "", "the file to write (default: egovkpi-bao-cao-lanh-dao-PERIOD.xlsx in the current directory)")
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if *period == "" {
					return usagef("--period: missing (accepted: %s)", metrics.PeriodFormats)
				}
				today := todayInVietnam()
				p, err := metrics.ParsePeriod(*period, today)
				if err != nil {
					return usagef("--period: %v", err)
				}
				path := *out
				if path == "" {
					path = workbook.FileName(p)
				}
				if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
					return usagef("--out %s: the folder %s does not exist", path, filepath.Dir(path))
				}
				reg, err := refdata.Load()
				if err != nil {
					return err
				}
				return cf.withFigures(ctx, func(cfg config.Config, db *database, s metrics.Settings) error {
					reports, err := newReportStore(cfg, db, auth.New(db.Conn))
					if err != nil {
						return err
					}
					in := workbook.Input{Period: p, Settings: s, Today: today, GeneratedBy: strings.TrimSuffix(cliActor(c), ":")}
					in.Status, in.Rates, in.StatusNote = reportSubmissions(ctx, db, reports, p, today)
					start := time.Now()
					if err := writeFileAtomic(path, func(f *os.File) error { return workbook.Write(ctx, f, db.Conn, reg, in) }); err != nil {
						return err
					}
					took := time.Since(start)
					st, err := os.Stat(path)
					if err != nil {
						return err
					}
					size := st.Size()
					db.log.Info(workbookWritten, slog.String("file", path), slog.String("period", p.String()),
						slog.Int64("bytes", size), slog.Duration("took", took), slog.Int64("peak_rss_bytes", peakRSS()))
					fmt.Fprintf(c.stdout, "%s: %s, %d KiB in %s\n", p, path, (size+1023)/1024, took.Round(time.Millisecond))
					return nil
				})
			}
		},
	}
}

// workbookWritten is the message of the log line that says a workbook was
// written, how long it took and the process's peak RSS (the bench reads
// it).
const workbookWritten = "leadership workbook written"

// reportSubmissions reads the reports' status for the workbook of p made
// on today; when it cannot, the status sheet says why instead.
func reportSubmissions(ctx context.Context, db *database, reports *workflow.Store, p metrics.Period, today time.Time) ([]workflow.UnitStatus, []workflow.Rate, string) {
	status, rates, err := workbook.ReadSubmissions(ctx, reports, p, today)
	if err == nil {
		return status, rates, ""
	}
	db.log.Warn("the workbook's submission sheet is empty: report status unavailable", slog.Any("err", err))
	return nil, nil, fmt.Sprintf("Chưa đọc được tình hình nộp báo cáo: %v. / The report status could not be read: %v.", err, err)
}
