package dashboards

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz answers while the process is up.
func (a *App) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 when ClickHouse answers and the schema is current, 503
// with the reason otherwise.
func (a *App) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	err := a.deps.Conn.Ping(ctx)
	if err == nil && a.deps.Ready != nil {
		err = a.deps.Ready(ctx)
	}
	if err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "not ready", "reason": err.Error()})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
