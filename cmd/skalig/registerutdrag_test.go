package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
)

// TestRegisterutdragCommand: skalig registerutdrag writes a person's data
// as JSON or PDF, logs it, refuses bad input in Swedish without logging,
// and never overwrites a file.
func TestRegisterutdragCommand(t *testing.T) {
	path, gone, _ := gallringDB(t, 2)
	dir := t.TempDir()
	events := func() int {
		var n int
		withDB(t, path, func(db *store.DB) {
			if err := db.SQL().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE action = $1`,
				recordsdb.ActionRegisterutdrag).Scan(&n); err != nil {
				t.Fatal(err)
			}
		})
		return n
	}
	out := filepath.Join(dir, "u.json")
	for _, args := range [][]string{
		{"19800412-1234", "--by", "staff:anna", "--out", out},
		{string(gone[0]), "--by", "staff:anna", "--out", out, "--format", "docx"},
		{string(gone[0]), "--out", out},
	} {
		code, _, errs := runCmd(t, "", append([]string{"registerutdrag", "--database", path}, args...)...)
		if code != exitUsage || errs == "" {
			t.Errorf("%v: %d %q", args, code, errs)
		}
	}
	if _, err := os.Stat(out); err == nil || events() != 0 {
		t.Fatalf("refused requests wrote or logged something")
	}
	code, stdout, errs := runCmd(t, "", "registerutdrag", string(gone[0]), "--by", "staff:anna", "--out", out, "--format", "json", "--database", path)
	if code != 0 || !strings.Contains(stdout, "1 ärenden i kommun 0821") || strings.Contains(stdout, string(gone[0])) {
		t.Fatalf("json: %d %q %q", code, stdout, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var x struct {
		PersonalNumber string `json:"personal_number"`
		Cases          []struct {
			Decision struct{ ID string } `json:"decision"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &x); err != nil || x.PersonalNumber != string(gone[0]) || len(x.Cases) != 1 || x.Cases[0].Decision.ID == "" {
		t.Fatalf("file: %+v %v", x, err)
	}
	if code, _, errs := runCmd(t, "", "registerutdrag", string(gone[0]), "--by", "staff:anna", "--out", out, "--database", path); code != exitUsage || !strings.Contains(errs, "finns redan") {
		t.Errorf("overwrite: %d %q", code, errs)
	}
	pdf := filepath.Join(dir, "u.pdf")
	if code, _, errs := runCmd(t, "", "registerutdrag", string(gone[0]), "--by", "staff:anna", "--out", pdf, "--database", path); code != 0 {
		t.Fatalf("pdf: %d %q", code, errs)
	}
	if b, _ := os.ReadFile(pdf); !strings.HasPrefix(string(b), "%PDF-") {
		t.Error("not a PDF")
	}
	if n := events(); n != 2 {
		t.Errorf("%d extracts logged", n)
	}
}
