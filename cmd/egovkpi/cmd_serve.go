package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"

	"egovkpi/collector"
	"egovkpi/collector/push"
	"egovkpi/dashboards"
	"egovkpi/internal/auth"
	"egovkpi/internal/config"
	"egovkpi/reports/workflow"
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "Serve the web dashboard and the push API on EGOVKPI_LISTEN, and pull the sources of EGOVKPI_SOURCES_FILE on their schedules; refuses to start while migrations are pending.",
		flags: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
			cf := withConfig(c, fs)
			return func(ctx context.Context, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				return cf.withDatabase(ctx, func(cfg config.Config, db *database, log *slog.Logger) error {
					if err := db.Runner().Check(ctx); err != nil {
						return fmt.Errorf("%s is not ready: %w", db.describe(), err)
					}
					if err := db.LoadReference(ctx); err != nil {
						return err
					}
					col, err := newCollector(ctx, db, log)
					if err != nil {
						return err
					}
					var srcs []collector.Source
					if cfg.Collect.SourcesFile != "" {
						if srcs, err = loadSources(cfg, c.getenv); err != nil {
							return err
						}
					}
					return serveAll(ctx, c, cfg, db, col, srcs, nil, log)
				})
			}
		},
	}
}

// serveWeb runs the web app over the accounts and the reports until ctx is
// done.
func serveWeb(ctx context.Context, cfg config.Config, db *database, col *collector.Collector, accounts *auth.Store, reports *workflow.Store, log *slog.Logger) error {
	settings, err := figureSettings(cfg)
	if err != nil {
		return err
	}
	app, err := dashboards.New(dashboards.Deps{
		Auth:            accounts,
		Reports:         reports,
		Figures:         &settings,
		InsecureCookies: loopback(cfg.Listen),
		Conn:            db.Conn,
		Ready:           db.Runner().Check,
		Log:             log,
		RequestTimeout:  cfg.RequestTimeout,
		Push:            push.New(col, log),
		Store:           col.Store(),
		Collector:       col,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s (set EGOVKPI_LISTEN or --listen): %w", cfg.Listen, err)
	}
	return app.Serve(ctx, ln, cfg.ShutdownTimeout)
}

// loopback reports whether a listen address is on the loopback interface,
// where plain HTTP (and cookies without the Secure flag) is acceptable.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	return err == nil && config.LoopbackHost(host)
}
