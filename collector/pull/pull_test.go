package pull

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"egovkpi/collector/protocol"
)

func serve(t *testing.T, h http.HandlerFunc) Source {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return Source{ID: "s", URL: srv.URL, Token: "tok"}
}

func day(s string) time.Time { d, _ := time.Parse(protocol.DateLayout, s); return d }

func TestRepeatedContinuationTokenEndsTheListing(t *testing.T) {
	src := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"protocol":"egovkpi-portal/1","unit":"08","from":"2025-08-01","to":"2025-08-01","records":[],"next_page_token":"again"}`)
	})
	_, st, err := (&Client{}).Usage(context.Background(), src, day("2025-08-01"), day("2025-08-01"))
	var pe *PageError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), `repeated the continuation token "again"`) || st.Pages != 2 {
		t.Fatalf("err %v after %d pages", err, st.Pages)
	}
}

func TestRetryAfterBeyondPatienceAsksToComeBackLater(t *testing.T) {
	src := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	start := time.Now()
	_, _, err := (&Client{MaxRetryAfter: time.Second}).Usage(context.Background(), src, day("2025-08-01"), day("2025-08-01"))
	var later *RetryLaterError
	if !errors.As(err, &later) || later.Until.Before(time.Now().Add(100*time.Second)) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v (took %s)", err, time.Since(start))
	}
}

func TestRetryAfterAsHTTPDateIsObeyed(t *testing.T) {
	var n atomic.Int32
	src := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"protocol":"egovkpi-portal/1","unit":"08","from":"2025-08-01","to":"2025-08-01","records":[]}`)
	})
	start := time.Now()
	pages, st, err := (&Client{}).Usage(context.Background(), src, day("2025-08-01"), day("2025-08-01"))
	if err != nil || len(pages) != 1 || st.Retries != 1 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("pages %d, retries %d, err %v, took %s", len(pages), st.Retries, err, time.Since(start))
	}
}

func TestRefusalIsNotRetried(t *testing.T) {
	var n atomic.Int32
	src := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"bad token"}`)
	})
	_, _, err := (&Client{Backoff: time.Millisecond}).Catalogue(context.Background(), src, day("2025-08-01"))
	var pe *PageError
	if !errors.As(err, &pe) || pe.Retried || pe.Status != 401 || !strings.Contains(err.Error(), "bad token") || n.Load() != 1 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}
}

func TestOversizePageIsRefused(t *testing.T) {
	src := serve(t, func(w http.ResponseWriter, r *http.Request) {
		big := strings.Repeat(" ", 33<<20)
		fmt.Fprint(w, `{"protocol":"egovkpi-portal/1"`+big+`}`)
	})
	_, _, err := (&Client{}).Usage(context.Background(), src, day("2025-08-01"), day("2025-08-01"))
	var pe *PageError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "over the 32 MiB limit") || len(pe.Body) != 32<<20 {
		t.Fatalf("err %v", err)
	}
}

func TestJitterSpreadsOverHalfToOneAndAHalf(t *testing.T) {
	if Jitter(0) != 0 {
		t.Fatal("Jitter(0) != 0")
	}
	for range 1000 {
		if d := Jitter(time.Second); d < 500*time.Millisecond || d >= 1500*time.Millisecond {
			t.Fatalf("Jitter(1s) = %s", d)
		}
	}
}
