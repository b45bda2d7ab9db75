package workflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/deskdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/appealfile"
	"skalig/internal/workflow/casecalc"
)

func jobCount(t *testing.T, e *env, caseID string) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE case_id = $1`, caseID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func paymentCount(t *testing.T, e *env, caseID string) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM payments WHERE case_id = $1`, caseID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWithdraw(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	hs := demo.Generate(5, "0821", month, 6)

	// Withdrawn at once: the waiting fetch job is deleted, and the workers
	// leave the case alone.
	early, _, err := e.wf.Submit(ctx, hs[0].App)
	if err != nil {
		t.Fatal(err)
	}
	if jobCount(t, e, early.ID) == 0 {
		t.Fatal("a submitted case has no job")
	}
	stranger := skalig.PersonalNumber("199001012380")
	if err := e.wf.Withdraw(ctx, early.ID, stranger); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("withdraw by a stranger: %v, want ENOTFOUND", err)
	}
	if err := e.wf.Withdraw(ctx, early.ID, hs[0].App.Members[0].PersonalNumber); err != nil {
		t.Fatal(err)
	}
	if n := jobCount(t, e, early.ID); n != 0 {
		t.Fatalf("%d jobs left after the withdrawal", n)
	}
	if got := auditActors(t, e, early.ID, store.ActionJobsCancelled); len(got) != 1 || got[0] != "applicant" {
		t.Fatalf("job cancellation audited as %v", got)
	}
	err = e.wf.Withdraw(ctx, early.ID, hs[0].App.Members[0].PersonalNumber)
	if skalig.ErrorCode(err) != skalig.ECONFLICT || !strings.Contains(skalig.ErrorMessage(err), "redan återtagen") {
		t.Fatalf("second withdrawal: %v", err)
	}

	// Through a client for the applicant, once the case waits for a person.
	decidedOnes, _ := decidedCases(t, e, 1)
	decided := decidedOnes[0]
	var waiting *skalig.Case
	for _, h := range hs[1:] {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		if c, _ = e.cases.Case(ctx, c.ID); c.State == skalig.StateAwaitingCaseworker {
			waiting = c
			break
		}
	}
	if waiting == nil {
		t.Fatal("no case with a person")
	}
	readOnly := skalig.ClientActor("sys", []string{"0821"}, []skalig.ClientAction{skalig.ClientRead})
	if _, err := e.wf.WithdrawAs(ctx, waiting.ID, waiting.Version, readOnly); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("client without submit: %v, want EFORBIDDEN", err)
	}
	other := skalig.ClientActor("sys", []string{"0880"}, skalig.DefaultClientActions)
	if _, err := e.wf.WithdrawAs(ctx, waiting.ID, waiting.Version, other); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("client of another municipality: %v, want ENOTFOUND", err)
	}
	sys := skalig.ClientActor("sys", []string{"0821"}, skalig.DefaultClientActions)
	if _, err := e.wf.WithdrawAs(ctx, waiting.ID, waiting.Version-1, sys); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("stale version: %v, want ECONFLICT", err)
	}
	c, err := e.wf.WithdrawAs(ctx, waiting.ID, waiting.Version, sys)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != skalig.StateWithdrawn || c.ClosedAt.IsZero() {
		t.Fatalf("after the withdrawal: %s closed %v", c.State, c.ClosedAt)
	}
	if got := auditActors(t, e, c.ID, store.ActionTransition); len(got) == 0 || got[len(got)-1] != "api:sys" {
		t.Fatalf("withdrawal audited as %v", got)
	}
	// A person can no longer decide it, and nothing is paid.
	if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeRejected, Reasons: []string{"Test."}}); err == nil {
		t.Fatal("a withdrawn case was decided")
	}
	if n := paymentCount(t, e, c.ID); n != 0 {
		t.Fatalf("%d payments of a withdrawn case", n)
	}

	// A decided case is not withdrawn.
	_, err = e.wf.WithdrawAs(ctx, decided.ID, decided.Version, sys)
	if skalig.ErrorCode(err) != skalig.ECONFLICT || !strings.Contains(skalig.ErrorMessage(err), "redan beslutad") {
		t.Fatalf("withdraw a decided case: %v", err)
	}
	for _, id := range []string{early.ID, c.ID} {
		if got, _ := e.cases.Case(ctx, id); got.State != skalig.StateWithdrawn {
			t.Fatalf("case %s in %s after the workers ran", id, got.State)
		}
	}
}

