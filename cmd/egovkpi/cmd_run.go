package main

import (
	"context"
	"flag"
	"log/slog"

	"egovkpi/internal/config"
)

func runCommand() command {
	return command{
		name: "run",
		summary: "All in one: start the private ClickHouse (unless EGOVKPI_CLICKHOUSE_ADDR is set), apply migrations, " +
			"load the reference units and serve the dashboard until Ctrl-C.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
					if _, err := db.Runner().Up(ctx); err != nil {
						return err
					}
					if err := db.LoadReference(ctx); err != nil {
						return err
					}
					return serveWeb(ctx, cfg, db, log)
				})
			}
		},
	}
}
