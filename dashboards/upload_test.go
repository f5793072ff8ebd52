package dashboards

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"egovkpi/collector"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/refdata"
	"egovkpi/internal/testdb"
)

func uploadApp(t testing.TB) (*App, *collector.Collector) {
	db := testdb.Migrated(t)
	ctx := context.Background()
	reg, _ := refdata.Load()
	if _, err := refdata.Sync(ctx, db.Conn, reg); err != nil {
		t.Fatal(err)
	}
	col := collector.New(store.New(db.Conn, nil), reg, collector.Options{})
	a, err := New(Deps{Conn: db.Conn, Store: col.Store(), Collector: col, Now: func() time.Time { return time.Date(2025, 8, 10, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return a, col
}

func postUpload(t *testing.T, a *App, token, name, content string) (int, string) {
	return postUploadAs(t, a, "", "", token, name, content)
}

// postUploadAs posts a file with a session cookie and its CSRF token, or a
// unit token.
func postUploadAs(t *testing.T, a *App, cookie, csrf, token, name, content string) (int, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if token != "" {
		_ = w.WriteField("token", token)
	}
	if csrf != "" {
		_ = w.WriteField(csrfField, csrf)
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	_ = w.Close()
	req := httptest.NewRequest("POST", "/upload", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	code, _, b := send(t, a, req)
	return code, b
}

func TestUpload(t *testing.T) {
	a, col := uploadApp(t)
	tok, err := col.Store().CreateToken(context.Background(), "p34-08", "test")
	if err != nil {
		t.Fatal(err)
	}
	csv := "unit,date,procedure,received\n08,2025-08-04,1.000001,3\n"
	if code, body := postUpload(t, a, "wrong", "a.csv", csv); code != 401 || !strings.Contains(body, "Mã truy cập không đúng") {
		t.Fatalf("bad token: %d\n%s", code, body)
	}
	other := csv + "01,2025-08-04,1.000001,3\n"
	if code, body := postUpload(t, a, tok, "a.csv", other); code != 403 || !strings.Contains(body, "p34-01") || !strings.Contains(body, "nothing was saved") {
		t.Fatalf("another unit's rows: %d\n%s", code, body)
	}
	// No catalogue yet: the row is refused with its reason, and the page says so.
	code, body := postUpload(t, a, tok, "a.csv", csv)
	if code != 200 || !strings.Contains(body, "row 2: no catalogue of unit p34-08") || !strings.Contains(body, "từ chối 1") {
		t.Fatalf("upload: %d\n%s", code, body)
	}
	if code, body := postUpload(t, a, tok, "a.txt", "hello"); code != 422 || !strings.Contains(body, "a.txt") {
		t.Fatalf("wrong type: %d\n%s", code, body)
	}
	if code, body, hdr := get(t, a, "/upload/template.xlsx"); code != 200 || !strings.HasPrefix(body, "PK") || !strings.Contains(strings.Join(hdr["Content-Disposition"], ""), "egovkpi-template.xlsx") {
		t.Fatalf("template: %d %v", code, hdr)
	}
	if code, body, _ := get(t, a, "/upload"); code != 200 || !strings.Contains(body, `type="password"`) {
		t.Fatalf("form: %d", code)
	}
}

// A reporter uploads for its own unit with its session (and the form's
// CSRF token), never for another unit; other roles need the unit's token.
func TestUploadBySession(t *testing.T) {
	a, _ := uploadApp(t)
	reporter, csrf := signIn(t, a, "reporter08", auth.Reporter, "p34-08")
	analyst, acsrf := signIn(t, a, "analyst", auth.Analyst, "")
	own := "unit,date,procedure,received\n08,2025-08-04,1.000001,3\n"
	if code, body := postUploadAs(t, a, reporter, csrf, "", "a.csv", own); code != 200 || !strings.Contains(body, "row 2: no catalogue of unit p34-08") {
		t.Fatalf("reporter, own unit: %d\n%s", code, body)
	}
	if code, body := postUploadAs(t, a, reporter, csrf, "", "a.csv", "unit,date,procedure,received\n01,2025-08-04,1.000001,3\n"); code != 403 || !strings.Contains(body, "p34-01") {
		t.Fatalf("reporter, another unit's rows: %d\n%s", code, body)
	}
	if code, _ := postUploadAs(t, a, reporter, "", "", "a.csv", own); code != 403 {
		t.Fatalf("reporter without the CSRF token: %d", code)
	}
	if code, body := postUploadAs(t, a, analyst, acsrf, "", "a.csv", own); code != 403 || !strings.Contains(body, "Chỉ báo cáo viên") {
		t.Fatalf("analyst without a token: %d\n%s", code, body)
	}
	if code, _, body := do(t, a, "GET", "/upload", reporter, nil); code != 200 || strings.Contains(body, `type="password"`) || !strings.Contains(body, "p34-08") {
		t.Fatalf("the reporter's form: %d\n%s", code, body)
	}
}

// An uploaded file's name keeps its last part and, cut short, its
// extension (the import reads the format from it).
func TestSafeFileName(t *testing.T) {
	long := strings.Repeat("tệp", 50)
	for in, want := range map[string]string{
		"bao-cao.xlsx":             "bao-cao.xlsx",
		`C:\Users\an\bao-cao.xlsx`: "bao-cao.xlsx",
		"../../etc/passwd":         "passwd",
		long + ".csv":              string([]rune(long)[:96]) + ".csv",
		long + "." + long:          string([]rune(long)[:100]),
	} {
		if got := safeFileName(in); got != want {
			t.Errorf("safeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}