// decidedCases returns notified, paid or closed cases of 0821 with
// their applicants.
func decidedCases(t *testing.T, e *env, n int) ([]*skalig.Case, []skalig.PersonalNumber) {
	t.Helper()
	ctx := context.Background()
	byCase := map[string]skalig.PersonalNumber{}
	var ids []string
	for _, h := range demo.Generate(11, "0821", month, 16) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		byCase[c.ID] = h.App.Members[0].PersonalNumber
	}
	e.run(t)
	// Whatever waits for a person is approved as calculated by a caseworker
	// (delvis bifall when the calculation reduced an item: then under the
	// exception of FL 25 §).
	for _, id := range ids {
		c, _ := e.cases.Case(ctx, id)
		var calc casecalc.Calculation
		if c.State != skalig.StateAwaitingCaseworker || e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc) != nil ||
			calc.Output == nil || calc.Output.Aid <= 0 {
			continue
		}
		if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: c.Version, Actor: caseworker("hl-1"),
			Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid, KommuniceringException: skalig.ReasonKommuniceringUnnecessary}); err != nil {
			t.Fatal(err)
		}
	}
	e.run(t)
	var cs []*skalig.Case
	var pns []skalig.PersonalNumber
	for _, id := range ids {
		c, _ := e.cases.Case(ctx, id)
		if !c.DecidedAt.IsZero() && c.State != skalig.StateDecided && len(cs) < n {
			cs = append(cs, c)
			pns = append(pns, byCase[id])
		}
	}
	if len(cs) < n {
		t.Fatalf("%d decided cases, want %d", len(cs), n)
	}
	return cs, pns
}

