package dashboards

import (
	"encoding/json"
	"strings"
	"testing"
)

// A bad parameter of the figures API is a 400 whose JSON error names it,
// never a 500: a series of more than 400 steps included.
func TestAPIBadParameters(t *testing.T) {
	a := newApp(t, nil)
	cookie := analyst(t, a)
	for url, param := range map[string]string{
		"/api/v1/units/08/series?kpi=online_rate&from=1990-01&to=2025-12&step=month": "step",
		"/api/v1/units/08/series?kpi=online_rate&from=1900&to=2025":                  "step",
		"/api/v1/units/08/series?kpi=online_rate&from=2025Q1&to=2025Q3&step=week":    "step",
		"/api/v1/units/08/series?kpi=online_rate&from=2025Q3&to=2025Q1":              "to",
		"/api/v1/units/08/series?from=2025Q1&to=2025Q3":                              "kpi",
		"/api/v1/national":                            "period",
		"/api/v1/national?period=2025Q5":              "period",
		"/api/v1/league?block=province&period=2025Q3": "kpi",
		"/api/v1/index766?block=province":             "period",
		"/api/v1/units/08/figures":                    "period",
		"/api/v1/units/08/procedures?period=2025-13":  "period",
		"/api/v1/units/nowhere/figures?period=2025Q3": "unit",
	} {
		code, body, _ := get(t, a, url, cookie)
		var e struct{ Error string }
		if err := json.Unmarshal([]byte(body), &e); err != nil || code != 400 || !strings.HasPrefix(e.Error, "parameter "+param+": ") {
			t.Errorf("%s: %d %s, want 400 naming parameter %s", url, code, body, param)
		}
	}
}
