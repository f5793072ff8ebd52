package dashboards

import (
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"egovkpi/internal/auth"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "egovkpi_session"

// Cookie and form field names.
const (
	// loginCSRFCookie carries the sign-in form's CSRF token before there is
	// a session (double submit: the form field must equal the cookie).
	loginCSRFCookie = "egovkpi_login_csrf"
	csrfField       = "_csrf"
	csrfHeader      = "X-CSRF-Token"
)

// session returns the request's live session, if any. The lookup is made
// once per request and only when something needs it (the guard of a
// non-public route, a page header), so public routes and static files
// never touch the sessions table.
//
// On the figures API (/api/v1/, not its ingest routes) a request with
// "Authorization: Bearer" is a personal API token's: it stands for the
// token's account (a session marked ByToken), and a token that is not
// live is answered 401 without looking at the cookie. Refused tokens are
// audited and limited per address (see tokenRefused): over the limit, a
// bearer request is 429 without a lookup. Elsewhere the header is ignored
// (push tokens are the ingest handlers' business).
func (a *App) session(c *fiber.Ctx) (auth.Session, bool, error) {
	if s, ok := c.Locals("session").(auth.Session); ok {
		return s, true, nil
	}
	if c.Locals("session-checked") != nil {
		return auth.Session{}, false, nil
	}
	c.Locals("session-checked", true)
	// Routes match in any case; the header's scheme is case-insensitive
	// (RFC 9110).
	path, authz := strings.ToLower(c.Path()), c.Get(fiber.HeaderAuthorization)
	if len(authz) >= 7 && strings.EqualFold(authz[:7], "Bearer ") &&
		strings.HasPrefix(path, "/api/v1/") && !strings.HasPrefix(path, "/api/v1/ingest/") {
		bearer := strings.TrimSpace(authz[7:])
		key := "api-token:" + c.IP() // the sign-in limiter's budget per address, a key of its own
		if blocked, wait := a.addrLimit.Blocked(key); blocked {
			return auth.Session{}, false, tooManyRefusedTokens(c, wait)
		}
		s, ok, err := a.deps.Auth.TokenSession(c.UserContext(), bearer)
		if err != nil {
			return auth.Session{}, false, err
		}
		if !ok {
			return auth.Session{}, false, a.tokenRefused(c, key, bearer)
		}
		c.Locals("session", s)
		return s, true, nil
	}
	tok := c.Cookies(SessionCookie)
	if tok == "" {
		return auth.Session{}, false, nil
	}
	s, ok, err := a.deps.Auth.Session(c.UserContext(), tok)
	if err != nil || !ok {
		return auth.Session{}, false, err
	}
	c.Locals("session", s)
	return s, true, nil
}

// tokenRefused answers a bearer token that is not a live API token: 401,
// audited, and counted against the address (key), whose refusals are
// limited like failed sign-ins (20 in 15 minutes; 429 beyond). An audit
// that fails is logged, not answered: the answer stays 401.
func (a *App) tokenRefused(c *fiber.Ctx, key, bearer string) error {
	if ok, wait := a.addrLimit.Attempt(key); !ok { // others were refused meanwhile
		return tooManyRefusedTokens(c, wait)
	}
	why := "unknown, revoked or expired API token, or of a disabled account"
	msg := "invalid API token"
	if !strings.HasPrefix(bearer, auth.APITokenPrefix) {
		why = "not an API token"
		msg += ": API tokens start with " + auth.APITokenPrefix + " (egovkpi users token add)"
	}
	if err := a.deps.Auth.Audit(c.UserContext(), auth.Entry{Action: auth.ActionAPITokenRefused, Detail: why + " on " + c.Method() + " " + c.Path(), IP: c.IP()}); err != nil {
		a.deps.Log.Warn("audit of a refused API token failed", slog.Any("err", err))
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="egovkpi", error="invalid_token"`)
	return fiber.NewError(fiber.StatusUnauthorized, msg)
}

// tooManyRefusedTokens is the answer to a bearer token from an address
// over the limit of refused tokens.
func tooManyRefusedTokens(c *fiber.Ctx, wait time.Duration) error {
	secs := int(wait.Round(time.Second).Seconds()) + 1
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return fiber.NewError(fiber.StatusTooManyRequests, "too many refused API tokens from this address: try again in "+strconv.Itoa(secs)+" s")
}

// guard enforces a route's permission: signed in with an allowed role, and
// the session's CSRF token on every state-changing request. An API token
// (no cookie, so no CSRF token) is accepted only to read the figures API:
// GET under /api/v1/, not ingest.
func (a *App) guard(p Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if p.public || p.unitToken {
			return c.Next()
		}
		s, ok, err := a.session(c)
		if err != nil {
			return err
		}
		if !ok {
			if strings.HasPrefix(c.Path(), "/api/") || c.Method() != fiber.MethodGet {
				return fiber.NewError(fiber.StatusUnauthorized, "sign in first")
			}
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		read := c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead
		route := c.Route().Path // session took the token on /api/v1/ only; the route must be too
		if s.ByToken && (c.Method() != fiber.MethodGet || !strings.HasPrefix(route, "/api/v1/") || strings.HasPrefix(route, "/api/v1/ingest/")) {
			return fiber.NewError(fiber.StatusForbidden, "an API token may only read the figures API (GET /api/v1/…)")
		}
		if !slices.Contains(p.roles, s.User.Role) {
			return fiber.NewError(fiber.StatusForbidden, "your role ("+string(s.User.Role)+") may not use this page")
		}
		if !read && !s.ByToken { // a token is no cookie: no browser sends it by itself
			got := c.FormValue(csrfField)
			if got == "" {
				got = c.Get(csrfHeader)
			}
			if !auth.SameToken(got, s.CSRF) {
				return fiber.NewError(fiber.StatusForbidden, "the form's CSRF token is missing or wrong: reload the page and try again")
			}
		}
		return c.Next()
	}
}

// mayViewUnit reports whether the signed-in user may see unit's detail:
// every role but reporter sees every unit; a reporter sees its own unit
// and the units it carries (its predecessors).
func (a *App) mayViewUnit(c *fiber.Ctx, unitID string) bool {
	s, ok, _ := a.session(c) // known by now: the guard looked it up
	if !ok {
		return false
	}
	if s.User.Role != auth.Reporter {
		return true
	}
	if s.User.UnitID == unitID {
		return true
	}
	var carried func(id string) bool
	carried = func(id string) bool {
		for _, p := range a.reg.Predecessors(id) {
			if p.ID == unitID || carried(p.ID) {
				return true
			}
		}
		return false
	}
	return carried(s.User.UnitID)
}

func (a *App) setCookie(c *fiber.Ctx, name, value string, maxAge int) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HTTPOnly: true, SameSite: "Lax", Secure: !a.deps.InsecureCookies})
}

// loginPage shows the sign-in form with a fresh CSRF token.
func (a *App) loginPage(c *fiber.Ctx) error {
	return a.renderLogin(c, "")
}

func (a *App) renderLogin(c *fiber.Ctx, problem string) error {
	token := auth.RandomToken(24)
	a.setCookie(c, loginCSRFCookie, token, 3600)
	lang := a.lang(c)
	return a.render(c, "login.html", map[string]any{"Lang": lang, "Title": lang.T("login.title"), "CSRF": token, "Next": safeNext(c.Query("next")), "Error": problem})
}

// safeNext keeps a redirect target on this site: a path, with no scheme,
// host, backslash or control character (browsers drop tabs and newlines,
// which would turn "/\t/evil" into "//evil").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	return next
}

// login checks the form: its CSRF token, the rate limits (per address,
// then per login; an attempt counts before the password is checked, so
// parallel attempts cannot exceed them), then the password; a success
// starts a session.
func (a *App) login(c *fiber.Ctx) error {
	lang := a.lang(c)
	if cookie := c.Cookies(loginCSRFCookie); cookie == "" || !auth.SameToken(c.FormValue(csrfField), cookie) {
		c.Status(fiber.StatusForbidden)
		return a.renderLogin(c, lang.T("login.csrf"))
	}
	login := strings.ToLower(strings.TrimSpace(c.FormValue("login")))
	ip := c.IP()
	ctx := c.UserContext()
	actor := "" // an audited login must have a login's form, never the raw field
	if auth.ValidLogin(login) {
		actor = login
	}
	limited := func(wait time.Duration) error {
		if err := a.deps.Auth.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionSignInRefused, Detail: "rate limited", IP: ip}); err != nil {
			return err
		}
		secs := int(wait.Round(time.Second).Seconds()) + 1
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		c.Status(fiber.StatusTooManyRequests)
		return a.renderLogin(c, lang.T("login.limited", secs))
	}
	wrong := func(why string) error {
		if err := a.deps.Auth.Audit(ctx, auth.Entry{Actor: actor, Action: auth.ActionSignInRefused, Detail: why, IP: ip}); err != nil {
			return err
		}
		c.Status(fiber.StatusUnauthorized)
		return a.renderLogin(c, lang.T("login.wrong"))
	}
	if ok, wait := a.addrLimit.Attempt("ip:" + ip); !ok {
		return limited(wait)
	}
	if !auth.ValidLogin(login) { // not a login: neither kept as a key nor logged as typed
		return wrong("not a login")
	}
	if ok, wait := a.loginLimit.Attempt("login:" + login); !ok {
		return limited(wait)
	}
	u, err := a.deps.Auth.Authenticate(ctx, login, c.FormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		return wrong("wrong login or password")
	}
	if err != nil {
		return err
	}
	a.loginLimit.Reset("login:" + login)
	a.addrLimit.Forgive("ip:" + ip)
	token, _, err := a.deps.Auth.StartSession(ctx, u.Login)
	if err != nil {
		return err
	}
	if err := a.deps.Auth.Audit(ctx, auth.Entry{Actor: u.Login, Action: auth.ActionSignIn, IP: ip}); err != nil {
		return err
	}
	a.setCookie(c, SessionCookie, token, int(auth.SessionTTL.Seconds()))
	a.setCookie(c, loginCSRFCookie, "", -1)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// logout ends the session (the guard has checked its CSRF token).
func (a *App) logout(c *fiber.Ctx) error {
	s, _, _ := a.session(c) // looked up by the guard
	if err := a.deps.Auth.EndSession(c.UserContext(), c.Cookies(SessionCookie)); err != nil {
		return err
	}
	if err := a.deps.Auth.Audit(c.UserContext(), auth.Entry{Actor: s.User.Login, Action: auth.ActionSignOut, IP: c.IP()}); err != nil {
		return err
	}
	a.setCookie(c, SessionCookie, "", -1)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func otherLang(l Lang) Lang {
	if l == English {
		return Vietnamese
	}
	return English
}
