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
	"skalig/internal/workflow/appealfile"
	"skalig/internal/workflow/manualcalc"
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
	lines := []manualcalc.Line{
		{Kind: manualcalc.Norm, Item: "Norm och kostnader enligt det tidigare beslutet", Amount: first.Amount, Basis: "Beslut " + first.ID},
		{Kind: manualcalc.Cost, Item: "Höjd hyra", Amount: skalig.Kronor(1000), Basis: "Ny hyresavi, inkommen med begäran om omprövning"},
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
	lowerReq := workflow.ChangeRequest{RequestID: in.ID, Actor: hl, Outcome: skalig.OutcomePartlyApproved,
		Amount: lower, Note: "Hyran var 500 kr lägre än den nya hyresavin; möbler beviljas inte.", Reasons: []string{"Möbler ingår inte."}}
	// To the applicant's disadvantage: a ground of FL 37 § second
	// paragraph, and kommunicering (FL 25 §) or a named exception.
	if _, err := e.wf.ChangeDecision(ctx, lowerReq); fieldOf(err) != "ground" {
		t.Fatalf("lowering without a ground: %v", err)
	}
	lowerReq.Ground = skalig.ReasonChangeWrongInformation
	if _, err := e.wf.ChangeDecision(ctx, lowerReq); fieldOf(err) != "kommunicering_exception" {
		t.Fatalf("lowering without kommunicering: %v", err)
	}
	lowerReq.KommuniceringException = skalig.ReasonKommuniceringUnnecessary
	res2, err := e.wf.ChangeDecision(ctx, lowerReq)
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
	var back appealfile.Bundle
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

// paidCase returns a paid case (the bank has paid its decision) with a
// decided amount above 3 000 kr, and its applicant.
func paidCase(t *testing.T, e *env) (*skalig.Case, skalig.PersonalNumber, *skalig.Decision) {
	t.Helper()
	ctx := context.Background()
	cs, pns := decidedCases(t, e, 4)
	bankPays(t, e)
	for i, x := range cs {
		c, _ := e.cases.Case(ctx, x.ID)
		if d, err := e.cases.CaseDecision(ctx, x.ID); err == nil && d.Amount > skalig.Kronor(3000) && c.State == skalig.StatePaid {
			return c, pns[i], d
		}
	}
	t.Fatal("no paid case")
	return nil, "", nil
}

// Under the municipality's four-eyes rule a change that departs from the
// calculation is a proposal: the decision in force stands until a second
// caseworker signs; the proposer cannot sign; the change and the signature
// commit together, the difference is paid once.
func TestChangeDecisionFourEyes(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, pn, first := paidCase(t, e)
	fourEyes(t, e, true, true)
	if err := e.wf.RequestReview(ctx, c.ID, pn, "Jag har fått en ny hyra."); err != nil {
		t.Fatal(err)
	}
	req := openRequestOf(t, e, c.ID)
	lines := []manualcalc.Line{
		{Kind: manualcalc.Norm, Item: "Norm och kostnader enligt det tidigare beslutet", Amount: first.Amount, Basis: "Beslut " + first.ID},
		{Kind: manualcalc.Cost, Item: "Höjd hyra", Amount: skalig.Kronor(800), Basis: "Ny hyresavi"},
	}
	higher := first.Amount + skalig.Kronor(800)
	res, err := e.wf.ChangeDecision(ctx, workflow.ChangeRequest{RequestID: req.ID, Actor: caseworker("hl-1"), Outcome: skalig.OutcomeApproved,
		Amount: higher, Note: "Hyran är högre.", Lines: lines, ManualReason: "Ny hyresavi", NoteToSigner: "Se hyresavin."})
	if err != nil {
		t.Fatal(err)
	}
	if res.Proposal == nil || res.Decision != nil || res.Proposal.ProposedBy != "hl-1" || res.Proposal.RequestID != req.ID {
		t.Fatalf("change under four eyes: %+v", res)
	}
	if cur, _ := e.cases.CaseDecision(ctx, c.ID); cur.ID != first.ID {
		t.Fatalf("the decision in force changed before the signature: %+v", cur)
	}
	if r := openRequestOf(t, e, c.ID); r.ID != req.ID {
		t.Fatal("the request was resolved by a proposal")
	}
	if _, err := e.wf.SignChange(ctx, c.ID, caseworker("hl-1")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("the proposer signs: %v", err)
	}
	if _, err := e.wf.SignChange(ctx, c.ID, financialAssistant("ek-1")); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("a financial assistant signs: %v", err)
	}
	if _, err := e.wf.ChangeDecision(ctx, workflow.ChangeRequest{RequestID: req.ID, Actor: caseworker("hl-3"), Outcome: skalig.OutcomeApproved,
		Amount: higher, Note: "x", Lines: lines, ManualReason: "x"}); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("a second proposal: %v", err)
	}
	// Returned, proposed again, signed.
	if err := e.wf.ReturnChange(ctx, c.ID, caseworker("hl-2"), " "); fieldOf(err) != "note" {
		t.Fatalf("return without a note: %v", err)
	}
	if err := e.wf.ReturnChange(ctx, c.ID, caseworker("hl-2"), "Bifoga hyresavin."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wf.SignChange(ctx, c.ID, caseworker("hl-2")); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("sign a returned change: %v", err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	if res, err = e.wf.ChangeDecision(ctx, workflow.ChangeRequest{RequestID: req.ID, Actor: caseworker("hl-1"), Outcome: skalig.OutcomeApproved,
		Amount: higher, Note: "Hyran är högre.", Lines: lines, ManualReason: "Ny hyresavi"}); err != nil || res.Proposal == nil {
		t.Fatalf("proposed again: %+v %v", res, err)
	}
	if pp, body, err := e.wf.PendingChange(ctx, c.ID); err != nil || pp.ID != res.Proposal.ID || body.Amount != higher || len(body.Lines) != 2 {
		t.Fatalf("pending change %+v %+v %v", pp, body, err)
	}
	signed, err := e.wf.SignChange(ctx, c.ID, caseworker("hl-2"))
	if err != nil {
		t.Fatal(err)
	}
	if signed.Decision == nil || signed.Decision.DecidedBy.Caseworker != "hl-2" || signed.Payment == nil || signed.Payment.Amount != skalig.Kronor(800) {
		t.Fatalf("signed change %+v", signed)
	}
	if cur, _ := e.cases.CaseDecision(ctx, c.ID); cur.ID != signed.Decision.ID || cur.Amount != higher {
		t.Fatalf("decision in force %+v", cur)
	}
	if r := openRequestOrNil(t, e, c.ID); r != nil {
		t.Fatalf("the request is still open: %+v", r)
	}
	if _, err := e.cases.PendingChange(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("a change still pending: %v", err)
	}
	if got := auditActors(t, e, c.ID, store.ActionChangeClosed); len(got) != 2 {
		t.Fatalf("change proposals closed %v, want a return and a signature", got)
	}
	if _, err := e.wf.SignChange(ctx, c.ID, caseworker("hl-3")); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("sign twice: %v", err)
	}
	if n := paymentCount(t, e, c.ID); n != 2 {
		t.Fatalf("%d payments, want 2", n)
	}
}

