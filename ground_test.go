package skalig_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"skalig"
)

// TestGroundCodesDefinedOnce checks that no Go file but ground.go spells a
// decision ground's code, its message id or its Swedish text: the web
// pages, the API and the workflow name a ground by its constant or take
// it from skalig.Grounds, so that the registry is the one list of grounds.
// The ground codes are plain words; the files that use one of them for
// something else are listed with what the word is there.
func TestGroundCodesDefinedOnce(t *testing.T) {
	homonyms := map[string][]string{
		"internal/web/applicant/explain.go":          {skalig.GroundCost, skalig.GroundIncome}, // keys of the calculation's explanation
		"internal/demo/demo.go":                      {skalig.GroundOtherNeed},                 // a demo scenario
		"internal/registerutdrag/registerutdrag.go":  {skalig.GroundDocuments},                 // a JSON field
		"internal/store/gallringdb/gallringdb.go":    {skalig.GroundDocuments},                 // a table
		"internal/workflow/manualcalc/manualcalc.go": {skalig.GroundCost, skalig.GroundIncome}, // kinds of a line calculated by hand
	}
	var alts []string
	for _, g := range skalig.Grounds() {
		alts = append(alts, regexp.QuoteMeta(g.Code))
	}
	re := regexp.MustCompile(`["'` + "`" + `](` + strings.Join(alts, "|") + `)["'` + "`" + `]`)
	idRe := regexp.MustCompile(`["'` + "`" + `](?:cw\.decide\.)?ground\.`)
	var texts []string
	for _, g := range skalig.Grounds() {
		texts = append(texts, g.Text())
	}
	n := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "migrations") && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || p == "ground.go" {
			return nil
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			for _, m := range re.FindAllStringSubmatch(line, -1) {
				if !slices.Contains(homonyms[filepath.ToSlash(p)], m[1]) {
					t.Errorf("%s:%d spells the ground code %q; use its constant skalig.Ground*", p, i+1, m[1])
				}
			}
			if idRe.MatchString(line) {
				t.Errorf("%s:%d spells a ground's message id; use GroundInfo.LabelID or TextID", p, i+1)
			}
			for _, text := range texts {
				if strings.Contains(line, text) {
					t.Errorf("%s:%d spells a ground's text; use GroundInfo.Text", p, i+1)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("walked only %d Go files: the walk is broken", n)
	}
}

// TestGroundRegistry checks the registry: codes are unique and every
// ground has its label and text in each language's catalog, and no other
// message.
func TestGroundRegistry(t *testing.T) {
	seen := map[string]bool{}
	want := map[string]bool{}
	for _, g := range skalig.Grounds() {
		if seen[g.Code] {
			t.Errorf("ground %s is registered twice", g.Code)
		}
		seen[g.Code] = true
		want[g.LabelID()], want[g.TextID()] = true, true
		if got, ok := skalig.LookupGround(g.Code); !ok || got != g {
			t.Errorf("LookupGround(%s)=%v, %v", g.Code, got, ok)
		}
		if g.Text() == "" || !strings.HasSuffix(g.Text(), ".") {
			t.Errorf("ground %s: Swedish text %q is not a sentence", g.Code, g.Text())
		}
	}
	if len(seen) < 7 {
		t.Errorf("only %d grounds registered", len(seen))
	}
	if g, ok := skalig.LookupGround(skalig.ReasonSocialRisk); ok {
		t.Errorf("LookupGround of a code that is no ground = %v", g)
	}
	for _, lang := range []string{"sv", "en", "ar"} {
		buf, err := skalig.ReasonCatalogs.ReadFile("locales/grounds." + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(buf, &m); err != nil {
			t.Fatalf("grounds.%s.json: %v", lang, err)
		}
		for id := range want {
			if strings.TrimSpace(m[id]) == "" {
				t.Errorf("grounds.%s.json: %s is missing", lang, id)
			}
		}
		for id := range m {
			if !want[id] {
				t.Errorf("grounds.%s.json: %s is no ground's message", lang, id)
			}
		}
	}
}
