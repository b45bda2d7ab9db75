// Package step is the robot's step as a value. When a case's register
// answers are in, the workflow's job (fetch, or calculate after a parameter
// approval) reads the case, its facts and the household's history, calls
// Assess, and hands the Outcome (the calculation, the route, the automated
// decision with its receipt and notification, the payment order, the
// document requests) to the store, which writes it in one transaction
// (store.CaseStore.ApplyStep):
//
//	fetch job ─ reads ─▶ Input ─ Assess ─▶ Outcome ─ Outcome.Step ─▶ store.CaseStore.ApplyStep
//
// Assess reads no clock, database or network: the time is Input.Now, and
// the parameters and the municipal configuration are the in-memory
// sources the workflow was given.
package step

import (
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/internal/payments"
	"skalig/internal/routing"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// Input is what the robot's step decides on, all of it read before.
type Input struct {
	// Case is the case as read (fetching, or submitted when this fetch
	// is its first); Members are its application's.
	Case    *skalig.Case
	Members []skalig.Member
	// Facts are every fact of the case in stored order, with Fetched
	// (the register answers this fetch brings, not yet stored) last.
	Facts    []skalig.Fact
	Fetched  []skalig.Fact
	Evidence []store.Evidence
	History  History
	Now      time.Time

	Params    casecalc.ParamSource
	Municipal casecalc.Municipal
	Payments  payments.Policy
}

// History is what the step needs to know beyond the case: the household's
// earlier months of aid, and two things read only when the step says it
// needs them (Outcome.Needs), for they are seldom needed.
type History struct {
	// Granted are the adults' months with aid before the case's month,
	// oldest first; Previous is the last of them with its application's
	// facts (nil: none).
	Granted  []store.Granted
	Previous *routing.Previous
	// Persons are, by member id, the history of each adult who has no
	// aid-months fact for the month yet (see aidMonthFacts).
	Persons map[string]PersonHistory
	// Requested are the texts of the document requests the robot made
	// on the case before; nil: not read (NeedRequests).
	Requested []string
	// Account is the history of the account to pay to, for the payment
	// control; nil: not read (NeedAccount).
	Account *store.AccountHistory
	// ReadUploads are the ids of the case's uploaded documents that a
	// person has opened (the audit trail's reads of "document:<id>" by
	// staff); nil: not read (NeedReads).
	ReadUploads map[string]bool
}

// PersonHistory is one adult's months with aid before the case's month:
// from Skälig's decisions (Granted) and imported from the municipality's
// earlier system (Imported; Known when anything was imported).
type PersonHistory struct {
	Granted  []skalig.Month
	Imported []skalig.Month
	Known    bool
}

// Needs says what an Outcome needs read before it can be written.
type Needs int

const (
	NeedRequests Needs = 1 << iota // History.Requested: routing asks for a document
	NeedAccount                    // History.Account: a payment under a control that looks at the account's history
	NeedReads                      // History.ReadUploads: an automated decision would rest on an upload
)

// The jobs a step enqueues; the workflow handles them.
const (
	// JobPay orders the payment of a decision made without a known
	// account (the workflow's pay job looks again).
	JobPay = "pay"
)

// Outcome is what the robot makes of a case in one step: the calculation,
// the route with its reasons, the decision when delegated, the applicant's
// notifications, the payment order, the document requests and the jobs to
// run later, and the states the case goes through. Step gives the store's
// form, which keeps the order in which the parts are audited.
type Outcome struct {
	Case *skalig.Case
	// Needs, when not zero, says what History lacks for this outcome:
	// read it and assess again. Such an outcome is never written.
	Needs Needs
	// Calculation is nil when the register answers are not all in (the
	// step keeps the answers that came and the case waits).
	Calculation *casecalc.Calculation
	AidFacts    []skalig.Fact
	Routing     casecalc.RoutingRecord
	Decision    *skalig.Decision
	Receipt     *skalig.Receipt
	Notices     []store.Notice
	Requests    []*store.DocumentRequest
	Payment     *store.Payment
	// Jobs are the kinds of jobs the step enqueues.
	Jobs []string
	// States are the states the case goes through, in order; State the
	// last (the case's state if it did not move).
	States []skalig.CaseState
	State  skalig.CaseState

	paramsMark *int64
	evidence   []store.Evidence
	parts      []store.StepPart
}

// Step is the outcome as the store writes it (store.CaseStore.ApplyStep).
func (o *Outcome) Step() *store.Step {
	return &store.Step{Case: o.Case, ParamsMark: o.paramsMark, Evidence: o.evidence, Parts: o.parts}
}

func (o *Outcome) move(to skalig.CaseState, actor string, reasons ...string) {
	o.parts = append(o.parts, store.StepPart{Actor: actor, Move: to, Reasons: reasons})
	o.States = append(o.States, to)
	o.State = to
}

func (o *Outcome) add(p store.StepPart) { o.parts = append(o.parts, p) }

// Fetched is the outcome of a fetch that leaves the case waiting for a
// register source: the answers that came are kept, and the case is
// fetching.
func Fetched(in *Input) *Outcome {
	o := &Outcome{Case: in.Case, State: in.Case.State, evidence: in.Evidence}
	if in.Case.State == skalig.StateSubmitted {
		o.move(skalig.StateFetching, "worker:fetch")
	}
	if len(in.Fetched) > 0 {
		o.add(store.StepPart{Actor: "worker:fetch", Facts: in.Fetched})
	}
	return o
}

// Assess is the robot's step on a case whose register answers are in:
// the household's months of aid as facts, the calculation, the route and,
// as routing says, the automated decision with its receipt, the
// notification and the payment order, or the requests for documents, or
// the case to a person. It is a pure function of in.
//
// Errors: only from sealing the decision's receipt.
func Assess(in *Input) (*Outcome, error) {
	c := in.Case
	o := Fetched(in)
	h := in.History
	o.AidFacts = aidMonthFacts(in.Params, c, in.Members, in.Facts, h.Persons, in.Now)
	facts := append(in.Facts[:len(in.Facts):len(in.Facts)], o.AidFacts...)
	calc := casecalc.CalculateWith(in.Params, in.Municipal, c, in.Members, facts, skalig.DateOf(in.Now))
	o.Calculation = calc
	if _, ok := in.Params.(casecalc.Marker); ok && len(calc.ParamsMissing) > 0 {
		o.paramsMark = &calc.ParamsMark
	}
	if len(o.AidFacts) > 0 {
		o.add(store.StepPart{Actor: "worker:calculate", Facts: o.AidFacts})
	}
	o.add(store.StepPart{Actor: "worker:calculate", Record: store.RecordCalculation, Body: calc})

	rec := casecalc.RouteCalculation(in.Municipal, c, in.Members, facts, calc, h.Previous)
	o.Routing = rec
	out := rec.Outcome
	o.move(skalig.StateCalculated, "worker:route")
	o.add(store.StepPart{Actor: "worker:route", Record: store.RecordRouting, Body: rec})
	switch out.Route {
	case routing.RouteDecide:
		if ups := uploadEvidence(facts); len(ups) > 0 {
			if h.ReadUploads == nil {
				o.Needs |= NeedReads
				return o, nil
			}
			if slices.ContainsFunc(ups, func(id string) bool { return !h.ReadUploads[id] }) {
				// An upload nobody has read is not evidence for the robot:
				// the case goes to a person, who reads it.
				o.move(skalig.StateAwaitingCaseworker, "worker:route", skalig.ReasonUploadUnread)
				return o, nil
			}
		}
		o.move(skalig.StateAutoDecided, "worker:route")
		d := automatedDecision(c, rec, calc)
		if d == nil {
			o.move(skalig.StateAwaitingCaseworker, "worker:decide", skalig.ReasonNoDelegation)
			return o, nil
		}
		account := PaymentAccount(facts)
		if d.Amount > 0 && account != "" && in.Payments.NeedsHistory() && h.Account == nil {
			// Asked before the receipt is sealed: the assessment is made
			// again once the history is read.
			o.Needs |= NeedAccount
			return o, nil
		}
		r, err := casecalc.Receipt(c, in.Members, calc, d)
		if err != nil {
			return nil, err
		}
		o.Decision, o.Receipt = d, r
		o.add(store.StepPart{Actor: "worker:decide", Decision: d, Receipt: r})
		o.move(skalig.StateDecided, "worker:decide")
		n := store.Notice{Kind: store.NoticeDecision, Text: DecisionNotice(c, d)}
		o.Notices = append(o.Notices, n)
		o.add(store.StepPart{Actor: "worker:notify", Notice: &n})
		o.move(skalig.StateNotified, "worker:notify")
		switch {
		case d.Amount > 0 && account != "":
			o.Payment = PaymentOrder(in.Payments, c.ID, d, account, h.Account, in.Now)
			o.add(store.StepPart{Actor: "worker:pay", Payment: o.Payment})
		case d.Amount > 0:
			// No account known: the pay job looks again, and parks
			// for a person if there is none.
			o.Jobs = append(o.Jobs, JobPay)
			o.add(store.StepPart{Actor: "worker:notify", Job: JobPay})
		default:
			o.move(skalig.StateClosed, "worker:notify")
		}
	case routing.RouteSample:
		o.move(skalig.StateSampled, "worker:route", nonEmpty(out.Codes(), skalig.ReasonSample)...)
	case routing.RoutePropose:
		o.move(skalig.StateAwaitingCaseworker, "worker:route", nonEmpty(out.Codes(), skalig.ReasonProposal)...)
	default:
		asked, needs := o.askForDocuments(out, h.Requested, in.Now)
		if needs {
			o.Needs |= NeedRequests
			return o, nil
		}
		to := skalig.StateAwaitingCaseworker
		if asked {
			to = skalig.StateAwaitingApplicant
		}
		o.move(to, "worker:route", nonEmpty(out.Codes(), skalig.ReasonException)...)
	}
	return o, nil
}

// UploadEvidencePrefix starts the Fact.Evidence of an applicant's fact
// shown by a document uploaded in the case: "upload:<document id>".
const UploadEvidencePrefix = "upload:"

// uploadEvidence returns the ids of the uploaded documents that facts
// cite as their evidence (applicant facts with Evidence "upload:<id>"),
// each once, in order.
func uploadEvidence(facts []skalig.Fact) []string {
	var out []string
	for _, f := range facts {
		if id, ok := strings.CutPrefix(f.Evidence, UploadEvidencePrefix); ok && f.Source == skalig.SourceApplicant && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// PaymentOrder is the payment order of decision d of case caseID to
// account, to be paid on now's date: held for a second person when the
// payment control (policy) says so, with the account's history h.
func PaymentOrder(policy payments.Policy, caseID string, d *skalig.Decision, account string, h *store.AccountHistory, now time.Time) *store.Payment {
	p := &store.Payment{DecisionID: d.ID, CaseID: caseID, Amount: d.Amount, Account: account, PayOn: skalig.DateOf(now),
		Status: store.PaymentOrdered}
	var hist store.AccountHistory
	if h != nil {
		hist = *h
	}
	if reason := policy.Hold(p.Amount, account, hist, now); reason != "" {
		p.Status, p.HoldReason = store.PaymentHeld, reason
	}
	return p
}

// PaymentAccount is the account of the latest payment account fact, or "".
func PaymentAccount(facts []skalig.Fact) string {
	account := ""
	for _, f := range facts {
		if f.Kind == skalig.KindPaymentAccount && f.Value.IsText {
			account = f.Value.Text
		}
	}
	return account
}

func nonEmpty(codes []string, def string) []string {
	if len(codes) == 0 {
		return []string{def}
	}
	return codes
}
