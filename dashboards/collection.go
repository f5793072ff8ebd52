package dashboards

import (
	"fmt"

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
		v := sourceView{SourceRow: s}
		if !s.Watermark.IsZero() {
			v.Lag = fmt.Sprintf("%d", int(today.Sub(s.Watermark).Hours()/24))
		}
		views = append(views, v)
	}
	return a.render(c, "collection.html", map[string]any{
		"Lang": lang, "Other": otherLang(lang), "Sources": views, "Runs": runs, "Quarantine": quarantine,
	})
}
