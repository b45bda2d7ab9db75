package casecheck

import (
	"strings"
	"unicode/utf8"

	"skalig"
)

// Change is what a decider gives to change a decision (the fields of
// workflow.ChangeRequest that need no case to check).
type Change struct {
	Outcome                skalig.Outcome
	Note, NoteToSigner     string
	Reasons                []string
	Ground                 string // of FL 37 § second paragraph, or ""
	KommuniceringException string // of FL 25 §, or ""
	Target                 bool   // a review request or a case is named
}

// Check checks c, naming the field ("outcome", "note", "note_to_signer",
// "reasons", "ground", "kommunicering_exception", "case_id"), and trims
// its note, ground and exception.
func (c *Change) Check() error {
	if !c.Outcome.Valid() {
		return Invalid("outcome", "Ange bifall, delvis bifall eller avslag.")
	}
	c.Note = strings.TrimSpace(c.Note)
	switch {
	case c.Note == "":
		return Invalid("note", "Skriv varför beslutet ändras. Motiveringen skickas till den sökande.")
	case utf8.RuneCountInString(c.Note) > 5000:
		return Invalid("note", "Skriv högst 5 000 tecken.")
	case skalig.ContainsControl(c.Note):
		return Invalid("note", skalig.ControlCharMessage)
	case skalig.ContainsControl(c.NoteToSigner) || utf8.RuneCountInString(c.NoteToSigner) > 2000:
		return Invalid("note_to_signer", "Skriv högst 2 000 tecken, utan styrtecken.")
	}
	for _, r := range c.Reasons {
		if skalig.ContainsControl(r) {
			return Invalid("reasons", skalig.ControlCharMessage)
		}
	}
	c.Ground = strings.TrimSpace(c.Ground)
	if c.Ground != "" && !skalig.IsChangeGround(c.Ground) {
		return Invalid("ground", "Välj en av grunderna i 37 § andra stycket förvaltningslagen.")
	}
	c.KommuniceringException = strings.TrimSpace(c.KommuniceringException)
	if ex := c.KommuniceringException; ex != "" && !skalig.IsKommuniceringException(ex) {
		return Invalid("kommunicering_exception", "Välj ett av undantagen i 25 § förvaltningslagen.")
	}
	if !c.Target {
		return Invalid("case_id", "Ange ärendet vars beslut ändras.")
	}
	return nil
}
