package archive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/archive"
	"skalig/internal/gallring"
	"skalig/internal/municipal"
	"skalig/internal/registerutdrag"
	"skalig/internal/store"
	"skalig/internal/store/drafts"
	"skalig/internal/store/recordsdb"
	"skalig/internal/web"
	"skalig/internal/web/webtest"
)

// TestArchiveExport exports the research sample of a municipality (all
// persons, by the rules) five years on, reads the package back and checks
// every file's checksum and the contents against the database, validates
// METS.xml against the METS schema with xmllint, exports again only what
// has a new entry, and finds a changed, a missing and an extra file.
func TestArchiveExport(t *testing.T) {
	ctx := context.Background()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	env := webtest.NewStaffEnv(t, 5, mun, func(*web.Server, *webtest.StaffEnv) error { return nil })
	var decided string
	if err := env.DB.SQL().QueryRowContext(ctx, `SELECT case_id FROM decisions ORDER BY case_id LIMIT 1`).Scan(&decided); err != nil {
		t.Fatal(err)
	}
	change := func(id string, fn func(m *store.Moves) error) {
		t.Helper()
		c, err := env.Cases.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Cases.Change(ctx, c, fn); err != nil {
			t.Fatal(err)
		}
	}
	change(decided, func(m *store.Moves) error {
		return m.AddDocument(ctx, &store.Document{CaseID: decided, Name: "../../hyres avi.pdf", MediaType: "application/pdf",
			Size: 9, SHA256: "x", UploadedBy: "applicant"}, []byte("%PDF-avi\n"))
	})
	// Every person is in the sample (the rules below); what is decided is
	// due six years on, what waits for a caseworker is not.
	var nCases int
	if err := env.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE state IN ('decided', 'notified', 'paid', 'closed', 'withdrawn')`).Scan(&nCases); err != nil {
		t.Fatal(err)
	}
	rules := gallring.Default("0821")
	rules.Research = gallring.ResearchAll
	src := registerutdrag.Source{Workflow: env.WF, Municipal: mun, Drafts: drafts.New(env.DB), Persons: recordsdb.New(env.DB)}
	on := skalig.Date{Y: 2032, M: 6, D: 1}
	out := t.TempDir()

	// Bad input: refused in Swedish, nothing written or recorded.
	var ae *archive.Error
	var ge *gallring.Error
	bad := rules
	bad.Research = "ingen"
	if _, err := archive.Export(ctx, env.DB, src, archive.Options{Rules: bad, On: on, Dir: out, By: "cli:test"}); !errors.As(err, &ge) || ge.Key != "research_sample" {
		t.Errorf("bad rules: %v", err)
	}
	if _, err := archive.Export(ctx, env.DB, src, archive.Options{Rules: rules, On: on, Dir: out}); !errors.As(err, &ae) || !strings.Contains(ae.Msg, "--by") {
		t.Errorf("no --by: %v", err)
	}
	if _, err := archive.Export(ctx, env.DB, src, archive.Options{Rules: rules, On: on, Dir: filepath.Join(out, "saknas"), By: "cli:test"}); !errors.As(err, &ae) {
		t.Errorf("no directory: %v", err)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Fatalf("refusals wrote %d files", len(ents))
	}
	// Five years have not passed: nothing.
	if res, err := archive.Export(ctx, env.DB, src, archive.Options{Rules: rules, On: skalig.Date{Y: 2027, M: 1, D: 1}, Dir: out, By: "cli:test"}); err != nil || res.Cases != 0 {
		t.Fatalf("2027: %+v %v", res, err)
	}

	res, err := archive.Export(ctx, env.DB, src, archive.Options{Rules: rules, On: on, Dir: out, By: "cli:test"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cases != nCases || res.Persons == 0 || res.Path != filepath.Join(out, res.ID) {
		t.Fatalf("export: %+v, want %d cases", res, nCases)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		t.Errorf("the export left %d entries (a .partial?)", len(ents))
	}
	p, err := archive.Verify(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != res.ID || len(p.Cases) != nCases || p.Municipality != "0821" {
		t.Fatalf("read back: %+v", p)
	}
	for _, c := range p.Cases {
		app, err := env.Cases.CaseApplication(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.PersonalNumbers) != len(app.Members) || c.PersonalNumbers[0] != app.Members[0].PersonalNumber.Canonical() {
			t.Errorf("case %s: persons %v", c.ID, c.PersonalNumbers)
		}
		b, err := os.ReadFile(filepath.Join(res.Path, filepath.FromSlash(c.Files[0])))
		if err != nil {
			t.Fatal(err)
		}
		var x registerutdrag.Case
		if err := json.Unmarshal(b, &x); err != nil || x.ID != c.ID {
			t.Fatalf("%s: %v", c.Files[0], err)
		}
		facts, err := env.Cases.Facts(ctx, c.ID)
		if err != nil || len(x.Facts) != len(facts) {
			t.Errorf("case %s: %d facts in the package, %d in the database", c.ID, len(x.Facts), len(facts))
		}
		if c.ID != decided {
			continue
		}
		var letter, doc bool
		for _, f := range c.Files {
			b, _ := os.ReadFile(filepath.Join(res.Path, filepath.FromSlash(f)))
			switch {
			case strings.HasSuffix(f, "/beslutsbrev.pdf"):
				letter = bytes.HasPrefix(b, []byte("%PDF-"))
			case strings.Contains(f, "/dokument/"):
				doc = string(b) == "%PDF-avi\n" && !strings.Contains(strings.TrimPrefix(f, "representations/"), "..")
			}
		}
		if !letter || !doc || c.Decision == "" {
			t.Errorf("decided case %s: letter %v, document %v, files %v", c.ID, letter, doc, c.Files)
		}
	}
	if xl, err := exec.LookPath("xmllint"); err == nil {
		out, err := exec.Command(xl, "--noout", "--nonet", "--schema", "testdata/mets.xsd", filepath.Join(res.Path, archive.METSName)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "validates") {
			t.Errorf("xmllint: %v\n%s", err, out)
		}
	} else {
		t.Log("xmllint not installed: METS.xml not validated against the schema")
	}

	// Again: only a case with a new entry.
	if res2, err := archive.Export(ctx, env.DB, src, archive.Options{Rules: rules, On: on, Dir: out, By: "cli:test"}); err != nil || res2.Cases != 0 {
		t.Fatalf("second export: %+v %v", res2, err)
	}
	change(decided, func(m *store.Moves) error {
		return m.AddMessage(ctx, &store.Message{CaseID: decided, From: "applicant", Body: "En sak till."})
	})
	res3, err := archive.Export(ctx, env.DB, src, archive.Options{Rules: rules, On: on, Dir: out, By: "cli:test"})
	if err != nil || res3.Cases != 1 {
		t.Fatalf("after a new entry: %+v %v", res3, err)
	}
	var events, reads int
	if _, err := env.DB.SealAudit(ctx); err != nil { // PostgreSQL: chain the pending events
		t.Fatal(err)
	}
	env.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, recordsdb.ActionArchiveExported).Scan(&events)
	env.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor = 'cli:test' AND data LIKE '%archive%'`, store.ActionRead).Scan(&reads)
	if events != 2 || reads != nCases+1 {
		t.Errorf("%d archive events, %d reads", events, reads)
	}

	// A changed, a missing and an extra file are found.
	pkg := res.Path
	var content string
	for _, c := range p.Cases {
		if c.ID == decided {
			content = filepath.Join(pkg, filepath.FromSlash(c.Files[len(c.Files)-1]))
		}
	}
	orig, _ := os.ReadFile(content)
	os.WriteFile(content, append(bytes.Clone(orig[:len(orig)-1]), 'X'), 0o600)
	if _, err := archive.Verify(pkg); !errors.As(err, &ae) || !strings.Contains(ae.Msg, "fel kontrollsumma") {
		t.Errorf("a changed file: %v", err)
	}
	os.Remove(content)
	if _, err := archive.Verify(pkg); !errors.As(err, &ae) || !strings.Contains(ae.Msg, "saknas") {
		t.Errorf("a missing file: %v", err)
	}
	os.WriteFile(content, orig, 0o600)
	os.WriteFile(filepath.Join(pkg, "extra.txt"), []byte("x"), 0o600)
	if _, err := archive.Verify(pkg); !errors.As(err, &ae) || !strings.Contains(ae.Msg, "extra.txt") {
		t.Errorf("an extra file: %v", err)
	}
}
