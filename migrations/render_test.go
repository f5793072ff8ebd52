package migrations

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden holds both renderings of the whole schema in testdata: a change
// to a migration's SQL shows up as a reviewable diff of both.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file   string
		target Target
	}{
		{"single.sql", Target{Database: "egovkpi"}},
		{"cluster.sql", Target{Database: "egovkpi", Cluster: "egovkpi_cluster"}},
	} {
		var got bytes.Buffer
		if err := PrintPlan(&got, tc.target); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "golden", tc.file)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./migrations -run Golden -args -update to create it)", err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s differs from the rendering; review and run go test ./migrations -run Golden -args -update\n--- got ---\n%s", path, got.String())
		}
	}
}

var ddl = regexp.MustCompile(`(?i)\b(CREATE|ALTER|DROP|RENAME|TRUNCATE)\b`)

// TestEveryDDLHasTheClusterPlaceholder fails when a migration would run on
// one node only in cluster mode, or would use a non-replicated engine there.
func TestEveryDDLHasTheClusterPlaceholder(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	cluster := Target{Database: "db", Cluster: "c"}
	single := Target{Database: "db"}
	for _, m := range append(append([]Migration{}, bootstrap...), all...) {
		if !ddl.MatchString(stripComments(m.Source)) && !strings.Contains(m.Source, "{{distributed") {
			continue
		}
		if !strings.Contains(m.Source, "{{.OnCluster}}") && !strings.Contains(m.Source, "{{distributed") {
			t.Errorf("%s: DDL without {{.OnCluster}}", m.Name)
		}
		c, err := m.Render(cluster)
		if err != nil {
			t.Fatal(err)
		}
		if c != "" && !strings.Contains(c, "ON CLUSTER c") {
			t.Errorf("%s: cluster rendering lacks ON CLUSTER:\n%s", m.Name, c)
		}
		for _, e := range regexp.MustCompile(`(\w*)MergeTree\(`).FindAllStringSubmatch(c, -1) {
			if !strings.HasPrefix(e[1], "Replicated") {
				t.Errorf("%s: cluster rendering uses a non-replicated engine %sMergeTree", m.Name, e[1])
			}
		}
		s, err := m.Render(single)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"ON CLUSTER", "Replicated", "{{", "_local"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s: single-node rendering contains %q", m.Name, bad)
			}
		}
	}
}

// TestHelpers renders a fixture that uses every template helper.
func TestHelpers(t *testing.T) {
	src := `-- a comment line is dropped
CREATE TABLE IF NOT EXISTS {{table "facts"}} {{.OnCluster}} (unit_id String, v UInt32)
ENGINE = {{engine "facts" "ReplacingMergeTree(v)"}} ORDER BY unit_id`
	dist := `{{distributed "facts" "cityHash64(unit_id)"}}`
	for _, tc := range []struct {
		target    Target
		src, want string
	}{
		{Target{Database: "d"}, src, "CREATE TABLE IF NOT EXISTS d.facts  (unit_id String, v UInt32)\nENGINE = ReplacingMergeTree(v) ORDER BY unit_id"},
		{Target{Database: "d", Cluster: "c"}, src, "CREATE TABLE IF NOT EXISTS d.facts_local ON CLUSTER c (unit_id String, v UInt32)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/d/facts', '{replica}', v) ORDER BY unit_id"},
		{Target{Database: "d"}, dist, ""},
		{Target{Database: "d", Cluster: "c"}, dist, "CREATE TABLE IF NOT EXISTS d.facts ON CLUSTER c AS d.facts_local\nENGINE = Distributed(c, d, facts_local, cityHash64(unit_id))"},
		{Target{Database: "d", Cluster: "c"}, `ENGINE = {{globalEngine "u" "MergeTree()"}}`, "ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/d/u', '{replica}')"},
	} {
		got, err := render("fixture", tc.src, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("target %+v:\ngot  %q\nwant %q", tc.target, got, tc.want)
		}
	}
	if _, err := render("bad", `{{engine "t" "Memory"}}`, Target{Database: "d"}); err == nil {
		t.Error("a non-MergeTree engine must be refused by the engine helper")
	}
	if _, err := render("bad", `{{.Nope}}`, Target{Database: "d"}); err == nil {
		t.Error("an unknown placeholder must fail")
	}
}
