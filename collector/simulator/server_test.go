package simulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/protocol"
)

// pull reads a whole usage listing over HTTP, following the tokens, and
// returns the pages' records and the pages.
func (p *portal) pull(unit, from, to string, size int) ([]protocol.Usage, []protocol.UsagePage) {
	p.t.Helper()
	var recs []protocol.Usage
	var pages []protocol.UsagePage
	tok := ""
	for {
		page, rs := usagePage(p.t, p.usage(unit, from, to, tok, size))
		recs = append(recs, rs...)
		pages = append(pages, page)
		if page.NextPageToken == "" {
			return recs, pages
		}
		if len(pages) > 10000 {
			p.t.Fatal("the listing does not end")
		}
		tok = page.NextPageToken
	}
}

func missingStrings(ds []time.Time) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Format(egovkpi.DateLayout))
	}
	return out
}

func TestPagingUsage(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	from, to := "2025-07-01", "2025-08-31"
	want, missing, err := s.Usage("p34-08", date(t, from), date(t, to))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) == 0 {
		// Make sure the window has a missing day to check: widen it.
		t.Log("no missing day in the window")
	}
	for _, size := range []int{137, 1000, protocol.MaxPageSize} {
		got, pages := p.pull("p34-08", from, to, size)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("page_size %d: the %d records over HTTP differ from the %d of Usage()", size, len(got), len(want))
		}
		if wantPages := (len(want) + size - 1) / size; len(pages) != wantPages {
			t.Errorf("page_size %d: %d pages, want %d", size, len(pages), wantPages)
		}
		for i, pg := range pages {
			if pg.Protocol != protocol.Version || pg.Unit != "08" || pg.From != from || pg.To != to {
				t.Fatalf("page %d: header %q %q %q %q", i, pg.Protocol, pg.Unit, pg.From, pg.To)
			}
			if !slices.Equal(pg.MissingDays, missingStrings(missing)) {
				t.Fatalf("page %d: missing_days %v, want %v", i, pg.MissingDays, missingStrings(missing))
			}
			if i < len(pages)-1 && len(pg.Records) != size {
				t.Fatalf("page %d has %d records, want %d", i, len(pg.Records), size)
			}
		}
	}
	// Page sizes around the size of the listing: the last page is never
	// empty and the token stops exactly at the end.
	day1, _, _ := s.Usage("p34-08", date(t, "2025-07-02"), date(t, "2025-07-02"))
	total := len(day1)
	for _, size := range []int{total - 1, total, total + 1, (total + 1) / 2} {
		got, pages := p.pull("p34-08", "2025-07-02", "2025-07-02", size)
		if !reflect.DeepEqual(got, day1) || len(pages) != (total+size-1)/size {
			t.Errorf("%d records, page_size %d: %d records in %d pages", total, size, len(got), len(pages))
		}
	}
	// Default page size.
	page, _ := usagePage(t, p.usage("p34-08", from, to, "", 0))
	if len(page.Records) != protocol.DefaultPageSize {
		t.Errorf("default page has %d records", len(page.Records))
	}
	// A window with no record at all (or only missing days) is one page.
	for d := date(t, "2024-01-01"); d.Before(date(t, "2025-01-01")); d = d.AddDate(0, 0, 1) {
		recs, miss, _ := s.Usage("m-GO", d, d)
		if len(recs) == 0 && len(miss) == 0 {
			ds := d.Format(egovkpi.DateLayout)
			page, recs := usagePage(t, p.usage("m-GO", ds, ds, "", 0))
			if len(recs) != 0 || page.NextPageToken != "" || page.Records == nil {
				t.Errorf("empty day %s: %+v", ds, page)
			}
			break
		}
	}
	// Missing days are on every page of a window with an outage.
	var outage string
	for d := date(t, "2024-01-01"); outage == ""; d = d.AddDate(0, 0, 1) {
		if _, miss, _ := s.Usage("p63-01", d, d); len(miss) == 1 {
			outage = d.Format(egovkpi.DateLayout)
		}
	}
	pg, recs := usagePage(t, p.usage("p63-01", outage, outage, "", 0))
	if !slices.Equal(pg.MissingDays, []string{outage}) || len(recs) != 0 {
		t.Errorf("outage day %s: missing_days %v, %d records", outage, pg.MissingDays, len(recs))
	}
}

