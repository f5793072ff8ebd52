package xlsxform

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
)

// Limits on an uploaded file. A template is a few tens of kilobytes.
const (
	// MaxFileBytes is the largest file Read accepts; a larger one is
	// refused before anything of it is read.
	MaxFileBytes = 5 << 20
	// MaxUnzippedBytes is the most a file may expand to when unzipped,
	// counted both from the zip's index and while inflating (an index can
	// lie).
	MaxUnzippedBytes = 20 << 20
	// MaxRatio is the largest compression ratio of a part over
	// ratioFloor bytes: beyond it the part is a zip bomb's, not a
	// spreadsheet's.
	MaxRatio   = 100
	ratioFloor = 1 << 20
)

// FileErrorKind says why a whole file is refused.
type FileErrorKind string

// The kinds of refusal.
const (
	NotXLSX       FileErrorKind = "not_xlsx"
	TooLarge      FileErrorKind = "too_large"
	ZipBomb       FileErrorKind = "zip_bomb"
	Damaged       FileErrorKind = "damaged"
	ExtraSheet    FileErrorKind = "extra_sheet"
	NoReportSheet FileErrorKind = "no_report_sheet"
	WrongIdentity FileErrorKind = "wrong_identity"
)

// FileError refuses a whole file: nothing of it is read. Sheet and Cell
// name where the problem is, when it is in one place.
type FileError struct {
	Kind     FileErrorKind
	Sheet    string
	Cell     string
	ReasonVI string
	ReasonEN string
}

// Error is the English reason, with its cell (a reason about a sheet names
// the sheet).
func (e *FileError) Error() string {
	if e.Cell != "" {
		return fmt.Sprintf("%s!%s: %s", e.Sheet, e.Cell, e.ReasonEN)
	}
	return e.ReasonEN
}

// Reason is the reason in lang ("vi" or "en").
func (e *FileError) Reason(lang string) string {
	if lang == "en" {
		return e.ReasonEN
	}
	return e.ReasonVI
}

func refuse(kind FileErrorKind, vi, en string) *FileError {
	return &FileError{Kind: kind, ReasonVI: vi, ReasonEN: en}
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// checkPackage checks an upload's size, that it is a zip package, and that
// it unzips within the limits, inflating every part with the bytes counted
// (never trusting the index), before anything parses it.
func checkPackage(r io.ReaderAt, size int64) error {
	if size > MaxFileBytes {
		return refuse(TooLarge,
			fmt.Sprintf("tệp có %s, quá giới hạn %s của mẫu báo cáo", mib(size), mib(MaxFileBytes)),
			fmt.Sprintf("the file is %s, over the template's limit of %s", mib(size), mib(MaxFileBytes)))
	}
	notXLSX := refuse(NotXLSX,
		"tệp không phải là tệp Excel (.xlsx): hãy tải mẫu báo cáo, điền và tải lên đúng tệp đó",
		"the file is not an Excel workbook (.xlsx): download the report template, fill it in and upload that file")
	head := make([]byte, 8)
	if n, _ := r.ReadAt(head, 0); n < len(head) {
		return notXLSX
	}
	switch {
	case bytes.Equal(head, oleMagic):
		return refuse(NotXLSX,
			"tệp là bảng tính Excel cũ (.xls) hoặc có mật khẩu: hãy lưu thành Excel Workbook (.xlsx) không đặt mật khẩu",
			"the file is an old Excel workbook (.xls) or has a password: save it as Excel Workbook (.xlsx) without a password")
	case !bytes.HasPrefix(head, zipMagic):
		return notXLSX
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return damaged(err)
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if declared > MaxUnzippedBytes {
			return bomb(fmt.Sprintf("chỉ mục của tệp khai báo hơn %s khi giải nén", mib(MaxUnzippedBytes)),
				fmt.Sprintf("its index declares more than %s unzipped", mib(MaxUnzippedBytes)))
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64 > MaxRatio*max(f.CompressedSize64, 1) {
			return bomb(fmt.Sprintf("phần %s nén với tỷ lệ %d:1", f.Name, f.UncompressedSize64/max(f.CompressedSize64, 1)),
				fmt.Sprintf("its part %s is compressed %d:1", f.Name, f.UncompressedSize64/max(f.CompressedSize64, 1)))
		}
		if strings.EqualFold(f.Name, "xl/vbaProject.bin") {
			return refuse(NotXLSX,
				"tệp có macro (.xlsm): hãy lưu thành Excel Workbook (.xlsx)",
				"the file holds macros (.xlsm): save it as Excel Workbook (.xlsx)")
		}
	}
	if !hasPart(zr, "[Content_Types].xml") || !hasPart(zr, "xl/workbook.xml") {
		return refuse(NotXLSX,
			"tệp là tệp nén zip nhưng không phải bảng tính Excel (.xlsx): hãy tải lên mẫu báo cáo đã điền",
			"the file is a zip archive but not an Excel workbook (.xlsx): upload the filled-in report template")
	}
	var inflated int64
	for _, f := range zr.File {
		n, err := inflate(f, MaxUnzippedBytes-inflated)
		inflated += n
		if err != nil {
			return err
		}
	}
	return nil
}

// hasPart says whether the package has a part (names compared without
// case, as Excel does).
func hasPart(zr *zip.Reader, name string) bool {
	for _, f := range zr.File {
		if strings.EqualFold(strings.TrimPrefix(f.Name, "/"), name) {
			return true
		}
	}
	return false
}

// inflate reads one part through, counting what it expands to: at most
// budget bytes, and no more than its index entry declares.
func inflate(f *zip.File, budget int64) (int64, error) {
	raw, err := f.OpenRaw()
	if err != nil {
		return 0, damaged(err)
	}
	var rc io.Reader
	switch f.Method {
	case zip.Store:
		rc = raw
	case zip.Deflate:
		fr := flate.NewReader(raw)
		defer fr.Close()
		rc = fr
	default:
		return 0, refuse(Damaged,
			fmt.Sprintf("phần %s được nén theo cách Excel không dùng (phương thức %d)", f.Name, f.Method),
			fmt.Sprintf("its part %s is compressed in a way Excel does not use (method %d)", f.Name, f.Method))
	}
	limit := min(budget, int64(min(f.UncompressedSize64, MaxUnzippedBytes)))
	n, err := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
	switch {
	case err != nil:
		return n, damaged(err)
	case n > budget:
		return n, bomb(fmt.Sprintf("tệp nở ra hơn %s khi giải nén", mib(MaxUnzippedBytes)),
			fmt.Sprintf("it expands to more than %s when unzipped", mib(MaxUnzippedBytes)))
	case uint64(n) > f.UncompressedSize64:
		return n, bomb(fmt.Sprintf("phần %s nở ra nhiều hơn %d byte mà chỉ mục khai báo", f.Name, f.UncompressedSize64),
			fmt.Sprintf("its part %s expands to more than the %d bytes its index declares", f.Name, f.UncompressedSize64))
	}
	return n, nil
}

func bomb(vi, en string) *FileError {
	return refuse(ZipBomb,
		"tệp bị từ chối vì có thể là bom zip: "+vi,
		"the file is refused as a possible zip bomb: "+en)
}

func damaged(err error) *FileError {
	return refuse(Damaged,
		fmt.Sprintf("tệp Excel bị hỏng (%v): hãy mở lại bằng Excel, lưu và tải lên lại", err),
		fmt.Sprintf("the Excel file is damaged (%v): open it in Excel, save it and upload it again", err))
}

func mib(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
