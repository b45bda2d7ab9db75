package store_test

import (
	"context"
	"testing"
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
