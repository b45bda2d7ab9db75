package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"skalig"
)

// TestProposal: the command line's path of a change of the rules: one
// person proposes a routing version and tries it (a what-if run, waited
// for with a progress line); she may not put it in force herself; a
// second person does, with the run attached.
func TestProposal(t *testing.T) {
	dbFile := filepath.Join(t.TempDir(), "skalig.db")
	if code, out, errs := runCmd(t, "", "migrate", "--database", dbFile); code != 0 {
		t.Fatalf("migrate: exit %d %q %q", code, out, errs)
	}
	next := (skalig.DateOf(time.Now()).Month() + 1).String()
	propose := []string{"proposals", "propose", "--database", dbFile, "--municipality", "0821", "--kind", "routing",
		"--file", "../../examples/whatif/routing-8000.json", "--version", "gräns 8000", "--reason", "Nämndens beslut.", "--by", "wilma"}
	if code, _, errs := runCmd(t, "", append(propose, "--from", skalig.DateOf(time.Now()).Month().String())...); code != exitUsage || !strings.Contains(errs, "from") {
		t.Fatalf("from the month in force: exit %d %q", code, errs)
	}
	code, out, errs := runCmd(t, "", append(propose, "--from", next)...)
	m := regexp.MustCompile(`Förslag (\S+) sparat`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("propose: exit %d %q %q", code, out, errs)
	}
	id := m[1]
	code, out, errs = runCmd(t, "", "proposals", "try", id, "--by", "wilma", "--database", dbFile)
	run := regexp.MustCompile(`--run (\S+) --by`).FindStringSubmatch(out)
	if code != 0 || run == nil || !strings.Contains(errs, "(100 %)") {
		t.Fatalf("try: exit %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, "", "proposals", "put-in-force", id, "--run", run[1], "--by", "wilma", "--database", dbFile); code != exitUsage || !strings.Contains(errs, "En annan person") {
		t.Fatalf("put in force by the proposer: exit %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "proposals", "put-in-force", id, "--by", "viktor", "--database", dbFile); code != exitUsage || !strings.Contains(errs, "provkörning") {
		t.Fatalf("put in force without a run: exit %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, "", "proposals", "put-in-force", id, "--run", run[1], "--by", "viktor", "--database", dbFile); code != 0 || !strings.Contains(out, "gäller från "+next) {
		t.Fatalf("put in force: exit %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "", "proposals", "list", "--municipality", "0821", "--database", dbFile); code != 0 || !strings.Contains(out, "in_force") || !strings.Contains(out, run[1]) {
		t.Fatalf("list: exit %d %q", code, out)
	}
	if code, _, _ := runCmd(t, "", "proposals", "try", "--database", dbFile); code != exitUsage {
		t.Fatalf("try without an id: exit %d", code)
	}
}

// TestProposalBadRule: a routing version whose rule does not compile is
// refused at propose, and by the what-if command, with the Swedish message
// naming the rule and the field and ending with the compiler's words:
// exit 2, not a crash; nothing is kept.
func TestProposalBadRule(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "skalig.db")
	if code, out, errs := runCmd(t, "", "migrate", "--database", dbFile); code != 0 {
		t.Fatalf("migrate: exit %d %q %q", code, out, errs)
	}
	example, err := os.ReadFile("../../examples/whatif/routing-8000.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(example), `"household.size >= 7"`, `"household.persons >= 7"`, 1)
	if bad == string(example) {
		t.Fatal("the example has no household.size >= 7 rule to break")
	}
	file := filepath.Join(dir, "routing-bad.json")
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	const want = "rules[1].expression: Regel 2 (stort_hushall), villkor: fältet household.persons finns inte (rad 1, tecken 1). " +
		"Fält som finns: household.size, household.adults, household.children. Teknisk uppgift från regelmotorn: 1:1: undeclared reference to 'household'"
	next := (skalig.DateOf(time.Now()).Month() + 1).String()
	code, out, errs := runCmd(t, "", "proposals", "propose", "--database", dbFile, "--municipality", "0821", "--kind", "routing",
		"--file", file, "--version", "trasig regel", "--from", next, "--reason", "Nämndens beslut.", "--by", "wilma")
	if code != exitUsage || !strings.Contains(errs, want) || !strings.HasPrefix(errs, "Konfigurationen är inte giltig: Regel 2 (stort_hushall), villkor:") {
		t.Fatalf("propose: exit %d %q %q, want %d and %q", code, out, errs, exitUsage, want)
	}
	if code, out, _ := runCmd(t, "", "proposals", "list", "--municipality", "0821", "--database", dbFile); code != 0 || strings.Contains(out, "trasig regel") {
		t.Fatalf("list: exit %d %q", code, out)
	}
	code, out, errs = runCmd(t, "", "whatif", "--database", dbFile, "--municipality", "0821", "--candidate-routing", file)
	if code != exitUsage || !strings.Contains(errs, want) {
		t.Fatalf("whatif: exit %d %q %q, want %d and %q", code, out, errs, exitUsage, want)
	}
}
