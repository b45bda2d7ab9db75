package workflow_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"skalig"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow"
)

// openRequest returns the case's open review request or appeal.
func openRequestOf(t *testing.T, e *env, caseID string) *store.ReviewRequest {
	t.Helper()
	rs, err := e.cases.CaseReviewRequests(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Open() {
			return &r
		}
	}
	t.Fatalf("no open request of case %s", caseID)
	return nil
}

// The decider changes a decision on omprövning and then on appeal (FL
// 38-39 §§): each new decision has its receipt and supersedes the one in
// force; the difference is paid once when it grants more, and nothing is
// paid when it grants less (the overpaid amount is recorded); a change
// waits while a payment is on its way; an appeal the change does not grant
// as asked stays open and is forwarded with the new decision (FL 46 §).
func TestChangeDecisionOnReviewAndAppeal(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	cs, pns := decidedCases(t, e, 4)
	var c *skalig.Case
	var pn skalig.PersonalNumber
	for i, x := range cs {
		if d, err := e.cases.CaseDecision(ctx, x.ID); err == nil && d.Amount > skalig.Kronor(3000) && x.State == skalig.StateNotified {
			c, pn = x, pns[i]
			break
		}
	}
	if c == nil {
		t.Fatal("no notified case with a payment on its way")
	}
	first, err := e.cases.CaseDecision(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	hl := caseworker("hl-1")
	if err := e.wf.RequestReview(ctx, c.ID, pn, "Jag har fått en ny hyra."); err != nil {
		t.Fatal(err)
	}
	req := openRequestOf(t, e, c.ID)
	higher := first.Amount + skalig.Kronor(1000)
	lines := []workflow.ManualLine{
		{Kind: workflow.ManualNorm, Item: "Norm och kostnader enligt det tidigare beslutet", Amount: first.Amount, Basis: "Beslut " + first.ID},
		{Kind: workflow.ManualCost, Item: "Höjd hyra", Amount: skalig.Kronor(1000), Basis: "Ny hyresavi, inkommen med begäran om omprövning"},
	}
	change := workflow.ChangeRequest{RequestID: req.ID, Actor: hl, Outcome: skalig.OutcomeApproved, Amount: higher,
		Note: "Hyran är högre än beräkningen visade.", Lines: lines, ManualReason: "Ny uppgift om hyran efter beslutet.", AsRequested: true}

	// A payment on its way: the change waits for the bank.
	if _, err := e.wf.ChangeDecision(ctx, change); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("change with a payment on its way: %v", err)
	}
	bankPays(t, e)
	if c, _ = e.cases.Case(ctx, c.ID); c.State != skalig.StatePaid {
		t.Fatalf("after the bank: %s", c.State)
	}
	bad := change
	bad.Note = " "
	if _, err := e.wf.ChangeDecision(ctx, bad); fieldOf(err) != "note" {
		t.Fatalf("change without a note: %v", err)
	}
	bad = change
	bad.Lines = nil
	if _, err := e.wf.ChangeDecision(ctx, bad); fieldOf(err) != "amount" {
		t.Fatalf("approval above the calculated aid without a new calculation: %v", err)
	}
	if _, err := e.wf.ChangeDecision(ctx, workflow.ChangeRequest{RequestID: req.ID, Actor: financialAssistant("ek-1"), Outcome: skalig.OutcomeApproved,
		Amount: higher, Note: "x", Lines: lines, ManualReason: "x"}); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("change by a financial assistant: %v", err)
	}

	// 1. Omprövning: more is granted; the difference is paid once.
	res, err := e.wf.ChangeDecision(ctx, change)
	if err != nil {
		t.Fatal(err)
	}
	if res.Supersedes != first.ID || res.Payment == nil || res.Payment.Amount != skalig.Kronor(1000) || res.Payment.ChangeID != res.Decision.ID ||
		res.Payment.DecisionID != first.ID || res.Overpaid != 0 {
		t.Fatalf("change: %+v payment %+v", res, res.Payment)
	}
	if cur, _ := e.cases.CaseDecision(ctx, c.ID); cur.ID != res.Decision.ID || cur.Amount != higher {
		t.Fatalf("decision in force %+v", cur)
	}
	if h, _ := e.cases.DecisionHistory(ctx, c.ID); len(h) != 2 || h[0].ID != first.ID || h[1].ID != res.Decision.ID {
		t.Fatalf("history %+v", h)
	}
	if r := openRequestOrNil(t, e, c.ID); r != nil {
		t.Fatalf("the review request is still open: %+v", r)
	}
	if _, err := e.wf.ChangeDecision(ctx, change); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("a second change on a resolved request: %v", err)
	}
	rep, err := e.wf.Replay(ctx, res.Decision.ID)
	if err != nil || !rep.Identical {
		t.Fatalf("replay of the changed decision: %+v %v", rep, err)
	}
	if got := auditActors(t, e, c.ID, store.ActionDecisionChanged); len(got) != 1 || got[0] != "caseworker:hl-1" {
		t.Fatalf("change audited as %v", got)
	}
	bankPays(t, e)
	paid, pending, err := e.cases.PaidOut(ctx, c.ID)
	if err != nil || pending || paid != higher {
		t.Fatalf("paid out %s (pending %v), want %s", paid, pending, higher)
	}
	if c, _ = e.cases.Case(ctx, c.ID); c.State != skalig.StatePaid {
		t.Fatalf("after the difference was paid: %s", c.State)
	}

	// 2. Appeal of the new decision: the decider lowers it, not as the
	// applicant asked; nothing is paid, the overpaid amount is recorded,
	// and the appeal stays open to be forwarded with the new decision.
	in, err := e.wf.Appeal(ctx, c.ID, pn, "Jag vill ha 2 000 kr till för möbler.")
	if err != nil {
		t.Fatal(err)
	}
	if in.DecisionID != res.Decision.ID || in.NotifiedAt.IsZero() {
		t.Fatalf("the appeal is not of the decision in force: %+v", in)
	}
	lower := higher - skalig.Kronor(500)
	res2, err := e.wf.ChangeDecision(ctx, workflow.ChangeRequest{RequestID: in.ID, Actor: hl, Outcome: skalig.OutcomePartlyApproved,
		Amount: lower, Note: "Hyran var 500 kr lägre än den nya hyresavin; möbler beviljas inte.", Reasons: []string{"Möbler ingår inte."}})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Payment != nil || res2.Overpaid != skalig.Kronor(500) || res2.Supersedes != res.Decision.ID {
		t.Fatalf("lowered: %+v", res2)
	}
	if r := openRequestOf(t, e, c.ID); r.ID != in.ID {
		t.Fatalf("open request %s, want the appeal", r.ID)
	}
	b, err := e.wf.ForwardAppeal(ctx, in.ID, hl, "")
	if err != nil {
		t.Fatal(err)
	}
	if b.Decision.ID != res2.Decision.ID || b.AppealedDecision != res.Decision.ID {
		t.Fatalf("bundle decision %s appealed %s", b.Decision.ID, b.AppealedDecision)
	}
	body, _ := e.wf.AppealBundleOf(ctx, in.ID)
	var back workflow.AppealBundle
	if err := json.Unmarshal(body, &back); err != nil || back.Decision.Amount != lower {
		t.Fatalf("stored bundle %s %v", body, err)
	}
	if n := paymentCount(t, e, c.ID); n != 2 {
		t.Fatalf("%d payments, want 2 (the decision and the difference)", n)
	}
}

func openRequestOrNil(t *testing.T, e *env, caseID string) *store.ReviewRequest {
	t.Helper()
	rs, err := e.cases.CaseReviewRequests(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Open() {
			return &r
		}
	}
	return nil
}
