package dashboards

import (
	"errors"
	"net"
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

// session returns the request's live session, if any (set by identify).
func session(c *fiber.Ctx) (auth.Session, bool) {
	s, ok := c.Locals("session").(auth.Session)
	return s, ok
}

// identify looks up the session cookie and keeps the live session in the
// request's locals.
func (a *App) identify(c *fiber.Ctx) error {
	if tok := c.Cookies(SessionCookie); tok != "" {
		s, ok, err := a.deps.Auth.Session(c.UserContext(), tok)
		if err != nil {
			return err
		}
		if ok {
			c.Locals("session", s)
		}
	}
	return c.Next()
}

// guard enforces a route's permission: signed in with an allowed role, and
// the session's CSRF token on every state-changing request.
func (a *App) guard(p Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if p.public || p.unitToken {
			return c.Next()
		}
		s, ok := session(c)
		if !ok {
			if strings.HasPrefix(c.Path(), "/api/") || c.Method() != fiber.MethodGet {
				return fiber.NewError(fiber.StatusUnauthorized, "sign in first")
			}
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		if !slices.Contains(p.roles, s.User.Role) {
			return fiber.NewError(fiber.StatusForbidden, "your role ("+string(s.User.Role)+") may not use this page")
		}
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
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
	s, ok := session(c)
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

// secureCookies says whether cookies get the Secure flag: always, except
// for plain HTTP to a loopback address (the demo and the tests).
func secureCookies(c *fiber.Ctx) bool {
	if c.Protocol() == "https" {
		return true
	}
	host := c.Hostname()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	return !(host == "localhost" || (ip != nil && ip.IsLoopback()))
}

func (a *App) setCookie(c *fiber.Ctx, name, value string, maxAge int) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HTTPOnly: true, SameSite: "Lax", Secure: secureCookies(c)})
}

// loginPage shows the sign-in form with a fresh CSRF token.
func (a *App) loginPage(c *fiber.Ctx) error {
	return a.renderLogin(c, "")
}

func (a *App) renderLogin(c *fiber.Ctx, problem string) error {
	token := auth.RandomToken(24)
	a.setCookie(c, loginCSRFCookie, token, 3600)
	lang := a.lang(c)
	return a.render(c, "login.html", map[string]any{"Lang": lang, "Other": otherLang(lang), "CSRF": token, "Next": safeNext(c.Query("next")), "Error": problem})
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// login checks the form: its CSRF token, the rate limits (per login and
// per address), then the password; a success starts a session.
func (a *App) login(c *fiber.Ctx) error {
	lang := a.lang(c)
	if cookie := c.Cookies(loginCSRFCookie); cookie == "" || !auth.SameToken(c.FormValue(csrfField), cookie) {
		c.Status(fiber.StatusForbidden)
		return a.renderLogin(c, lang.T("login.csrf"))
	}
	login := strings.ToLower(strings.TrimSpace(c.FormValue("login")))
	ip := c.IP()
	for _, key := range []string{"login:" + login, "ip:" + ip} {
		lim := a.loginLimit
		if strings.HasPrefix(key, "ip:") {
			lim = a.addrLimit
		}
		if ok, wait := lim.Allowed(key); !ok {
			secs := int(wait.Round(time.Second).Seconds()) + 1
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
			c.Status(fiber.StatusTooManyRequests)
			_ = a.deps.Auth.Audit(c.UserContext(), auth.Entry{Actor: login, Action: auth.ActionSignInRefused, Detail: "rate limited", IP: ip})
			return a.renderLogin(c, lang.T("login.limited", secs))
		}
	}
	u, err := a.deps.Auth.Authenticate(c.UserContext(), login, c.FormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) {
		a.loginLimit.Fail("login:" + login)
		a.addrLimit.Fail("ip:" + ip)
		_ = a.deps.Auth.Audit(c.UserContext(), auth.Entry{Actor: login, Action: auth.ActionSignInRefused, Detail: "wrong login or password", IP: ip})
		c.Status(fiber.StatusUnauthorized)
		return a.renderLogin(c, lang.T("login.wrong"))
	}
	if err != nil {
		return err
	}
	a.loginLimit.Reset("login:" + login)
	token, _, err := a.deps.Auth.StartSession(c.UserContext(), u.Login)
	if err != nil {
		return err
	}
	if err := a.deps.Auth.Audit(c.UserContext(), auth.Entry{Actor: u.Login, Action: auth.ActionSignIn, IP: ip}); err != nil {
		return err
	}
	a.setCookie(c, SessionCookie, token, int(auth.SessionTTL.Seconds()))
	a.setCookie(c, loginCSRFCookie, "", -1)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// logout ends the session (the guard has checked its CSRF token).
func (a *App) logout(c *fiber.Ctx) error {
	s, _ := session(c)
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