func TestReviewRequestQueue(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	cs, pns := decidedCases(t, e, 1)
	c := cs[0]
	if n, _ := e.cases.ReviewRequestCount(ctx, "0821"); n != 0 {
		t.Fatalf("queue count %d before any request", n)
	}
	if err := e.wf.RequestReview(ctx, c.ID, pns[0], "Hyran är fel i beslutet."); err != nil {
		t.Fatal(err)
	}
	rs, err := e.cases.ReviewRequests(ctx, "0821")
	if err != nil || len(rs) != 1 {
		t.Fatalf("queue: %v %+v", err, rs)
	}
	r := rs[0]
	if r.Kind != store.ReviewKindReview || r.CaseID != c.ID || r.DecisionID == "" || r.Text != "Hyran är fel i beslutet." || r.RequestedBy != "applicant" {
		t.Fatalf("request %+v", r)
	}
	if n, _ := e.cases.ReviewRequestCount(ctx, "0821"); n != 1 {
		t.Fatalf("queue count %d", n)
	}
	// A second request while one is open is a message that joins it.
	if err := e.wf.RequestReview(ctx, c.ID, pns[0], "Och barnbidraget."); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.cases.ReviewRequestCount(ctx, "0821"); n != 1 {
		t.Fatalf("queue count %d after a second request", n)
	}
	if ms, _ := e.cases.Messages(ctx, c.ID); len(ms) != 2 {
		t.Fatalf("%d messages", len(ms))
	}
	if n, _ := e.cases.ReviewRequestCount(ctx, "0880"); n != 0 {
		t.Fatalf("another municipality's count %d", n)
	}
	if got := auditActors(t, e, c.ID, store.ActionReviewRequested); len(got) != 1 || got[0] != "applicant" {
		t.Fatalf("review request audited as %v", got)
	}
	// The request reopens nothing.
	if got, _ := e.cases.Case(ctx, c.ID); got.State != c.State || got.Version != c.Version {
		t.Fatalf("the request changed the case: %s v%d", got.State, got.Version)
	}
	if err := e.wf.KeepDecision(ctx, r.ID, caseworker("hl-1"), ""); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("keep without a note: %v", err)
	}
	if err := e.wf.KeepDecision(ctx, r.ID, financialAssistant("ek-1"), "Rätt."); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("keep by a financial assistant: %v", err)
	}
	if err := e.wf.KeepDecision(ctx, r.ID, skalig.PersonActor("hl-9", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0880"}), "Rätt."); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("keep by another municipality: %v", err)
	}
	if err := e.wf.KeepDecision(ctx, r.ID, caseworker("hl-1"), "Hyran i beslutet är den i hyresavtalet."); err != nil {
		t.Fatal(err)
	}
	if err := e.wf.KeepDecision(ctx, r.ID, caseworker("hl-1"), "Igen."); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("keep twice: %v", err)
	}
	if n, _ := e.cases.ReviewRequestCount(ctx, "0821"); n != 0 {
		t.Fatalf("queue count %d after the resolution", n)
	}
	got, _ := e.cases.CaseReviewRequests(ctx, c.ID)
	if len(got) != 1 || got[0].Resolution != store.ResolutionKept || got[0].ResolvedBy != "caseworker:hl-1" || got[0].ResolvedAt.IsZero() {
		t.Fatalf("resolved request %+v", got)
	}
	if a := auditActors(t, e, c.ID, store.ActionReviewResolved); len(a) != 1 || a[0] != "caseworker:hl-1" {
		t.Fatalf("resolution audited as %v", a)
	}
	if !hasNotification(t, e, c.ID, workflow.RecordReviewResolved) {
		t.Fatal("the applicant is not told the decision stands")
	}
}

func hasNotification(t *testing.T, e *env, caseID, kind string) bool {
	t.Helper()
	rs, err := e.cases.Records(context.Background(), caseID, store.RecordNotification)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		var n struct{ Kind, Text string }
		if json.Unmarshal(r.Body, &n) == nil && n.Kind == kind && n.Text != "" {
			return true
		}
	}
	return false
}

