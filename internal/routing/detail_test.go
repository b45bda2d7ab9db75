package routing

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"skalig"
	"skalig/internal/rules"
)

// detailCatalogs is locales/details.LANG.json of each language: message id
// → text.
var detailCatalogs = sync.OnceValue(func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range []string{"sv", "en", "ar"} {
		buf, err := skalig.ReasonCatalogs.ReadFile("locales/details." + lang + ".json")
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(buf, &m); err != nil {
			panic(err)
		}
		out[lang] = m
	}
	return out
})

// checkDetails fails t when a reason of o has a detail whose message ids
// (its arguments' and separators' included) are not in all three
// catalogs, or whose recorded Swedish text is not its details' Swedish.
// The tests that check a reason's detail call it on their outcomes.
func checkDetails(t *testing.T, o Outcome) {
	t.Helper()
	for _, r := range o.Reasons {
		if r.Detail != "" && len(r.Details) == 0 {
			t.Errorf("%s: Detail %q has no Details", r.Code, r.Detail)
		}
		if len(r.Details) == 0 {
			continue
		}
		sv := make([]string, len(r.Details))
		for i, d := range r.Details {
			sv[i] = d.Swedish()
			for _, id := range d.DetailIDs() {
				for lang, cat := range detailCatalogs() {
					if _, ok := cat[id]; !ok {
						t.Errorf("%s: detail id %q is not in details.%s.json", r.Code, id, lang)
					}
				}
			}
		}
		if got := strings.Join(sv, "; "); got != r.Detail {
			t.Errorf("%s: Detail=%q, its Details say %q", r.Code, r.Detail, got)
		}
		// The record keeps them as JSON, and reads them back the same.
		buf, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Reason
		if err := json.Unmarshal(buf, &back); err != nil {
			t.Fatal(err)
		}
		for i := range back.Details {
			if back.Details[i].Swedish() != sv[i] {
				t.Errorf("%s: detail %d after JSON says %q, want %q", r.Code, i, back.Details[i].Swedish(), sv[i])
			}
		}
	}
}

// TestDetailIDsInCatalogs reads every message id routing, the rules'
// conditions and the register client compose in their source ("detail.x"
// literals, and the families built from a code: registers, income kinds,
// application kinds, outcomes, the conditions' grounds, the register
// parser's part and item messages) and checks that each is in all three
// catalogs, and that no catalog has an id nothing uses.
func TestDetailIDsInCatalogs(t *testing.T) {
	used := map[string]string{}
	lit := regexp.MustCompile(`"(detail\.[a-z0-9_.]*[a-z0-9_])"`)
	family := map[string]*regexp.Regexp{
		// conditions.go: add("none"), exempt(ExemptUnder18); residence.go:
		// add("coordination"), set(_, _, "lawful").
		"detail.activity.":  regexp.MustCompile(`\badd\("([a-z0-9_]+)"`),
		"detail.residence.": regexp.MustCompile(`\b(?:add\(|set\([^)]*?)"([a-z0-9_]+)"`),
		// internal/registry: bad("bad_amount", …), dateSpan(…, "ends_before"),
		// item("payment", i+1).
		"detail.register_error.part.": regexp.MustCompile(`\b(?:bad\(|dateSpan\([^)]*?)"([a-z0-9_]+)"`),
		"detail.register_error.item.": regexp.MustCompile(`\bitem\("([a-z0-9_]+)"`),
	}
	for _, dir := range []string{".", "../rules", "../..", "../params", "../workflow/casecalc", "../registry", "../registry/sim"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
			base := filepath.Base(f)
			for prefix, re := range family {
				if (prefix == "detail.activity." && base == "conditions.go") || (prefix == "detail.residence." && base == "residence.go") ||
					(strings.HasPrefix(prefix, "detail.register_error.") && filepath.Base(dir) == "registry" &&
						(base == "parse.go" || base == "values.go" || base == "population.go")) {
					for _, m := range re.FindAllStringSubmatch(string(b), -1) {
						used[prefix+m[1]] = f
					}
				}
			}
		}
	}
	for _, g := range []string{rules.ExemptUnder18, rules.ExemptSchool18to20, rules.ExemptPensionAge, rules.ExemptCaseworkerRecords,
		rules.ExemptSicknessBenefit, rules.ExemptFullTimeProgram} {
		used["detail.activity."+g] = "conditions.go"
	}
	for _, r := range skalig.RegisterNames {
		used["detail.register."+r] = "skalig.RegisterArg"
	}
	for k := rules.IncomeKind(0); ; k++ {
		name := incomeKindName(k)
		if name == "" {
			break
		}
		used["detail.income."+name] = "incomeArg"
	}
	for _, k := range []skalig.ApplicationKind{skalig.FirstApplication, skalig.MonthlyApplication} {
		used["detail.kind."+string(k)] = "kindArg"
	}
	for _, o := range []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected} {
		used["detail.outcome."+string(o)] = "outcomeArg"
	}
	if len(used) < 100 {
		t.Fatalf("found only %d ids: the patterns are broken", len(used))
	}
	for id, where := range used {
		for lang, cat := range detailCatalogs() {
			if _, ok := cat[id]; !ok {
				t.Errorf("%s (%s) is not in details.%s.json", id, where, lang)
			}
		}
	}
	for id := range detailCatalogs()["sv"] {
		if _, ok := used[id]; !ok && !strings.HasPrefix(id, "detail.sep.") {
			t.Errorf("%s is in the catalogs but nothing uses it", id)
		}
	}
}

// incomeKindName is k's name, "" past the last kind.
func incomeKindName(k rules.IncomeKind) (name string) {
	defer func() {
		if recover() != nil {
			name = ""
		}
	}()
	return k.String()
}

// TestDetailNamesSwedish: the Swedish catalog names registers, income
// kinds and outcomes as the rest of Skälig does in Swedish, so that a
// detail says what the record said before details were data.
func TestDetailNamesSwedish(t *testing.T) {
	sv := detailCatalogs()["sv"]
	for _, r := range skalig.RegisterNames {
		if got, want := sv["detail.register."+r], skalig.RegisterSwedishName(r); got != want {
			t.Errorf("detail.register.%s=%q, want %q", r, got, want)
		}
	}
	for k := rules.IncomeKind(0); incomeKindName(k) != ""; k++ {
		if got, want := sv["detail.income."+k.String()], k.Swedish(); got != want {
			t.Errorf("detail.income.%s=%q, want %q", k, got, want)
		}
	}
	for _, o := range []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected} {
		if got, want := sv["detail.outcome."+string(o)], o.Swedish(); got != want {
			t.Errorf("detail.outcome.%s=%q, want %q", o, got, want)
		}
	}
}
