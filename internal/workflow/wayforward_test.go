package workflow_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/monthsim"
	"skalig/internal/payments"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/workflow"
)

// wayForwardChecks bounds the property test: each check is a fresh
// database with a few cases. -rapid.checks overrides it.
const wayForwardChecks = 10

// Every case can be closed: generated cases (demo households of every
// scenario, for December 2026 and January 2027, before any 2027
// parameters) go through a random sequence of actions of every actor
// (the robot; a caseworker deciding, rejecting, adjusting, proposing; a
// second caseworker signing or returning; the applicant uploading,
// writing, withdrawing, asking for omprövning, appealing; the decider
// changing, keeping or forwarding; the registers going down and up; an administrator
// approving the 2027 table (TEST DATA); time passing; a payment run and
// the bank's answer). After each action the money invariants hold
// (monthsim.Invariants). After the sequence, the municipality closes
// everything the way bench/month does (registers up, the 2027 table
// approved if it was not, caseworkers and applicants acting, payment runs,
// days passing), and then every case must be done: closed, withdrawn or
// paid, with the money invariants holding. A case that cannot be closed
// fails the test with its way-forward reason (monthsim.WayForward).
func TestEveryCaseHasAWayForward(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil {
		set := false
		flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
		if !set {
			old := f.Value.String()
			f.Value.Set(fmt.Sprint(wayForwardChecks))
			t.Cleanup(func() { f.Value.Set(old) })
		}
	}
	table := testYear2027(t, "official")
	ctx := context.Background()
	iteration := 0
	total := map[string]int{} // actions taken and refused, over every check
	defer func() { t.Logf("actions over %d checks: %v", iteration, total) }()
	rapid.Check(t, func(rt *rapid.T) {
		iteration++
		db := dbtest.Open(t) // the outer test's: one fresh database per check
		e, err := monthsim.New(ctx, monthsim.Config{DB: db, Start: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC),
			Registers: sim.New(sim.Config{Seed: 1}), RegisterDeadline: 12 * time.Hour,
			FourEyes: rapid.Bool().Draw(rt, "four_eyes"), Dir: t.TempDir(),
			Payments: payments.Policy{HoldAbove: skalig.Kronor(int64(rapid.SampledFrom([]int{0, 8000, 15000}).Draw(rt, "hold_above")))}})
		if err != nil {
			rt.Fatal(err)
		}
		seed := rapid.Uint64Range(1, 1<<20).Draw(rt, "seed")
		var ids []string
		for _, mo := range []skalig.Month{skalig.MonthOf(2026, 12), skalig.MonthOf(2027, 1)} {
			for _, h := range demo.Generate(seed, "0821", mo, rapid.IntRange(1, 8).Draw(rt, "households "+mo.String())) {
				c, _, err := e.WF.Submit(ctx, h.App)
				if err != nil {
					rt.Fatalf("submit %s: %v", h.Scenario, err)
				}
				ids = append(ids, c.ID)
			}
		}
		pick := func() string { return ids[rapid.IntRange(0, len(ids)-1).Draw(rt, "case")] }
		// withPerson picks a case waiting for a person, when there is one
		// (most actions are refused on others; pick covers those).
		withPerson := func() string {
			var in []string
			for _, id := range ids {
				if c, err := e.Cases.Case(ctx, id); err == nil && (c.State == skalig.StateAwaitingCaseworker || c.State == skalig.StateSampled || c.State == skalig.StateAwaitingApplicant) {
					in = append(in, id)
				}
			}
			if len(in) == 0 {
				return pick()
			}
			return in[rapid.IntRange(0, len(in)-1).Draw(rt, "case with a person")]
		}
		// tolerated: what the policy refuses (a stale version, a case
		// the robot moved on, an action not allowed now) is not a bug.
		tolerated := func(what string, err error) {
			switch code := skalig.ErrorCode(err); code {
			case "":
				total[what]++
				return
			case skalig.ECONFLICT, skalig.EFORBIDDEN, skalig.EINVALID, skalig.ENOTFOUND:
				total[what+" refused ("+code+")"]++
				return
			}
			rt.Fatalf("%s: %v", what, err)
		}
		must := func(what string, err error) {
			if err != nil {
				rt.Fatalf("%s: %v", what, err)
			}
		}
		paramsApproved := false
		steps := rapid.IntRange(1, 20).Draw(rt, "steps")
		for range steps {
			action := rapid.SampledFrom([]string{"robot", "caseworker", "caseworker round", "reject", "adjust housing",
				"return proposal", "upload", "message", "withdraw", "registers down", "registers up", "time",
				"payment run", "approve 2027", "review request", "appeal", "review round"}).Draw(rt, "action")
			switch action {
			case "robot":
				must(action, e.Drain(ctx))
			case "caseworker":
				_, err := e.Act(ctx, withPerson())
				tolerated(action, err)
			case "caseworker round":
				_, err := e.Work(ctx)
				tolerated(action, err)
			case "reject":
				id := withPerson()
				c, err := e.Cases.Case(ctx, id)
				must(action, err)
				_, err = e.WF.Decide(ctx, workflow.DecisionRequest{CaseID: id, Version: c.Version, Actor: e.Caseworkers[0],
					Outcome: skalig.OutcomeRejected, Reasons: []string{"Sökanden har inte styrkt sitt behov."}})
				tolerated(action, err)
			case "adjust housing":
				id := withPerson()
				c, err := e.Cases.Case(ctx, id)
				must(action, err)
				facts, err := e.Cases.Facts(ctx, id)
				must(action, err)
				person := ""
				for _, f := range facts {
					if f.Kind == skalig.KindCostPrefix+"housing" {
						person = f.PersonID
					}
				}
				rent := skalig.Kronor(int64(rapid.IntRange(2000, 14000).Draw(rt, "rent")))
				who := e.Caseworkers[rapid.IntRange(0, 1).Draw(rt, "adjuster")]
				_, err = e.WF.AdjustFacts(ctx, id, c.Version, who, []skalig.Fact{{Kind: skalig.KindCostPrefix + "housing",
					PersonID: person, Value: skalig.AmountValue(rent)}}, "Hyresavin visar en annan hyra")
				tolerated(action, err)
			case "return proposal":
				id := withPerson()
				for _, cand := range ids {
					if _, err := e.Desk.PendingApproval(ctx, cand); err == nil {
						id = cand
					}
				}
				tolerated(action, e.WF.ReturnProposal(ctx, id, e.Caseworkers[2], "Motivera beslutet bättre."))
			case "upload":
				_, err := e.Upload(ctx, withPerson())
				tolerated(action, err)
			case "message":
				tolerated(action, e.Message(ctx, pick()))
			case "withdraw":
				_, err := e.Withdraw(ctx, pick())
				tolerated(action, err)
			case "registers down":
				e.Regs.SetDown(true)
			case "registers up":
				e.Regs.SetDown(false)
			case "time":
				must(action, e.PassTime(ctx, time.Duration(rapid.IntRange(1, 72).Draw(rt, "hours"))*time.Hour))
			case "payment run":
				must(action, e.PaymentRun(ctx, func(*store.Payment) bool { return rapid.IntRange(0, 3).Draw(rt, "bank returns") == 0 }))
			case "review request", "appeal":
				_, err := e.RequestReview(ctx, pick(), action == "appeal")
				tolerated(action, err)
			case "review round":
				_, err := e.Review(ctx)
				tolerated(action, err)
			case "approve 2027":
				if !paramsApproved {
					must(action, e.ApproveParams(ctx, "riksnorm-2027-TESTDATA.tsv", table))
					paramsApproved = true
				}
			}
			// The robot works all the time; unless the action was its
			// own, it catches up before the next one (half the time).
			if rapid.Bool().Draw(rt, "robot catches up") {
				must("robot", e.Drain(ctx))
			}
			bad, err := e.Invariants(ctx)
			must("invariants", err)
			if len(bad) > 0 {
				rt.Fatalf("after %s: money invariants violated:\n%s", action, strings.Join(bad, "\n"))
			}
		}

		// The municipality closes every case.
		e.Regs.SetDown(false)
		if !paramsApproved {
			must("approve 2027", e.ApproveParams(ctx, "riksnorm-2027-TESTDATA.tsv", table))
		}
		for round := 0; round < 12; round++ {
			must("robot", e.Drain(ctx))
			_, err := e.Work(ctx)
			must("caseworker round", err)
			must("robot", e.Drain(ctx))
			_, err = e.Answer(ctx, nil)
			must("applicants", err)
			_, err = e.Review(ctx)
			must("review round", err)
			must("robot", e.Drain(ctx))
			must("payment run", e.PaymentRun(ctx, nil))
			if allDone(rt, e, ids) {
				break
			}
			must("time", e.PassTime(ctx, 24*time.Hour))
		}
		r, err := e.Check(ctx)
		must("check", err)
		var open []string
		for _, id := range ids {
			c, err := e.Cases.Case(ctx, id)
			must("case", err)
			if !monthsim.Done(c.State) {
				ok, why, err := e.WayForward(ctx, c)
				must("way forward", err)
				open = append(open, fmt.Sprintf("%s %s %s %v (way forward %v %s)", id, c.Month, c.State, c.RoutingReasons, ok, why))
			}
		}
		if len(open) > 0 {
			rt.Fatalf("cases not closed after the municipality closed everything:\n%s", strings.Join(open, "\n"))
		}
		if len(r.Money) > 0 {
			rt.Fatalf("money invariants violated:\n%s", strings.Join(r.Money, "\n"))
		}
		var pays int
		must("payments", db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM payments WHERE status = $1`, string(store.PaymentExecuted)).Scan(&pays))
		for k, v := range e.Stats {
			total["monthsim: "+k] += v
		}
		for st, v := range r.ByState {
			total["final state "+string(st)] += v
		}
		total["payments executed"] += pays
	})
}

// allDone reports whether every case of ids is done.
func allDone(rt *rapid.T, e *monthsim.Env, ids []string) bool {
	for _, id := range ids {
		c, err := e.Cases.Case(context.Background(), id)
		if err != nil {
			rt.Fatal(err)
		}
		if !monthsim.Done(c.State) {
			return false
		}
	}
	return true
}
