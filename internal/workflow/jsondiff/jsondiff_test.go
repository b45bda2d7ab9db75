package jsondiff_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"skalig/internal/workflow/jsondiff"
)

// Compare names each difference by its path, in key order; documents
// that differ only in key order or spacing are equal.
func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want, got string
		diffs     []string
	}{
		{"OK", `{"a":1,"b":[1,2]}`, `{ "b": [1, 2], "a": 1 }`, nil},
		{"value", `{"aid":100,"norm":5}`, `{"aid":200,"norm":5}`, []string{"resultat.aid: 100 blev 200"}},
		{"missing key", `{"a":1}`, `{"a":1,"b":2}`, []string{"resultat.b: null blev 2"}},
		{"lines", `{"t":[{"x":1},{"x":2}]}`, `{"t":[{"x":3}]}`, []string{"resultat.t: 2 rader blev 1", "resultat.t[0].x: 1 blev 3"}},
		{"type", `{"a":{"b":1}}`, `{"a":[1]}`, []string{"resultat.a: map[b:1] blev [1]"}},
		{"not JSON", `{"a":1}`, `{"a":`, []string{"resultat kan inte jämföras"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			jsondiff.Compare("resultat", json.RawMessage(tc.want), json.RawMessage(tc.got), func(format string, args ...any) {
				got = append(got, fmt.Sprintf(format, args...))
			})
			if !slices.Equal(got, tc.diffs) {
				t.Errorf("diffs %q, want %q", got, tc.diffs)
			}
		})
	}
}
