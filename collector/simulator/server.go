package simulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"egovkpi"
	"egovkpi/collector/protocol"
)

// MaxWindowDays is the longest usage window a portal serves in one request.
const MaxWindowDays = 92

// PortalsPath is the path of the portal listing; a unit's portal is at
// PortalsPath/{unitID} (see BasePath).
const PortalsPath = "/portals"

// BasePath returns the path of a unit's portal, relative to the
// simulator's address: "/portals/p34-08".
func BasePath(unitID string) string { return PortalsPath + "/" + unitID }

// Handler returns the HTTP handler of every portal:
//
//	GET /portals                              the units and their base paths (JSON, for humans)
//	GET /portals/{unitID}/v1/catalogue?as_of=…  protocol v1 catalogue pages
//	GET /portals/{unitID}/v1/usage?from=…&to=…  protocol v1 usage pages
//
// Requests to a portal need "Authorization: Bearer <Token(unitID)>".
// Errors are protocol.Error bodies: 404 for an unknown unit or path, 401
// for a missing or wrong token, 400 for a bad request (dates, windows over
// MaxWindowDays, page_size outside 1..protocol.MaxPageSize, days outside
// the unit's validity, a page_token of another request). Only well-formed,
// authorised requests count as tries for the faults.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PortalsPath, s.serveList)
	mux.HandleFunc("GET "+PortalsPath+"/{$}", s.serveList)
	mux.HandleFunc("GET "+PortalsPath+"/{unit}"+protocol.CataloguePath, s.serveCatalogue)
	mux.HandleFunc("GET "+PortalsPath+"/{unit}"+protocol.UsagePath, s.serveUsage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no such resource %s %s (GET %s lists the portals)", r.Method, r.URL.Path, PortalsPath))
	})
	if s.latency <= 0 {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !sleep(r, s.latency) {
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// sleep waits d unless the request is cancelled first (then it reports
// false).
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(protocol.Error{Error: msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// portalInfo is one entry of GET /portals.
type portalInfo struct {
	ID        string `json:"id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Block     string `json:"block"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to,omitempty"`
	BasePath  string `json:"base_path"`
	Fault     string `json:"fault,omitempty"`
}

func (s *Simulator) serveList(w http.ResponseWriter, r *http.Request) {
	faults := s.Faults()
	list := struct {
		Protocol string       `json:"protocol"`
		Auth     string       `json:"auth"`
		Portals  []portalInfo `json:"portals"`
	}{
		Protocol: protocol.Version,
		Auth:     "Authorization: Bearer hex(HMAC-SHA256(key \"egovkpi-simulator:<seed>\", unit id)); egovkpi simulate --print-tokens lists them",
	}
	for _, m := range s.units {
		pi := portalInfo{
			ID: m.u.ID, Code: m.u.Code, Name: m.u.NameVI, Block: string(m.u.Block),
			ValidFrom: m.u.ValidFrom.Format(egovkpi.DateLayout),
			BasePath:  BasePath(m.u.ID),
			Fault:     faults[m.u.ID].String(),
		}
		if !m.u.ValidTo.IsZero() {
			pi.ValidTo = m.u.ValidTo.Format(egovkpi.DateLayout)
		}
		list.Portals = append(list.Portals, pi)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(list)
}

// request is a validated request to a portal.
type request struct {
	m        *unitModel
	fault    Fault
	resource string // "catalogue" or "usage"
	from, to day    // usage window; catalogue: from = to = as_of
	window   string // canonical window, for tokens and try counts
	size     int
	offset   int
	dup      bool // this page repeats the previous one (DuplicatePages)
	token    string
}

// start checks the unit, the token and the paging parameters; it writes the
// error and returns nil if they are wrong.
func (s *Simulator) start(w http.ResponseWriter, r *http.Request, resource string) *request {
	id := r.PathValue("unit")
	m, ok := s.byID[id]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("unknown unit %q (GET %s lists the portals)", id, PortalsPath))
		return nil
	}
	auth := r.Header.Get("Authorization")
	tok, isBearer := strings.CutPrefix(auth, "Bearer ")
	if !isBearer || !hmac.Equal([]byte(strings.TrimSpace(tok)), []byte(s.Token(id))) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="egovkpi-simulator"`)
		msg := "missing bearer token: send Authorization: Bearer <token of " + id + ">"
		if auth != "" {
			msg = "invalid bearer token for " + id
		}
		writeError(w, http.StatusUnauthorized, msg)
		return nil
	}
	req := &request{m: m, fault: s.fault(id), resource: resource, size: protocol.DefaultPageSize}
	if !sleep(r, req.fault.Slow) {
		return nil
	}
	bad := func(format string, args ...any) *request {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(format, args...))
		return nil
	}
	q := r.URL.Query()
	date := func(name string) (day, bool) {
		v := q.Get(name)
		if v == "" {
			bad("%s is missing (want %s=YYYY-MM-DD)", name, name)
			return 0, false
		}
		t, err := protocol.ParseDate(v)
		if err != nil {
			bad("%s %q is not a date YYYY-MM-DD", name, v)
			return 0, false
		}
		d := dayOf(t)
		if !m.u.ValidOn(t) {
			bad("%s %s is outside the unit's validity: %s", name, d, validity(m.u))
			return 0, false
		}
		return d, true
	}
	if resource == "catalogue" {
		d, ok := date("as_of")
		if !ok {
			return nil
		}
		req.from, req.to = d, d
		req.window = d.String()
	} else {
		// Check the order and length before the validity, whose message is
		// about single days.
		f, okF := parseDay(q.Get("from"))
		t, okT := parseDay(q.Get("to"))
		if okF && okT {
			if f > t {
				return bad("from %s is after to %s", f, t)
			}
			if n := int(t-f) + 1; n > MaxWindowDays {
				return bad("window %s..%s is %d days; at most %d days per request", f, t, n, MaxWindowDays)
			}
		}
		if req.from, ok = date("from"); !ok {
			return nil
		}
		if req.to, ok = date("to"); !ok {
			return nil
		}
		req.window = req.from.String() + ".." + req.to.String()
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > protocol.MaxPageSize {
			return bad("page_size %q must be a whole number in 1..%d", v, protocol.MaxPageSize)
		}
		req.size = n
	}
	if v := q.Get("page_token"); v != "" {
		off, dup, err := s.openToken(req, v)
		if err != nil {
			return bad("page_token: %v", err)
		}
		req.offset, req.dup, req.token = off, dup, v
	}
	return req
}

func parseDay(v string) (day, bool) {
	t, err := protocol.ParseDate(v)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// Page tokens: base64url of [offset uvarint][dup byte][12 bytes of
// HMAC-SHA256 over unit, resource, window, offset and dup]. A token is
// valid only for the request (unit, resource, window) that issued it.

func (s *Simulator) tokenMAC(req *request, payload []byte) []byte {
	mac := hmac.New(sha256.New, s.key)
	fmt.Fprintf(mac, "page|%s|%s|%s|", req.m.u.ID, req.resource, req.window)
	mac.Write(payload)
	return mac.Sum(nil)[:12]
}

func (s *Simulator) makeToken(req *request, offset int, dup bool) string {
	p := binary.AppendUvarint(nil, uint64(offset))
	if dup {
		p = append(p, 1)
	} else {
		p = append(p, 0)
	}
	return base64.RawURLEncoding.EncodeToString(append(p, s.tokenMAC(req, p)...))
}

func (s *Simulator) openToken(req *request, tok string) (offset int, dup bool, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 14 {
		return 0, false, fmt.Errorf("%q is not a token this portal issued", tok)
	}
	payload, mac := raw[:len(raw)-12], raw[len(raw)-12:]
	if !hmac.Equal(mac, s.tokenMAC(req, payload)) {
		return 0, false, fmt.Errorf("%q was issued for another request (unit, resource or window %s); start again without page_token", tok, req.window)
	}
	off, n := binary.Uvarint(payload)
	if n <= 0 || n != len(payload)-1 || off > 1<<31 {
		return 0, false, fmt.Errorf("%q is not a token this portal issued", tok)
	}
	return int(off), payload[n] == 1, nil
}

// next returns the token of the page after the current one.
func (s *Simulator) next(req *request, more bool) string {
	if req.fault.DuplicatePages && !req.dup {
		return s.makeToken(req, req.offset, true)
	}
	if more {
		return s.makeToken(req, req.offset+req.size, false)
	}
	return ""
}

// failure answers the failing tries of a page; it reports which one is due
// (failNone when the good answer is due).
type failure int

const (
	failNone failure = iota
	failTruncated
	failMalformed
	failDone // answered already (5xx, 429)
)

func (s *Simulator) failure(w http.ResponseWriter, req *request) failure {
	f := req.fault
	if f.FailedTries() == 0 {
		return failNone
	}
	n := s.try(tryKey{req.m.u.ID, req.resource, req.window, req.token})
	if n < f.ServerErrors {
		status := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[n%3]
		writeError(w, status, fmt.Sprintf("simulated server error (try %d of this page)", n+1))
		return failDone
	}
	n -= f.ServerErrors
	if n < f.RateLimit {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("simulated rate limit (try %d of this page): retry after 1 s", n+1+f.ServerErrors))
		return failDone
	}
	n -= f.RateLimit
	if f.Truncated {
		if n == 0 {
			return failTruncated
		}
		n--
	}
	if f.Malformed && n == 0 {
		return failMalformed
	}
	return failNone
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// writePage writes a page body, spoiled as the failure asks.
func writePage(w http.ResponseWriter, body []byte, fail failure, arrayKey string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	switch fail {
	case failMalformed:
		// A stray token at the start of the array.
		if i := bytes.Index(body, []byte(`"`+arrayKey+`":[`)); i >= 0 {
			at := i + len(arrayKey) + 4
			body = append(body[:at], append([]byte("undefined,"), body[at:]...)...)
		}
	case failTruncated:
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // close the connection mid-body
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Simulator) unitCode(req *request) string {
	if req.fault.WrongEra {
		return req.m.wrongEra
	}
	return req.m.u.Code
}

func (s *Simulator) serveCatalogue(w http.ResponseWriter, r *http.Request) {
	req := s.start(w, r, "catalogue")
	if req == nil {
		return
	}
	procs := s.catalogue(req.m, req.from)
	if req.offset > len(procs) || (req.offset == len(procs) && req.offset > 0) {
		writeError(w, http.StatusBadRequest, "page_token: past the end of the listing")
		return
	}
	fail := s.failure(w, req)
	if fail == failDone {
		return
	}
	end := min(len(procs), req.offset+req.size)
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	b := slices.Grow((*bp)[:0], 256+256*(end-req.offset))
	b = pageHead(b, s.unitCode(req))
	b = appendKey(b, false, "as_of")
	b = appendString(b, req.from.String())
	b = appendKey(b, false, "procedures")
	b = append(b, '[')
	for i := req.offset; i < end; i++ {
		if i > req.offset {
			b = append(b, ',')
		}
		b = appendProcedure(b, &procs[i])
	}
	b = pageTail(b, s.next(req, end < len(procs)))
	*bp = b
	writePage(w, b, fail, "procedures")
}

func (s *Simulator) serveUsage(w http.ResponseWriter, r *http.Request) {
	req := s.start(w, r, "usage")
	if req == nil {
		return
	}
	fail := s.failure(w, req) // before the work, as an overloaded server would
	if fail == failDone {
		return
	}
	records, missing, more, ok := s.usagePage(req)
	if !ok {
		writeError(w, http.StatusBadRequest, "page_token: past the end of the listing")
		return
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	b := slices.Grow((*bp)[:0], 256+12*len(missing)+512*len(records))
	b = pageHead(b, s.unitCode(req))
	b = appendKey(b, false, "from")
	b = appendString(b, req.from.String())
	b = appendKey(b, false, "to")
	b = appendString(b, req.to.String())
	if len(missing) > 0 {
		b = appendKey(b, false, "missing_days")
		b = append(b, '[')
		for i, d := range missing {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, d.String())
		}
		b = append(b, ']')
	}
	b = appendKey(b, false, "records")
	b = append(b, '[')
	contra := req.fault.Contradictions
	for i := range records {
		if i > 0 {
			b = append(b, ',')
		}
		rec := &records[i]
		if contra > 0 {
			if u, mode := s.corruptHash(req.m.u.ID, rec.Date, rec.Procedure); u < contra {
				c := corrupt(*rec, mode)
				rec = &c
			}
		}
		b = appendUsage(b, rec)
	}
	b = pageTail(b, s.next(req, more))
	*bp = b
	writePage(w, b, fail, "records")
}
