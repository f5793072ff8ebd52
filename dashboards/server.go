package dashboards

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"golang.org/x/sync/singleflight"

	"egovkpi/collector"
	"egovkpi/collector/protocol"
	"egovkpi/collector/push"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
	"egovkpi/internal/refdata"
	"egovkpi/metrics"
	"egovkpi/reports/workflow"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the web app needs from the rest of egovkpi.
type Deps struct {
	// Conn is the ClickHouse connection every page reads from.
	Conn driver.Conn
	// Ready reports whether the database is usable by this binary
	// (reachable, migrations current); nil means always ready.
	Ready func(context.Context) error
	// Log receives request and error logs; nil means slog.Default().
	Log *slog.Logger
	// RequestTimeout bounds every request; zero means 10 s.
	RequestTimeout time.Duration
	// Now returns the current time; nil means time.Now. Pages default to
	// today in Vietnam.
	Now func() time.Time
	// Push handles the ingest API; nil answers 503.
	Push *push.Handler
	// Store reads the collection's state; nil hides the collection page.
	Store *store.Store
	// Collector takes file uploads; nil disables them.
	Collector *collector.Collector
	// Figures are the ranking rules and the 766 methodology; nil uses
	// metrics.DefaultSettings.
	Figures *metrics.Settings
	// CacheEntries bounds the cache of rendered figures (0: 2000; < 0: no
	// cache). Serve keeps it true to the data by polling data_changes
	// every CachePoll (0: 2 s).
	CacheEntries int
	CachePoll    time.Duration
	// Auth keeps accounts and sessions; nil uses auth.New(Conn).
	Auth *auth.Store
	// PartTimeout bounds each part of a page (a table, a chart); a part
	// that runs out shows a notice instead. Zero means 4 s.
	PartTimeout time.Duration
	// Reports keeps the units' quarterly reports and their review; nil
	// answers the report pages 404 ("not enabled") and hides the reporting
	// rates.
	Reports *workflow.Store
	// InsecureCookies drops the cookies' Secure flag: only for plain HTTP
	// on a loopback address (the demo, tests); decided by the caller from
	// where it listens, never from a request's Host header.
	InsecureCookies bool
}

// App is the web application.
type App struct {
	fiber *fiber.App
	deps  Deps
	tpl   *template.Template
	loc   *time.Location
	reg   *refdata.Registry
	cache *metrics.Cache // nil: figures are not cached
	// inflight makes concurrent misses of one cached answer compute it once.
	inflight singleflight.Group
	// Failed sign-ins: 5 per login and 20 per address in 15 minutes;
	// refused API tokens: 20 per address (key "api-token:"+address).
	loginLimit, addrLimit *auth.Limiter
	telemetry             *telemetry
}

// New builds the app and its routes.
func New(deps Deps) (*App, error) {
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	if deps.RequestTimeout == 0 {
		deps.RequestTimeout = 10 * time.Second
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.PartTimeout == 0 {
		deps.PartTimeout = defaultPartTimeout
	}
	loc := collector.Vietnam
	tpl, err := template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("dashboards: parse templates: %w", err)
	}
	reg, err := refdata.Load()
	if err != nil {
		return nil, fmt.Errorf("dashboards: %w", err)
	}
	if deps.Figures == nil {
		settings, err := metrics.DefaultSettings()
		if err != nil {
			return nil, fmt.Errorf("dashboards: %w", err)
		}
		deps.Figures = &settings
	}
	if deps.Auth == nil {
		deps.Auth = auth.New(deps.Conn)
	}
	a := &App{deps: deps, tpl: tpl, loc: loc, reg: reg,
		loginLimit: auth.NewLimiter(5, 15*time.Minute), addrLimit: auth.NewLimiter(20, 15*time.Minute)}
	switch {
	case deps.CacheEntries == 0:
		a.cache = metrics.NewCache(2000)
	case deps.CacheEntries > 0:
		a.cache = metrics.NewCache(deps.CacheEntries)
	}
	a.telemetry = newTelemetry(a)
	if a.deps.CachePoll == 0 {
		a.deps.CachePoll = 2 * time.Second
	}
	a.fiber = fiber.New(fiber.Config{
		AppName:               "egovkpi",
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		// Above the push limit, so that the push handler answers an
		// oversize body with 413 and a message instead of a reset.
		BodyLimit:    2 * protocol.MaxBodyBytes,
		ErrorHandler: a.handleError,
	})
	a.fiber.Use(recover.New(), requestid.New(), a.logRequests, helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
	}), a.deadline)
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a.routes(static)
	return a, nil
}

// Fiber returns the underlying Fiber app (for app.Test in tests).
func (a *App) Fiber() *fiber.App { return a.fiber }

