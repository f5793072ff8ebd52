package dashboards

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

// Permission says who may use a route. Every route states one here, in this
// file, so the whole access policy reads in one place.
type Permission string

// Permissions.
const (
	// Public routes are open to anyone, signed in or not.
	Public Permission = "public"
	// UnitToken routes need a unit's push token (Authorization: Bearer);
	// the handler lets a token write its own unit only.
	UnitToken Permission = "unit token"
)

// route is one entry of the routing table.
type route struct {
	method  string
	path    string
	perm    Permission
	handler fiber.Handler
}

// table lists every route with its permission.
func (a *App) table() []route {
	return []route{
		{fiber.MethodGet, "/", Public, a.unitsPage},
		{fiber.MethodGet, "/healthz", Public, a.healthz},
		{fiber.MethodGet, "/readyz", Public, a.readyz},
		// Collection health. Accounts and roles arrive with issue 5; until
		// then it shows no secrets (tokens are never stored in clear).
		{fiber.MethodGet, "/collection", Public, a.collectionPage},
		// Figures for analysts; accounts and API tokens arrive with issue 5.
		{fiber.MethodGet, "/api/v1/kpis", Public, a.apiKPIs},
		{fiber.MethodGet, "/api/v1/league", Public, a.apiLeague},
		{fiber.MethodGet, "/api/v1/units/:code/series", Public, a.apiSeries},
		{fiber.MethodGet, "/api/v1/index766", Public, a.apiIndex766},
		{fiber.MethodGet, "/upload", Public, a.uploadPage},
		{fiber.MethodGet, "/upload/template.:format", Public, a.uploadTemplate},
		{fiber.MethodPost, "/upload", UnitToken, a.uploadFile},
		{fiber.MethodPost, "/api/v1/ingest/usage", UnitToken, a.pushUsage},
		{fiber.MethodPost, "/api/v1/ingest/catalogue", UnitToken, a.pushCatalogue},
	}
}

func (a *App) routes(static fs.FS) {
	for _, r := range a.table() {
		a.fiber.Add(r.method, r.path, r.handler)
	}
	a.fiber.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: int((24 * time.Hour).Seconds())}))
}
