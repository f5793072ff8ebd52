// Package migrations holds egovkpi's ClickHouse schema as numbered SQL
// templates embedded in the binary, and the runner that applies them.
//
// Each file sql/NNNN_name.sql is one statement (never split on ';'),
// rendered for a single node or for a cluster (ON CLUSTER, Replicated
// engines, Distributed tables; see funcs). Applied migrations are recorded
// with the checksum of their source in schema_migrations; a migration that
// changed after it was applied is refused. A lock keeps two processes from
// migrating at once.
package migrations

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
)

//go:embed sql/*.sql
var embedded embed.FS

// Migration is one numbered schema step.
type Migration struct {
	Version  int    // the number in the file name
	Name     string // the file name, e.g. 0001_units.sql
	Source   string // the template text
	Checksum string // sha256 of Source, hex
}

// Render returns the migration's statement for the target, or "" when it
// does nothing there (a Distributed table on a single node).
func (m Migration) Render(t Target) (string, error) { return render(m.Name, m.Source, t) }

var fileName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// All returns the embedded migrations in order. They are read and hashed
// once (readiness probes ask for them); each call gets its own slice.
func All() ([]Migration, error) {
	ms, err := loadEmbedded()
	return slices.Clone(ms), err
}

var loadEmbedded = sync.OnceValues(func() ([]Migration, error) { return load(embedded, "sql") })

func load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: read %s: %w", dir, err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migrations: file %s: name must be NNNN_lower_case.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %s and %s share version %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrations: read %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		ms = append(ms, Migration{Version: v, Name: e.Name(), Source: string(b), Checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}
