// Package chdb opens connections to ClickHouse over the native protocol with
// the settings egovkpi relies on: a server-side time limit on every query,
// bounded pools, and TLS when configured.
package chdb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Options say where ClickHouse is and how to talk to it.
type Options struct {
	Addr     string // host:port of the native protocol
	User     string
	Password string
	Database string // the database queries run in; must exist, see EnsureDatabase
	// TLS turns on TLS; TLSCAFile adds a CA to verify the server with;
	// TLSInsecure skips verification (tests against self-signed servers).
	TLS         bool
	TLSCAFile   string
	TLSInsecure bool
	// QueryTimeout is sent as max_execution_time with every query: a Go
	// deadline alone does not stop a query on the server. Zero means 60 s.
	QueryTimeout time.Duration
	// MaxOpenConns bounds the pool; zero means 10.
	MaxOpenConns int
}

// Open connects and pings. The caller closes the connection.
func Open(ctx context.Context, o Options) (driver.Conn, error) {
	if o.Addr == "" {
		return nil, fmt.Errorf("chdb: no ClickHouse address")
	}
	timeout := o.QueryTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	maxOpen := o.MaxOpenConns
	if maxOpen == 0 {
		maxOpen = 10
	}
	db := o.Database
	if db == "" {
		db = "default"
	}
	user := o.User
	if user == "" {
		user = "default"
	}
	opts := &clickhouse.Options{
		Protocol: clickhouse.Native,
		Addr:     []string{o.Addr},
		Auth:     clickhouse.Auth{Database: db, Username: user, Password: o.Password},
		Settings: clickhouse.Settings{
			"max_execution_time": int(timeout.Seconds()),
		},
		DialTimeout:     5 * time.Second,
		ReadTimeout:     timeout + 10*time.Second,
		MaxOpenConns:    maxOpen,
		MaxIdleConns:    maxOpen,
		ConnMaxLifetime: time.Hour,
	}
	if o.TLS {
		cfg, err := tlsConfig(o)
		if err != nil {
			return nil, err
		}
		opts.TLS = cfg
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("chdb: open %s: %w", o.Addr, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := conn.Ping(pingCtx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("chdb: ping %s (database %s): %w", o.Addr, db, err)
	}
	return conn, nil
}

func tlsConfig(o Options) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.TLSInsecure} //nolint:gosec // operator's explicit choice
	if o.TLSCAFile != "" {
		pem, err := os.ReadFile(o.TLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("chdb: read TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("chdb: TLS CA file %s holds no PEM certificate", o.TLSCAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// EnsureDatabase creates the database named in o if it does not exist,
// through a connection to the default database, on every node of cluster
// when cluster is not empty.
func EnsureDatabase(ctx context.Context, o Options, cluster string) error {
	name := o.Database
	if name == "" || name == "default" {
		return nil
	}
	if !ValidIdentifier(name) {
		return fmt.Errorf("chdb: invalid database name %q (letters, digits and _ only, not starting with a digit)", name)
	}
	admin := o
	admin.Database = "default"
	conn, err := Open(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close()
	stmt := "CREATE DATABASE IF NOT EXISTS " + name
	if cluster != "" {
		if !ValidIdentifier(cluster) {
			return fmt.Errorf("chdb: invalid cluster name %q", cluster)
		}
		stmt += " ON CLUSTER " + cluster
	}
	if err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("chdb: create database %s: %w", name, err)
	}
	return nil
}

// ValidIdentifier reports whether s can be spliced into SQL as a database,
// table or cluster name without quoting: ASCII letters, digits and _, not
// starting with a digit, at most 64 bytes.
func ValidIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
