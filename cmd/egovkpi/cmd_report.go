package main

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
