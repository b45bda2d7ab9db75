package main

import (
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