// Serve answers requests on ln until ctx is done, then stops gracefully,
// giving requests in flight up to shutdownTimeout.
func (a *App) Serve(ctx context.Context, ln net.Listener, shutdownTimeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- a.fiber.Listener(ln) }()
	if a.cache != nil && a.deps.Conn != nil {
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		go a.cache.Watch(wctx, a.deps.Conn, a.deps.CachePoll, a.deps.Log)
	}
	a.deps.Log.Info("web server listening", slog.String("addr", "http://"+ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("dashboards: serve: %w", err)
	case <-ctx.Done():
	}
	a.deps.Log.Info("web server stopping")
	if err := a.fiber.ShutdownWithTimeout(shutdownTimeout); err != nil {
		return fmt.Errorf("dashboards: shutdown: %w", err)
	}
	return nil
}

// deadline gives every request a context with the request timeout; handlers
// pass c.UserContext() to every query.
func (a *App) deadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), a.deps.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

func (a *App) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status = fe.Code
	} else if err != nil {
		status = fiber.StatusInternalServerError
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	a.telemetry.observe(c, status, time.Since(start))
	a.deps.Log.LogAttrs(c.UserContext(), level, "request",
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Int("status", status),
		slog.Duration("took", time.Since(start)),
		slog.String("request_id", c.GetRespHeader(fiber.HeaderXRequestID)),
	)
	return err
}

// handleError turns an error into a page (or JSON for /api and probes):
// the client sees a clear message, never an internal error's text.
func (a *App) handleError(c *fiber.Ctx, err error) error {
	code := fiber.StatusInternalServerError
	msg := ""
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code = fe.Code
		msg = fe.Message
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		if code >= 500 {
			a.deps.Log.Error("api request failed", slog.String("path", c.Path()), slog.Any("err", err))
			msg = "internal error"
		}
		if code == fiber.StatusRequestEntityTooLarge {
			msg = fmt.Sprintf("body over the %d MiB limit", protocol.MaxBodyBytes>>20)
		}
		return c.Status(code).JSON(protocol.Error{Error: msg})
	}
	lang := a.lang(c)
	if code >= 500 {
		a.deps.Log.Error("request failed", slog.String("path", c.Path()), slog.Any("err", err))
		msg = lang.T("error.unavailable")
	}
	c.Status(code)
	return a.render(c, "error.html", map[string]any{"Lang": lang, "Title": lang.T("error.title"), "Code": code, "Message": msg})
}

// movement shows a rank change: ▲ n (moved up), ▼ n (down), = (same) or
// · (no comparison: unranked now or before).
func movement(m *int) template.HTML {
	switch {
	case m == nil:
		return `<span class="same">·</span>`
	case *m > 0:
		return template.HTML(fmt.Sprintf(`<span class="up" title="+%d">▲ %d</span>`, *m, *m))
	case *m < 0:
		return template.HTML(fmt.Sprintf(`<span class="down" title="%d">▼ %d</span>`, *m, -*m))
	}
	return `<span class="same">=</span>`
}

// render executes a page template into the response.
func (a *App) render(c *fiber.Ctx, name string, data map[string]any) error {
	if s, ok, _ := a.session(c); ok { // a failed lookup shows the page signed out
		data["Session"] = s
	} else {
		data["Session"] = nil
	}
	data["ReportsOn"] = a.deps.Reports != nil // the navigation links the reports when they are enabled
	if _, ok := data["SwitchURL"]; !ok {
		if lang, ok := data["Lang"].(Lang); ok {
			data["SwitchURL"] = switchURL(c, lang)
		}
	}
	c.Type("html", "utf-8")
	if err := a.tpl.ExecuteTemplate(c.Response().BodyWriter(), name, data); err != nil {
		return fmt.Errorf("dashboards: render %s: %w", name, err)
	}
	return nil
}

// lang is the page language: ?lang= first (remembered in a cookie), then
// the cookie, then Vietnamese.
func (a *App) lang(c *fiber.Ctx) Lang {
	if q := c.Query("lang"); q != "" {
		l := parseLang(q)
		c.Cookie(&fiber.Cookie{Name: "lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", HTTPOnly: true})
		return l
	}
	return parseLang(c.Cookies("lang"))
}

// assetVersion is a hash of the embedded static files, added to their URLs
// so that a new release's files are fetched at once although browsers
// cache /static for a day.
var assetVersion = sync.OnceValue(func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
})

var templateFuncs = template.FuncMap{
	// asset is a static file's URL with the release's asset version.
	"asset":    func(path string) string { return path + "?v=" + assetVersion() },
	"movement": movement,
	"mul100":   func(x float64) float64 { return x * 100 },
	"T":        func(l Lang, key string, args ...any) string { return l.T(key, args...) },
	// dict builds a map for passing several values to a sub-template.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}
