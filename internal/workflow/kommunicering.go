package workflow

// Kommunicering (förvaltningslagen 25 §): before a decision that goes
// against the applicant and rests on information the applicant has not
// seen, the applicant is told of it and may comment within a deadline.
//
//   - A caseworker sends the information for comment with a deadline
//     (SendForComment): the case waits for the applicant
//     (awaiting_applicant) and comes back to a person when the applicant
//     answers (AnswerComment) or the deadline passes (the job
//     JobKommuniceringDue).
//   - The policy (Decide): a rejection or a partial approval on a case
//     with register facts fetched after the last kommunicering (or with
//     none sent) needs a kommunicering first, or an explicit exception of
//     FL 25 § second paragraph (DecisionRequest.KommuniceringException),
//     which is recorded on the case. The rule always applies: FL 25 § is
//     not a municipality's choice.

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/store"
	"skalig/internal/workflow/casecheck"
)

// JobKommuniceringDue brings a case back to a person when the deadline
// of its kommunicering has passed without an answer.
const JobKommuniceringDue = "kommunicering_due"

// Record kinds of kommunicering.
const (
	RecordKommunicering       = "kommunicering"
	RecordKommuniceringAnswer = "kommunicering_answer"
	RecordKommuniceringWaived = "kommunicering_waived"
)

// Kommunicering is a record of information sent to the applicant for
// comment.
type Kommunicering struct {
	Text string `json:"text"`
	Due  string `json:"due"` // YYYY-MM-DD
	By   string `json:"by"`
	// RegisterFacts is how many register facts the case had when it was
	// sent: the applicant has been told of those (facts are never
	// removed, so a later count above it means new register facts). 0 in
	// records made before it existed: their time counts instead.
	RegisterFacts int `json:"register_facts,omitempty"`
}

// SendForComment sends text (the information a negative decision would
// rest on) to the applicant for comment by due, as caseworker actor a: the
// case waits for the applicant until the answer or the deadline.
//
// Errors: ENOTFOUND; EFORBIDDEN (not a caseworker); ECONFLICT (stale, not
// with a person); EINVALID (fields "text", "due").
func (w *Workflow) SendForComment(ctx context.Context, caseID string, version int, a skalig.Actor, text string, due skalig.Date) error {
	text, err := casecheck.CommentRequest(text, due, skalig.DateOf(w.db.Clock()))
	if err != nil {
		return err
	}
	p, c, err := w.decider(ctx, a, caseID)
	if err != nil {
		return err
	}
	if c.Version != version {
		return errStale
	}
	// Before a change of the decision to the applicant's disadvantage
	// (change.go) the case is decided and stays where it is; the change
	// waits for the answer or the deadline.
	change := !c.DecidedAt.IsZero() && (c.State == skalig.StatePaid || c.State == skalig.StateClosed)
	if c.State != skalig.StateAwaitingCaseworker && !change {
		return skalig.Errorf(skalig.ECONFLICT, "Uppgifter kan bara skickas för yttrande när ärendet väntar på en handläggare eller när beslutet kan ändras (nu: %s).", c.State.Swedish())
	}
	by := p.String()
	fs, err := w.cases.Facts(ctx, c.ID)
	if err != nil {
		return err
	}
	_, err = w.cases.Change(ctx, c, func(m *store.Moves) error {
		k := Kommunicering{Text: text, Due: due.String(), By: by, RegisterFacts: registerFacts(fs)}
		if err := m.AddRecord(ctx, by, RecordKommunicering, k); err != nil {
			return err
		}
		id := "notice.kommunicering.decision"
		if change {
			id = "notice.kommunicering.change"
		}
		n := notice(RecordKommunicering, id, due.String(), text)
		n["due"] = due.String()
		if err := m.AddRecord(ctx, by, store.RecordNotification, n); err != nil {
			return err
		}
		if change {
			return nil
		}
		if err := w.move(ctx, m, skalig.StateAwaitingApplicant, by, skalig.ReasonKommuniceringSent); err != nil {
			return err
		}
		return m.Enqueue(ctx, JobKommuniceringDue, casecheck.DayAfter(due))
	})
	if err != nil {
		return err
	}
	w.queue.Notify()
	return nil
}

// openKommunicering returns the latest kommunicering of the case and
// whether it is unanswered.
func openKommunicering(rs []store.Record) (*Kommunicering, bool, error) {
	var k *Kommunicering
	open := false
	for _, r := range rs {
		switch r.Kind {
		case RecordKommunicering:
			k = &Kommunicering{}
			if err := json.Unmarshal(r.Body, k); err != nil {
				return nil, false, err
			}
			open = true
		case RecordKommuniceringAnswer:
			open = false
		}
	}
	return k, open && k != nil, nil
}

// AnswerComment records the applicant pn's comment on the open
// kommunicering of the case; the case goes back to a person.
//
// Errors: ENOTFOUND; EINVALID (field "text"); ECONFLICT (nothing to
// answer).
func (w *Workflow) AnswerComment(ctx context.Context, caseID string, pn skalig.PersonalNumber, text string) error {
	text, err := casecheck.Comment(text)
	if err != nil {
		return err
	}
	if _, err := w.applicantCase(ctx, caseID, pn); err != nil {
		return err
	}
	return w.answerComment(ctx, caseID, text, "applicant")
}

// AnswerCommentAs records the applicant's comment through a machine client
// whose scope allows submissions in the case's municipality.
//
// Errors: as AnswerComment; EFORBIDDEN.
func (w *Workflow) AnswerCommentAs(ctx context.Context, caseID string, a skalig.Actor, text string) error {
	text, err := casecheck.Comment(text)
	if err != nil {
		return err
	}
	if _, err := w.forApplicant(ctx, caseID, a); err != nil {
		return err
	}
	return w.answerComment(ctx, caseID, text, a.String())
}

