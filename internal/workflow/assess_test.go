package workflow

import (
	"context"
	"slices"
	"testing"
	"time"

	"skalig"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/payments"
	"skalig/internal/registry/sim"
	"skalig/internal/routing"
	"skalig/internal/store"
	"skalig/internal/workflow/step"
)

// The robot's step is a pure function: these tests run it without a
// database, on demo households whose register answers come from the
// simulator, as the fetch job would have stored them.

var stepMonth = skalig.MonthOf(2026, 11)

// stepMunicipal is the embedded municipal configuration with the routing
// configuration of stepMonth's sample rate set.
type stepMunicipal struct {
	*municipal.Set
	rc *routing.Config
}

// sampling returns the embedded configuration with sample rate rate (0: no
// sample draw).
func sampling(t testing.TB, mun *municipal.Set, rate float64) stepMunicipal {
	t.Helper()
	rc, err := mun.Routing("0821", stepMonth)
	if err != nil {
		t.Fatal(err)
	}
	s := rc.Spec()
	s.SampleRate, s.SampleSeed = rate, "stickprov-test-1"
	if rc, err = routing.New(s); err != nil {
		t.Fatal(err)
	}
	return stepMunicipal{Set: mun, rc: rc}
}

func (m stepMunicipal) Routing(string, skalig.Month) (*routing.Config, error) { return m.rc, nil }

// noParams is a parameter source without the month's year, which counts
// approvals (as paramdb.Source does).
type noParams struct{ p *params.Params }

func (n noParams) At(skalig.Month) (*params.Set, error) { return n.p.At(skalig.MonthOf(1990, 1)) }
func (n noParams) Mark() int64                          { return 7 }

// brokenParams is a parameter source that fails.
type brokenParams struct{}

func (brokenParams) At(skalig.Month) (*params.Set, error) {
	return nil, skalig.Errorf(skalig.EINTERNAL, "parametrarna kunde inte läsas")
}

// stepInput is the input of the step for the application app of scenario
// sc, with every register answer in.
func stepInput(t testing.TB, app *skalig.Application) *step.Input {
	t.Helper()
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := &skalig.Case{ID: "case-0001", Municipality: app.Municipality, Kind: app.Kind, Month: app.Month,
		State: skalig.StateFetching, Version: 2}
	rc, err := mun.Routing(c.Municipality, c.Month)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	facts := slices.Clone(app.Facts)
	regs := sim.New(sim.Config{Seed: 1})
	for _, m := range app.Members {
		sources := sourcesFor(m, c.Month, rc.Registers())
		if len(sources) == 0 {
			continue
		}
		ans, err := regs.Fetch(context.Background(), skalig.RegisterRequest{CaseID: c.ID, Person: m.PersonalNumber, PersonID: m.ID,
			From: c.Month, To: c.Month, Sources: sources, Purpose: "test", Caseworker: "system"})
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range ans.Parts {
			if part.Err != nil {
				t.Fatalf("%s: %v", part.Source, part.Err)
			}
			for _, f := range part.Facts {
				f.PersonID = m.ID
				facts = append(facts, f)
			}
			status := skalig.RegisterAnswered
			if part.UnknownPerson {
				status = skalig.RegisterUnknownPerson
			}
			facts = append(facts, statusFact(m.ID, part.Source, c.Month, status, ans.EvidenceRef, now))
		}
	}
	for i := range facts {
		if facts[i].At.IsZero() { // declared: stored when submitted
			facts[i].At = now.Add(-time.Hour)
		}
		facts[i].At = facts[i].At.UTC().Truncate(time.Microsecond)
	}
	return &step.Input{Case: c, Members: app.Members, Facts: facts, Now: now, Params: p,
		Municipal: sampling(t, mun, 0), History: step.History{Requested: []string{}}}
}

func scenario(t *testing.T, sc demo.Scenario) *skalig.Application {
	t.Helper()
	return demo.GenerateScenario(1, "0821", stepMonth, sc, 1)[0].App
}

