package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParamsImportApprove: an administrator loads a year's table (TEST
// DATA), a second person approves it; a bad file is refused with a Swedish
// message naming line and field, and nothing is stored.
func TestParamsImportApprove(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SKALIG_DATABASE", filepath.Join(dir, "skalig.db"))
	if code, _, errs := runCmd(t, "", "migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	good, err := os.ReadFile("../../internal/params/testdata/year-2027-testdata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(dir, "bad.tsv")
	os.WriteFile(badFile, []byte(strings.Replace(string(good), "2027-12-31", "2027-12-30", 1)), 0o644)
	goodFile := filepath.Join(dir, "riksnorm-2027.tsv")
	os.WriteFile(goodFile, good, 0o644)

	if code, _, errs := runCmd(t, "", "params", "import", badFile, "--by", "admin-a"); code != 2 || !strings.Contains(errs, "bad.tsv rad 29, fält to") {
		t.Fatalf("bad file: exit %d %q", code, errs)
	}
	if code, out, _ := runCmd(t, "", "params", "list"); code != 0 || !strings.Contains(out, "Inga inlästa") {
		t.Fatalf("list after a bad file: %d %q", code, out)
	}
	if code, _, errs := runCmd(t, "", "params", "import", goodFile); code != 2 {
		t.Fatalf("import without --by: exit %d %q", code, errs)
	}
	code, out, errs := runCmd(t, "", "params", "import", goodFile, "--by", "admin-a")
	if code != 0 || !strings.Contains(out, "Version 1: parametrar för 2027 inlästa av admin-a") {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, "", "params", "show", "--year", "2027"); code != 0 || !strings.Contains(out, "2027: riksnorm 2027") || !strings.Contains(out, "Version 1 för 2027 väntar på godkännande") {
		t.Fatalf("show before approval: %d %q", code, out)
	}
	if code, _, errs := runCmd(t, "", "params", "approve", "1", "--by", "admin-a"); code != 2 || !strings.Contains(errs, "fyra ögon") {
		t.Fatalf("approve by the loader: exit %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, "", "params", "approve", "1", "--by", "admin-b"); code != 0 || !strings.Contains(out, "godkänd av admin-b") {
		t.Fatalf("approve: %d %q %q", code, out, errs)
	}
	code, out, _ = runCmd(t, "", "params", "list")
	if code != 0 || !strings.Contains(out, "godkänd") || !strings.Contains(out, "admin-a") || !strings.Contains(out, "admin-b") {
		t.Fatalf("list: %d %q", code, out)
	}
	code, out, _ = runCmd(t, "", "params", "show", "--year", "2027")
	if code != 0 || !strings.Contains(out, "riksnorm.2027.adult_personal.single") || strings.Contains(out, "Saknas") || !strings.Contains(out, "TESTDATA") {
		t.Fatalf("show after approval: %d %q", code, out)
	}
}
