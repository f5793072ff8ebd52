// Package pull is the HTTP client side of the portal statistics protocol:
// it fetches every page of a catalogue or usage listing, retrying what can
// be retried (network errors, 5xx, 429/503 with Retry-After, a truncated or
// malformed page) with exponential backoff and jitter, and giving up
// clearly on what cannot (401, 4xx, a page over the size limit, a portal
// that repeats its continuation token).
package pull

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"egovkpi/collector/protocol"
)

// Source is what the client needs of a source.
type Source struct {
	ID    string
	URL   string // the portal's base URL, without /v1/...
	Token string
}

// Limits of a listing.
const (
	// attempts is how many times a page is tried.
	attempts = 5
	// maxPages bounds one listing.
	maxPages = 10_000
)

// Client fetches listings from portals. It does not send page_size: portals
// choose the size of their pages.
type Client struct {
	HTTP *http.Client
	// Backoff is the first pause between attempts, doubled each time with
	// ±50 % jitter; zero means 500 ms.
	Backoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a
	// longer one ends the listing with a *RetryLaterError. Zero means 30 s.
	MaxRetryAfter time.Duration
}

// Stats counts what a listing cost.
type Stats struct {
	Requests int
	Retries  int
	Pages    int
}

// PageError is a page that could not be had after every attempt. Body
// holds what the portal last answered (cut at the size limit), for the
// quarantine.
type PageError struct {
	URL     string
	Status  int
	Reason  string
	Body    []byte
	Retried bool // whether the failure was of a kind that was retried
}

func (e *PageError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("pull %s: HTTP %d: %s", e.URL, e.Status, e.Reason)
	}
	return fmt.Sprintf("pull %s: %s", e.URL, e.Reason)
}

// RetryLaterError says the portal asked to be left alone until Until.
type RetryLaterError struct {
	URL   string
	Until time.Time
}

func (e *RetryLaterError) Error() string {
	return fmt.Sprintf("pull %s: portal asked to retry after %s", e.URL, e.Until.Format(time.RFC3339))
}

// Usage fetches every page of GET /v1/usage for [from, to].
func (c *Client) Usage(ctx context.Context, src Source, from, to time.Time) ([]protocol.UsagePage, Stats, error) {
	q := url.Values{"from": {from.Format(protocol.DateLayout)}, "to": {to.Format(protocol.DateLayout)}}
	var pages []protocol.UsagePage
	st, err := c.list(ctx, src, protocol.UsagePath, q, func(body []byte) (string, error) {
		var p protocol.UsagePage
		if err := protocol.DecodeStrict(body, &p); err != nil {
			return "", err
		}
		pages = append(pages, p)
		return p.NextPageToken, nil
	})
	return pages, st, err
}

// Catalogue fetches every page of GET /v1/catalogue as of asOf.
func (c *Client) Catalogue(ctx context.Context, src Source, asOf time.Time) ([]protocol.RawCataloguePage, Stats, error) {
	q := url.Values{"as_of": {asOf.Format(protocol.DateLayout)}}
	var pages []protocol.RawCataloguePage
	st, err := c.list(ctx, src, protocol.CataloguePath, q, func(body []byte) (string, error) {
		var p protocol.RawCataloguePage
		if err := protocol.DecodeStrict(body, &p); err != nil {
			return "", err
		}
		pages = append(pages, p)
		return p.NextPageToken, nil
	})
	return pages, st, err
}

// list walks the continuation tokens; parse decodes one page body and
// returns the next token.
func (c *Client) list(ctx context.Context, src Source, path string, q url.Values, parse func([]byte) (string, error)) (Stats, error) {
	var st Stats
	seen := map[string]bool{}
	token := ""
	for {
		if token != "" {
			q.Set("page_token", token)
		}
		u := strings.TrimRight(src.URL, "/") + path + "?" + q.Encode()
		next, err := c.page(ctx, src, u, parse, &st)
		if err != nil {
			return st, err
		}
		st.Pages++
		if next == "" {
			return st, nil
		}
		if seen[next] {
			return st, &PageError{URL: u, Reason: fmt.Sprintf("the portal repeated the continuation token %q: the listing would never end", next)}
		}
		if st.Pages >= maxPages {
			return st, &PageError{URL: u, Reason: fmt.Sprintf("more than %d pages", maxPages)}
		}
		seen[next] = true
		token = next
	}
}

