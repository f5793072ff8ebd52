package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi/internal/chdb"
	"egovkpi/internal/chserver"
	"egovkpi/internal/config"
	"egovkpi/internal/refdata"
	"egovkpi/migrations"
)

// database is the open ClickHouse of a command: the configured server, or
// the private one egovkpi started (the embedded default).
type database struct {
	Conn    driver.Conn
	Options chdb.Options
	Target  migrations.Target
	server  *chserver.Server // nil when connected to a configured server
	log     *slog.Logger
}

// openDatabase connects to the configured ClickHouse or, when no address is
// configured, starts the private server under DATA_DIR/clickhouse. The
// database is created if missing. Close releases both.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*database, error) {
	ch := cfg.ClickHouse
	d := &database{
		Options: chdb.Options{
			Addr: ch.Addr, User: ch.User, Password: ch.Password, Database: ch.Database,
			TLS: ch.TLS, TLSCAFile: ch.TLSCAFile, TLSInsecure: ch.TLSInsecure,
			QueryTimeout: ch.QueryTimeout,
			// Each collection worker holds a connection while it writes;
			// web requests run several queries at once besides.
			MaxOpenConns: cfg.Collect.Workers + 10,
		},
		Target: migrations.Target{Database: ch.Database, Cluster: ch.Cluster},
		log:    log,
	}
	if ch.Embedded() {
		srv, err := chserver.Start(ctx, chserver.Options{Dir: filepath.Join(cfg.DataDir, "clickhouse"), Binary: ch.ServerBin, Logger: log})
		if err != nil {
			return nil, err
		}
		d.server = srv
		d.Options.Addr = srv.Addr()
	}
	if err := chdb.EnsureDatabase(ctx, d.Options, ch.Cluster); err != nil {
		d.Close()
		return nil, err
	}
	conn, err := chdb.Open(ctx, d.Options)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Conn = conn
	return d, nil
}

// Runner returns the migration runner for the database.
func (d *database) Runner() *migrations.Runner {
	return migrations.NewRunner(d.Conn, d.Target, d.log)
}

// LoadReference stores the embedded reference units (idempotent).
func (d *database) LoadReference(ctx context.Context) error {
	reg, err := refdata.Load()
	if err != nil {
		return err
	}
	res, err := refdata.Sync(ctx, d.Conn, reg)
	if err != nil {
		return err
	}
	d.log.Info("reference units loaded", slog.Int("inserted", res.Inserted), slog.Int("unchanged", res.Unchanged), slog.String("checksum", reg.Checksum()[:12]))
	if res.Extra > 0 {
		d.log.Warn("the units table has units the reference list no longer has", slog.Int("count", res.Extra))
	}
	return nil
}

// Close closes the connection and stops the private server, if any. It does
// not depend on the command's context, which is usually cancelled by then.
func (d *database) Close() {
	if d.Conn != nil {
		d.Conn.Close()
	}
	if d.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := d.server.Stop(ctx); err != nil {
			d.log.Error("stop private clickhouse-server", slog.Any("err", err))
		}
	}
}

// describe says which ClickHouse is in use, for errors and logs.
func (d *database) describe() string {
	if d.server != nil {
		return fmt.Sprintf("private clickhouse-server at %s (data in %s)", d.Options.Addr, d.server.Dir())
	}
	return "ClickHouse at " + d.Options.Addr
}

// withDatabase loads the configuration, opens the database (starting the
// private server on the embedded default), runs fn, and closes it again.
func (cf *configured) withDatabase(ctx context.Context, fn func(config.Config, *database, *slog.Logger) error) error {
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(cfg, db, log)
}
