package workflow_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/payments"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecalc"
)

var month = skalig.MonthOf(2026, 11)

// caseworker is a signed-in caseworker of 0821.
func caseworker(subject string) skalig.Actor {
	return skalig.PersonActor(subject, []skalig.StaffRole{skalig.StaffCaseworker}, []string{"0821"})
}

type env struct {
	db    *store.DB
	cases *store.CaseStore
	wf    *workflow.Workflow
	sim   *sim.Sim
	stop  func()
	// params and mun are the parameters and municipal configuration the
	// workflow was given.
	params *params.Params
	mun    *municipal.Set
}

func setup(t *testing.T, simCfg sim.Config, deadline time.Duration) *env {
	t.Helper()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(simCfg)
	wf, err := workflow.New(workflow.Config{
		Cases: cases, Params: p, Municipal: mun, Registers: s,
		RegisterDeadline: deadline, RegisterTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, cases: cases, wf: wf, sim: s, params: p, mun: mun}
}

// run runs the workers until no job is due any more (all cases rest in a
// state that waits for a person, or are done).
func (e *env) run(t *testing.T) {
	t.Helper()
	dbtest.RunJobs(t, e.db, e.wf.Run)
}

func TestDemoHouseholdsEndDecidedOrWithAPerson(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	hs := demo.Generate(1, "0821", month, 32)
	byCase := map[string]demo.Household{}
	for _, h := range hs {
		c, created, err := e.wf.Submit(ctx, h.App)
		if err != nil || !created {
			t.Fatalf("submit %s: created=%v err=%v", h.Scenario, created, err)
		}
		byCase[c.ID] = h
	}
	// A repeated submission returns the first case and makes no job.
	again := *hs[0].App
	c0, created, err := e.wf.Submit(ctx, &again)
	if err != nil || created {
		t.Fatalf("repeated submit: created=%v err=%v", created, err)
	}
	e.run(t)
	// The robot orders the payments; the bank's answer makes them paid.
	bankPays(t, e)

	paid := 0
	for id, h := range byCase {
		c, err := e.cases.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := map[demo.Scenario]string{
			demo.First: "first_application", demo.Eviction: "social_risk", demo.OtherNeed: "other_cost_claimed",
			demo.HighHousing: "housing_above_guideline", demo.IncomeDiffers: "income_differs",
			demo.Message: "message_to_caseworker",
		}[h.Scenario]
		switch {
		case want != "":
			if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, want) {
				t.Errorf("%s: state %s reasons %v, want awaiting_caseworker with %s", h.Scenario, c.State, c.RoutingReasons, want)
			}
		case h.Scenario == demo.Family:
			// Above the demo delegation's 12 000 kr for a changed month:
			// a proposal to a caseworker (or a sample).
			if c.State != skalig.StatePaid && c.State != skalig.StateSampled && !slices.Contains(c.RoutingReasons, "outside_delegation") {
				t.Errorf("%s: state %s reasons %v, want paid, sampled or a proposal", h.Scenario, c.State, c.RoutingReasons)
			}
		case h.Scenario == demo.Plain:
			if c.State != skalig.StatePaid && c.State != skalig.StateSampled {
				t.Errorf("%s: state %s reasons %v, want paid or sampled", h.Scenario, c.State, c.RoutingReasons)
			}
		case h.Scenario == demo.RegisterIssues:
			if c.State != skalig.StateAwaitingCaseworker {
				t.Errorf("%s: state %s, want awaiting_caseworker", h.Scenario, c.State)
			}
		}
		if c.State == skalig.StatePaid {
			paid++
			p, err := e.cases.CasePayment(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := e.cases.CaseDecision(ctx, id)
			if p.Amount != d.Amount || !d.DecidedBy.IsAutomated() {
				t.Errorf("payment %v for decision %v by %v", p.Amount, d.Amount, d.DecidedBy)
			}
		}
	}
	if paid < 10 {
		t.Errorf("%d cases paid automatically, want at least 10 of 32", paid)
	}
	// The fetch assesses the case on the facts it holds in memory: the
	// calculation it kept must be the one the facts as stored give.
	for id := range byCase {
		var calc casecalc.Calculation
		if err := e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil {
			t.Fatal(err)
		}
		c, _ := e.cases.Case(ctx, id)
		app, err := e.cases.CaseApplication(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		facts, err := e.cases.Facts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		on, _ := skalig.ParseDate(calc.CalculatedOn)
		again, _ := json.Marshal(casecalc.CalculateWith(e.params, e.mun, c, app.Members, facts, on))
		kept, _ := json.Marshal(calc)
		if string(again) != string(kept) {
			t.Errorf("%s: the calculation kept differs from one on the stored facts:\n%s\n%s", id, kept, again)
		}
	}
	if c0.ID == "" {
		t.Fatal("no case from the repeated submission")
	}

	// A caseworker approves the first application as calculated.
	for id, h := range byCase {
		if h.Scenario != demo.First {
			continue
		}
		c, _ := e.cases.Case(ctx, id)
		var calc casecalc.Calculation
		if err := e.cases.LatestRecord(ctx, id, store.RecordCalculation, &calc); err != nil {
			t.Fatal(err)
		}
		if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: c.Version, Actor: caseworker("hl-1"),
			Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid + 1}); skalig.ErrorCode(err) != skalig.EINVALID {
			t.Fatalf("approve with a different amount: %v, want EINVALID", err)
		}
		res, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: c.Version, Actor: caseworker("hl-1"),
			Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid})
		if err != nil {
			t.Fatal(err)
		}
		d := res.Decision
		if d == nil || d.DecidedBy.Caseworker != "hl-1" {
			t.Fatalf("decided by %v", d.DecidedBy)
		}
		if _, err := e.wf.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: c.Version + 1, Actor: caseworker("hl-2"),
			Outcome: skalig.OutcomeApproved, Amount: calc.Output.Aid}); skalig.ErrorCode(err) != skalig.ECONFLICT {
			t.Fatalf("second decision: %v, want ECONFLICT", err)
		}
	}
	e.run(t)

	// One decision per case, every decision replays identically, and the
	// audit chain holds.
	ids, err := e.cases.DecisionIDs(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var dup int
	e.db.SQL().QueryRow(`SELECT COUNT(*) - COUNT(DISTINCT case_id) FROM decisions`).Scan(&dup)
	if dup != 0 {
		t.Fatalf("%d duplicate decisions", dup)
	}
	for _, id := range ids {
		rep, err := e.wf.Replay(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Identical {
			t.Errorf("replay of %s: %v", id, rep.Differences)
		}
	}
	if bad, err := audittest.Verify(ctx, e.db.SQL()); err != nil || bad != 0 {
		t.Fatalf("audit verify: %v %v", bad, err)
	}
}

// A register that never answers: the case waits for it, then goes to a
// person naming it, and is never decided as if it had answered "nothing".
func TestRegisterDownGoesToAPersonAfterTheDeadline(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1, Faults: map[string]sim.Faults{skalig.RegisterFK: {Error: 1}}}, 1500*time.Millisecond)
	ctx := context.Background()
	h := demo.Generate(1, "0821", month, 1)[0]
	c, _, err := e.wf.Submit(ctx, h.App)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, "register_unavailable") {
		t.Fatalf("state %s reasons %v, want awaiting_caseworker with register_unavailable", c.State, c.RoutingReasons)
	}
	facts, _ := e.cases.Facts(ctx, c.ID)
	failed := 0
	for _, f := range facts {
		if f.Source == skalig.RegisterSource(skalig.RegisterFK) {
			t.Fatalf("a fact from the failed source: %+v", f)
		}
		if f.Kind == skalig.RegisterStatusKind(skalig.RegisterFK) && f.Value.Text == skalig.RegisterFailed {
			// The evidence keeps the last error in Swedish, and reads back
			// as its Detail for a page in another language.
			failed++
			_, text, _ := strings.Cut(strings.TrimPrefix(f.Evidence, skalig.FetchEvidencePrefix), ": ")
			if d, ok := skalig.FetchEvidenceDetail(f.Evidence); !ok || d.Swedish() != text || text == "" {
				t.Errorf("evidence %q reads as %+v, %v", f.Evidence, d, ok)
			}
		}
	}
	if failed == 0 {
		t.Error("no failed status fact for Försäkringskassan")
	}
	if _, err := e.cases.CaseDecision(ctx, c.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("decision: %v, want none", err)
	}
}