func TestPagingCatalogue(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	for _, tc := range []struct{ unit, asOf, code string }{{"p63-08", "2021-09-15", "08"}, {"m-MOF", "2025-06-01", "MOF"}} {
		want, _ := s.Catalogue(tc.unit, date(t, tc.asOf))
		var got []protocol.Procedure
		tok := ""
		for n := 0; ; n++ {
			r := p.catalogue(tc.unit, tc.asOf, tok, 500)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var page protocol.CataloguePage
			if err := json.Unmarshal(r.body, &page); err != nil {
				t.Fatal(err)
			}
			if page.Protocol != protocol.Version || page.Unit != tc.code || page.AsOf != tc.asOf {
				t.Fatalf("catalogue page header %+v", page)
			}
			got = append(got, page.Procedures...)
			if page.NextPageToken == "" {
				break
			}
			tok = page.NextPageToken
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: catalogue over HTTP (%d) differs from Catalogue() (%d)", tc.unit, len(got), len(want))
		}
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	// A token of another window, unit or resource is refused.
	first, _ := usagePage(t, p.usage("p34-08", "2025-07-01", "2025-07-31", "", 100))
	tok := first.NextPageToken
	if tok == "" {
		t.Fatal("no second page")
	}
	if r := p.usage("p34-08", "2025-07-01", "2025-07-31", tok, 100); r.status != http.StatusOK {
		t.Fatalf("the token of the window: %d %s", r.status, r.body)
	}
	q := url.Values{"as_of": {"2025-07-01"}, "page_token": {tok}}
	for _, r := range []response{
		p.usage("p34-08", "2025-07-01", "2025-07-30", tok, 100),
		p.usage("p34-08", "2025-07-02", "2025-07-31", tok, 100),
		p.usage("p34-01", "2025-07-01", "2025-07-31", tok, 100),
		p.get(BasePath("p34-08")+protocol.CataloguePath, q, s.Token("p34-08")),
	} {
		if r.status != http.StatusBadRequest || !strings.Contains(errorMessage(t, r), "page_token") {
			t.Errorf("a token of another request: %d %s", r.status, r.body)
		}
	}
	for _, tc := range []struct {
		name string
		q    url.Values
		want string // in the error message
	}{
		{"no from", url.Values{"to": {"2025-07-01"}}, "from is missing"},
		{"no to", url.Values{"from": {"2025-07-01"}}, "to is missing"},
		{"bad date", url.Values{"from": {"2025-07-32"}, "to": {"2025-08-01"}}, `from "2025-07-32" is not a date`},
		{"from after to", url.Values{"from": {"2025-08-02"}, "to": {"2025-08-01"}}, "after"},
		{"93 days", url.Values{"from": {"2025-07-01"}, "to": {"2025-10-01"}}, "at most 92 days"},
		{"before validity", url.Values{"from": {"2025-06-30"}, "to": {"2025-07-01"}}, "2025-07-01"},
		{"page_size 0", url.Values{"from": {"2025-07-01"}, "to": {"2025-07-01"}, "page_size": {"0"}}, "page_size"},
		{"page_size too big", url.Values{"from": {"2025-07-01"}, "to": {"2025-07-01"}, "page_size": {"5001"}}, "page_size"},
		{"page_size not a number", url.Values{"from": {"2025-07-01"}, "to": {"2025-07-01"}, "page_size": {"ten"}}, "page_size"},
		{"garbage token", url.Values{"from": {"2025-07-01"}, "to": {"2025-07-01"}, "page_token": {"nope!"}}, "page_token"},
	} {
		r := p.get(BasePath("p34-08")+protocol.UsagePath, tc.q, s.Token("p34-08"))
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.name, r.status)
			continue
		}
		if msg := errorMessage(t, r); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q does not mention %q", tc.name, msg, tc.want)
		}
	}
	// 92 days is fine.
	if r := p.usage("p34-08", "2025-07-01", "2025-09-30", "", 10); r.status != http.StatusOK {
		t.Errorf("92 days: %d %s", r.status, r.body)
	}
	// Catalogue without as_of.
	if r := p.get(BasePath("p34-08")+protocol.CataloguePath, nil, s.Token("p34-08")); r.status != http.StatusBadRequest {
		t.Errorf("catalogue without as_of: %d", r.status)
	}
}

