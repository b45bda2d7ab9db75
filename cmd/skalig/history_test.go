package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryImport: skalig history import reads the CSV into a migrated
// database, names the line and field of a bad row in Swedish with exit
// status 2, and needs --by and --kommun.
func TestHistoryImport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "skalig.db")
	if code, _, errs := runCmd(t, "", "migrate", "--database", db); code != 0 {
		t.Fatalf("migrate: %d %s", code, errs)
	}
	good := filepath.Join(dir, "historik.csv")
	os.WriteFile(good, []byte("personnummer,månader\n19580101-9802,2026-01..2026-06\n195804089810,\n"), 0o600)
	if code, out, errs := runCmd(t, "", "history", "import", "--database", db, "--by", "admin-1", "--kommun", "0821", good); code != 0 || !strings.Contains(out, "2 personer") {
		t.Fatalf("import: exit %d %q %q", code, out, errs)
	}
	bad := filepath.Join(dir, "fel.csv")
	os.WriteFile(bad, []byte("personnummer,månader\n19580101-9802,2026-1\n"), 0o600)
	if code, _, errs := runCmd(t, "", "history", "import", "--database", db, "--by", "admin-1", "--kommun", "0821", bad); code != 2 || !strings.Contains(errs, "rad 2: månader") {
		t.Fatalf("bad file: exit %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "history", "import", "--database", db, "--kommun", "0821", good); code != 2 || !strings.Contains(errs, "--by") {
		t.Fatalf("without --by: exit %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "history", "import", "--database", db, "--by", "admin-1", good); code != 2 || !strings.Contains(errs, "--kommun") {
		t.Fatalf("without --kommun: exit %d %q", code, errs)
	}
}