func TestAssess(t *testing.T) {
	certificate := step.DocumentRequestTexts[skalig.ReasonMedicalCertificateMissing]
	for _, tt := range []struct {
		name  string
		app   func(t *testing.T) *skalig.Application
		setup func(t *testing.T, in *step.Input)
		// want
		states    []skalig.CaseState
		route     routing.Route
		reason    string // a routing reason the case gets
		decided   skalig.Outcome
		payment   skalig.PaymentStatus
		requests  int
		jobs      []string
		needs     step.Needs
		calcError bool
		mark      bool
	}{{
		name: "AutoApproval", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Plain) },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAutoDecided, skalig.StateDecided, skalig.StateNotified},
		route:  routing.RouteDecide, decided: skalig.OutcomeApproved, payment: skalig.PaymentOrdered,
	}, {
		name: "AutoApprovalHeldAboveLimit", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Plain) },
		setup:  func(t *testing.T, in *step.Input) { in.Payments = payments.Policy{HoldAbove: skalig.Kronor(1)} },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAutoDecided, skalig.StateDecided, skalig.StateNotified},
		route:  routing.RouteDecide, decided: skalig.OutcomeApproved, payment: skalig.PaymentHeld,
	}, {
		name: "AutoApprovalNeedsAccountHistory", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Plain) },
		setup: func(t *testing.T, in *step.Input) { in.Payments = payments.Policy{AccountChangeDays: 30} },
		needs: step.NeedAccount,
	}, {
		name: "AutoApprovalWithoutAccount", app: func(t *testing.T) *skalig.Application {
			app := scenario(t, demo.Plain)
			app.Facts = slices.DeleteFunc(app.Facts, func(f skalig.Fact) bool { return f.Kind == skalig.KindPaymentAccount })
			return app
		},
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAutoDecided, skalig.StateDecided, skalig.StateNotified},
		route:  routing.RouteDecide, decided: skalig.OutcomeApproved, jobs: []string{JobPay},
	}, {
		name: "ToAPersonWithReasons", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Eviction) },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAwaitingCaseworker},
		route:  routing.RouteException, reason: "social_risk",
	}, {
		name: "SampleDrawn", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Plain) },
		setup:  func(t *testing.T, in *step.Input) { in.Municipal = sampling(t, in.Municipal.(stepMunicipal).Set, 1) },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateSampled},
		route:  routing.RouteSample, reason: skalig.ReasonSample,
	}, {
		name: "ParametersMissing", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Plain) },
		setup:  func(t *testing.T, in *step.Input) { in.Params = noParams{in.Params.(*params.Params)} },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAwaitingCaseworker},
		route:  routing.RouteException, reason: skalig.ReasonParametersMissing, calcError: true, mark: true,
	}, {
		name: "CalculationFailed", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Plain) },
		setup:  func(t *testing.T, in *step.Input) { in.Params = brokenParams{} },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAwaitingCaseworker},
		route:  routing.RouteException, reason: skalig.ReasonCalculationFailed, calcError: true,
	}, {
		name: "ReformAsksForCertificate", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Sick) },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAwaitingApplicant},
		route:  routing.RouteException, reason: skalig.ReasonMedicalCertificateMissing, requests: 1, jobs: []string{JobDocumentsDue},
	}, {
		name: "ReformAskedBefore", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Sick) },
		setup:  func(t *testing.T, in *step.Input) { in.History.Requested = []string{certificate} },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAwaitingCaseworker},
		route:  routing.RouteException, reason: skalig.ReasonMedicalCertificateMissing,
	}, {
		name: "ReformNeedsRequestsRead", app: func(t *testing.T) *skalig.Application { return scenario(t, demo.Sick) },
		setup: func(t *testing.T, in *step.Input) { in.History.Requested = nil },
		needs: step.NeedRequests,
	}, {
		// The certificate shown by an upload: the robot decides on it only
		// once a person has opened the document.
		name: "UploadNeedsReadsRead", app: uploadedCertificate,
		needs: step.NeedReads,
	}, {
		name: "UploadUnread", app: uploadedCertificate,
		setup:  func(t *testing.T, in *step.Input) { in.History.ReadUploads = map[string]bool{"other": true} },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAwaitingCaseworker},
		route:  routing.RouteDecide,
	}, {
		name: "UploadRead", app: uploadedCertificate,
		setup:  func(t *testing.T, in *step.Input) { in.History.ReadUploads = map[string]bool{"doc-1": true} },
		states: []skalig.CaseState{skalig.StateCalculated, skalig.StateAutoDecided, skalig.StateDecided, skalig.StateNotified},
		route:  routing.RouteDecide, decided: skalig.OutcomeApproved, payment: skalig.PaymentOrdered,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			in := stepInput(t, tt.app(t))
			if tt.setup != nil {
				tt.setup(t, in)
			}
			o, err := step.Assess(in)
			if err != nil {
				t.Fatal(err)
			}
			if o.Needs != tt.needs {
				t.Fatalf("Needs=%d, want %d", o.Needs, tt.needs)
			}
			if tt.needs != 0 {
				return
			}
			if !slices.Equal(o.States, tt.states) || o.State != tt.states[len(tt.states)-1] {
				t.Errorf("States=%v State=%s, want %v", o.States, o.State, tt.states)
			}
			if o.Routing.Outcome.Route != tt.route {
				t.Errorf("Route=%s, want %s (reasons %v)", o.Routing.Outcome.Route, tt.route, o.Routing.Outcome.Codes())
			}
			if tt.reason != "" && !slices.Contains(o.Routing.Outcome.Codes(), tt.reason) {
				t.Errorf("Reasons=%v, want %s", o.Routing.Outcome.Codes(), tt.reason)
			}
			if (o.Calculation.Output == nil) != tt.calcError {
				t.Errorf("Calculation.Output=%v Error=%q, want failed %v", o.Calculation.Output != nil, o.Calculation.Error, tt.calcError)
			}
			if got := o.Step().ParamsMark; (got != nil) != tt.mark || (got != nil && *got != 7) {
				t.Errorf("ParamsMark=%v, want set %v", got, tt.mark)
			}
			if o.State == skalig.StateAwaitingCaseworker && tt.route == routing.RouteDecide {
				last := o.Step().Parts[len(o.Step().Parts)-1]
				if !slices.Equal(last.Reasons, []string{skalig.ReasonUploadUnread}) {
					t.Errorf("to a person with %v, want %s", last.Reasons, skalig.ReasonUploadUnread)
				}
			}
			checkDecision(t, o, in, tt.decided)
			if tt.payment == "" && o.Payment != nil || tt.payment != "" && (o.Payment == nil || o.Payment.Status != tt.payment) {
				t.Errorf("Payment=%+v, want status %q", o.Payment, tt.payment)
			}
			if len(o.Requests) != tt.requests {
				t.Errorf("Requests=%d, want %d", len(o.Requests), tt.requests)
			}
			if !slices.Equal(o.Jobs, tt.jobs) {
				t.Errorf("Jobs=%v, want %v", o.Jobs, tt.jobs)
			}
			wantNotices := tt.requests
			if o.Decision != nil {
				wantNotices++
			}
			if len(o.Notices) != wantNotices {
				t.Errorf("Notices=%+v, want %d", o.Notices, wantNotices)
			}
			// Every adult without history gets an aid-months fact,
			// written before the calculation that cites it.
			if len(o.AidFacts) == 0 {
				t.Errorf("AidFacts empty, want one per adult")
			}
			again, err := step.Assess(in)
			if err != nil || again.State != o.State || len(again.Step().Parts) != len(o.Step().Parts) {
				t.Errorf("Assess again: State=%s parts %d (err %v), want the same outcome", again.State, len(again.Step().Parts), err)
			}
		})
	}
}

