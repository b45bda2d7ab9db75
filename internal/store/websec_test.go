package store_test

import (
	"context"
	"testing"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
)

// TestCasesOfPersonIn: the household history a municipality's staff read
// keeps to that municipality (issue 12, violation 3); CasesOfPerson, the
// person's own view, has them all.
func TestCasesOfPersonIn(t *testing.T) {
	_, s := open(t)
	ctx := context.Background()
	hogsby := mustSubmit(t, s, testApp(t, "h1"))
	other := testApp(t, "k1")
	other.Municipality = "0880"
	kalmar := mustSubmit(t, s, other)
	pn := other.Members[0].PersonalNumber

	all, err := s.CasesOfPerson(ctx, pn)
	if err != nil || len(all) != 2 {
		t.Fatalf("CasesOfPerson = %d cases, %v; want 2", len(all), err)
	}
	for code, want := range map[string]string{"0821": hogsby.ID, "0880": kalmar.ID} {
		got, err := s.CasesOfPersonIn(ctx, code, pn)
		if err != nil || len(got) != 1 || got[0].ID != want || got[0].Municipality != code {
			t.Errorf("CasesOfPersonIn(%s) = %+v, %v; want only %s", code, got, err, want)
		}
	}
	if got, err := s.CasesOfPersonIn(ctx, "0860", pn); err != nil || len(got) != 0 {
		t.Errorf("CasesOfPersonIn(0860) = %d cases, %v; want none", len(got), err)
	}
}

// TestApprovalTextNUL: a note or reason with NUL is refused before it
// reaches the database (PostgreSQL refuses NUL in text: it was a 500).
func TestApprovalTextNUL(t *testing.T) {
	db, s := open(t)
	ctx := context.Background()
	c := mustSubmit(t, s, testApp(t, "a1"))
	cw := approvalStore{deskdb.New(db), s}
	if err := cw.CloseApproval(ctx, c.ID, "no-such", store.ApprovalReturned, "dev-sara", "Titta\x00igen"); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Errorf("CloseApproval: %v, want EINVALID", err)
	}
	for _, a := range []*store.Approval{
		{CaseID: c.ID, CaseVersion: c.Version, Outcome: skalig.OutcomeRejected, Reasons: []string{"Skäl\x00"}, ProposedBy: "dev-sara"},
		{CaseID: c.ID, CaseVersion: c.Version, Outcome: skalig.OutcomeRejected, Reasons: []string{"Skäl"}, NoteToSigner: "\x00", ProposedBy: "dev-sara"},
	} {
		if err := cw.ProposeDecision(ctx, a); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("ProposeDecision(%q, %q): %v, want EINVALID", a.Reasons, a.NoteToSigner, err)
		}
	}
}