func TestValidityOverHTTP(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	for _, tc := range []struct{ unit, day, want string }{
		{"p63-08", "2025-07-01", "2025-06-30"},
		{"p34-08", "2025-06-30", "2025-07-01"},
		{"m-MPI", "2025-03-01", "2025-02-28"},
		{"m-MAE", "2025-02-28", "2025-03-01"},
	} {
		for _, r := range []response{p.usage(tc.unit, tc.day, tc.day, "", 0), p.catalogue(tc.unit, tc.day, "", 0)} {
			if r.status != http.StatusBadRequest {
				t.Errorf("%s on %s: status %d", tc.unit, tc.day, r.status)
				continue
			}
			msg := errorMessage(t, r)
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, tc.unit) || !strings.Contains(msg, "validity") {
				t.Errorf("%s on %s: error %q does not name the validity", tc.unit, tc.day, msg)
			}
		}
	}
	// The last and first valid days are served.
	for _, tc := range []struct{ unit, day string }{{"p63-08", "2025-06-30"}, {"p34-08", "2025-07-01"}} {
		if r := p.usage(tc.unit, tc.day, tc.day, "", 0); r.status != http.StatusOK {
			t.Errorf("%s on %s: %d %s", tc.unit, tc.day, r.status, r.body)
		}
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 42})
	p := newPortal(t, s)
	// The documented derivation.
	mac := hmac.New(sha256.New, []byte("egovkpi-simulator:42"))
	mac.Write([]byte("p34-08"))
	if want := hex.EncodeToString(mac.Sum(nil)); s.Token("p34-08") != want || TokenFor(42, "p34-08") != want {
		t.Errorf("Token = %s, want %s", s.Token("p34-08"), want)
	}
	path := BasePath("p34-08") + protocol.UsagePath
	q := url.Values{"from": {"2025-08-01"}, "to": {"2025-08-01"}}
	for name, tok := range map[string]string{"none": "", "wrong": "0123", "another unit's": s.Token("p34-01"), "another seed's": TokenFor(1, "p34-08")} {
		r := p.get(path, q, tok)
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s token: status %d", name, r.status)
		}
		errorMessage(t, r)
	}
	if r := p.get(path, q, s.Token("p34-08")); r.status != http.StatusOK {
		t.Errorf("good token: %d", r.status)
	}
	// Unknown unit: 404 before auth.
	if r := p.get(BasePath("p99-99")+protocol.UsagePath, q, s.Token("p99-99")); r.status != http.StatusNotFound {
		t.Errorf("unknown unit: %d", r.status)
	} else if !strings.Contains(errorMessage(t, r), "p99-99") {
		t.Errorf("unknown unit: %s", r.body)
	}
	if r := p.get("/nowhere", nil, ""); r.status != http.StatusNotFound {
		t.Errorf("unknown path: %d", r.status)
	}
	// The listing needs no token and names every unit's base path.
	r := p.get(PortalsPath, nil, "")
	type entry struct {
		ID       string `json:"id"`
		BasePath string `json:"base_path"`
	}
	var list struct {
		Portals []entry `json:"portals"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &list) != nil || len(list.Portals) != len(s.Units()) {
		t.Fatalf("GET /portals: %d %.200s", r.status, r.body)
	}
	if !slices.Contains(list.Portals, entry{"p34-08", "/portals/p34-08"}) {
		t.Errorf("GET /portals lacks /portals/p34-08")
	}
}

// Concurrent clients of several portals get exactly the ground truth.
func TestConcurrentPulls(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 5})
	p := newPortal(t, s)
	units := []string{"p34-08", "p34-08", "m-MOF", "p34-01", "m-MPS", "p34-96"}
	got := make([][]protocol.Usage, len(units))
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Go(func() { got[i], _ = p.pull(u, "2025-09-01", "2025-09-07", 400) })
	}
	wg.Wait()
	for i, u := range units {
		want, _, _ := s.Usage(u, date(t, "2025-09-01"), date(t, "2025-09-07"))
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("%s: concurrent pull differs from Usage()", u)
		}
	}
}

func TestFaultServerErrorsAndRateLimit(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	s.SetFault("p34-08", Fault{ServerErrors: 2, RateLimit: 1})
	from, to := "2025-07-01", "2025-07-10"
	tok := ""
	var got []protocol.Usage
	for pages := 0; ; pages++ {
		for i, want := range []int{500, 502, 429} {
			r := p.usage("p34-08", from, to, tok, 1000)
			if r.status != want {
				t.Fatalf("page %d try %d: status %d, want %d", pages, i+1, r.status, want)
			}
			errorMessage(t, r)
			if want == 429 && r.header.Get("Retry-After") != "1" {
				t.Fatalf("429 without Retry-After: 1")
			}
		}
		page, recs := usagePage(t, p.usage("p34-08", from, to, tok, 1000))
		got = append(got, recs...)
		if page.NextPageToken == "" {
			if pages == 0 {
				t.Fatal("want several pages")
			}
			break
		}
		tok = page.NextPageToken
	}
	want, _, _ := s.Usage("p34-08", date(t, from), date(t, to))
	if !reflect.DeepEqual(got, want) {
		t.Error("records after retries differ from Usage()")
	}
	// Another unit is not affected; Faults reports the fault; clearing it
	// works.
	if r := p.usage("p34-01", from, to, "", 0); r.status != http.StatusOK {
		t.Errorf("p34-01: %d", r.status)
	}
	if f := s.Faults(); len(f) != 1 || f["p34-08"].ServerErrors != 2 {
		t.Errorf("Faults() = %+v", f)
	}
	s.SetFault("p34-08", Fault{})
	if r := p.usage("p34-08", from, to, "", 0); r.status != http.StatusOK || len(s.Faults()) != 0 {
		t.Errorf("after clearing: %d, %v", r.status, s.Faults())
	}
}

func TestFaultTruncatedAndMalformed(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	s.SetFault("m-MOF", Fault{Truncated: true, Malformed: true})
	from, to := "2025-04-01", "2025-04-03"
	for _, res := range []string{"usage", "catalogue"} {
		get := func() response {
			if res == "usage" {
				return p.usage("m-MOF", from, to, "", 0)
			}
			return p.catalogue("m-MOF", from, "", 0)
		}
		// Truncated: the body stops in the middle.
		r := get()
		if r.status == http.StatusOK && r.err == nil && json.Valid(r.body) {
			t.Errorf("%s: first try is not truncated", res)
		}
		// Malformed: a complete 200 body that is not JSON.
		r = get()
		if r.status != http.StatusOK || r.err != nil || json.Valid(r.body) {
			t.Errorf("%s: second try: status %d, err %v, valid %v", res, r.status, r.err, json.Valid(r.body))
		}
		r = get()
		if r.status != http.StatusOK || r.err != nil || !json.Valid(r.body) {
			t.Errorf("%s: third try is not good: %d %v", res, r.status, r.err)
		}
	}
	_, recs := usagePage(t, p.usage("m-MOF", from, to, "", protocol.MaxPageSize))
	want, _, _ := s.Usage("m-MOF", date(t, from), date(t, to))
	if !reflect.DeepEqual(recs, want) {
		t.Error("good page differs from Usage()")
	}
}

func TestFaultSlowAndLatency(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	s.SetFault("p34-08", Fault{Slow: 300 * time.Millisecond})
	start := time.Now()
	usagePage(t, p.usage("p34-08", "2025-07-01", "2025-07-01", "", 0))
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("slow portal answered in %v", d)
	}
	start = time.Now()
	usagePage(t, p.usage("p34-01", "2025-07-01", "2025-07-01", "", 0))
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("another portal took %v", d)
	}

	ls := New(Options{Seed: 1, Latency: 150 * time.Millisecond})
	lp := newPortal(t, ls)
	start = time.Now()
	if r := lp.get(PortalsPath, nil, ""); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("latency 150ms, answered in %v", d)
	}
}

func TestFaultDuplicatePages(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	s.SetFault("p34-79", Fault{DuplicatePages: true})
	from, to := "2025-09-01", "2025-09-05"
	got, pages := p.pull("p34-79", from, to, 300)
	want, _, _ := s.Usage("p34-79", date(t, from), date(t, to))
	if len(got) != 2*len(want) {
		t.Fatalf("%d records served, want each of %d twice", len(got), len(want))
	}
	count := map[string]int{}
	for _, r := range got {
		count[r.Date+" "+r.Procedure]++
	}
	for _, r := range want {
		if count[r.Date+" "+r.Procedure] != 2 {
			t.Fatalf("%s %s served %d times", r.Date, r.Procedure, count[r.Date+" "+r.Procedure])
		}
	}
	tokens := map[string]bool{}
	for _, pg := range pages {
		if pg.NextPageToken != "" && tokens[pg.NextPageToken] {
			t.Fatal("a token repeats")
		}
		tokens[pg.NextPageToken] = true
	}
	for i := 0; i+1 < len(pages); i += 2 {
		if !reflect.DeepEqual(pages[i].Records, pages[i+1].Records) {
			t.Fatalf("page %d is not served again as page %d", i, i+1)
		}
	}
}

func TestFaultContradictions(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	const frac = 0.05
	s.SetFault("p34-79", Fault{Contradictions: frac})
	from, to := "2025-09-01", "2025-09-30"
	got, _ := p.pull("p34-79", from, to, 5000)
	want, _, _ := s.Usage("p34-79", date(t, from), date(t, to))
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	var bad int
	for i, r := range got {
		corrupted := s.Corrupted("p34-79", want[i])
		if corrupted != s.Corrupted("p34-79", r) {
			t.Fatal("Corrupted depends on the counts")
		}
		broken := checkRecord(r) != ""
		if broken != corrupted {
			t.Fatalf("record %s %s: broken %v, Corrupted %v (%s)", r.Date, r.Procedure, broken, corrupted, checkRecord(r))
		}
		if corrupted {
			bad++
			continue
		}
		if !reflect.DeepEqual(r, want[i]) {
			t.Fatalf("record %s %s changed without being corrupted", r.Date, r.Procedure)
		}
	}
	if f := float64(bad) / float64(len(got)); f < frac*0.7 || f > frac*1.3 {
		t.Errorf("%.3f of the records are corrupted, want ≈%.2f", f, frac)
	}
	// No fault: nothing is corrupted.
	if s.Corrupted("p34-01", want[0]) {
		t.Error("Corrupted without a fault")
	}
}

func TestFaultWrongEra(t *testing.T) {
	t.Parallel()
	s := New(Options{Seed: 1})
	p := newPortal(t, s)
	for _, tc := range []struct{ unit, day, want string }{
		{"p34-08", "2025-08-01", "02"},
		{"m-MOF", "2025-08-01", "MPI"},
		{"p63-02", "2024-08-01", "08"},
		{"m-MOJ", "2024-08-01", ""},
	} {
		s.SetFault(tc.unit, Fault{WrongEra: true})
		want := tc.want
		if want == "" {
			want = s.WrongEraCode(tc.unit)
			ended := false
			for _, u := range s.Units() {
				if u.Code == want && !u.ValidTo.IsZero() && u.Block == egovkpi.BlockMinistry {
					ended = true
				}
			}
			if !ended {
				t.Errorf("%s: wrong-era code %q is not an ended ministry's", tc.unit, want)
			}
		}
		page, _ := usagePage(t, p.usage(tc.unit, tc.day, tc.day, "", 0))
		if page.Unit != want {
			t.Errorf("%s usage: unit %q, want %q", tc.unit, page.Unit, want)
		}
		r := p.catalogue(tc.unit, tc.day, "", 0)
		var cp protocol.CataloguePage
		if err := json.Unmarshal(r.body, &cp); err != nil || cp.Unit != want {
			t.Errorf("%s catalogue: unit %q, want %q (%v)", tc.unit, cp.Unit, want, err)
		}
	}
}

func TestParseFaults(t *testing.T) {
	t.Parallel()
	got, err := ParseFaults(" p34-08=slow:2s,5xx:2; p34-01=429:1,truncated ;m-MOF=contradictions:0.05,wrongera,dup,malformed;")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Fault{
		"p34-08": {Slow: 2 * time.Second, ServerErrors: 2},
		"p34-01": {RateLimit: 1, Truncated: true},
		"m-MOF":  {Contradictions: 0.05, WrongEra: true, DuplicatePages: true, Malformed: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseFaults = %+v\nwant %+v", got, want)
	}
	for unit, f := range want {
		back, err := ParseFaults(unit + "=" + f.String())
		if err != nil || !reflect.DeepEqual(back[unit], f) {
			t.Errorf("round trip of %s=%s: %+v %v", unit, f, back, err)
		}
	}
	if m, err := ParseFaults(""); err != nil || len(m) != 0 {
		t.Errorf("empty spec: %v %v", m, err)
	}
	for spec, part := range map[string]string{
		"p34-08":                          "p34-08",
		"p34-08=":                         "p34-08=",
		"=slow:1s":                        "=slow:1s",
		"p34-08=slow":                     "slow",
		"p34-08=slow:fast":                "fast",
		"p34-08=5xx:-1":                   "5xx:-1",
		"p34-08=429:x":                    "429:x",
		"p34-08=contradictions:1.5":       "contradictions:1.5",
		"p34-08=bogus":                    "bogus",
		"p34-08=dup:2":                    "dup:2",
		"p34-08=dup,,wrongera":            "empty",
		"p34-08=dup;p34-08=wrongera":      "twice",
		"p34-01=dup;p34-08=slow:1s,5xx:z": "5xx:z",
	} {
		_, err := ParseFaults(spec)
		if err == nil {
			t.Errorf("ParseFaults(%q) accepted", spec)
			continue
		}
		if !strings.Contains(err.Error(), part) {
			t.Errorf("ParseFaults(%q): %v does not name %q", spec, err, part)
		}
	}
}

// BenchmarkServeUsage pulls a 31-day window of a large province over HTTP
// in pages of 5,000, reading the bodies without decoding them (the
// server's cost).
func BenchmarkServeUsage(b *testing.B) {
	s := New(Options{Seed: 1})
	p := newPortal(b, s)
	want, _, _ := s.Usage("p34-79", date(b, "2025-10-01"), date(b, "2025-10-31"))
	var bytesRead int
	for b.Loop() {
		tok := ""
		for {
			r := p.usage("p34-79", "2025-10-01", "2025-10-31", tok, protocol.MaxPageSize)
			if r.status != http.StatusOK {
				b.Fatal(r.status)
			}
			bytesRead += len(r.body)
			i := bytes.LastIndex(r.body, []byte(`"next_page_token":"`))
			if i < 0 {
				break
			}
			rest := r.body[i+len(`"next_page_token":"`):]
			tok = string(rest[:bytes.IndexByte(rest, '"')])
		}
	}
	b.ReportMetric(float64(len(want))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(bytesRead)/float64(b.N)/float64(len(want)), "bytes/record")
}
