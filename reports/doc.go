// Package reports handles the quarterly IT reports units file (definition,
// pre-filling, web form and Excel template, review workflow), the frozen
// official snapshots and the leadership Excel workbook.
package reports