// uploadedCertificate is demo.Sick whose läkarintyg covering the month is
// shown by the upload "doc-1" (as Workflow.Upload records it).
func uploadedCertificate(t *testing.T) *skalig.Application {
	app := scenario(t, demo.Sick)
	first, last := stepMonth.First(), skalig.Date{Y: int16(stepMonth.Year()), M: int8(stepMonth.Num()), D: int8(stepMonth.Days())}
	for kind, v := range map[string]string{skalig.KindMedicalCertFrom: first.String(), skalig.KindMedicalCertTo: last.String()} {
		app.Facts = append(app.Facts, skalig.Fact{Kind: kind, PersonID: "p1", Period: stepMonth, Value: skalig.TextValue(v),
			Source: skalig.SourceApplicant, Evidence: step.UploadEvidencePrefix + "doc-1"})
	}
	return app
}

func checkDecision(t *testing.T, o *step.Outcome, in *step.Input, want skalig.Outcome) {
	t.Helper()
	if want == "" {
		if o.Decision != nil || o.Receipt != nil {
			t.Errorf("Decision=%+v, want none", o.Decision)
		}
		return
	}
	d := o.Decision
	if d == nil || d.Outcome != want || !d.DecidedBy.IsAutomated() || d.Amount != o.Calculation.Output.Aid {
		t.Fatalf("Decision=%+v, want %s of the calculated aid, automated", d, want)
	}
	if o.Receipt == nil || o.Receipt.Hash == "" || o.Receipt.Amount != d.Amount || o.Receipt.CalculatedOn != skalig.DateOf(in.Now) {
		t.Errorf("Receipt=%+v, want sealed, of the decision, calculated on %s", o.Receipt, skalig.DateOf(in.Now))
	}
	if o.Payment != nil && (o.Payment.Amount != d.Amount || o.Payment.PayOn != skalig.DateOf(in.Now) || o.Payment.Account == "") {
		t.Errorf("Payment=%+v, want the decided amount on %s", o.Payment, skalig.DateOf(in.Now))
	}
}

