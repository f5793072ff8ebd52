package migrations

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

// Target is where migrations are rendered for: a database on a single node,
// or on every node of a cluster.
type Target struct {
	Database string
	// Cluster is the cluster name from the server's remote_servers; empty
	// renders for a single node.
	Cluster string
}

// templateData is what a migration template sees.
type templateData struct {
	DB        string // database name
	OnCluster string // "ON CLUSTER name" on a cluster, empty on a single node
}

var engineCall = regexp.MustCompile(`^(\w*MergeTree)\((.*)\)$`)

// funcs are the helpers a migration template may call.
//
//   - {{table "facts"}}: the table that stores rows: db.facts on a single
//     node, db.facts_local on a cluster (read through the Distributed db.facts).
//   - {{engine "facts" "ReplacingMergeTree(version)"}}: a sharded engine:
//     Replicated…MergeTree with a per-shard ZooKeeper path on a cluster.
//   - {{globalEngine "units" "ReplacingMergeTree(v)"}}: one copy on every node
//     (small dimension and bookkeeping tables): a ZooKeeper path without shard.
//   - {{distributed "facts" "cityHash64(unit_id)"}}: on a cluster, the whole
//     CREATE of the Distributed table db.facts over db.facts_local; on a
//     single node nothing (the step is skipped).
func funcs(t Target) template.FuncMap {
	replicated := func(zkPath, engine string) (string, error) {
		m := engineCall.FindStringSubmatch(strings.TrimSpace(engine))
		if m == nil {
			return "", fmt.Errorf("engine %q: want a MergeTree-family engine such as MergeTree() or ReplacingMergeTree(version)", engine)
		}
		if t.Cluster == "" {
			return m[1] + "(" + m[2] + ")", nil
		}
		args := "'" + zkPath + "', '{replica}'"
		if strings.TrimSpace(m[2]) != "" {
			args += ", " + m[2]
		}
		return "Replicated" + m[1] + "(" + args + ")", nil
	}
	return template.FuncMap{
		"table": func(name string) string {
			if t.Cluster == "" {
				return t.Database + "." + name
			}
			return t.Database + "." + name + "_local"
		},
		"engine": func(table, engine string) (string, error) {
			return replicated("/clickhouse/tables/{shard}/"+t.Database+"/"+table, engine)
		},
		"globalEngine": func(table, engine string) (string, error) {
			return replicated("/clickhouse/tables/all/"+t.Database+"/"+table, engine)
		},
		"distributed": func(table, shardingKey string) string {
			if t.Cluster == "" {
				return ""
			}
			return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %[1]s.%[2]s ON CLUSTER %[3]s AS %[1]s.%[2]s_local\nENGINE = Distributed(%[3]s, %[1]s, %[2]s_local, %[4]s)",
				t.Database, table, t.Cluster, shardingKey)
		},
	}
}

// render executes a migration's template for the target. It returns the
// statement, or "" when the migration does nothing on this target.
func render(name, src string, t Target) (string, error) {
	tpl, err := template.New(name).Option("missingkey=error").Funcs(funcs(t)).Parse(src)
	if err != nil {
		return "", fmt.Errorf("migrations: parse %s: %w", name, err)
	}
	data := templateData{DB: t.Database}
	if t.Cluster != "" {
		data.OnCluster = "ON CLUSTER " + t.Cluster
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("migrations: render %s: %w", name, err)
	}
	return strings.TrimSpace(stripComments(buf.String())), nil
}

// stripComments drops whole-line "--" comments, which document the file but
// are not sent to the server.
func stripComments(sql string) string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		out = append(out, strings.TrimRight(line, " \t"))
	}
	return strings.Join(out, "\n")
}
