package dashboards

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gofiber/fiber/v2"

	"egovkpi/collector/protocol"
	"egovkpi/collector/store"
)

func (a *App) pushUsage(c *fiber.Ctx) error {
	if a.deps.Push == nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(protocol.Error{Error: "push is not enabled on this server"})
	}
	return a.deps.Push.Usage(c)
}

func (a *App) pushCatalogue(c *fiber.Ctx) error {
	if a.deps.Push == nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(protocol.Error{Error: "push is not enabled on this server"})
	}
	return a.deps.Push.Catalogue(c)
}

type sourceView struct {
	store.SourceRow
	Lag string
}

// collectionPage shows every source's state, the latest runs and the
// latest quarantined items.
func (a *App) collectionPage(c *fiber.Ctx) error {
	if a.deps.Store == nil {
		return fiber.NewError(fiber.StatusNotFound, "collection is not enabled on this server")
	}
	lang := a.lang(c)
	ctx := c.UserContext()
	srcs, err := a.deps.Store.Sources(ctx)
	if err != nil {
		return err
	}
	runs, err := a.deps.Store.Runs(ctx, store.RunFilter{Limit: 50})
	if err != nil {
		return err
	}
	quarantine, err := a.deps.Store.ListQuarantine(ctx, store.QuarantineFilter{Limit: 30})
	if err != nil {
		return err
	}
	today := a.today()
	views := make([]sourceView, 0, len(srcs))
	for _, s := range srcs {
		views = append(views, sourceView{SourceRow: s, Lag: lagDays(today, s.Watermark)})
	}
	return a.render(c, "collection.html", map[string]any{
		"Lang": lang, "Title": lang.T("collection.title"), "Sources": views, "Runs": runs, "Quarantine": quarantine,
	})
}

// lagDays is how many days a source's data is behind today ("" without
// data).
func lagDays(today, watermark time.Time) string {
	if watermark.IsZero() {
		return ""
	}
	return strconv.Itoa(int(today.Sub(watermark).Hours() / 24))
}

// quarantinePageSize is how many quarantined items a page lists, and
// maxQuarantinePages how deep the pages go (narrow with the filters
// beyond).
const (
	quarantinePageSize = 100
	maxQuarantinePages = 1000
)

// quarantinePage browses the quarantine: newest first, filtered by source,
// unit, a word of the reason and whether a replay has taken the item yet,
// a page at a time.
func (a *App) quarantinePage(c *fiber.Ctx) error {
	if a.deps.Store == nil {
		return fiber.NewError(fiber.StatusNotFound, "collection is not enabled on this server")
	}
	lang := a.lang(c)
	page := 1
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxQuarantinePages {
			return paramError("page", fmt.Errorf("%q: want a page number from 1 to %d", v, maxQuarantinePages))
		}
		page = n
	}
	f := store.QuarantineFilter{
		Source: strings.TrimSpace(c.Query("source")), UnitID: strings.TrimSpace(c.Query("unit")), Reason: strings.TrimSpace(c.Query("reason")),
		Pending: c.Query("pending") == "1", Limit: quarantinePageSize + 1, Offset: (page - 1) * quarantinePageSize,
	}
	items, err := a.deps.Store.ListQuarantine(c.UserContext(), f)
	if err != nil {
		return err
	}
	more := len(items) > quarantinePageSize
	items = items[:min(len(items), quarantinePageSize)]
	q := url.Values{}
	for k, v := range map[string]string{"source": f.Source, "unit": f.UnitID, "reason": f.Reason} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Pending {
		q.Set("pending", "1")
	}
	link := func(p int) string {
		q.Set("page", strconv.Itoa(p))
		return "/collection/quarantine?" + q.Encode()
	}
	data := map[string]any{"Lang": lang, "Title": lang.T("quarantine.title"),
		"Items": items, "F": f, "Page": page}
	if more {
		data["Next"] = link(page + 1)
	}
	if page > 1 {
		data["Prev"] = link(page - 1)
	}
	return a.render(c, "quarantine.html", data)
}

// quarantineItem shows one quarantined item whole: its reason, its place
// and its raw payload, and how a replay went.
func (a *App) quarantineItem(c *fiber.Ctx) error {
	if a.deps.Store == nil {
		return fiber.NewError(fiber.StatusNotFound, "collection is not enabled on this server")
	}
	lang := a.lang(c)
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return paramError("id", fmt.Errorf("%q is not a quarantine id", c.Params("id")))
	}
	item, err := a.deps.Store.GetQuarantine(c.UserContext(), id)
	if err != nil {
		if errors.Is(err, store.ErrNotQuarantined) {
			return fiber.NewError(fiber.StatusNotFound, lang.T("quarantine.unknown", id.String()))
		}
		return err
	}
	return a.render(c, "quarantine_item.html", map[string]any{"Lang": lang, "Title": lang.T("quarantine.title"), "Item": item})
}
