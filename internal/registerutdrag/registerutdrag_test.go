package registerutdrag_test

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
	"skalig/internal/municipal"
	"skalig/internal/registerutdrag"
	"skalig/internal/store"
	"skalig/internal/store/drafts"
	"skalig/internal/store/recordsdb"
	"skalig/internal/web"
	"skalig/internal/web/webtest"
	"skalig/internal/workflow"
)

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRegisterutdrag: a person's extract holds their decided case with
// its facts and sources, the decision and its letter, a message, a
// document with its content, and who read the case (the extract's own read
// included); it is logged before anything is returned; the PDF is a tagged
// PDF whose text says the same; bad input is refused and logs nothing; a
// caseworker of another municipality gets none of the cases.
func TestRegisterutdrag(t *testing.T) {
	ctx := context.Background()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	env := webtest.NewStaffEnv(t, 6, mun, func(*web.Server, *webtest.StaffEnv) error { return nil })
	var caseID string
	if err := env.DB.SQL().QueryRowContext(ctx, `SELECT case_id FROM decisions ORDER BY case_id LIMIT 1`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	app, err := env.Cases.CaseApplication(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	pn := app.Members[0].PersonalNumber
	cs, err := env.Cases.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.Cases.Change(ctx, cs, func(m *store.Moves) error {
		if err := m.AddMessage(ctx, &store.Message{CaseID: caseID, From: "applicant", Body: "Jag skickar hyresavin."}); err != nil {
			return err
		}
		return m.AddDocument(ctx, &store.Document{CaseID: caseID, Name: "hyresavi.txt", MediaType: "text/plain", Size: 17,
			SHA256: "x", UploadedBy: "applicant"}, []byte("Hyra 6 500 kr/mån"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if env.Reads(t, caseID, "caseworker:test") != 0 {
		t.Fatal("reads before")
	}
	src := registerutdrag.Source{Workflow: env.WF, Municipal: mun, Drafts: drafts.New(env.DB), Persons: recordsdb.New(env.DB)}
	events := func() int {
		if _, err := env.DB.SealAudit(ctx); err != nil { // PostgreSQL: chain the pending events
			t.Fatal(err)
		}
		return count(t, env.DB, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, recordsdb.ActionRegisterutdrag)
	}

	// Bad input: refused, naming the field, and nothing logged.
	var e *skalig.Error
	for _, req := range []registerutdrag.Request{
		{Person: "19800412-0000", Format: "pdf", Channel: registerutdrag.ChannelPost},
		{Person: pn, Format: "docx", Channel: registerutdrag.ChannelPost},
	} {
		req.Reader = workflow.Reader{Actor: "caseworker:test", Via: "web"}
		if _, err := registerutdrag.Make(ctx, src, req); !errors.As(err, &e) || e.Code != skalig.EINVALID {
			t.Errorf("%+v: %v", req, err)
		}
	}
	if n := events(); n != 0 {
		t.Fatalf("refused extracts logged: %d", n)
	}

	x, err := registerutdrag.Make(ctx, src, registerutdrag.Request{Person: pn, Format: "json", Channel: registerutdrag.ChannelMinaSidor,
		Reader: workflow.Reader{Actor: "applicant", Via: "web"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := events(); n != 1 {
		t.Errorf("%d registerutdrag events", n)
	}
	var c *registerutdrag.Case
	for i := range x.Cases {
		if x.Cases[i].ID == caseID {
			c = &x.Cases[i]
		}
	}
	if c == nil {
		t.Fatalf("case %s not in the extract: %+v", caseID, x.Cases)
	}
	var you bool
	for _, m := range c.Members {
		if m.You && m.PersonalNumber == pn.Canonical() {
			// The name kept with the case is personal data: in the extract.
			if m.Name == "" || m.Name != app.Members[0].Name {
				t.Errorf("the extract names the person %q, want %q", m.Name, app.Members[0].Name)
			}
			you = true
		} else if strings.Contains(m.PersonalNumber, pn.Canonical()[8:]) && !m.You {
			t.Errorf("another member's full personnummer: %+v", m)
		}
	}
	if !you {
		t.Errorf("members: %+v", c.Members)
	}
	if len(c.Facts) < 3 || c.Decision == nil || !bytes.HasPrefix(c.Decision.LetterPDF, []byte("%PDF-")) {
		t.Fatalf("case: %d facts, decision %+v", len(c.Facts), c.Decision)
	}
	var register bool
	for _, f := range c.Facts {
		if f.Source == "" || f.SourceText == "" {
			t.Errorf("a fact without its source: %+v", f)
		}
		if strings.HasPrefix(f.SourceText, "register: ") {
			register = true
		}
	}
	if !register {
		t.Error("no register fact with its source")
	}
	if len(c.Messages) == 0 || c.Messages[len(c.Messages)-1].Body != "Jag skickar hyresavin." {
		t.Errorf("messages: %+v", c.Messages)
	}
	if len(c.Documents) != 1 || string(c.Documents[0].Content) != "Hyra 6 500 kr/mån" {
		t.Errorf("documents: %+v", c.Documents)
	}
	var reads []string
	for _, r := range c.Reads {
		reads = append(reads, r.Actor+"/"+r.What)
	}
	if !strings.Contains(strings.Join(reads, " "), "applicant/registerutdrag") {
		t.Errorf("reads: %v", reads)
	}
	b, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil || back["format"] != registerutdrag.Format || back["personal_number"] != pn.Canonical() {
		t.Fatalf("JSON: %v %v", back["format"], err)
	}

	// The PDF: tagged, and its text has the data.
	x.Channel = registerutdrag.ChannelPost
	pdf, err := x.PDF()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("/StructTreeRoot")) || !bytes.Contains(pdf, []byte("/MarkInfo")) {
		t.Fatal("not a tagged PDF")
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		f := filepath.Join(t.TempDir(), "x.pdf")
		if err := os.WriteFile(f, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{"Registerutdrag", pn.Canonical(), "Ärende " + caseID, "Jag skickar hyresavin.", "hyresavi.txt",
			"Vem som har läst ärendet", "Uppgifter och var de kommer ifrån", "begäran per post"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF's text lacks %q", want)
			}
		}
	}

	// Another municipality's caseworker: the extract has none of 0821's cases.
	y, err := registerutdrag.Make(ctx, src, registerutdrag.Request{Person: pn, Format: "pdf", Channel: registerutdrag.ChannelPost,
		Municipalities: []string{"0880"}, Reader: workflow.Reader{Actor: "caseworker:other", Via: "web"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(y.Cases) != 0 || env.Reads(t, caseID, "caseworker:other") != 0 {
		t.Errorf("0880's extract: %d cases", len(y.Cases))
	}
}
