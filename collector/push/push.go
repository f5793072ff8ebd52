// Package push receives statistics that portals send to egovkpi:
// POST /api/v1/ingest/usage and /api/v1/ingest/catalogue, with a per-unit
// bearer token. A token may write only its own unit: anything else is
// refused with 403 and nothing is written.
package push

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"egovkpi/collector"
	"egovkpi/collector/protocol"
	"egovkpi/collector/record"
	"egovkpi/collector/store"
)

// Handler serves the push endpoints.
type Handler struct {
	c   *collector.Collector
	log *slog.Logger
	// MaxBodyBytes is the largest body accepted; a larger one gets 413 with
	// a message. The web server's own limit must be higher, or it resets
	// the connection before the handler can answer. Defaults to
	// protocol.MaxBodyBytes.
	MaxBodyBytes int

	mu    sync.Mutex
	cache map[string]cachedToken // token hash → unit
}

type cachedToken struct {
	unit string
	at   time.Time
}

// tokenCacheTTL bounds how long a revoked token may still be accepted.
const tokenCacheTTL = 30 * time.Second

// New returns the push handlers of a collector.
func New(c *collector.Collector, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{c: c, log: log, cache: map[string]cachedToken{}, MaxBodyBytes: protocol.MaxBodyBytes}
}

// Rejection is one refused record in a push response.
type Rejection struct {
	Index  int    `json:"index"`
	Reason string `json:"reason"`
}

// Response is the body of a successful push.
type Response struct {
	LoadID      uint64      `json:"load_id"`
	Accepted    int         `json:"accepted"`
	Quarantined int         `json:"quarantined"`
	Days        int         `json:"days"`
	SkippedDays []string    `json:"skipped_days,omitempty"`
	Rejected    []Rejection `json:"rejected,omitempty"` // the first 100
}

func fail(c *fiber.Ctx, status int, format string, args ...any) error {
	return c.Status(status).JSON(protocol.Error{Error: fmt.Sprintf(format, args...)})
}

// unit authenticates the request and returns the token's unit.
func (h *Handler) unit(c *fiber.Ctx) (string, error) {
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		return "", fail(c, fiber.StatusUnauthorized, "missing bearer token: send Authorization: Bearer <your unit's token>")
	}
	hash := store.HashToken(token)
	h.mu.Lock()
	ct, hit := h.cache[hash]
	h.mu.Unlock()
	if hit && time.Since(ct.at) < tokenCacheTTL {
		return ct.unit, nil
	}
	unit, err := h.c.Store().TokenUnit(c.UserContext(), token)
	if errors.Is(err, store.ErrUnknownToken) {
		return "", fail(c, fiber.StatusUnauthorized, "unknown or revoked token")
	}
	if err != nil {
		h.log.Error("push: token lookup", slog.Any("err", err))
		return "", fail(c, fiber.StatusServiceUnavailable, "tokens cannot be checked right now; try again later")
	}
	h.mu.Lock()
	h.cache[hash] = cachedToken{unit, time.Now()}
	h.mu.Unlock()
	return unit, nil
}

// body returns the request body, or answers 413 when it is too large.
func (h *Handler) body(c *fiber.Ctx) ([]byte, error) {
	b := c.Body()
	if len(b) > h.MaxBodyBytes {
		return nil, fail(c, fiber.StatusRequestEntityTooLarge, "body of %d bytes is over the limit of %d bytes: send fewer days per request", len(b), h.MaxBodyBytes)
	}
	return b, nil
}

// read authenticates the request, reads and decodes its body into page and
// checks that the payload's unit code is the token's unit. When it returns
// ok false, the answer is already written (err is the handler's result).
func (h *Handler) read(c *fiber.Ctx, page any, identity func() (code, day string)) (unitID string, body []byte, ok bool, err error) {
	if unitID, err = h.unit(c); unitID == "" {
		return "", nil, false, err
	}
	if body, err = h.body(c); body == nil {
		return "", nil, false, err
	}
	if derr := protocol.DecodeStrict(body, page); derr != nil {
		reason := "malformed JSON: " + protocol.DescribeJSONError(body, derr)
		h.quarantineBody(c.UserContext(), unitID, reason, body)
		return "", nil, false, fail(c, fiber.StatusBadRequest, "%s", reason)
	}
	code, day := identity()
	if ierr := h.checkIdentity(unitID, code, day); ierr != nil {
		return "", nil, false, fail(c, fiber.StatusForbidden, "%v; nothing was written", ierr)
	}
	return unitID, body, true, nil
}

