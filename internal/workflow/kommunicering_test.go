package workflow_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// waitingCases submits applications of 0821 and returns those that
// wait for a person with a positive calculated aid, with their applicants.
func waitingCases(t *testing.T, e *env, n int) ([]*skalig.Case, []skalig.PersonalNumber) {
	t.Helper()
	ctx := context.Background()
	pns := map[string]skalig.PersonalNumber{}
	var ids []string
	for _, h := range demo.Generate(7, "0821", month, 40) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		pns[c.ID] = h.App.Members[0].PersonalNumber
	}
	e.run(t)
	var cs []*skalig.Case
	var out []skalig.PersonalNumber
	for _, id := range ids {
		c, _ := e.cases.Case(ctx, id)
		var calc casecalc.Calculation
		if c.State == skalig.StateAwaitingCaseworker && e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc) == nil &&
			calc.Output != nil && calc.Output.Aid > 0 && len(cs) < n {
			cs = append(cs, c)
			out = append(out, pns[id])
		}
	}
	if len(cs) < n {
		t.Fatalf("%d cases with a person, want %d", len(cs), n)
	}
	return cs, out
}

func reject(wf *workflow.Workflow, c *skalig.Case, exception string) (*workflow.DecisionResult, error) {
	return wf.Decide(context.Background(), workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: caseworker("hl-1"),
		Outcome: skalig.OutcomeRejected, Reasons: []string{"Inkomsterna täcker behoven."}, KommuniceringException: exception})
}

func fieldOf(err error) string {
	var se *skalig.Error
	if asSkaligError(err, &se) && len(se.Fields) > 0 {
		return se.Fields[0].Field
	}
	return ""
}

func TestKommunicering(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	strict := e.wf // FL 25 § applies by default
	cs, pns := waitingCases(t, e, 3)
	a, b, c := cs[0], cs[1], cs[2]

	// A rejection resting on register facts needs kommunicering or an exception.
	if _, err := reject(strict, a, ""); skalig.ErrorCode(err) != skalig.EINVALID || fieldOf(err) != "kommunicering_exception" {
		t.Fatalf("rejection without kommunicering: %v", err)
	}
	if _, err := reject(strict, a, "because"); skalig.ErrorCode(err) != skalig.EINVALID || fieldOf(err) != "kommunicering_exception" {
		t.Fatalf("rejection with an unknown exception: %v", err)
	}
	tomorrow := skalig.DateOf(time.Now().AddDate(0, 0, 1))
	due := skalig.DateOf(time.Now().AddDate(0, 0, 14))
	text := "Skatteverket uppger en lön på 24 000 kr i oktober."
	if err := e.wf.SendForComment(ctx, a.ID, a.Version, financialAssistant("ek-1"), text, due); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Fatalf("sent by a financial assistant: %v", err)
	}
	if err := e.wf.SendForComment(ctx, a.ID, a.Version, caseworker("hl-1"), text, skalig.DateOf(time.Now())); fieldOf(err) != "due" {
		t.Fatalf("deadline today: %v", err)
	}
	if err := e.wf.SendForComment(ctx, a.ID, a.Version, caseworker("hl-1"), " ", tomorrow); fieldOf(err) != "text" {
		t.Fatalf("no text: %v", err)
	}
	if err := e.wf.SendForComment(ctx, a.ID, a.Version, caseworker("hl-1"), text, due); err != nil {
		t.Fatal(err)
	}
	got, _ := e.cases.Case(ctx, a.ID)
	if got.State != skalig.StateAwaitingApplicant || !slices.Contains(got.RoutingReasons, skalig.ReasonKommuniceringSent) {
		t.Fatalf("after sending: %s %v", got.State, got.RoutingReasons)
	}
	if !hasNotification(t, e, a.ID, workflow.RecordKommunicering) {
		t.Fatal("the applicant is not told")
	}
	if _, err := reject(strict, got, ""); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("decision while waiting for the comment: %v", err)
	}
	if err := e.wf.AnswerComment(ctx, a.ID, skalig.PersonalNumber("199001012380"), "Fel."); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("answer by a stranger: %v", err)
	}
	if err := e.wf.AnswerComment(ctx, a.ID, pns[0], ""); fieldOf(err) != "text" {
		t.Fatalf("empty answer: %v", err)
	}
	if err := e.wf.AnswerComment(ctx, a.ID, pns[0], "Lönen gällde september; jag slutade den 30 september."); err != nil {
		t.Fatal(err)
	}
	if err := e.wf.AnswerComment(ctx, a.ID, pns[0], "Igen."); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("second answer: %v", err)
	}
	got, _ = e.cases.Case(ctx, a.ID)
	if got.State != skalig.StateAwaitingCaseworker || !slices.Contains(got.RoutingReasons, skalig.ReasonKommuniceringAnswered) {
		t.Fatalf("after the answer: %s %v", got.State, got.RoutingReasons)
	}
	// Communicated: the rejection may be made.
	if res, err := reject(strict, got, ""); err != nil || (res.Decision == nil && res.Proposal == nil) {
		t.Fatalf("rejection after kommunicering: %+v %v", res, err)
	}

	// No answer: the case comes back to a person when the deadline passed.
	if err := e.wf.SendForComment(ctx, b.ID, b.Version, caseworker("hl-1"), text, due); err != nil {
		t.Fatal(err)
	}
	e.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 16) }
	if _, err := e.db.SQL().Exec(`UPDATE jobs SET run_at = 0 WHERE kind = $1`, workflow.JobKommuniceringDue); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	got, _ = e.cases.Case(ctx, b.ID)
	if got.State != skalig.StateAwaitingCaseworker || !slices.Contains(got.RoutingReasons, skalig.ReasonKommuniceringExpired) {
		t.Fatalf("after the deadline: %s %v", got.State, got.RoutingReasons)
	}
	if got, _ := e.cases.Case(ctx, a.ID); got.State == skalig.StateAwaitingApplicant {
		t.Fatal("the answered case went back to the applicant")
	}

	// An exception of FL 25 § is recorded with the decision.
	res, err := reject(strict, c, skalig.ReasonKommuniceringUrgent)
	if err != nil || (res.Decision == nil && res.Proposal == nil) {
		t.Fatalf("rejection under an exception: %+v %v", res, err)
	}
	rs, _ := e.cases.Records(ctx, c.ID, workflow.RecordKommuniceringWaived)
	if len(rs) != 1 {
		t.Fatalf("%d waiver records", len(rs))
	}
}
