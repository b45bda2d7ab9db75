package workflow_test

import (
	"context"
	"testing"
	"time"

	"skalig"
	"skalig/internal/payments"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
	"skalig/internal/store/paymentdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// bankReturnsAll sends every ordered payment to the bank in one run and
// imports an answer returning all of them (AC04): their cases go back to
// a person, decided.
func bankReturnsAll(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	svc := payments.New(payments.Config{Cases: e.cases, Debtor: payments.Debtor{Name: "Testkommunen", IBAN: "SE4550000000058398257466"}})
	_, r, err := svc.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatalf("payment run: %v", err)
	}
	ps, err := paymentdb.New(e.cases).RunPayments(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	returned := map[string]string{}
	for _, p := range ps {
		returned[p.ID] = "AC04"
	}
	answer, err := payments.SimulatedNotification(r, ps, payments.Debtor{IBAN: "SE4550000000058398257466"}, e.db.Clock(), returned)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, answer, "test"); err != nil {
		t.Fatalf("import bank answer: %v", err)
	}
}

// The path TestEveryCaseHasAWayForward found (docs/testing.md, "known
// gap"): a decided case back with a person because the bank returned its
// payment waits in awaiting_caseworker, and a rejection there under the
// four-eyes rule became a proposal that nobody could ever sign. A decided
// case takes no new decision and no proposal of one.
func TestDecidedCaseBackWithAPersonTakesNoProposal(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	cs, _ := decidedCases(t, e, 1)
	bankReturnsAll(t, e)
	fourEyes(t, e, true, true)
	c, err := e.cases.Case(ctx, cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != skalig.StateAwaitingCaseworker || c.DecidedAt.IsZero() {
		t.Fatalf("after the bank returned the payment: %s (decided %v)", c.State, c.DecidedAt)
	}
	res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeRejected, Reasons: []string{"Sökanden har inte styrkt sitt behov."}})
	if skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("decision on a decided case: %+v, %v; want ECONFLICT", res, err)
	}
	if p, err := deskdb.New(e.db).PendingApproval(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("a proposal on a decided case: %+v, %v", p, err)
	}
}

// A person's direct decision returns the proposal that waited for a
// second signature (the decision write closes it), so it cannot be signed
// afterwards.
func TestDirectDecisionReturnsThePendingProposal(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	fourEyes(t, e, false, true)
	cs, _ := waitingCases(t, e, 1)
	c := cs[0]
	res, err := reject(e.wf, c, skalig.ReasonKommuniceringUnnecessary)
	if err != nil || res.Proposal == nil {
		t.Fatalf("rejection under four eyes: %+v %v", res, err)
	}
	var calc casecalc.Calculation
	if err := e.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-3"),
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); err != nil {
		t.Fatal(err)
	}
	if p, err := deskdb.New(e.db).PendingApproval(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("still pending after the decision: %+v, %v", p, err)
	}
	if got := auditActors(t, e, c.ID, store.ActionApprovalClosed); len(got) != 1 || got[0] != "caseworker:hl-3" {
		t.Fatalf("proposal closed by %v", got)
	}
}
