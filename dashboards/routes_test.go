package dashboards

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPIRoutesAreDocumented: every /api/v1 route is in the OpenAPI file
// of its audience (figures for GET, the portal protocol for ingest), and
// every path those files describe is served.
func TestAPIRoutesAreDocumented(t *testing.T) {
	a := &App{}
	docs := map[string]string{}
	for _, f := range []string{"figures-api.openapi.yaml", "portal-api.openapi.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "docs", f))
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	served := map[string]bool{}
	for _, r := range a.table() {
		if !strings.HasPrefix(r.path, "/api/v1/") {
			continue
		}
		path := r.path
		if i := strings.Index(path, ":"); i >= 0 {
			j := strings.IndexByte(path[i:], '/')
			name := path[i+1:]
			if j >= 0 {
				name = path[i+1 : i+j]
			}
			path = strings.Replace(path, ":"+name, "{"+name+"}", 1)
		}
		served[path] = true
		doc := "figures-api.openapi.yaml"
		if strings.HasPrefix(path, "/api/v1/ingest/") {
			doc = "portal-api.openapi.yaml"
		}
		if !strings.Contains(docs[doc], "\n  "+path+":") {
			t.Errorf("%s %s is not described in docs/%s", r.method, path, doc)
		}
	}
	for _, line := range strings.Split(docs["figures-api.openapi.yaml"], "\n") {
		if strings.HasPrefix(line, "  /api/v1/") {
			if p := strings.TrimSuffix(strings.TrimSpace(line), ":"); !served[p] {
				t.Errorf("docs/figures-api.openapi.yaml describes %s, which is not served", p)
			}
		}
	}
}
