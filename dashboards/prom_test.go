package dashboards

import (
	"strings"
	"testing"
)

// TestPrometheusMetrics: /metrics counts requests by route pattern (not by
// raw path) and reads the collection's figures from the database.
func TestPrometheusMetrics(t *testing.T) {
	a := fullApp(t)
	for _, p := range []string{"/healthz", "/healthz", "/upload/template.csv", "/no/such/page"} {
		do(t, a, "GET", p, "", nil)
	}
	status, _, body := do(t, a, "GET", "/metrics", "", nil)
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`egovkpi_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
		`egovkpi_http_requests_total{method="GET",route="/upload/template.:format",status="200"} 1`,
		`egovkpi_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`egovkpi_http_request_duration_seconds_bucket{route="/healthz",le="0.1"}`,
		"egovkpi_collection_stats_up 1",
		"egovkpi_quarantine_records 0",
		`egovkpi_collection_rows{outcome="accepted"} 0`,
		"egovkpi_figures_cache_entries 0",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
