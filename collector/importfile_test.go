package collector_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"egovkpi/collector"
	"egovkpi/collector/fileimport"
	"egovkpi/collector/store"
)

// fileRows makes template rows (header first) from the simulator's records
// of a unit and window.
func (e *env) fileRows(unit, code, from, to string) ([][]string, int) {
	e.t.Helper()
	recs, _, err := e.sim.Usage(unit, day(from), day(to))
	if err != nil {
		e.t.Fatal(err)
	}
	header := fileimport.Columns()
	out := [][]string{header}
	for _, r := range recs {
		raw, _ := json.Marshal(r)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		m["unit"] = code
		row := make([]string, len(header))
		for i, h := range header {
			if v, ok := m[h]; ok && v != nil {
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	return out, len(recs)
}

func csvBytes(rows [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.WriteAll(rows)
	return buf.Bytes()
}

func TestImportFileCSVAndXLSX(t *testing.T) {
	const unit, from, to = "p34-08", "2025-08-04", "2025-08-05"
	e := newEnv(t)
	ctx := context.Background()
	e.pull(unit, from, from) // the catalogue, and a day that the file replaces
	rows, n := e.fileRows(unit, "08", from, to)
	want, wantRows := e.expected(unit, from, to)

	// Three bad rows, each named with its row and column.
	header := rows[0]
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	bad1 := append([]string(nil), rows[1]...)
	bad1[col("procedure")] = "1.999999"
	bad2 := append([]string(nil), rows[1]...)
	bad2[col("procedure")], bad2[col("received")] = "1.999998", "abc"
	bad3 := append([]string(nil), rows[1]...)
	bad3[col("unit")] = "99"
	all := append(append([][]string{}, rows...), bad1, bad2, bad3)
	badLine := len(rows) + 1 // 1-based line of bad1

	res, err := e.col.ImportFile(ctx, "august.csv", bytes.NewReader(csvBytes(all)), int64(len(csvBytes(all))), "file:august.csv", "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != n || res.Quarantined != 3 || res.Days != 2 {
		t.Fatalf("csv: %+v, want %d accepted, 3 refused, 2 days", res, n)
	}
	for i, w := range []string{
		fmt.Sprintf("row %d: procedure 1.999999 is not in the catalogue", badLine),
		fmt.Sprintf("row %d: field received: want a whole number or null, got the string \"abc\"", badLine+1),
		fmt.Sprintf("row %d, column unit: ", badLine+2),
	} {
		if !strings.Contains(strings.Join(res.Problems, "\n"), w) {
			t.Errorf("problem %d %q not reported in:\n%s", i, w, strings.Join(res.Problems, "\n"))
		}
	}
	e.flush()
	got, stored := e.stored([]string{unit}, from, to)
	if d := diff(want, got); d != "" || stored != wantRows {
		t.Fatalf("csv import stored %d rows, want %d\n%s", stored, wantRows, d)
	}

	// The same rows as XLSX, with numbers stored as numbers: importing them
	// again changes nothing.
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			if i > 0 && j >= 3 && v != "" {
				var x int
				fmt.Sscan(v, &x)
				vals[j] = x
			} else {
				vals[j] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = sw.SetRow(cell, vals)
	}
	_ = sw.Flush()
	var xb bytes.Buffer
	_ = f.Write(&xb)
	res, err = e.col.ImportFile(ctx, "august.xlsx", bytes.NewReader(xb.Bytes()), int64(xb.Len()), "file:august.xlsx", unit)
	if err != nil || res.Accepted != n || res.Quarantined != 0 {
		t.Fatalf("xlsx: %+v %v", res, err)
	}
	e.flush()
	got, stored = e.stored([]string{unit}, from, to)
	if d := diff(want, got); d != "" || stored != wantRows {
		t.Fatalf("xlsx import changed the data: %d rows\n%s", stored, d)
	}
}

func TestImportFileOfAnotherUnitIsRefusedWhole(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.pull("p34-08", "2025-08-04", "2025-08-04")
	rows, _ := e.fileRows("p34-08", "08", "2025-08-04", "2025-08-04")
	other, _ := e.fileRows("p34-01", "01", "2025-08-04", "2025-08-04")
	b := csvBytes(append(rows, other[1]))
	_, err := e.col.ImportFile(ctx, "x.csv", bytes.NewReader(b), int64(len(b)), "upload:p34-08", "p34-08")
	if !errors.Is(err, collector.ErrOtherUnit) || !strings.Contains(err.Error(), "p34-01") || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("err = %v", err)
	}
	if n := e.count("SELECT count() FROM usage_versions WHERE source = 'upload:p34-08'"); n != 0 {
		t.Fatalf("%d days written from a refused file", n)
	}
	if n := e.count("SELECT count() FROM usage_versions WHERE source = 'p34-08'"); n != 1 {
		t.Fatalf("%d days of the pull found, want 1: the check above cannot see loads", n)
	}
}

// TestRefusedFileRowsCanBeReplayed: rows refused for want of a catalogue
// are quarantined as protocol records, their place in the file in the
// reason, and are accepted on replay once the catalogue is stored.
func TestRefusedFileRowsCanBeReplayed(t *testing.T) {
	const unit, d = "p34-01", "2025-08-04"
	e := newEnv(t)
	ctx := context.Background()
	rows, n := e.fileRows(unit, "01", d, d)
	b := csvBytes(rows)
	res, err := e.col.ImportFile(ctx, "early.csv", bytes.NewReader(b), int64(len(b)), "file:early.csv", "")
	if err != nil || res.Accepted != 0 || res.Quarantined != n || n == 0 {
		t.Fatalf("import before the catalogue: %+v, %v; want all %d rows refused", res, err, n)
	}
	e.pull(unit, d, d) // the catalogue, and the day
	items, err := e.st.ListQuarantine(ctx, store.QuarantineFilter{Source: "file:early.csv", Limit: 1000})
	if err != nil || len(items) != n {
		t.Fatalf("quarantine: %d items, %v; want %d", len(items), err, n)
	}
	it := items[0]
	if !strings.Contains(it.Reason, "early.csv, row ") || !strings.Contains(it.Reason, "no catalogue") || !json.Valid([]byte(it.Raw)) {
		t.Fatalf("quarantined row: reason %q, raw %q", it.Reason, it.Raw)
	}
	ok, why, err := e.col.Replay(ctx, it.ID)
	if err != nil || !ok {
		t.Fatalf("replay of a refused file row: %v %q %v", ok, why, err)
	}
}
