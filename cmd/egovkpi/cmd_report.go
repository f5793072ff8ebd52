package main

import (
	"fmt"
	"os"
	"path/filepath"

	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/reports/form"
	"egovkpi/reports/workflow"
)

// reportCommand groups the quarterly reports' sub-commands; each lives in
// its own cmd_report_*.go file.
func reportCommand() command {
	return command{
		name:    "report",
		summary: "Quarterly IT reports and leadership Excel: the report template of a unit and quarter, the leadership workbook, official snapshots, the reminders' outbox.",
		subs: []command{
			reportTemplateCommand(),
			reportWorkbookCommand(),
			reportSnapshotCommand(),
			reportOutboxCommand(),
		},
	}
}

// reportDeadlines builds the reports' deadlines from the configuration.
func reportDeadlines(cfg config.Config) (workflow.Deadlines, error) {
	overrides, err := workflow.ParseOverrides(cfg.Reports.DeadlineOverrides)
	if err != nil {
		return workflow.Deadlines{}, usagef("EGOVKPI_DEADLINE_OVERRIDES: %v", err)
	}
	return workflow.Deadlines{Days: cfg.Reports.DeadlineDays, Overrides: overrides}, nil
}

// newReportStore opens the units' quarterly reports with the configured
// deadlines; changes are audited through accounts.
func newReportStore(cfg config.Config, db *database, accounts *auth.Store) (*workflow.Store, error) {
	deadlines, err := reportDeadlines(cfg)
	if err != nil {
		return nil, err
	}
	reg, err := refdata.Load()
	if err != nil {
		return nil, err
	}
	forms, err := form.Builtin()
	if err != nil {
		return nil, err
	}
	return workflow.New(db.Conn, reg, forms, accounts, workflow.Options{Deadlines: deadlines}), nil
}

// writeFileAtomic writes path (mode 0644) through a temporary file in the
// same directory, renamed once write succeeded, so a failure never leaves
// half a file under its name.
func writeFileAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".egovkpi-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
