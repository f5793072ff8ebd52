package protocol

import (
	"strings"
	"testing"
)

func TestDescribeJSONError(t *testing.T) {
	for _, tc := range []struct {
		body string
		want string
	}{
		{"{\n\"unit\": \"08\",\n\"from\": }", "(byte 25, line 3 of 25 bytes)"},
		{`{"unit": 8}`, "field unit: want string, got number (byte 10)"},
		{`{"unti": "08"}`, `unknown field "unti"`},
	} {
		var p UsagePage
		err := DecodeStrict([]byte(tc.body), &p)
		if err == nil {
			t.Fatalf("%s: decoded", tc.body)
		}
		got := DescribeJSONError([]byte(tc.body), err)
		if !strings.Contains(got, tc.want) || strings.HasPrefix(got, "json: ") {
			t.Errorf("%s: %q, want %q", tc.body, got, tc.want)
		}
	}
}
