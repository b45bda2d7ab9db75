package store

import (
	"context"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/jobs"
)

// A Step is one step of the robot on one case as a value: what
// step.Assess worked out from what was read before (the register
// answers, the calculation, the route, the decision, the notification, the
// payment order, the jobs to run later), in the order it is written.
// ApplyStep writes it in one transaction.
type Step struct {
	// Case is the case as read for the step: the step is written only if
	// the case's version is still this one.
	Case *skalig.Case
	// ParamsMark, when set, is the mark of approved parameter versions
	// (paramdb) read when the step found the month's parameters missing:
	// the step is refused if a version has been approved since, for the
	// approval's recalculate job may have looked for waiting cases before
	// this one waited. The job runs again on the parameters now in force.
	ParamsMark *int64
	// Evidence are raw register answers to keep.
	Evidence []Evidence
	// Parts are the changes, written and audited in this order.
	Parts []StepPart
}

// Evidence is a raw answer kept as evidence, under Ref ("sha256:<hex>").
type Evidence struct {
	Ref, MediaType string
	Body           []byte
}

// A StepPart is one change of a Step, made by Actor. Exactly one of Move,
// Facts, Record, Decision, Notice, Request, Payment and Job is set.
type StepPart struct {
	Actor string
	// Move is a transition of the case to this state; the first of
	// Reasons is its reason, all of them are added to the case's routing
	// reasons.
	Move    skalig.CaseState
	Reasons []string
	// Facts are facts added to the case.
	Facts []skalig.Fact
	// Record is a record of this kind with Body.
	Record string
	Body   any
	// Decision is the decision of the case with its sealed Receipt; the
	// store sets its ID.
	Decision *skalig.Decision
	Receipt  *skalig.Receipt
	// Notice is a message to the applicant on Mina sidor (a notification
	// record), about the step's decision or the request before it.
	Notice *Notice
	// Request is a document request; the store sets its ID.
	Request *DocumentRequest
	// Payment is the payment order of the step's decision (it sets
	// DecisionID and ID).
	Payment *Payment
	// Job is a job of this kind for the case, to run at At; with At zero,
	// at once, by the worker of the job the step completes.
	Job string
	At  time.Time
}

// Notice kinds: what a notification tells the applicant about.
const (
	NoticeDecision        = "decision"         // the step's decision
	NoticeDocumentRequest = "document_request" // the request made just before
)

// A Notice is a message to the applicant on Mina sidor.
type Notice struct {
	Kind   string // NoticeDecision or NoticeDocumentRequest
	Text   string // in Swedish
	Reason string // the reason code that asked for a document
}

// ApplyStep writes step st in one transaction: the transaction that
// completes job j (nil: none; the caller then snoozes or completes its job
// itself), with the case's row written once, at the end, and the inserts
// batched (see Moves). Every part is checked and audited in order.
//
// It is idempotent: if the case moved since st.Case was read (the job ran
// twice, a person acted meanwhile), nothing is written and the error is
// ECONFLICT, and a decision or a payment order is never written twice (the
// tables allow one per case and decision).
//
// Errors: ECONFLICT (the case moved on; the case has a decision already);
// EINVALID (a part is not valid); jobs.ErrLeaseLost; an error when
// ParamsMark is no longer the mark.
func (s *CaseStore) ApplyStep(ctx context.Context, j *jobs.Job, st *Step) (*skalig.Case, error) {
	apply := func(m *Moves) error { return m.apply(ctx, st) }
	if j == nil {
		return s.Change(ctx, st.Case, apply)
	}
	return s.Complete(ctx, j, st.Case, apply)
}

// apply makes the parts of st in m.
func (m *Moves) apply(ctx context.Context, st *Step) error {
	if st.ParamsMark != nil {
		now, err := approvedMark(ctx, m.tx)
		if err != nil {
			return err
		}
		if now != *st.ParamsMark {
			return fmt.Errorf("parameters approved while the case was calculated (%d, now %d): calculate again", *st.ParamsMark, now)
		}
	}
	for _, e := range st.Evidence {
		m.PutEvidence(e.Ref, e.MediaType, e.Body)
	}
	var decision *skalig.Decision
	var request *DocumentRequest
	for _, p := range st.Parts {
		var err error
		switch {
		case p.Move != "":
			t := skalig.CaseTransition{To: p.Move, Actor: p.Actor}
			if len(p.Reasons) > 0 {
				t.Reason, t.Reasons = p.Reasons[0], p.Reasons[1:]
			}
			err = m.To(ctx, t)
		case p.Facts != nil:
			err = m.AddFacts(ctx, p.Actor, p.Facts)
		case p.Record != "":
			err = m.AddRecord(ctx, p.Actor, p.Record, p.Body)
		case p.Decision != nil:
			decision = p.Decision
			err = m.RecordDecision(ctx, p.Decision, p.Receipt)
		case p.Notice != nil:
			body := map[string]any{"kind": p.Notice.Kind, "text": p.Notice.Text, "channel": "mina_sidor"}
			switch {
			case p.Notice.Kind == NoticeDecision && decision != nil:
				body["decision_id"] = decision.ID
			case p.Notice.Kind == NoticeDocumentRequest && request != nil:
				body["request_id"] = request.ID
			default:
				return fmt.Errorf("apply step: a %s notice without its %s", p.Notice.Kind, p.Notice.Kind)
			}
			if p.Notice.Reason != "" {
				body["reason"] = p.Notice.Reason
			}
			err = m.AddRecord(ctx, p.Actor, RecordNotification, body)
		case p.Request != nil:
			request = p.Request
			err = m.AddDocumentRequest(ctx, p.Request)
		case p.Payment != nil:
			if decision == nil {
				return fmt.Errorf("apply step: a payment order without a decision")
			}
			p.Payment.DecisionID = decision.ID
			err = m.CreatePayment(ctx, p.Payment, p.Actor)
		case p.Job != "" && p.At.IsZero():
			err = m.Then(ctx, p.Job)
		case p.Job != "":
			err = m.Enqueue(ctx, p.Job, p.At)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
