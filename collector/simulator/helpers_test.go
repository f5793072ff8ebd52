package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"egovkpi"
	"egovkpi/collector/protocol"
	"egovkpi/collector/record"
)

// day parses a test date.
func date(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := egovkpi.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// portal is a real HTTP server of a simulator.
type portal struct {
	t   testing.TB
	s   *Simulator
	srv *httptest.Server
}

func newPortal(t testing.TB, s *Simulator) *portal {
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &portal{t: t, s: s, srv: srv}
}

type response struct {
	status int
	header http.Header
	body   []byte
	err    error // reading the body
}

// get requests path?query with the given bearer token ("" for none).
func (p *portal) get(path string, q url.Values, token string) response {
	p.t.Helper()
	u := p.srv.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		p.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := p.srv.Client().Do(req)
	if err != nil {
		p.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, rerr := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: body, err: rerr}
}

// usage requests a usage page of a unit with its own token.
func (p *portal) usage(unit, from, to, token string, size int) response {
	p.t.Helper()
	q := url.Values{"from": {from}, "to": {to}}
	if token != "" {
		q.Set("page_token", token)
	}
	if size > 0 {
		q.Set("page_size", itoa(size))
	}
	return p.get(BasePath(unit)+protocol.UsagePath, q, p.s.Token(unit))
}

func (p *portal) catalogue(unit, asOf, token string, size int) response {
	p.t.Helper()
	q := url.Values{"as_of": {asOf}}
	if token != "" {
		q.Set("page_token", token)
	}
	if size > 0 {
		q.Set("page_size", itoa(size))
	}
	return p.get(BasePath(unit)+protocol.CataloguePath, q, p.s.Token(unit))
}

func itoa(n int) string { return strconv.Itoa(n) }

// usagePage decodes a good usage page and its records.
func usagePage(t testing.TB, r response) (protocol.UsagePage, []protocol.Usage) {
	t.Helper()
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("want a good page, got status %d, read error %v, body %.300s", r.status, r.err, r.body)
	}
	var page protocol.UsagePage
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatalf("decoding page: %v; body %.300s", err, r.body)
	}
	recs := make([]protocol.Usage, len(page.Records))
	for i, raw := range page.Records {
		if err := json.Unmarshal(raw, &recs[i]); err != nil {
			t.Fatalf("decoding record %s: %v", raw, err)
		}
	}
	return page, recs
}

// errorMessage decodes a protocol.Error body.
func errorMessage(t testing.TB, r response) string {
	t.Helper()
	var e protocol.Error
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Fatalf("status %d: body %q is not a protocol.Error", r.status, r.body)
	}
	return e.Error
}

// val returns a count, 0 for nil.
func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// checkRecord returns why the record fails record.DecodeUsage (types,
// formats and every part ≤ whole rule) or breaks one of the model's own,
// stronger invariants; "" if neither.
func checkRecord(r protocol.Usage) string {
	raw, err := json.Marshal(r)
	if err != nil {
		return err.Error()
	}
	if _, err := record.DecodeUsage(raw); err != nil {
		return err.Error()
	}
	rcv := val(r.Received)
	switch {
	case r.Received == nil:
		return "received not reported"
	case val(r.ReceivedInPerson)+val(r.ReceivedOnline)+val(r.ReceivedPost) != rcv:
		return "channels do not add up to received"
	case val(r.ProcessedOnTime)+val(r.ProcessedLate) != val(r.Processed):
		return "processed_on_time + processed_late != processed"
	case val(r.FinancialObligation) > rcv:
		return "financial_obligation > received"
	case val(r.EResult) > rcv:
		return "e_result > received"
	case val(r.VotesSatisfied)+val(r.VotesDissatisfied) > rcv:
		return "votes > received"
	case rcv == 0 && val(r.Processed) == 0 && val(r.ComplaintsReceived) == 0:
		return "listed without activity"
	}
	return ""
}