// Usage handles POST /api/v1/ingest/usage: a protocol.UsagePage.
func (h *Handler) Usage(c *fiber.Ctx) error {
	var page protocol.UsagePage
	unitID, _, ok, err := h.read(c, &page, func() (string, string) { return page.Unit, page.From })
	if !ok {
		return err
	}
	start := time.Now()
	batch := h.c.Checker().Usage(unitID, []protocol.UsagePage{page})
	loadID, err := h.c.StoreUsage(c.UserContext(), "push:"+unitID, batch)
	if err != nil {
		h.log.Error("push: store usage", slog.String("unit", unitID), slog.Any("err", err))
		return fail(c, fiber.StatusServiceUnavailable, "the statistics could not be stored; nothing was written; try again later")
	}
	resp := Response{LoadID: loadID, Accepted: len(batch.Good), Quarantined: len(batch.Bad), Days: len(batch.Days)}
	for _, d := range batch.Skipped {
		resp.SkippedDays = append(resp.SkippedDays, d.Format(protocol.DateLayout))
	}
	for i, r := range batch.Bad {
		if i == 100 {
			break
		}
		resp.Rejected = append(resp.Rejected, Rejection{Index: r.Index, Reason: r.Reason})
	}
	h.logRun(c.UserContext(), unitID, page, resp, start)
	status := fiber.StatusOK
	if resp.Accepted == 0 && resp.Quarantined > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return c.Status(status).JSON(resp)
}

// Catalogue handles POST /api/v1/ingest/catalogue: a catalogue page.
func (h *Handler) Catalogue(c *fiber.Ctx) error {
	var page protocol.RawCataloguePage
	unitID, body, ok, err := h.read(c, &page, func() (string, string) { return page.Unit, page.AsOf })
	if !ok {
		return err
	}
	b, err := h.c.Checker().Catalogue(unitID, []protocol.RawCataloguePage{page})
	var pe *record.PayloadError
	if errors.As(err, &pe) {
		h.quarantineBody(c.UserContext(), unitID, pe.Reason, body)
		return fail(c, fiber.StatusUnprocessableEntity, "%s", pe.Reason)
	}
	loadID, err := h.c.StoreCatalogue(c.UserContext(), "push:"+unitID, b)
	if err != nil {
		h.log.Error("push: store catalogue", slog.String("unit", unitID), slog.Any("err", err))
		return fail(c, fiber.StatusServiceUnavailable, "the catalogue could not be stored; try again later")
	}
	resp := Response{LoadID: loadID, Accepted: len(b.Procedures), Quarantined: len(b.Bad)}
	for i, r := range b.Bad {
		if i == 100 {
			break
		}
		resp.Rejected = append(resp.Rejected, Rejection{Index: r.Index, Reason: r.Reason})
	}
	return c.JSON(resp)
}

// checkIdentity refuses a payload whose unit code is another unit than the
// token's on the payload's first day.
func (h *Handler) checkIdentity(unitID, code, day string) error {
	d, err := protocol.ParseDate(day)
	if err != nil {
		return nil // the checker reports the bad date
	}
	u, err := h.c.Units().Resolve(code, d)
	if err != nil {
		return nil // an unknown or wrong-era code is quarantined by the checker
	}
	if u.ID != unitID {
		return fmt.Errorf("this token belongs to unit %s and cannot write unit code %q (%s, %s)", unitID, code, u.ID, u.NameVI)
	}
	return nil
}

func (h *Handler) quarantineBody(ctx context.Context, unitID, reason string, body []byte) {
	item := store.Quarantined{ID: uuid.New(), Source: "push:" + unitID, Kind: store.KindPayload, UnitID: unitID, Reason: reason, Raw: string(body)}
	if err := h.c.Store().Quarantine(context.WithoutCancel(ctx), []store.Quarantined{item}); err != nil {
		h.log.Error("push: quarantine", slog.Any("err", err))
	}
}

func (h *Handler) logRun(ctx context.Context, unitID string, page protocol.UsagePage, r Response, start time.Time) {
	from, _ := protocol.ParseDate(page.From)
	to, _ := protocol.ParseDate(page.To)
	status := store.RunOK
	if r.Quarantined > 0 {
		status = store.RunPartial
	}
	if r.Accepted == 0 && r.Quarantined > 0 {
		status = store.RunFailed
	}
	run := store.Run{ID: uuid.New(), Source: "push:" + unitID, UnitID: unitID, Kind: "push", From: from, To: to, StartedAt: start, FinishedAt: time.Now(),
		Status: status, RowsAccepted: r.Accepted, RowsQuarantined: r.Quarantined, DaysLoaded: r.Days, Requests: 1}
	if err := h.c.Store().SaveRun(context.WithoutCancel(ctx), run); err != nil {
		h.log.Error("push: run log", slog.Any("err", err))
	}
}
