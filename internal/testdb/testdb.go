// Package testdb gives a test a fresh database with the whole schema: a
// chtest database (the package's TestMain must call chtest.Main) with every
// migration applied.
package testdb

import (
	"context"
	"testing"

	"egovkpi/internal/chtest"
	"egovkpi/migrations"
)

// Migrated returns a fresh database of t with every migration applied.
func Migrated(t testing.TB) *chtest.DB {
	t.Helper()
	db := chtest.NewDB(t)
	if _, err := migrations.NewRunner(db.Conn, migrations.Target{Database: db.Name}, nil).Up(context.Background()); err != nil {
		t.Fatalf("testdb: migrate: %v", err)
	}
	return db
}
