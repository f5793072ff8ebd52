// Package fileimport is the file way in for units without a portal API: a
// unit fills a template (CSV or XLSX) with one row per unit, day and
// procedure, and egovkpi reads it. Read turns every row into a protocol
// usage record (a JSON object for record.DecodeUsage), so that file data then
// goes through exactly the rules of pulled and pushed data; this package
// only reads files faithfully and says exactly where a problem is (sheet,
// row, column and cell). WriteTemplate writes the blank or example
// template; docs/file-template.md describes it for the units.
//
// # Columns
//
// A header row is required: the first non-empty row of the file (or sheet).
// Header names are matched case-insensitively with surrounding spaces
// ignored, and columns may come in any order:
//
//	unit       official unit code: a province's statistics-office code ("08")
//	           or a ministry's short code ("MOF"); required
//	date       the day, YYYY-MM-DD; required
//	procedure  national procedure code (1.001234); required
//	received, received_in_person, received_online, received_post,
//	full_process_online, processed, processed_on_time, processed_late,
//	in_progress_on_time, in_progress_overdue, financial_obligation,
//	paid_online, digitized, e_result, reused_data, synced_npsp,
//	complaints_received, complaints_on_time, complaints_pending_on_time,
//	votes_satisfied, votes_dissatisfied
//	           the usage counts, named and ordered as record.Fields();
//	           each is optional (an absent column is not reported)
//
// A header cell that is not one of these names, a name given twice, or a
// missing unit, date or procedure column makes the whole file unreadable
// (Read returns an error naming the column). Empty header cells are
// allowed; a value under one is a row problem.
//
// # Cells
//
// An empty cell (or one of spaces only) is not reported: the field is left
// out of the record (NULL), never 0. Rows whose cells are all empty are
// skipped, and so are rows whose unit, date and procedure are empty and
// whose other cells are all formulas (formula scaffolding filled down a
// sheet). Counts are passed through faithfully: a whole number, written 12,
// "12.0" or as an XLSX number, becomes the JSON number 12; a fraction or a
// negative number stays a JSON number and text stays a JSON string, so that
// record.DecodeUsage refuses the record naming the field (for instance
// `field received: want a whole number or null, got the string "abc"`). An
// XLSX boolean becomes JSON true or false (refused the same way). XLSX
// numbers are read as stored and rounded to the 15 significant digits
// Excel shows, so 3.0000000000000004 computed by a formula is 3.
//
// A unit code of a single digit gets its leading zero back ("8" → "08"):
// spreadsheet programs drop it when the code is typed as a number, and every
// statistics-office code has two digits. Row.Raw keeps what was written.
//
// # CSV
//
// UTF-8, with or without a byte-order mark; the delimiter, comma or
// semicolon, is the one the header line uses most (outside quotes); quoting
// follows RFC 4180. Row.Line is the line a record starts on, and Raw is the
// record's text exactly as in the file. A quoting error, text that is not
// UTF-8 (or is UTF-16), or a spreadsheet saved under a .csv name makes the
// file unreadable.
//
// # XLSX
//
// The data sheet is the first sheet whose first non-empty row holds the
// header unit, or else the sheet named "Dữ liệu" or "Data". The template's
// instruction sheet "Hướng dẫn" is ignored; any other sheet with a value in
// it makes the file unreadable, naming the sheet, because a unit may have
// pasted its data in the wrong sheet. Cells are read as stored, never as
// formatted text: a date cell stored as an Excel date serial becomes
// YYYY-MM-DD (a fraction, the time of day, is accepted only in a cell with a
// date format); a formula's saved result is read and nothing is ever
// evaluated (a formula with no saved result is a row problem); a procedure
// code stored as a number is accepted only when it still has its six
// decimals (1.001230 stored as a number reads 1.00123, a row problem that
// says so); an ISO 8601 date cell is read as its day. Booleans and error
// values (#N/A) in unit, date or procedure are row problems.
//
// .xls, .xlsm, .xlsb and .ods files, password-protected workbooks, and files
// whose content does not match their .xlsx name are refused with a message
// that says what to do.
//
// # Limits
//
// A file may hold at most MaxFileBytes bytes and MaxRows data rows. An XLSX
// file may expand to at most MaxUnzippedBytes when unzipped: a zip bomb is
// refused before anything is expanded (and a zip whose index understates a
// part is cut where the index says the part ends). The parts are read
// straight from the zip, the worksheets as streams: only the shared
// strings, which cell styles show dates, and the rows read are held in
// memory.
package fileimport