func (w *Workflow) answerComment(ctx context.Context, caseID, text, by string) error {
	_, err := w.cases.Update(ctx, caseID, func(m *store.Moves) error {
		rs, err := m.Records(ctx, "")
		if err != nil {
			return err
		}
		_, open, err := openKommunicering(rs)
		if err != nil {
			return err
		}
		if !open {
			return skalig.Errorf(skalig.ECONFLICT, "Det finns inga uppgifter att yttra sig över i ärendet.")
		}
		if err := m.AddMessage(ctx, &store.Message{From: "applicant", Body: text}); err != nil {
			return err
		}
		if err := m.AddRecord(ctx, by, RecordKommuniceringAnswer, map[string]any{"text": text}); err != nil {
			return err
		}
		if m.Case().State == skalig.StateAwaitingApplicant {
			return w.move(ctx, m, skalig.StateAwaitingCaseworker, by, skalig.ReasonKommuniceringAnswered)
		}
		return nil
	})
	return err
}

// kommuniceringDue is the job at the deadline of a kommunicering: a case
// still waiting for the answer goes back to a person.
func (w *Workflow) kommuniceringDue(ctx context.Context, j *jobs.Job) error {
	c, err := w.cases.Case(ctx, j.CaseID)
	if err != nil {
		return jobs.Permanent(err)
	}
	rs, err := w.cases.Records(ctx, c.ID, "")
	if err != nil {
		return err
	}
	k, open, err := openKommunicering(rs)
	if err != nil {
		return err
	}
	if c.State != skalig.StateAwaitingApplicant || !open {
		return nil
	}
	due, _ := skalig.ParseDate(k.Due)
	if d := casecheck.DayAfter(due).Sub(w.db.Clock()); d > 0 {
		return jobs.Snooze(d, "deadline not passed")
	}
	_, err = w.cases.Complete(ctx, j, nil, func(m *store.Moves) error {
		if m.Case().State != skalig.StateAwaitingApplicant {
			return nil
		}
		if err := m.AddRecord(ctx, "worker:kommunicering", RecordKommuniceringAnswer, map[string]any{
			"expired": true, "due": k.Due}); err != nil {
			return err
		}
		return w.move(ctx, m, skalig.StateAwaitingCaseworker, "worker:kommunicering", skalig.ReasonKommuniceringExpired)
	})
	return err
}

// kommuniceringNeeded reports whether a negative decision on the case
// needs a kommunicering first: the case has register facts recorded after
// its latest kommunicering (any, when none was sent).
func (w *Workflow) kommuniceringNeeded(ctx context.Context, caseID string) (bool, error) {
	rs, err := w.cases.Records(ctx, caseID, RecordKommunicering)
	if err != nil {
		return false, err
	}
	var last time.Time
	var k Kommunicering
	if len(rs) > 0 {
		last = rs[len(rs)-1].At
		if err := json.Unmarshal(rs[len(rs)-1].Body, &k); err != nil {
			return false, err
		}
	}
	fs, err := w.cases.Facts(ctx, caseID)
	if err != nil {
		return false, err
	}
	if k.RegisterFacts > 0 {
		// Counted, not timed: a register answer carries the time it was
		// fetched, which another process's clock may set.
		return registerFacts(fs) > k.RegisterFacts, nil
	}
	for _, f := range fs {
		if _, ok := f.Source.Register(); ok && f.At.After(last) {
			return true, nil
		}
	}
	return false, nil
}

// checkKommunicering applies the kommunicering rule to a decision
// request on case c; with an exception, it records it.
func (w *Workflow) checkKommunicering(ctx context.Context, c *skalig.Case, req DecisionRequest, by string) error {
	if req.Outcome == skalig.OutcomeApproved {
		return nil
	}
	ex := strings.TrimSpace(req.KommuniceringException)
	if ex != "" && !skalig.IsKommuniceringException(ex) {
		return invalidField("kommunicering_exception", "Välj ett av undantagen i 25 § förvaltningslagen.")
	}
	needed, err := w.kommuniceringNeeded(ctx, c.ID)
	if err != nil || !needed {
		return err
	}
	if ex == "" {
		return invalidField("kommunicering_exception", "Beslutet går den sökande emot och bygger på registeruppgifter som den sökande inte har fått yttra sig över. Skicka uppgifterna för yttrande (kommunicering) först, eller ange varför det inte behövs (25 § förvaltningslagen).")
	}
	_, err = w.cases.Change(ctx, c, func(m *store.Moves) error {
		return m.AddRecord(ctx, by, RecordKommuniceringWaived, waiverRecord(ex, req.Outcome))
	})
	return err
}

// waiverRecord is the body of a RecordKommuniceringWaived: the exception
// ex of FL 25 § under which a decision (or a change) with outcome o is made
// without kommunicering.
func waiverRecord(ex string, o skalig.Outcome) map[string]any {
	return map[string]any{"exception": ex, "text": skalig.ReasonText(ex), "outcome": string(o)}
}

// registerFacts counts the register facts among fs.
func registerFacts(fs []skalig.Fact) int {
	n := 0
	for _, f := range fs {
		if _, ok := f.Source.Register(); ok {
			n++
		}
	}
	return n
}

// OpenKommunicering returns the case's latest kommunicering and whether
// the applicant may still answer it (Mina sidor shows it with an answer
// form).
func (w *Workflow) OpenKommunicering(ctx context.Context, caseID string) (*Kommunicering, bool, error) {
	rs, err := w.cases.Records(ctx, caseID, "")
	if err != nil {
		return nil, false, err
	}
	return openKommunicering(rs)
}