// page fetches and parses one page, retrying what can be retried.
func (c *Client) page(ctx context.Context, src Source, u string, parse func([]byte) (string, error), st *Stats) (string, error) {
	backoff := c.Backoff
	if backoff == 0 {
		backoff = 500 * time.Millisecond
	}
	maxWait := c.MaxRetryAfter
	if maxWait == 0 {
		maxWait = 30 * time.Second
	}
	var last *PageError
	for attempt := 1; ; attempt++ {
		wait, next, err := c.try(ctx, src, u, parse, st)
		if err == nil {
			return next, nil
		}
		var pe *PageError
		if !errors.As(err, &pe) {
			return "", err // the context ended
		}
		last = pe
		if !pe.Retried {
			return "", pe
		}
		if attempt >= attempts {
			return "", fmt.Errorf("%w (after %d attempts)", last, attempt)
		}
		if wait > maxWait {
			return "", &RetryLaterError{URL: u, Until: time.Now().Add(wait)}
		}
		if wait == 0 {
			wait = Jitter(backoff << (attempt - 1))
		}
		st.Retries++
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("pull %s: %w", u, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// try makes one request. It returns the Retry-After wait when the portal
// gave one.
func (c *Client) try(ctx context.Context, src Source, u string, parse func([]byte) (string, error), st *Stats) (time.Duration, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", &PageError{URL: u, Reason: err.Error()}
	}
	req.Header.Set("Authorization", "Bearer "+src.Token)
	req.Header.Set("Accept", "application/json")
	st.Requests++
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", fmt.Errorf("pull %s: %w", u, ctx.Err())
		}
		return 0, "", &PageError{URL: u, Reason: err.Error(), Retried: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxBodyBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", fmt.Errorf("pull %s: %w", u, ctx.Err())
		}
		return 0, "", &PageError{URL: u, Status: resp.StatusCode, Reason: "reading the body: " + err.Error(), Body: body, Retried: true}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		wait := retryAfter(resp.Header.Get("Retry-After"))
		return wait, "", &PageError{URL: u, Status: resp.StatusCode, Reason: errorText(body), Retried: true}
	case resp.StatusCode >= 500:
		return 0, "", &PageError{URL: u, Status: resp.StatusCode, Reason: errorText(body), Retried: true}
	case resp.StatusCode != http.StatusOK:
		return 0, "", &PageError{URL: u, Status: resp.StatusCode, Reason: errorText(body), Body: body}
	}
	if len(body) > protocol.MaxBodyBytes {
		return 0, "", &PageError{URL: u, Status: resp.StatusCode, Reason: fmt.Sprintf("page over the %d MiB limit", protocol.MaxBodyBytes>>20), Body: body[:protocol.MaxBodyBytes]}
	}
	next, err := parse(body)
	if err != nil {
		return 0, "", &PageError{URL: u, Status: resp.StatusCode, Reason: "malformed JSON: " + protocol.DescribeJSONError(body, err), Body: body, Retried: true}
	}
	return 0, next, nil
}

// errorText is the protocol error message of a body, or its beginning.
func errorText(body []byte) string {
	var e protocol.Error
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return e.Error
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "empty body"
	}
	return s
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// Jitter spreads d at random over [d/2, 3d/2), so that clients that failed
// together do not retry together.
func Jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	n, err := rand.Int(rand.Reader, big.NewInt(int64(d)))
	if err != nil {
		return d
	}
	return d/2 + time.Duration(n.Int64())
}