// The fetch that leaves a case waiting keeps the answers that came and
// moves a submitted case to fetching; nothing is assessed.
func TestFetchedWaits(t *testing.T) {
	in := stepInput(t, scenario(t, demo.Plain))
	in.Case.State = skalig.StateSubmitted
	in.Fetched = in.Facts[len(in.Facts)-2:]
	in.Evidence = []store.Evidence{{Ref: "sha256:00", MediaType: "application/soap+xml", Body: []byte("<x/>")}}
	o := step.Fetched(in)
	st := o.Step()
	if o.Calculation != nil || !slices.Equal(o.States, []skalig.CaseState{skalig.StateFetching}) || len(st.Parts) != 2 || len(st.Evidence) != 1 {
		t.Errorf("Outcome States=%v parts %d evidence %d, want fetching with the facts and the evidence", o.States, len(st.Parts), len(st.Evidence))
	}
}

// BenchmarkAssess is the robot's step on an auto-approved household,
// without the database: what the fetch job spends between its reads and
// its write.
func BenchmarkAssess(b *testing.B) {
	in := stepInput(b, demo.GenerateScenario(1, "0821", stepMonth, demo.Plain, 1)[0].App)
	for b.Loop() {
		if o, err := step.Assess(in); err != nil || o.Decision == nil {
			b.Fatalf("Assess: %v, decision %v", err, o.Decision)
		}
	}
}

// BenchmarkAssessNeedsAccount is the first of the two assessments of a
// case whose payment control needs the account's history (the default
// configuration): it stops before the receipt is sealed.
func BenchmarkAssessNeedsAccount(b *testing.B) {
	in := stepInput(b, demo.GenerateScenario(1, "0821", stepMonth, demo.Plain, 1)[0].App)
	in.Payments = payments.Policy{AccountChangeDays: 30}
	for b.Loop() {
		if o, err := step.Assess(in); err != nil || o.Needs != step.NeedAccount {
			b.Fatalf("Assess: %v, needs %v", err, o.Needs)
		}
	}
}