func TestAppeal(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	cs, pns := decidedCases(t, e, 2)

	if _, err := e.wf.Appeal(ctx, cs[0].ID, pns[0], "  "); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("appeal without text: %v", err)
	}
	if _, err := e.wf.Appeal(ctx, cs[0].ID, skalig.PersonalNumber("199001012380"), "Fel."); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("appeal by a stranger: %v", err)
	}
	in, err := e.wf.Appeal(ctx, cs[0].ID, pns[0], "Jag överklagar: hyran är 6 500 kr, inte 5 500 kr.")
	if err != nil {
		t.Fatal(err)
	}
	if in.Late || in.NotifiedAt.IsZero() || in.Kind != store.ReviewKindAppeal {
		t.Fatalf("appeal in time: %+v", in)
	}
	if !hasNotification(t, e, cs[0].ID, workflow.RecordAppeal) {
		t.Fatal("the applicant is not told the appeal came in")
	}
	if _, err := e.wf.Appeal(ctx, cs[0].ID, pns[0], "Igen."); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("a second open appeal: %v", err)
	}
	if err := e.wf.KeepDecision(ctx, in.ID, caseworker("hl-1"), "Rätt."); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("keep an appeal without forwarding: %v", err)
	}
	if err := e.wf.RejectLateAppeal(ctx, in.ID, caseworker("hl-1"), "För sent."); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("reject an appeal in time as late: %v", err)
	}

	// Four weeks later: the appeal of the other case is late.
	e.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 28) }
	late, err := e.wf.AppealAs(ctx, cs[1].ID, skalig.ClientActor("sys", []string{"0821"}, skalig.DefaultClientActions), "Beslutet är fel.")
	if err != nil {
		t.Fatal(err)
	}
	if !late.Late {
		t.Fatalf("appeal after four weeks not late: %+v", late)
	}
	if rs, _ := e.cases.ReviewRequests(ctx, "0821"); len(rs) != 2 {
		t.Fatalf("queue %+v", rs)
	}
	if got := auditActors(t, e, cs[1].ID, store.ActionAppealReceived); len(got) != 1 || got[0] != "api:sys" {
		t.Fatalf("appeal audited as %v", got)
	}
	if _, err := e.wf.ForwardAppeal(ctx, late.ID, caseworker("hl-1"), ""); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("forward a late appeal without a note: %v", err)
	}
	if err := e.wf.RejectLateAppeal(ctx, late.ID, caseworker("hl-1"), "Beslutet delgavs 28 dagar före överklagandet."); err != nil {
		t.Fatal(err)
	}

	// The appeal in time goes to the court with the case file.
	if _, err := e.wf.ForwardAppeal(ctx, in.ID, financialAssistant("ek-1"), ""); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("forward by a financial assistant: %v", err)
	}
	b, err := e.wf.ForwardAppeal(ctx, in.ID, caseworker("hl-1"), "")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := e.cases.CaseDecision(ctx, cs[0].ID)
	if b.Decision.ID != d.ID || b.Decision.ReceiptHash != d.ReceiptHash || b.Appeal.Text != in.Text || len(b.Receipt) == 0 || b.Court != "förvaltningsrätten" {
		t.Fatalf("bundle %+v", b)
	}
	want, err := e.cases.ReceiptBody(ctx, d.ReceiptHash)
	if err != nil || !json.Valid(b.Receipt) || !bytes.Equal(b.Receipt, want) {
		t.Fatalf("receipt in the bundle is not the decision's: %v", err)
	}
	stored, err := e.wf.AppealBundleOf(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	var again appealfile.Bundle
	if err := json.Unmarshal(stored, &again); err != nil || again.Appeal.ID != in.ID || again.ForwardedBy != "caseworker:hl-1" {
		t.Fatalf("stored bundle: %v %+v", err, again.Appeal)
	}
	if !hasNotification(t, e, cs[0].ID, workflow.RecordAppealForwarded) {
		t.Fatal("the applicant is not told the appeal was forwarded")
	}
	if n, _ := e.cases.ReviewRequestCount(ctx, "0821"); n != 0 {
		t.Fatalf("queue count %d after both resolved", n)
	}
	if _, err := e.wf.ForwardAppeal(ctx, in.ID, caseworker("hl-1"), ""); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("forward twice: %v", err)
	}
}

// A decision waiting for a second signature is returned when the
// applicant withdraws: nobody can sign it afterwards.
func TestWithdrawReturnsAPendingProposal(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	fourEyes(t, e, false, true)
	cs, pns := waitingCases(t, e, 1)
	c := cs[0]
	res, err := reject(e.wf, c, skalig.ReasonKommuniceringUnnecessary)
	if err != nil || res.Proposal == nil {
		t.Fatalf("rejection under four eyes: %+v %v", res, err)
	}
	if err := e.wf.Withdraw(ctx, c.ID, pns[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wf.SignProposal(ctx, c.ID, caseworker("hl-2")); err == nil {
		t.Fatal("a proposal of a withdrawn case was signed")
	}
	if got := auditActors(t, e, c.ID, store.ActionApprovalClosed); len(got) != 1 || got[0] != "applicant" {
		t.Fatalf("proposal closed by %v", got)
	}
	if p, err := deskdb.New(e.db).PendingApproval(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("still pending: %+v %v", p, err)
	}
}
