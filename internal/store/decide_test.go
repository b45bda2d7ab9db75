package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

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

// DecisionHistory follows the chain of changes, not the order of ids: ids
// made in one millisecond (or on a clock that stands still) sort at random,
// and a person reading the history must see the decisions in the order
// they superseded each other, the last being the one in force.
func TestDecisionHistoryOrder(t *testing.T) {
	db, s := open(t)
	ctx := context.Background()
	app := testApp(t, "hist-1")
	c := mustSubmit(t, s, app)
	first := decide(t, db, s, c, app, 1000)
	still := db.Now()
	db.Now = func() time.Time { return still }
	want := []string{first.ID}
	old := first
	for i := 1; i <= 8; i++ {
		amount := int64(1000 + 100*i)
		r := &skalig.Receipt{
			CaseID: c.ID, Month: c.Month, CalculatedOn: skalig.Date{Y: 2026, M: 4, D: 2}, Members: app.Members,
			ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/test",
			Result: json.RawMessage(fmt.Sprintf(`{"aid": %d}`, amount)), Trace: json.RawMessage(`[]`),
			Outcome: skalig.OutcomeApproved, Amount: skalig.Kronor(amount), DecidedBy: skalig.Caseworker("hl-1"),
		}
		if err := r.Seal(); err != nil {
			t.Fatal(err)
		}
		d := &skalig.Decision{CaseID: c.ID, Outcome: r.Outcome, Month: c.Month, Amount: r.Amount, DecidedBy: r.DecidedBy}
		if _, err := s.Update(ctx, c.ID, func(m *store.Moves) error { return m.ChangeDecision(ctx, old, d, r, "") }); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
		want = append(want, d.ID)
		old = d
	}
	h, err := s.DecisionHistory(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range h {
		got = append(got, d.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	if cur, err := s.CaseDecision(ctx, c.ID); err != nil || cur.ID != want[len(want)-1] {
		t.Fatalf("decision in force %v %v, want the last of the history", cur, err)
	}
}
