package web

import (
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"skalig/internal/rules"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"skalig"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// rendered collects the pages the tests rendered, per language, so that
// TestMain can fail when a page template was never rendered.
var (
	renderedMu sync.Mutex
	rendered   = map[string]bool{}
)

func TestMain(m *testing.M) {
	renderHook = func(page string) {
		renderedMu.Lock()
		rendered[page] = true
		renderedMu.Unlock()
	}
	code := m.Run()
	if code == 0 && runAll() {
		e, err := newEngine(embedded)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		var missing []string
		for _, p := range e.pages() {
			if !rendered[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			fmt.Printf("FAIL: page templates never rendered by a test: %v\n", missing)
			code = 1
		}
	}
	os.Exit(code)
}

// runAll reports whether the whole package's tests ran (no -run filter), so
// that the "every page rendered" check does not fail a filtered run.
func runAll() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.run") || strings.HasPrefix(a, "-test.fuzz") || strings.HasPrefix(a, "-test.skip") {
			return false
		}
	}
	return true
}

// TestCatalogsComplete checks the catalog files in locales/: every key is
// in all three languages, no message is empty, each translation takes the
// same format arguments as the Swedish message, a plural message is plural
// in every language with the forms its plural rules need, and its count is
// the first argument.
func TestCatalogsComplete(t *testing.T) {
	keys := map[string]bool{}
	for _, c := range messages.msgs {
		for k := range c {
			keys[k] = true
		}
	}
	if len(keys) < 500 {
		t.Fatalf("only %d keys: the catalogs did not load", len(keys))
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		sv, ok := messages.msgs["sv"][k]
		if !ok {
			t.Errorf("key %q is missing in sv", k)
			continue
		}
		want := verbs(sv.Other)
		for _, l := range Languages {
			m, ok := messages.msgs[l.Code][k]
			if !ok {
				t.Errorf("key %q is missing in %s (%s)", k, l.Code, messages.part["sv"][k])
				continue
			}
			if messages.part[l.Code][k] != messages.part["sv"][k] {
				t.Errorf("key %q: in %s in sv but in %s in %s", k, messages.part["sv"][k], messages.part[l.Code][k], l.Code)
			}
			if m.Other == "" {
				t.Errorf("key %q has no \"other\" form in %s", k, l.Code)
			}
			if isPlural(m) != isPlural(sv) {
				t.Errorf("key %q: plural in one language but not in another", k)
			}
			for _, form := range pluralForms(m) {
				if strings.TrimSpace(form) == "" {
					t.Errorf("key %q is empty in %s", k, l.Code)
				}
				got := verbs(form)
				// A plural form may say the number in words
				// ("يومان") when the count is its only argument.
				if isPlural(m) && len(got) == 0 && len(want) == 1 {
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("key %q: %s has format verbs %v, sv has %v", k, l.Code, got, want)
				}
			}
			if !isPlural(m) {
				continue
			}
			if !strings.HasPrefix(verbRE.FindString(sv.Other), "%d") {
				t.Errorf("key %q is plural but its first argument is not a count (%%d)", k)
			}
			// Every count picks a form the message has.
			for _, n := range []int{0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 1000} {
				_, err := messages.loc[l.Code].Localize(&i18n.LocalizeConfig{
					MessageID: k, PluralCount: n, TemplateParser: template.IdentityParser{}})
				if err != nil {
					t.Errorf("key %q in %s, count %d: %v", k, l.Code, n, err)
				}
			}
		}
	}
}

func TestCatalogErrors(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"duplicate": {
			"locales/a.sv.json": {Data: []byte(`{"x": "1"}`)},
			"locales/b.sv.json": {Data: []byte(`{"x": "2"}`)},
		},
		"same file": {"locales/a.sv.json": {Data: []byte(`{"x": "1", "y": "2", "x": "1"}`)}},
		"nested":    {"locales/a.sv.json": {Data: []byte(`{"x": {"one": "1", "other": "2", "one": "3"}}`)}},
		"template":  {"locales/a.sv.json": {Data: []byte(`{"x": "{{.Name}}"}`)}},
		"language":  {"locales/a.de.json": {Data: []byte(`{"x": "1"}`)}},
		"malformed": {"locales/a.sv.json": {Data: []byte(`{"x": `)}},
		"none":      {},
	} {
		if _, err := loadCatalogs(files); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// TestKeysUsedExist finds every key used in the templates ({{t "key"}}) and
// in the Go code (T("key"), FailKey(_, "key")) and checks that Swedish has
// it (TestCatalogsComplete then checks the other languages).
func TestKeysUsedExist(t *testing.T) {
	used := map[string]string{}
	tmplKey := regexp.MustCompile(`\bt "([^"]+)"`)
	goKey := regexp.MustCompile(`(?:\bT|FailKey\([^,]+,)\s*\(?"([a-z0-9_.]*[a-z0-9_])"`)
	// This package and the parts of the site below it (applicant,
	// caseworker), which share the catalogs.
	err := fs.WalkDir(os.DirFS("."), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".html") && strings.Contains(p, "templates/"):
			for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = p
			}
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "//") {
					continue // doc comments show examples
				}
				for _, m := range goKey.FindAllStringSubmatch(line, -1) {
					used[m[1]] = p
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: the patterns are broken", len(used))
	}
	for k, where := range used {
		if _, ok := messages.msgs["sv"][k]; !ok {
			t.Errorf("key %q used in %s is not in the catalog", k, where)
		}
	}
}