func TestBuildInputPrecedence(t *testing.T) {
	pn := sim.TestPersonnummer(3)
	members := []skalig.Member{{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant}}
	f := func(kind string, src skalig.FactSource, m int64) skalig.Fact {
		return skalig.Fact{Kind: kind, PersonID: "p1", Period: month, Value: skalig.AmountValue(skalig.Kronor(m)), Source: src}
	}
	facts := []skalig.Fact{
		f("income.pension", skalig.SourceApplicant, 9000),
		f("income.pension", skalig.RegisterSource("fk"), 9500),
		f("income.sickness_benefit", skalig.SourceApplicant, 1000), // no register figure: declared counts
		f("income.salary_net", skalig.SourceApplicant, 3000),
		f("income.salary_net", skalig.SourceCaseworker, 2500),
		f("income.salary_net", skalig.RegisterSource("skv"), 4000),
		{Kind: "income.pension", PersonID: "p1", Period: month - 1, Value: skalig.AmountValue(skalig.Kronor(1)), Source: skalig.SourceApplicant},
	}
	in, used, err := casecalc.BuildInput(month, members, facts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]skalig.Money{}
	for _, inc := range in.Incomes {
		got[inc.Kind.String()] += inc.Amount
	}
	want := map[string]skalig.Money{"pension": skalig.Kronor(9500), "sickness_benefit": skalig.Kronor(1000), "salary_net": skalig.Kronor(2500)}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	in2, used2, err := casecalc.BuildInput(month, members, used)
	if err != nil || len(in2.Incomes) != len(in.Incomes) || len(used2) != len(used) {
		t.Fatalf("BuildInput on the used facts differs: %v %d %d", err, len(used2), len(used))
	}
}

