package dashboards

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// telemetry is what /metrics exposes in the Prometheus text format:
// requests and their latencies by route pattern, the figures cache, and
// the collection's runs, rows and quarantine as recorded in ClickHouse
// (read at scrape time, so every process's collections count).
type telemetry struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	serve    fiber.Handler
}

func newTelemetry(a *App) *telemetry {
	t := &telemetry{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "egovkpi_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "egovkpi_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	t.registry.MustRegister(t.requests, t.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "egovkpi_figures_cache_entries", Help: "Answers held by the figures cache."},
			func() float64 {
				if a.cache == nil {
					return 0
				}
				return float64(a.cache.Len())
			}),
		&collectionCollector{a: a})
	t.serve = adaptor.HTTPHandler(promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{}))
	return t
}

// observe counts a finished request.
func (t *telemetry) observe(c *fiber.Ctx, status int, took time.Duration) {
	route := c.Route().Path // the pattern: bounded label values
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched" // only the catch-all middleware matched
	}
	t.requests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
	t.latency.WithLabelValues(route).Observe(took.Seconds())
}

// prometheus serves /metrics.
func (a *App) prometheus(c *fiber.Ctx) error { return a.telemetry.serve(c) }

// collectionCollector reads the run log and the quarantine at scrape time.
type collectionCollector struct{ a *App }

var (
	runsDesc = prometheus.NewDesc("egovkpi_collection_runs", "Collection runs recorded, by kind and latest status.", []string{"kind", "status"}, nil)
	rowsDesc = prometheus.NewDesc("egovkpi_collection_rows", "Rows accepted and quarantined by the recorded runs.", []string{"outcome"}, nil)
	quarDesc = prometheus.NewDesc("egovkpi_quarantine_records", "Records ever quarantined (replayed ones included).", nil, nil)
	upDesc   = prometheus.NewDesc("egovkpi_collection_stats_up", "1 when the collection statistics could be read.", nil, nil)
)

func (cc *collectionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- runsDesc
	ch <- rowsDesc
	ch <- quarDesc
	ch <- upDesc
}

func (cc *collectionCollector) Collect(ch chan<- prometheus.Metric) {
	up := 1.0
	defer func() { ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up) }()
	if cc.a.deps.Conn == nil {
		up = 0
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rows, err := cc.a.deps.Conn.Query(ctx, "SELECT toString(kind), toString(status), count(), sum(rows_accepted), sum(rows_quarantined) FROM collection_runs FINAL GROUP BY kind, status")
	if err != nil {
		up = 0
		cc.a.deps.Log.Warn("metrics: collection runs", slog.Any("err", err))
		return
	}
	defer rows.Close()
	var accepted, quarantined float64
	for rows.Next() {
		var kind, status string
		var n, acc, q uint64
		if err := rows.Scan(&kind, &status, &n, &acc, &q); err != nil {
			up = 0
			return
		}
		ch <- prometheus.MustNewConstMetric(runsDesc, prometheus.GaugeValue, float64(n), kind, status)
		accepted += float64(acc)
		quarantined += float64(q)
	}
	ch <- prometheus.MustNewConstMetric(rowsDesc, prometheus.GaugeValue, accepted, "accepted")
	ch <- prometheus.MustNewConstMetric(rowsDesc, prometheus.GaugeValue, quarantined, "quarantined")
	var held uint64
	if err := cc.a.deps.Conn.QueryRow(ctx, "SELECT count() FROM quarantine").Scan(&held); err != nil {
		up = 0
		return
	}
	ch <- prometheus.MustNewConstMetric(quarDesc, prometheus.GaugeValue, float64(held))
}
