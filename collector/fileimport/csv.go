package fileimport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	zipMagic   = []byte("PK\x03\x04")
	emptyZip   = []byte("PK\x05\x06")
	oleMagic   = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// readCSV reads a CSV file: UTF-8 with an optional BOM, comma or semicolon.
func readCSV(r io.ReaderAt, size int64) ([]Row, []Problem, error) {
	data := make([]byte, size)
	if n, err := r.ReadAt(data, 0); int64(n) < size {
		return nil, nil, fmt.Errorf("cannot read the file: %v", err)
	}
	switch {
	case bytes.HasPrefix(data, zipMagic) || bytes.HasPrefix(data, emptyZip):
		return nil, nil, errors.New("this is a spreadsheet (an XLSX or other zip file), not CSV text: name it .xlsx, or save it as CSV UTF-8 (.csv)")
	case bytes.HasPrefix(data, oleMagic):
		return nil, nil, errors.New("this is an Excel workbook in the old .xls format, not CSV text: save it as CSV UTF-8 (.csv) or Excel Workbook (.xlsx)")
	case bytes.HasPrefix(data, utf16LEBOM) || bytes.HasPrefix(data, utf16BEBOM):
		return nil, nil, errors.New("the file is UTF-16 text (\"Unicode Text\"): save it as CSV UTF-8 (.csv)")
	}
	data = bytes.TrimPrefix(data, bomUTF8)
	if !utf8.Valid(data) {
		bad := 0
		for bad < len(data) {
			c, n := utf8.DecodeRune(data[bad:])
			if c == utf8.RuneError && n <= 1 {
				break
			}
			bad += n
		}
		line := 1 + bytes.Count(data[:bad], []byte("\n"))
		return nil, nil, fmt.Errorf("line %d is not UTF-8 text (the file was perhaps saved in a Windows code page): save it as CSV UTF-8 (.csv)", line)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delimiter(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var b builder
	haveHeader := false
	var prevEnd int64
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("the CSV is malformed: %v (a quote inside a quoted value must be doubled, and a quoted value must be closed)", err)
		}
		end := cr.InputOffset()
		text := strings.TrimRight(strings.TrimLeft(string(data[prevEnd:end]), "\r\n"), "\r\n")
		prevEnd = end
		line, _ := cr.FieldPos(0)
		if !haveHeader {
			if allBlank(rec) {
				continue
			}
			h, err := parseHeader(rec, func(i int) string { return fmt.Sprintf("column %d", i+1) })
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %w", line, err)
			}
			b.hdr, haveHeader = h, true
			continue
		}
		vals := make([]value, len(rec))
		for i, s := range rec {
			if strings.TrimSpace(s) != "" {
				vals[i] = value{kind: kText, text: s}
			}
		}
		if err := b.add(line, vals, nil, func() string { return text }); err != nil {
			return nil, nil, err
		}
	}
	if !haveHeader {
		return nil, nil, fmt.Errorf("the file has no header row: its first line must be %s", strings.Join(Columns(), ","))
	}
	return b.rows, b.problems, nil
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// delimiter is ';' when the first non-blank line has more semicolons than
// commas outside quotes, else ','.
func delimiter(data []byte) rune {
	commas, semis := 0, 0
	quoted := false
scan:
	for _, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			commas++
		case c == ';':
			semis++
		case c == '\n' && commas+semis > 0:
			break scan
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}
