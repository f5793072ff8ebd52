package dashboards

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"egovkpi/internal/auth"
)

// Permission says who may use a route. Every route states one here, in this
// file, so the whole access policy reads in one place; the guard enforces
// it on the server for every request (and the session's CSRF token on
// every state-changing one).
type Permission struct {
	name      string
	public    bool
	unitToken bool
	roles     []auth.Role
}

// String names the permission.
func (p Permission) String() string { return p.name }

// Permissions.
var (
	// Public routes are open to anyone, signed in or not.
	Public = Permission{name: "public", public: true}
	// UnitToken routes need a unit's push token (Authorization: Bearer or
	// the form's token field); the handler lets a token write its own unit
	// only.
	UnitToken = Permission{name: "unit token", unitToken: true}
	// SignedIn routes are for every role. Reporters see the national
	// tables, and a unit's detail only for their own unit (handlers check
	// with mayViewUnit).
	SignedIn = Permission{name: "signed in", roles: auth.Roles}
	// Staff routes are for admins and analysts (data quality, collection).
	Staff = Permission{name: "admin, analyst", roles: []auth.Role{auth.Admin, auth.Analyst}}
	// Oversight routes are for every role but reporter: admins, analysts
	// and leaders (the leadership workbook).
	Oversight = Permission{name: "admin, analyst, leader", roles: []auth.Role{auth.Admin, auth.Analyst, auth.Leader}}
	// AnalystOnly routes are for analysts (freezing official figures).
	AnalystOnly = Permission{name: "analyst", roles: []auth.Role{auth.Analyst}}
	// AdminOnly routes are for admins (the reminders' outbox).
	AdminOnly = Permission{name: "admin", roles: []auth.Role{auth.Admin}}
	// ReporterOnly routes are for reporters; the handler lets a reporter
	// act for its own unit only.
	ReporterOnly = Permission{name: "reporter", roles: []auth.Role{auth.Reporter}}
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
		{fiber.MethodGet, "/healthz", Public, a.healthz},
		{fiber.MethodGet, "/readyz", Public, a.readyz},
		{fiber.MethodGet, "/metrics", Public, a.prometheus}, // Prometheus; counts only, no unit data
		{fiber.MethodGet, "/login", Public, a.loginPage},
		{fiber.MethodPost, "/login", Public, a.login}, // CSRF: double-submit cookie; rate limited
		{fiber.MethodPost, "/logout", SignedIn, a.logout},
		{fiber.MethodGet, "/", SignedIn, a.overviewPage},
		{fiber.MethodGet, "/league", SignedIn, a.leaguePage},
		{fiber.MethodGet, "/league.:format", SignedIn, a.leagueExport}, // csv, xlsx: what the page shows
		{fiber.MethodGet, "/units", SignedIn, a.unitsPage},
		{fiber.MethodGet, "/units/:code", SignedIn, a.unitPage}, // reporters: own unit only
		{fiber.MethodGet, "/methodology", SignedIn, a.methodologyPage},
		{fiber.MethodGet, "/collection", Staff, a.collectionPage},
		{fiber.MethodGet, "/collection/quarantine", Staff, a.quarantinePage},
		{fiber.MethodGet, "/collection/quarantine/:id", Staff, a.quarantineItem},
		{fiber.MethodGet, "/api/v1/kpis", SignedIn, a.apiKPIs},
		{fiber.MethodGet, "/api/v1/league", SignedIn, a.apiLeague},
		{fiber.MethodGet, "/api/v1/units/:code/series", SignedIn, a.apiSeries}, // reporters: own unit only
		{fiber.MethodGet, "/api/v1/index766", SignedIn, a.apiIndex766},
		{fiber.MethodGet, "/api/v1/national", SignedIn, a.apiNational},
		{fiber.MethodGet, "/api/v1/units/:code/figures", SignedIn, a.apiUnitFigures},            // reporters: own unit only
		{fiber.MethodGet, "/api/v1/units/:code/procedures", SignedIn, a.apiUnitProcedures},      // reporters: own unit only
		{fiber.MethodGet, "/reports", SignedIn, a.reportsPage},                                  // reporters: own unit's reports only
		{fiber.MethodGet, "/reports/workbook.xlsx", Oversight, a.reportsWorkbook},               // the leadership workbook
		{fiber.MethodGet, "/reports/outbox", AdminOnly, a.outboxPage},                           // the reminders' outbox
		{fiber.MethodGet, "/reports/:unit/:quarter", SignedIn, a.reportPage},                    // reporters: own unit; others: no drafts
		{fiber.MethodPost, "/reports/:unit/:quarter", SignedIn, a.reportPost},                   // save, submit: own unit's reporters; return, approve: analysts
		{fiber.MethodGet, "/reports/:unit/:quarter/versions/:n", SignedIn, a.reportVersionPage}, // reporters: own unit; others: no drafts
		{fiber.MethodGet, "/reports/:unit/:quarter/template.xlsx", SignedIn, a.reportTemplate},  // own unit's reporters, admins, analysts
		{fiber.MethodPost, "/reports/:unit/:quarter/upload", ReporterOnly, a.reportUpload},      // own unit only; saved as a draft
		{fiber.MethodGet, "/snapshots", SignedIn, a.snapshotsPage},
		{fiber.MethodPost, "/snapshots", AnalystOnly, a.freezeSnapshot},
		{fiber.MethodGet, "/snapshots/:id", SignedIn, a.snapshotPage},
		{fiber.MethodGet, "/upload", Public, a.uploadPage},
		{fiber.MethodGet, "/upload/template.:format", Public, a.uploadTemplate},
		{fiber.MethodPost, "/upload", UnitToken, a.uploadFile},
		{fiber.MethodPost, "/api/v1/ingest/usage", UnitToken, a.pushUsage},
		{fiber.MethodPost, "/api/v1/ingest/catalogue", UnitToken, a.pushCatalogue},
	}
}

func (a *App) routes(static fs.FS) {
	for _, r := range a.table() {
		a.fiber.Add(r.method, r.path, a.guard(r.perm), r.handler)
	}
	a.fiber.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: int((24 * time.Hour).Seconds())}))
}