// TestReasonMessages checks that every reason of the registry
// (skalig.Reasons) has its label and its text in every language, and that
// the labels of the prefixed codes are there too.
func TestReasonMessages(t *testing.T) {
	keys := []string{"reason.municipal", "reason.bank"}
	for _, r := range skalig.Reasons() {
		keys = append(keys, r.LabelID(), r.TextID())
	}
	for _, k := range keys {
		for _, l := range Languages {
			if !l.Has(k) {
				t.Errorf("%s: the reasons' catalog lacks %q", l.Code, k)
			}
		}
	}
	for _, r := range rules.Reasons(^uint32(0)).List() {
		if _, ok := skalig.LookupReason(r.Code()); !ok {
			t.Errorf("the engine's review reason %s is not in the registry", r.Code())
		}
	}
}

// TestDynamicKeysExist checks the keys that are built at run time: per
// register, per status, per month, per error status, per amount problem.
func TestDynamicKeysExist(t *testing.T) {
	var keys []string
	for _, r := range skalig.RegisterNames {
		keys = append(keys, "register."+r+".name", "register."+r+".what", "register."+r+".why")
	}
	for _, s := range []string{"official", "secondary", "derived", "provisional"} {
		keys = append(keys, "param.status."+s)
	}
	for m := 1; m <= 12; m++ {
		keys = append(keys, fmt.Sprintf("month.%d", m))
	}
	for _, s := range []int{400, 401, 403, 404, 405, 409, 500, 503} {
		keys = append(keys, fmt.Sprintf("error.%s.heading", statusKey(s)), fmt.Sprintf("error.%s.text", statusKey(s)))
	}
	for _, p := range []amountProblem{amountEmpty, amountSyntax, amountDecimals, amountGrouping, amountNegative, amountTooLarge} {
		keys = append(keys, "form.amount."+string(p))
	}
	for _, k := range []skalig.ApplicationKind{skalig.FirstApplication, skalig.MonthlyApplication} {
		keys = append(keys, "kind."+string(k))
	}
	for _, o := range []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected} {
		keys = append(keys, "outcome."+string(o))
	}
	for _, h := range []string{"rental", "owned", "other"} {
		keys = append(keys, "components.housing."+h)
	}
	for _, st := range skalig.CaseStates {
		keys = append(keys, st.TextID())
	}
	for _, r := range []string{"decide", "propose", "exception", "sample"} {
		keys = append(keys, "route."+r)
	}
	for _, k := range keys {
		for _, l := range Languages {
			if !l.Has(k) {
				t.Errorf("key %q is missing in %s", k, l.Code)
			}
		}
	}
}

func TestLangT(t *testing.T) {
	if got := English.T("layout.logged_in_as", "Ada"); got != "Logged in as Ada" {
		t.Errorf("T = %q", got)
	}
	if got := Arabic.T("no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key = %q, want it shown in brackets", got)
	}
	if got := Swedish.Month(skalig.MonthOf(2026, 11)); got != "november 2026" {
		t.Errorf("Month = %q", got)
	}
	if !Arabic.RTL() || English.RTL() {
		t.Error("RTL wrong")
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		l    *Lang
		n    int
		want string
	}{
		{Swedish, 1, "1 dag"}, {Swedish, 2, "2 dagar"}, {Swedish, 0, "0 dagar"},
		{English, 1, "1 day"}, {English, 5, "5 days"},
		{Arabic, 0, "0 يوم"}, {Arabic, 1, "يوم واحد"}, {Arabic, 2, "يومان"},
		{Arabic, 3, "3 أيام"}, {Arabic, 11, "11 يومًا"}, {Arabic, 100, "100 يوم"},
	} {
		if got := c.l.T("cw.days", c.n); got != c.want {
			t.Errorf("%s: cw.days %d = %q, want %q", c.l.Code, c.n, got, c.want)
		}
	}
	if got := Swedish.T("param.common", 3); got != "Gemensamma kostnader, hushåll med 3 personer" {
		t.Errorf("param.common 3 = %q", got)
	}
	if got := English.T("session.idle_notice", 20); got != "You will be logged out after 20 minutes without activity." {
		t.Errorf("idle notice = %q", got)
	}
}

func TestLangFromRequest(t *testing.T) {
	for _, c := range []struct {
		query, cookie, accept string
		want                  *Lang
		fromQuery             bool
	}{
		{"", "", "", Swedish, false},
		{"", "", "en-GB,en;q=0.9", English, false},
		{"", "", "ar-SA", Arabic, false},
		{"", "", "de-DE,de;q=0.9", Swedish, false},
		{"", "", "fr;q=0.9,en;q=0.5", English, false},
		{"", "", "not a header;;;", Swedish, false},
		{"", "sv", "en", Swedish, false}, // the stored choice wins
		{"", "ar", "en", Arabic, false},
		{"", "xx", "en", English, false}, // an unknown cookie is no choice
		{"en", "ar", "ar", English, true},
	} {
		u := "/"
		if c.query != "" {
			u += "?lang=" + c.query
		}
		r := httptest.NewRequest("GET", u, nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: c.cookie})
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		l, q := langFromRequest(r)
		if l != c.want || q != c.fromQuery {
			t.Errorf("query %q cookie %q accept %q: %s %v, want %s %v", c.query, c.cookie, c.accept, l.Code, q, c.want.Code, c.fromQuery)
		}
	}
}

// verbRE matches the fmt verbs of a message.
var verbRE = regexp.MustCompile(`%(\[\d+\])?[a-z%]`)

// verbs returns the format verbs of msg, sorted (positional verbs may be in
// another order in another language).
func verbs(msg string) []string {
	v := verbRE.FindAllString(msg, -1)
	slices.Sort(v)
	return v
}

// pages returns the names of the page templates, sorted.
func (e *engine) pages() []string {
	var out []string
	for n := range e.sets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
