package web

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"skalig"
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

var catalogs = map[string]map[string]string{"sv": messagesSV, "en": messagesEN, "ar": messagesAR}

// TestCatalogsComplete checks that every key is in all three languages, that
// no message is empty, and that each translation takes the same format
// arguments as the Swedish message.
func TestCatalogsComplete(t *testing.T) {
	keys := map[string]bool{}
	for _, c := range catalogs {
		for k := range c {
			keys[k] = true
		}
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		for code, c := range catalogs {
			msg, ok := c[k]
			if !ok {
				t.Errorf("key %q is missing in %s", k, code)
				continue
			}
			if strings.TrimSpace(msg) == "" {
				t.Errorf("key %q is empty in %s", k, code)
			}
			if sv, ok := messagesSV[k]; ok && !slices.Equal(verbs(msg), verbs(sv)) {
				t.Errorf("key %q: %s has format verbs %v, sv has %v", k, code, verbs(msg), verbs(sv))
			}
		}
	}
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[a-z%]`)

// verbs returns the format verbs of msg, sorted (positional verbs may be in
// another order in another language).
func verbs(msg string) []string {
	v := verbRE.FindAllString(msg, -1)
	sort.Strings(v)
	return v
}

// TestKeysUsedExist finds every key used in the templates ({{t "key"}}) and
// in the Go code (T("key"), FailKey(_, "key")) and checks that Swedish has
// it (TestCatalogsComplete then checks the other languages).
func TestKeysUsedExist(t *testing.T) {
	used := map[string]string{}
	tmplKey := regexp.MustCompile(`\bt "([^"]+)"`)
	err := fs.WalkDir(embedded, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(embedded, p)
		if err != nil {
			return err
		}
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`(?:\bT|FailKey\([^,]+,)\s*\(?"([a-z0-9_.]*[a-z0-9_])"`)
	files, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "messages_") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue // doc comments show examples
			}
			for _, m := range goKey.FindAllStringSubmatch(line, -1) {
				used[m[1]] = f
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: the patterns are broken", len(used))
	}
	for k, where := range used {
		if _, ok := messagesSV[k]; !ok {
			t.Errorf("key %q used in %s is not in the catalog", k, where)
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
	for _, k := range keys {
		for code, c := range catalogs {
			if _, ok := c[k]; !ok {
				t.Errorf("key %q is missing in %s", k, code)
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
