package migrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"egovkpi/internal/chlock"
)

// bootstrap are the runner's own tables, created (idempotently) before any
// migration: the record of applied migrations and the migration lock. Both
// are kept on every node of a cluster.
var bootstrap = []Migration{
	{Name: "schema_migrations", Source: `CREATE TABLE IF NOT EXISTS {{.DB}}.schema_migrations {{.OnCluster}}
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime,
    applied_by String
)
ENGINE = {{globalEngine "schema_migrations" "MergeTree()"}}
ORDER BY version`},
	{Name: "locks", Source: chlock.TableDDL},
}

// Step is one rendered statement of a plan.
type Step struct {
	Migration Migration
	SQL       string // "" when the step does nothing on the target
	Bootstrap bool   // one of the runner's own tables
}

// Plan renders the bootstrap statements and every migration for the target,
// in the order they are applied.
func Plan(t Target) ([]Step, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	var steps []Step
	for i, m := range append(append([]Migration{}, bootstrap...), all...) {
		sql, err := m.Render(t)
		if err != nil {
			return nil, err
		}
		steps = append(steps, Step{Migration: m, SQL: sql, Bootstrap: i < len(bootstrap)})
	}
	return steps, nil
}

// PrintPlan writes the plan as SQL a person can read or run by hand, one
// statement per migration, each ended with ";".
func PrintPlan(w io.Writer, t Target) error {
	steps, err := Plan(t)
	if err != nil {
		return err
	}
	mode := "single node"
	if t.Cluster != "" {
		mode = "cluster " + t.Cluster
	}
	fmt.Fprintf(w, "-- egovkpi schema for database %s (%s)\n\n", t.Database, mode)
	db := "CREATE DATABASE IF NOT EXISTS " + t.Database
	if t.Cluster != "" {
		db += " ON CLUSTER " + t.Cluster
	}
	fmt.Fprintf(w, "-- database\n%s;\n\n", db)
	for _, s := range steps {
		label := s.Migration.Name
		if !s.Bootstrap {
			label += " (sha256 " + s.Migration.Checksum[:12] + ")"
		}
		if s.SQL == "" {
			fmt.Fprintf(w, "-- %s: nothing to do on this target\n\n", label)
			continue
		}
		if _, err := fmt.Fprintf(w, "-- %s\n%s;\n\n", label, s.SQL); err != nil {
			return err
		}
	}
	return nil
}

// Runner applies migrations to one database.
type Runner struct {
	conn   driver.Conn
	target Target
	log    *slog.Logger
	holder string // names this runner in schema_migrations
}

// NewRunner returns a runner for the database the connection uses. The
// database must exist (chdb.EnsureDatabase).
func NewRunner(conn driver.Conn, t Target, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	host, _ := os.Hostname()
	return &Runner{conn: conn, target: t, log: log, holder: fmt.Sprintf("%s/%d", host, os.Getpid())}
}

// Status is the state of one migration in the database.
type Status struct {
	Migration Migration
	Applied   bool
	AppliedAt time.Time
	// Changed is set when the applied checksum differs from the embedded one.
	Changed         bool
	AppliedChecksum string
}

// ErrChanged is wrapped by errors about a migration edited after it was
// applied.
var ErrChanged = errors.New("applied migration changed")

// applied reads schema_migrations: version → (checksum, applied_at). The
// first application of a version counts.
func (r *Runner) applied(ctx context.Context) (map[int]Status, error) {
	var exists uint8
	err := r.conn.QueryRow(ctx, "SELECT count() > 0 FROM system.tables WHERE database = ? AND name = 'schema_migrations'", r.target.Database).Scan(&exists)
	if err != nil {
		return nil, fmt.Errorf("migrations: look for schema_migrations: %w", err)
	}
	out := map[int]Status{}
	if exists == 0 {
		return out, nil
	}
	rows, err := r.conn.Query(ctx, "SELECT version, argMin(checksum, applied_at) AS first_checksum, min(applied_at) AS first_at FROM schema_migrations GROUP BY version")
	if err != nil {
		return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			v   uint32
			sum string
			at  time.Time
		)
		if err := rows.Scan(&v, &sum, &at); err != nil {
			return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
		}
		out[int(v)] = Status{Applied: true, AppliedAt: at, AppliedChecksum: sum}
	}
	return out, rows.Err()
}