// Casework: a document request and its upload, an adjustment that
// recalculates, a message; the case comes back to a person each time.
func TestCasework(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	var first *skalig.Case
	for _, h := range demo.Generate(1, "0821", month, 4) {
		c, _, err := e.wf.Submit(ctx, h.App)
		if err != nil {
			t.Fatal(err)
		}
		if h.Scenario == demo.First {
			first = c
		}
	}
	e.run(t)
	c, _ := e.cases.Case(ctx, first.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("first application in %s", c.State)
	}
	due := skalig.DateOf(time.Now().AddDate(0, 0, 14))
	if _, err := e.wf.RequestDocuments(ctx, c.ID, c.Version, "hl-1", "", due); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("request without text: %v", err)
	}
	req, err := e.wf.RequestDocuments(ctx, c.ID, c.Version, "hl-1", "Hyresavtal och kontoutdrag för oktober.", due)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingApplicant {
		t.Fatalf("after the request: %s", c.State)
	}
	if _, err := e.wf.Upload(ctx, c.ID, req.ID, "applicant", "hyresavtal.pdf", "application/pdf", []byte("<html>not a pdf")); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("upload of HTML named .pdf: %v, want EINVALID", err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	d, err := e.wf.Upload(ctx, c.ID, req.ID, "applicant", "hyresavtal.pdf", "", pdf)
	if err != nil || d.MediaType != "application/pdf" {
		t.Fatalf("upload: %v %+v", err, d)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonDocumentsReceived) {
		t.Fatalf("after the upload: %s %v", c.State, c.RoutingReasons)
	}
	if _, err := e.wf.Message(ctx, c.ID, "caseworker:hl-1", "Tack, vi har fått hyresavtalet."); err != nil {
		t.Fatal(err)
	}
	if ms, _ := e.cases.Messages(ctx, c.ID); len(ms) != 1 {
		t.Fatalf("%d messages", len(ms))
	}
	rent := skalig.Fact{Kind: skalig.KindCostPrefix + "housing", Value: skalig.AmountValue(skalig.Kronor(3000))}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-1"), []skalig.Fact{rent}, ""); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("adjust without reason: %v", err)
	}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-1"), []skalig.Fact{rent}, "Hyresavtalet visar 3 000 kr."); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("after the adjustment: %s %v", c.State, c.RoutingReasons)
	}
	var calc casecalc.Calculation
	e.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc)
	found := false
	for _, l := range calc.Output.Trace {
		if l.Item == "housing" && l.Amount == skalig.Kronor(3000) && l.Source == "caseworker" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the recalculation does not use the caseworker's housing cost: %+v", calc.Output.Trace)
	}
}

// bankPays sends every ordered payment to the bank in one payment run and
// imports the simulated bank's answer that all of them were paid out: the
// cases whose payment the robot ordered become paid.
func bankPays(t *testing.T, e *env) {
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
	answer, err := payments.SimulatedNotification(r, ps, payments.Debtor{IBAN: "SE4550000000058398257466"}, e.db.Clock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, answer, "test"); err != nil {
		t.Fatalf("import bank answer: %v", err)
	}
}
