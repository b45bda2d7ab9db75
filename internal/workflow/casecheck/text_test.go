package casecheck_test

import (
	"errors"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/workflow/casecheck"
)

// fieldOf is the first field an EINVALID error names, or "" for none.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var se *skalig.Error
	if !errors.As(err, &se) || se.Code != skalig.EINVALID || len(se.Fields) == 0 || se.Fields[0].Message == "" {
		t.Fatalf("err=%v, want EINVALID naming a field", err)
	}
	return se.Fields[0].Field
}

// Every text a person types is trimmed and refused, naming the field,
// when it is missing, too long or holds control characters.
func TestTexts(t *testing.T) {
	today := skalig.Date{Y: 2026, M: 12, D: 4}
	tomorrow := skalig.Date{Y: 2026, M: 12, D: 5}
	long := strings.Repeat("å", 5001)
	for _, tc := range []struct {
		name  string
		check func() (string, error)
		want  string // the text returned, when field is ""
		field string
	}{
		{"RequestText OK", func() (string, error) { return casecheck.RequestText(" Fel belopp ", "") }, "Fel belopp", ""},
		{"RequestText default", func() (string, error) { return casecheck.RequestText(" ", "Pröva") }, "Pröva", ""},
		{"RequestText empty", func() (string, error) { return casecheck.RequestText("", "") }, "", "text"},
		{"RequestText long", func() (string, error) { return casecheck.RequestText(long, "") }, "", "text"},
		{"RequestText control", func() (string, error) { return casecheck.RequestText("a\x07b", "") }, "", "text"},
		{"Comment OK", func() (string, error) { return casecheck.Comment(" Jag har ingen lön. ") }, "Jag har ingen lön.", ""},
		{"Comment empty", func() (string, error) { return casecheck.Comment("  ") }, "", "text"},
		{"CommentRequest OK", func() (string, error) { return casecheck.CommentRequest("Lön i november", tomorrow, today) }, "Lön i november", ""},
		{"CommentRequest today", func() (string, error) { return casecheck.CommentRequest("Lön i november", today, today) }, "", "due"},
		{"DocumentRequest OK", func() (string, error) { return casecheck.DocumentRequest("hl-1", " Hyresavi ", today, today) }, "Hyresavi", ""},
		{"DocumentRequest who", func() (string, error) { return casecheck.DocumentRequest("", "Hyresavi", today, today) }, "", "caseworker"},
		{"DocumentRequest past", func() (string, error) {
			return casecheck.DocumentRequest("hl-1", "Hyresavi", skalig.Date{Y: 2026, M: 12, D: 3}, today)
		}, "", "due"},
		{"Message OK", func() (string, error) { return casecheck.Message("applicant", " Hej ") }, "Hej", ""},
		{"Message no sender", func() (string, error) { return casecheck.Message("", "Hej") }, "", "from"},
		{"Message control", func() (string, error) { return casecheck.Message("applicant", "a\x00") }, "", "body"},
		{"SampleResult OK", func() (string, error) { return casecheck.SampleResult("hl-1", true, "", 0, 0) }, "", ""},
		{"SampleResult no note", func() (string, error) { return casecheck.SampleResult("hl-1", false, " ", 100, 50) }, "", "note"},
		{"SampleResult negative", func() (string, error) { return casecheck.SampleResult("hl-1", true, "", -1, 0) }, "", "verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.check()
			if f := fieldOf(t, err); f != tc.field || (tc.field == "" && got != tc.want) {
				t.Errorf("got %q, field %q; want %q, field %q", got, f, tc.want, tc.field)
			}
		})
	}
}

// A document is judged by its content: a PDF with a control character in
// its name is kept as "dokument", a text file is refused.
func TestDocument(t *testing.T) {
	name, typ, err := casecheck.Document("intyg\x00.pdf", []byte("%PDF-1.4\n"))
	if err != nil || name != "dokument" || typ != "application/pdf" {
		t.Fatalf("Document=%q %q %v, want dokument, application/pdf", name, typ, err)
	}
	for _, body := range [][]byte{nil, []byte("hej"), make([]byte, casecheck.MaxDocumentBytes+1)} {
		if _, _, err := casecheck.Document("a.pdf", body); fieldOf(t, err) != "file" {
			t.Errorf("Document(%d bytes) err=%v, want EINVALID on file", len(body), err)
		}
	}
}

// A change of a decision names its first bad field, and trims the note,
// the ground and the exception it keeps.
func TestChange(t *testing.T) {
	ok := func() casecheck.Change {
		return casecheck.Change{Outcome: skalig.OutcomeApproved, Note: " Ny hyra ", Ground: " ", KommuniceringException: "", Target: true}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*casecheck.Change)
		field string
	}{
		{"OK", func(*casecheck.Change) {}, ""},
		{"outcome", func(c *casecheck.Change) { c.Outcome = "maybe" }, "outcome"},
		{"no note", func(c *casecheck.Change) { c.Note = " " }, "note"},
		{"note to signer", func(c *casecheck.Change) { c.NoteToSigner = "a\x00" }, "note_to_signer"},
		{"reasons", func(c *casecheck.Change) { c.Reasons = []string{"a\x1b"} }, "reasons"},
		{"ground", func(c *casecheck.Change) { c.Ground = "tycke" }, "ground"},
		{"exception", func(c *casecheck.Change) { c.KommuniceringException = "brådska" }, "kommunicering_exception"},
		{"no target", func(c *casecheck.Change) { c.Target = false }, "case_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.edit(&c)
			if f := fieldOf(t, c.Check()); f != tc.field {
				t.Fatalf("field %q, want %q", f, tc.field)
			}
			if tc.field == "" && (c.Note != "Ny hyra" || c.Ground != "") {
				t.Errorf("Note=%q Ground=%q, want trimmed", c.Note, c.Ground)
			}
		})
	}
}
