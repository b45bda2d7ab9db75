// Package jsondiff describes, in Swedish for the replay report, how two
// JSON documents differ: a receipt's stored result and trace against the
// ones recomputed from it. It is pure (no store, no clock): the workflow's
// replay reads the receipt and recomputes; this only compares.
package jsondiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"skalig"
)

// Compare compares two JSON documents after canonicalisation and calls
// diff with each difference, in Swedish, by field (objects) or line
// (arrays) under the path what ("resultat.aid: 100 blev 200").
func Compare(what string, want, got json.RawMessage, diff func(string, ...any)) {
	cg, err2 := skalig.CanonicalizeJSON(got)
	if err2 == nil && bytes.Equal(want, cg) {
		// A stored receipt's result and trace are canonical already (its
		// body is canonical JSON): equal bytes need no second encoding.
		return
	}
	cw, err1 := skalig.CanonicalizeJSON(want)
	if err1 != nil || err2 != nil {
		diff("%s kan inte jämföras", what)
		return
	}
	if bytes.Equal(cw, cg) {
		return
	}
	var w, g any
	json.Unmarshal(cw, &w)
	json.Unmarshal(cg, &g)
	walk(what, w, g, diff)
}

// walk calls diff for each difference between w and g under path.
func walk(path string, w, g any, diff func(string, ...any)) {
	switch wv := w.(type) {
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			diff("%s: %v blev %v", path, w, g)
			return
		}
		keys := map[string]bool{}
		for k := range wv {
			keys[k] = true
		}
		for k := range gv {
			keys[k] = true
		}
		ks := make([]string, 0, len(keys))
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			walk(path+"."+k, wv[k], gv[k], diff)
		}
	case []any:
		gv, ok := g.([]any)
		if !ok {
			diff("%s: %v blev %v", path, w, g)
			return
		}
		if len(wv) != len(gv) {
			diff("%s: %d rader blev %d", path, len(wv), len(gv))
		}
		for i := 0; i < min(len(wv), len(gv)); i++ {
			walk(fmt.Sprintf("%s[%d]", path, i), wv[i], gv[i], diff)
		}
	default:
		wb, _ := json.Marshal(w)
		gb, _ := json.Marshal(g)
		if !bytes.Equal(wb, gb) {
			diff("%s: %s blev %s", path, wb, gb)
		}
	}
}
