package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"skalig/internal/store"
	"slices"
	"strings"
	"testing"

	"skalig"
)

// submitSingles stores n continued applications of single people in
// municipality mun for 2026-11 (the workers do not run: they stay open).
func submitSingles(t *testing.T, cases interface {
	SubmitApplication(context.Context, *skalig.Application) (*skalig.Case, bool, error)
}, mun string, n int) {
	t.Helper()
	for i := range n {
		pn := skalig.PersonalNumber(fmt.Sprintf("1980010190%d", i))
		for d := 0; d < 10 && pn.Validate() != nil; d++ {
			pn = skalig.PersonalNumber(string(pn[:11]) + fmt.Sprint(d))
		}
		app := &skalig.Application{Municipality: mun, Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2026, 11),
			IdempotencyKey: fmt.Sprintf("stats-%s-%d", mun, i),
			Members:        []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}}}
		if _, _, err := cases.SubmitApplication(context.Background(), app); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStatistics(t *testing.T) {
	h, wf, _ := caseServer(t)
	submitSingles(t, wf.Cases().(*store.CaseStore), "0821", 2)
	submitSingles(t, wf.Cases().(*store.CaseStore), "0880", 1)

	t.Run("OK", func(t *testing.T) {
		w := call(t, h, "GET", "/api/v1/statistics?month=2026-11", tokHogby, "", "")
		if w.Code != 200 {
			t.Fatalf("status=%d, body %s", w.Code, w.Body)
		}
		var v any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		doc := openAPIRaw(t, h)
		if errs := validate(doc, ref("Statistics"), v, "$"); len(errs) > 0 {
			t.Errorf("response does not match the schema Statistics:\n%s", strings.Join(errs, "\n"))
		}
		if errs := validate(doc, ref("Error"), v, "$"); len(errs) == 0 {
			t.Errorf("the response matches the schema Error too: the check checks nothing")
		}
		var got struct {
			Municipality string `json:"municipality"`
			Month        string `json:"month"`
			Total        struct {
				Applications int `json:"applications"`
				Open         int `json:"open"`
			} `json:"total"`
			Groups []struct {
				Group  string `json:"group"`
				Counts struct {
					Applications int `json:"applications"`
				} `json:"counts"`
			} `json:"groups"`
		}
		mustDecode(t, w, &got)
		if got.Municipality != "0821" || got.Month != "2026-11" || got.Total.Applications != 2 || got.Total.Open != 2 ||
			len(got.Groups) != 5 || got.Groups[0].Group != "single" || got.Groups[0].Counts.Applications != 2 {
			t.Errorf("figures=%+v, want two open applications of single people in 0821", got)
		}
	})
	t.Run("NamedMunicipality", func(t *testing.T) {
		w := call(t, h, "GET", "/api/v1/statistics?month=2026-11&municipality=0880", tokAll, "", "")
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"applications":1,`) {
			t.Errorf("status=%d, body %s", w.Code, w.Body)
		}
	})
	for _, c := range []struct {
		name, path, token string
		status            int
		code, field       string
	}{
		{"ErrNoToken", "/api/v1/statistics?month=2026-11", "", 401, skalig.EUNAUTHORIZED, ""},
		{"ErrMonth", "/api/v1/statistics?month=2026-13", tokHogby, 400, skalig.EINVALID, "month"},
		{"ErrNoMonth", "/api/v1/statistics", tokHogby, 400, skalig.EINVALID, "month"},
		{"ErrEmptyMonth", "/api/v1/statistics?month=2026-12", tokHogby, 404, skalig.ENOTFOUND, "month"},
		{"ErrOtherMunicipality", "/api/v1/statistics?month=2026-11&municipality=0880", tokHogby, 403, skalig.EFORBIDDEN, "municipality"},
		{"ErrMunicipalityNeeded", "/api/v1/statistics?month=2026-11", tokAll, 400, skalig.EINVALID, "municipality"},
		{"ErrBadMunicipality", "/api/v1/statistics?month=2026-11&municipality=x", tokAll, 400, skalig.EINVALID, "municipality"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := call(t, h, "GET", c.path, c.token, "", "")
			e := mustError(t, w, c.status, c.code)
			if c.field != "" {
				if msg, ok := hasField(e, c.field); !ok || msg == "" {
					t.Errorf("error %+v does not name %s", e, c.field)
				}
			}
		})
	}
}

func openAPIRaw(t *testing.T, h http.Handler) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(call(t, h, "GET", "/api/v1/openapi.json", "", "", "").Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// validate checks v against the JSON schema s of the OpenAPI document doc,
// for the keywords the document uses: $ref, type, enum, pattern, minimum,
// properties, required, additionalProperties false and items.
func validate(doc map[string]any, s map[string]any, v any, path string) []string {
	if r, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(r, "#/components/schemas/")
		target, ok := doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
		if !ok {
			return []string{path + ": unknown $ref " + r}
		}
		return validate(doc, target, v, path)
	}
	var errs []string
	if t, ok := s["type"]; ok {
		var types []string
		switch x := t.(type) {
		case string:
			types = []string{x}
		case []any:
			for _, y := range x {
				types = append(types, y.(string))
			}
		}
		if !slices.Contains(types, jsonType(v)) && !(jsonType(v) == "integer" && slices.Contains(types, "number")) {
			return []string{fmt.Sprintf("%s: type %s, want %v", path, jsonType(v), types)}
		}
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", path, v, e))
	}
	if p, ok := s["pattern"].(string); ok {
		if str, isStr := v.(string); isStr && !regexp.MustCompile(p).MatchString(str) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", path, str, p))
		}
	}
	if m, ok := s["minimum"].(float64); ok {
		if n, isNum := v.(float64); isNum && n < m {
			errs = append(errs, fmt.Sprintf("%s: %v < minimum %v", path, n, m))
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asStrings(s["required"]) {
			if _, ok := obj[r]; !ok {
				errs = append(errs, path+": missing required "+r)
			}
		}
		for k, x := range obj {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if ap, ok := s["additionalProperties"].(bool); ok && !ap {
					errs = append(errs, path+": property "+k+" not in the schema")
				}
				continue
			}
			errs = append(errs, validate(doc, ps, x, path+"."+k)...)
		}
	}
	if arr, ok := v.([]any); ok {
		if it, ok := s["items"].(map[string]any); ok {
			for i, x := range arr {
				errs = append(errs, validate(doc, it, x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func asStrings(v any) []string {
	var out []string
	if a, ok := v.([]any); ok {
		for _, x := range a {
			out = append(out, x.(string))
		}
	}
	return out
}
