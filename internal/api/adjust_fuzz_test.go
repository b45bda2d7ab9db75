package api

import (
	"errors"
	"strings"
	"testing"

	"skalig"
)

// FuzzAdjustRequest decodes any body as an adjustment and converts its
// items: the answer is the items, one fact each, or EINVALID naming a
// field; never a panic or another error.
func FuzzAdjustRequest(f *testing.F) {
	f.Add([]byte(`{"version":3,"caseworker":"hl-1","reason":"x","facts":[{"kind":"need.other.1","amount":1450}]}`))
	f.Add([]byte(`{"version":3,"facts":[{"kind":"norm.adjustment","amount":-200.5},{"kind":"beyond.1.text","text":"Begravning"}]}`))
	f.Add([]byte(`{"facts":[{"kind":"x","amount":"12"},{"amount":1e400},{"kind":"y","amount":1,"text":"z"}]}`))
	f.Add([]byte(`{"version":"1","facts":{}}`))
	f.Add([]byte(`{"version":1,"condition":"certificate","person":"p1","from":"2026-11-01"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var req adjustRequest
		if err := decodeStrict(data, &req); err != nil {
			mustBeInvalid(t, data, err)
			return
		}
		facts, err := adjustFacts(req.Facts)
		if err != nil {
			mustBeInvalid(t, data, err)
			var se *skalig.Error
			errors.As(err, &se)
			for _, fe := range se.Fields {
				if !strings.HasPrefix(fe.Field, "facts") {
					t.Fatalf("%s: field %q", data, fe.Field)
				}
			}
			return
		}
		if len(facts) != len(req.Facts) {
			t.Fatalf("%s: %d facts of %d items", data, len(facts), len(req.Facts))
		}
		var cond conditionRequest
		if err := decodeStrict(data, &cond); err != nil {
			mustBeInvalid(t, data, err)
		}
	})
}

func mustBeInvalid(t *testing.T, data []byte, err error) {
	t.Helper()
	var se *skalig.Error
	if !errors.As(err, &se) || se.Code != skalig.EINVALID || se.Message == "" {
		t.Fatalf("%s: %v, want EINVALID with a message", data, err)
	}
	for _, fe := range se.Fields {
		if fe.Field == "" || fe.Message == "" {
			t.Fatalf("%s: field error %+v", data, fe)
		}
	}
}
