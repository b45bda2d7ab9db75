package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"skalig"
	"skalig/internal/store"
)

// decide records an automated decision of c with a sealed receipt made
// of the case's facts.
func decide(t *testing.T, db *store.DB, s *store.CaseStore, c *skalig.Case, app *skalig.Application, amount int64) *skalig.Decision {
	t.Helper()
	ctx := context.Background()
	facts, err := s.Facts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := &skalig.Receipt{
		CaseID: c.ID, Month: c.Month, CalculatedOn: skalig.Date{Y: 2026, M: 4, D: 2}, Members: app.Members, Facts: facts,
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/test",
		Result: json.RawMessage(fmt.Sprintf(`{"aid": %d}`, amount)), Trace: json.RawMessage(`[]`),
		Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(amount), DecidedBy: skalig.Automated("punkt 3.2"),
	}
	if err := r.Seal(); err != nil {
		t.Fatal(err)
	}
	d := &skalig.Decision{CaseID: c.ID, Outcome: r.Outcome, Month: c.Month, Amount: r.Amount, DecidedBy: r.DecidedBy}
	if _, err := s.Update(ctx, c.ID, func(m *store.Moves) error { return m.RecordDecision(ctx, d, r) }); err != nil {
		t.Fatal(err)
	}
	return d
}