// The decider changes a decided case on their own initiative (FL 37-38
// §§): for the applicant's benefit at once; to the applicant's
// disadvantage only on a ground of FL 37 § second paragraph and after a
// kommunicering (FL 25 §) whose answer came in. The applicant is told; a
// new receipt; the difference is paid or the overpayment recorded.
func TestChangeDecisionOwnInitiative(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, pn, first := paidCase(t, e)
	hl := caseworker("hl-1")
	lines := []manualcalc.Line{
		{Kind: manualcalc.Norm, Item: "Norm och kostnader enligt beslutet", Amount: first.Amount, Basis: "Beslut " + first.ID},
		{Kind: manualcalc.Cost, Item: "Glasögon som glömdes i beräkningen", Amount: skalig.Kronor(600), Basis: "Kvitto i akten"},
	}
	up := workflow.ChangeRequest{CaseID: c.ID, Version: c.Version - 1, Actor: hl, Outcome: skalig.OutcomeApproved,
		Amount: first.Amount + skalig.Kronor(600), Note: "Glasögonen kom inte med i beräkningen.", Lines: lines, ManualReason: "Rättelse"}
	if _, err := e.wf.ChangeDecision(ctx, up); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("stale version: %v", err)
	}
	up.Version = c.Version
	if _, err := e.wf.ChangeDecision(ctx, workflow.ChangeRequest{Actor: hl, Outcome: skalig.OutcomeApproved, Note: "x"}); fieldOf(err) != "case_id" {
		t.Fatalf("no case: %v", err)
	}
	bad := up
	bad.Ground = "no_such_ground"
	if _, err := e.wf.ChangeDecision(ctx, bad); fieldOf(err) != "ground" {
		t.Fatalf("unknown ground: %v", err)
	}
	// An open review request: the change is made on it instead.
	if err := e.wf.RequestReview(ctx, c.ID, pn, "Titta på mitt beslut."); err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	up.Version = c.Version
	if _, err := e.wf.ChangeDecision(ctx, up); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("own initiative with a request open: %v", err)
	}
	if err := e.wf.KeepDecision(ctx, openRequestOf(t, e, c.ID).ID, hl, "Beslutet är riktigt."); err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	up.Version = c.Version
	res, err := e.wf.ChangeDecision(ctx, up)
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision == nil || res.Payment == nil || res.Payment.Amount != skalig.Kronor(600) || res.Supersedes != first.ID {
		t.Fatalf("own initiative up: %+v", res)
	}
	if rep, err := e.wf.Replay(ctx, res.Decision.ID); err != nil || !rep.Identical {
		t.Fatalf("replay %+v %v", rep, err)
	}
	var rec map[string]any
	if err := e.cases.LatestRecord(ctx, c.ID, workflow.RecordDecisionChanged, &rec); err != nil || rec["own_initiative"] != true || rec["request_id"] != "" {
		t.Fatalf("change record %v %v", rec, err)
	}
	var n map[string]any
	if err := e.cases.LatestRecord(ctx, c.ID, store.RecordNotification, &n); err != nil || n["notice"] != "notice.change.own" || n["decision_id"] != res.Decision.ID {
		t.Fatalf("notification %v %v", n, err)
	}
	bankPays(t, e)

	// Down: the applicant had given wrong information.
	c, _ = e.cases.Case(ctx, c.ID)
	down := workflow.ChangeRequest{CaseID: c.ID, Version: c.Version, Actor: hl, Outcome: skalig.OutcomeApproved,
		Amount: first.Amount - skalig.Kronor(1000), Note: "Du hade en inkomst som du inte uppgav.",
		Lines: []manualcalc.Line{
			{Kind: manualcalc.Norm, Item: "Norm och kostnader enligt beslutet", Amount: first.Amount + skalig.Kronor(600), Basis: "Beslut " + res.Decision.ID},
			{Kind: manualcalc.Income, Item: "Lön som inte uppgavs", Amount: skalig.Kronor(1600), Basis: "Lönebesked"},
		}, ManualReason: "Ny uppgift om lön", Reasons: []string{"Lönen räknas som inkomst."}}
	if _, err := e.wf.ChangeDecision(ctx, down); fieldOf(err) != "ground" {
		t.Fatalf("down without a ground: %v", err)
	}
	down.Ground = skalig.ReasonChangeWrongInformation
	if _, err := e.wf.ChangeDecision(ctx, down); fieldOf(err) != "kommunicering_exception" {
		t.Fatalf("down without kommunicering: %v", err)
	}
	due := skalig.DateOf(e.db.Clock().AddDate(0, 0, 7))
	if err := e.wf.SendForComment(ctx, c.ID, c.Version, hl, "Lönebesked visar 1 600 kr i lön i månaden.", due); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.cases.Case(ctx, c.ID); got.State != skalig.StatePaid {
		t.Fatalf("kommunicering before a change moved the case to %s", got.State)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	down.Version = c.Version
	if _, err := e.wf.ChangeDecision(ctx, down); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("down while the applicant may still comment: %v", err)
	}
	if err := e.wf.AnswerComment(ctx, c.ID, pn, "Lönen var en engångssumma."); err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	down.Version = c.Version
	res2, err := e.wf.ChangeDecision(ctx, down)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Payment != nil || res2.Overpaid != skalig.Kronor(1600) {
		t.Fatalf("own initiative down: %+v", res2)
	}
	if err := e.cases.LatestRecord(ctx, c.ID, workflow.RecordDecisionChanged, &rec); err != nil || rec["ground"] != skalig.ReasonChangeWrongInformation {
		t.Fatalf("change record %v %v", rec, err)
	}
	if h, _ := e.cases.DecisionHistory(ctx, c.ID); len(h) != 3 {
		t.Fatalf("history of %d decisions, want 3", len(h))
	}
}