// Status lists every embedded migration with its state. It fails when the
// database holds a migration this binary does not know (a newer egovkpi
// migrated it).
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	all, err := All()
	if err != nil {
		return nil, err
	}
	applied, err := r.applied(ctx)
	if err != nil {
		return nil, err
	}
	known := map[int]bool{}
	var out []Status
	for _, m := range all {
		known[m.Version] = true
		s := applied[m.Version]
		s.Migration = m
		s.Changed = s.Applied && s.AppliedChecksum != m.Checksum
		out = append(out, s)
	}
	for v := range applied {
		if !known[v] {
			return out, fmt.Errorf("migrations: database %s has migration %04d, which this binary does not know: it was migrated by a newer egovkpi", r.target.Database, v)
		}
	}
	return out, nil
}

// Check returns nil when every migration is applied unchanged: the database
// is ready for this binary. Otherwise it says what is pending or changed.
func (r *Runner) Check(ctx context.Context) error {
	st, err := r.Status(ctx)
	if err != nil {
		return err
	}
	if err := changedError(st); err != nil {
		return err
	}
	var pending []string
	for _, s := range st {
		if !s.Applied {
			pending = append(pending, s.Migration.Name)
		}
	}
	if len(pending) > 0 {
		return fmt.Errorf("migrations: %d pending (%s): run egovkpi migrate", len(pending), strings.Join(pending, ", "))
	}
	return nil
}

func changedError(st []Status) error {
	for _, s := range st {
		if s.Changed {
			return fmt.Errorf("migrations: %w: %s was applied on %s with sha256 %s, but this binary's copy has sha256 %s; applied migrations must not be edited: restore the file and add a new migration",
				ErrChanged, s.Migration.Name, s.AppliedAt.Format(time.RFC3339), s.AppliedChecksum[:12], s.Migration.Checksum[:12])
		}
	}
	return nil
}

// Up applies every pending migration in order, under the lock, and returns
// how many it applied. A changed applied migration stops it before anything
// runs.
func (r *Runner) Up(ctx context.Context) (int, error) {
	steps, err := Plan(r.target)
	if err != nil {
		return 0, err
	}
	for _, s := range steps {
		if s.Bootstrap {
			if err := r.conn.Exec(ctx, s.SQL); err != nil {
				return 0, fmt.Errorf("migrations: create %s: %w", s.Migration.Name, err)
			}
		}
	}
	// chlock's defaults: a dead holder keeps others out for 10 minutes (a
	// live one renews the lock before every step); Up waits 2 minutes.
	lock, err := chlock.Acquire(ctx, r.conn, "migrations", chlock.Options{})
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	defer func() {
		if err := lock.Release(); err != nil {
			r.log.Warn("migration lock not released; it expires by itself", slog.Any("err", err))
		}
	}()

	st, err := r.Status(ctx)
	if err != nil {
		return 0, err
	}
	if err := changedError(st); err != nil {
		return 0, err
	}
	done := map[int]bool{}
	for _, s := range st {
		done[s.Migration.Version] = s.Applied
	}
	n := 0
	for _, s := range steps {
		m := s.Migration
		if s.Bootstrap || done[m.Version] {
			continue
		}
		if err := lock.Renew(ctx); err != nil {
			return n, fmt.Errorf("migrations: %w", err)
		}
		start := time.Now()
		if s.SQL != "" {
			if err := r.conn.Exec(ctx, s.SQL); err != nil {
				return n, fmt.Errorf("migrations: apply %s: %w", m.Name, err)
			}
		}
		if err := r.record(ctx, m); err != nil {
			return n, err
		}
		n++
		r.log.Info("migration applied", slog.String("migration", m.Name), slog.Duration("took", time.Since(start)))
	}
	return n, nil
}

func (r *Runner) record(ctx context.Context, m Migration) error {
	b, err := r.conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, checksum, applied_at, applied_by)")
	if err != nil {
		return fmt.Errorf("migrations: record %s: %w", m.Name, err)
	}
	if err := b.Append(uint32(m.Version), m.Name, m.Checksum, time.Now(), r.holder); err != nil {
		return fmt.Errorf("migrations: record %s: %w", m.Name, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("migrations: record %s: %w", m.Name, err)
	}
	return nil
}
