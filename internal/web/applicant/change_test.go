package applicant

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/payments"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

// A paid decision changed on the caseworker's own initiative to the
// applicant's disadvantage: Mina sidor shows the kommunicering before the
// change and takes the answer; then the change, with the overpaid amount,
// in Swedish and in English.
func TestChangedDecisionOnMinaSidor(t *testing.T) {
	e := newAppEnv(t)
	ctx := context.Background()
	elin := devidp.ElinExempelsson
	c := e.apply(elin, single)
	e.run()
	c, _ = e.cases.Case(ctx, c.ID)
	hl := skalig.PersonActor("hl-1", []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
	var calc casecalc.Calculation
	if err := e.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil || calc.Output == nil || calc.Output.Aid < skalig.Kronor(1000) {
		t.Fatalf("calculation: %v", err)
	}
	if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version, Actor: hl,
		Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); err != nil {
		t.Fatal(err)
	}
	e.run()
	debtor := payments.Debtor{Name: "Testkommunen", IBAN: "SE4550000000058398257466"}
	svc := payments.New(payments.Config{Cases: e.cases, Debtor: debtor})
	_, run, err := svc.Run(ctx, t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := paymentdb.New(e.cases).RunPayments(ctx, run.ID)
	answer, err := payments.SimulatedNotification(run, ps, debtor, e.db.Clock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, answer, "test"); err != nil {
		t.Fatal(err)
	}
	if c, _ = e.cases.Case(ctx, c.ID); c.State != skalig.StatePaid {
		t.Fatalf("case %s, want paid", c.State)
	}
	if err := e.wf.SendForComment(ctx, c.ID, c.Version, hl, "Lönebesked visar 500 kr i lön i november.", skalig.DateOf(time.Now().AddDate(0, 0, 7))); err != nil {
		t.Fatal(err)
	}
	page := e.get(elin, CasePathPrefix+c.ID)
	if !strings.Contains(page, "Du får yttra dig innan beslutet ändras") || !strings.Contains(page, "500 kr i lön") {
		t.Fatal("the case page does not show the kommunicering before the change")
	}
	if got := e.post(elin, CasePathPrefix+c.ID+"/yttrande", url.Values{"comment_text": {"Lönen kom i december."}}); !strings.Contains(got, "skickat=yttrande") {
		t.Fatalf("comment: to %s", got)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	lower := calc.Output.Aid - skalig.Kronor(500)
	if _, err := e.wf.ChangeDecision(ctx, workflow.ChangeRequest{CaseID: c.ID, Version: c.Version, Actor: hl, Outcome: skalig.OutcomePartlyApproved,
		Amount: lower, Note: "Lönen i november räknas som inkomst.", Reasons: []string{"Lönen räknas."}, Ground: skalig.ReasonChangeWrongInformation}); err != nil {
		t.Fatal(err)
	}
	page = e.get(elin, CasePathPrefix+c.ID)
	for _, want := range []string{"Beslutet har ändrats", "prövat beslutet om försörjningsstöd", "Lönen i november räknas som inkomst.", "mer än det nya beslutet"} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(page, "Du får yttra dig innan beslutet ändras") {
		t.Error("the answered kommunicering is still offered")
	}
	page = e.get(elin, CasePathPrefix+c.ID+"?lang=en")
	if !strings.Contains(page, "The decision has been changed") || !strings.Contains(page, "looked at the decision on financial assistance") {
		t.Error("the change is not told in English")
	}
}