// A change to the applicant's disadvantage after a kommunicering that was
// not answered: it waits until the deadline has passed, then it is made.
func TestChangeDecisionAfterTheCommentDeadline(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, _, first := paidCase(t, e)
	hl := caseworker("hl-1")
	if err := e.wf.SendForComment(ctx, c.ID, c.Version, hl, "Lönebesked visar 800 kr i lön.", skalig.DateOf(time.Now().AddDate(0, 0, 7))); err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	down := workflow.ChangeRequest{CaseID: c.ID, Version: c.Version, Actor: hl, Outcome: skalig.OutcomeApproved,
		Amount: first.Amount - skalig.Kronor(800), Note: "Lönen räknas som inkomst.", Ground: skalig.ReasonChangeWrongInformation,
		Lines: []manualcalc.Line{
			{Kind: manualcalc.Norm, Item: "Norm och kostnader enligt beslutet", Amount: first.Amount, Basis: "Beslut " + first.ID},
			{Kind: manualcalc.Income, Item: "Lön", Amount: skalig.Kronor(800), Basis: "Lönebesked"},
		}, ManualReason: "Ny uppgift om lön"}
	if _, err := e.wf.ChangeDecision(ctx, down); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("before the deadline: %v", err)
	}
	e.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 9) }
	res, err := e.wf.ChangeDecision(ctx, down)
	if err != nil {
		t.Fatal(err)
	}
	if res.Overpaid != skalig.Kronor(800) {
		t.Fatalf("after the deadline: %+v", res)
	}
	if rs, _ := e.cases.Records(ctx, c.ID, workflow.RecordKommuniceringWaived); len(rs) != 0 {
		t.Fatalf("an exception was recorded: %d", len(rs))
	}
}
