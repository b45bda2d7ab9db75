package workflow

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/routing"
	"skalig/internal/rules"
	"skalig/internal/store"
	"skalig/internal/workflow/step"
)

// fetch asks the registers about every adult of the household for the
// sources the municipality requires, keeps each answered part as facts with
// a status fact per source and person, and keeps the raw answer as evidence.
// A source that fails is asked again later (the case shows it waits for the
// named source); after RegisterDeadline it is recorded as failed and the
// case moves on, to be stopped by routing: a missing source is never read as
// "nothing".
func (w *Workflow) fetch(ctx context.Context, j *jobs.Job) error {
	c, app, facts, err := w.cases.CaseFacts(ctx, j.CaseID)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			return jobs.Permanent(err)
		}
		return err
	}
	if c.State != skalig.StateSubmitted && c.State != skalig.StateFetching {
		return nil // moved on (withdrawn, or a person took it): nothing to do
	}
	rc, _ := w.mun.Routing(c.Municipality, c.Month) // nil: every register
	required := rc.RegistersAt(c.Month)

	type ask struct {
		member  skalig.Member
		sources []string
	}
	var asks []ask
	for _, m := range app.Members {
		var missing []string
		for _, src := range sourcesFor(m, c.Month, required) {
			if !hasStatus(facts, m.ID, src, c.Month) {
				missing = append(missing, src)
			}
		}
		if len(missing) > 0 {
			asks = append(asks, ask{m, missing})
		}
	}

	type answer struct {
		ans *skalig.RegisterAnswer
		err error
	}
	var got []answer
	if w.regs != nil {
		for _, a := range asks {
			rctx, cancel := context.WithTimeout(ctx, w.cfg.RegisterTimeout)
			start := time.Now()
			ans, err := w.regs.Fetch(rctx, skalig.RegisterRequest{
				CaseID: c.ID, Person: a.member.PersonalNumber, PersonID: a.member.ID,
				From: c.Month, To: c.Month, Sources: a.sources,
				Purpose: "Beslut om försörjningsstöd", Caseworker: "system",
			})
			cancel()
			w.metrics.registerFetch.Observe(time.Since(start).Seconds())
			got = append(got, answer{ans, err})
		}
	}

	// What is still missing after these answers, by source name.
	var newFacts []skalig.Fact
	waiting := map[string]string{} // source → the evidence of the last error (skalig.FetchErrorEvidence)
	now := w.db.Clock()
	for i, a := range asks {
		answered := map[string]bool{}
		if i < len(got) && got[i].err == nil && got[i].ans != nil {
			for _, p := range got[i].ans.Parts {
				if !slices.Contains(a.sources, p.Source) {
					continue
				}
				if p.Err != nil {
					waiting[p.Source] = skalig.FetchErrorEvidence(p.Err)
					w.metrics.registerErrors.WithLabelValues(p.Source, p.Err.Code).Inc()
					continue
				}
				status := skalig.RegisterAnswered
				if p.UnknownPerson {
					status = skalig.RegisterUnknownPerson
				}
				for _, f := range p.Facts {
					f.PersonID = a.member.ID
					newFacts = append(newFacts, f)
				}
				newFacts = append(newFacts, statusFact(a.member.ID, p.Source, c.Month, status, got[i].ans.EvidenceRef, got[i].ans.FetchedAt))
				answered[p.Source] = true
			}
		} else if i < len(got) && got[i].err != nil {
			for _, s := range a.sources {
				waiting[s] = skalig.FetchTextEvidence(got[i].err.Error())
			}
		}
		for _, s := range a.sources {
			if !answered[s] {
				if _, ok := waiting[s]; !ok {
					waiting[s] = skalig.FetchTextEvidence(skalig.FetchNoConnection.Swedish())
					if w.regs != nil {
						waiting[s] = skalig.FetchTextEvidence(skalig.FetchNoAnswer.Swedish())
					}
				}
			}
		}
	}
	pastDeadline := now.Sub(c.CreatedAt) >= w.cfg.RegisterDeadline
	if len(waiting) > 0 && pastDeadline {
		// Given up on: record each missing source as failed, so that
		// routing names it and a person takes the case.
		for _, a := range asks {
			for _, s := range a.sources {
				if e, ok := waiting[s]; ok && !hasNewStatus(newFacts, a.member.ID, s) {
					f := statusFact(a.member.ID, s, c.Month, skalig.RegisterFailed, "", now)
					f.Evidence = e
					newFacts = append(newFacts, f)
				}
			}
		}
	}
	done := len(waiting) == 0 || pastDeadline

	in := &step.Input{Case: c, Members: app.Members, Fetched: newFacts, Now: now}
	for i := range got {
		if a := got[i].ans; a != nil && len(a.Raw) > 0 && a.EvidenceRef != "" {
			in.Evidence = append(in.Evidence, store.Evidence{Ref: a.EvidenceRef, MediaType: "application/soap+xml", Body: a.Raw})
		}
	}
	if done {
		// With every answer in, the case is assessed (calculated, routed
		// and, when delegated, decided) in the fetch's own transaction, on
		// the facts as they will be stored.
		for i := range newFacts {
			newFacts[i].At = newFacts[i].At.UTC().Truncate(time.Microsecond)
		}
		in.Facts = append(facts[:len(facts):len(facts)], newFacts...)
		return w.takeStep(ctx, j, in)
	}
	o := step.Fetched(in)
	if _, err := w.cases.ApplyStep(ctx, nil, o.Step()); err != nil {
		return err
	}
	w.observe(o)
	names := make([]string, 0, len(waiting))
	for s := range waiting {
		names = append(names, skalig.RegisterSwedishName(s))
	}
	slices.Sort(names)
	return jobs.Snooze(w.retryIn(now.Sub(c.CreatedAt)), "väntar på "+strings.Join(names, ", "))
}

// calculate is the job that assesses a case whose register answers are
// in (fetching) without fetching: a case a parameter approval sends back
// to be calculated (recalculate), or whose fetch an older version
// committed without its assessment.
func (w *Workflow) calculate(ctx context.Context, j *jobs.Job) error {
	c, app, facts, err := w.cases.CaseFacts(ctx, j.CaseID)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			return jobs.Permanent(err)
		}
		return err
	}
	if c.State != skalig.StateFetching {
		return nil
	}
	return w.takeStep(ctx, j, &step.Input{Case: c, Members: app.Members, Facts: facts, Now: w.db.Clock()})
}

// takeStep reads the household's history, assesses the case (step.Assess, pure) and
// writes the outcome in the transaction that completes job j
// (store.CaseStore.ApplyStep). in has the case, its facts and the time.
func (w *Workflow) takeStep(ctx context.Context, j *jobs.Job, in *step.Input) error {
	in.Params, in.Municipal, in.Payments = w.params, w.mun, w.cfg.Payments
	var err error
	if in.History, err = w.history(ctx, in.Case, in.Members, in.Facts); err != nil {
		return err
	}
	o, err := step.Assess(in)
	if err != nil {
		return err
	}
	if o.Needs != 0 {
		// Seldom: routing asks for a document, or a payment's account
		// history is needed. Read it and assess again.
		if o.Needs&step.NeedRequests != 0 {
			reqs, err := w.cases.DocumentRequests(ctx, in.Case.ID)
			if err != nil {
				return err
			}
			in.History.Requested = step.RobotRequests(reqs)
		}
		if o.Needs&step.NeedReads != 0 {
			if in.History.ReadUploads, err = w.readUploads(ctx, in.Case.ID); err != nil {
				return err
			}
		}
		if o.Needs&step.NeedAccount != 0 {
			h, err := w.cases.PaymentAccountHistory(ctx, in.Case.ID, step.PaymentAccount(in.Facts))
			if err != nil {
				return err
			}
			in.History.Account = &h
		}
		if o, err = step.Assess(in); err != nil {
			return err
		}
		if o.Needs != 0 {
			return fmt.Errorf("assess case %s: still needs %d", in.Case.ID, o.Needs)
		}
	}
	if _, err := w.cases.ApplyStep(ctx, j, o.Step()); err != nil {
		return err
	}
	w.observe(o)
	return nil
}

// readUploads returns the ids of the case's documents that a person has
// opened: the reads of "document:<id>" in the case's audit trail by staff
// (the caseworker pages log each opening, store.CaseStore.LogRead).
func (w *Workflow) readUploads(ctx context.Context, caseID string) (map[string]bool, error) {
	evs, err := w.cases.AuditEvents(ctx, caseID)
	if err != nil {
		return nil, err
	}
	read := map[string]bool{}
	for _, e := range evs {
		if e.Action != store.ActionRead || !strings.HasPrefix(e.Actor, "staff:") && !strings.Contains(e.Actor, "caseworker:") {
			continue
		}
		var d struct{ What string }
		if json.Unmarshal(e.Data, &d) != nil {
			continue
		}
		if id, ok := strings.CutPrefix(d.What, "document:"); ok {
			read[id] = true
		}
	}
	return read, nil
}

// history reads what the step needs to know of the household of case c
// beyond its facts: the adults' earlier months of aid (Skälig's decisions
// and the imported history) and the application of the last of them.
func (w *Workflow) history(ctx context.Context, c *skalig.Case, members []skalig.Member, facts []skalig.Fact) (step.History, error) {
	var h step.History
	var err error
	if h.Granted, err = w.cases.GrantedMonths(ctx, adults(members), c.Month); err != nil {
		return h, err
	}
	if len(h.Granted) > 0 {
		if h.Previous, err = w.previous(ctx, h.Granted[len(h.Granted)-1]); err != nil {
			return h, err
		}
	}
	for _, m := range members {
		if !step.NeedsAidMonths(m, facts, c.Month) {
			continue
		}
		granted, err := w.cases.GrantedMonths(ctx, []skalig.PersonalNumber{m.PersonalNumber}, c.Month)
		if err != nil {
			return h, err
		}
		var p step.PersonHistory
		for _, g := range granted {
			p.Granted = append(p.Granted, g.Month)
		}
		if p.Imported, p.Known, err = w.cases.AidHistoryIn(ctx, m.PersonalNumber, c.Municipality, c.Month); err != nil {
			return h, err
		}
		if h.Persons == nil {
			h.Persons = map[string]step.PersonHistory{}
		}
		h.Persons[m.ID] = p
	}
	return h, nil
}

// previous returns the household's last decided month, last, with the
// facts of its application, for the "re-application without changes"
// delegation.
func (w *Workflow) previous(ctx context.Context, last store.Granted) (*routing.Previous, error) {
	papp, err := w.cases.CaseApplication(ctx, last.CaseID)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return &routing.Previous{Month: last.Month, Amount: last.Amount, Facts: papp.Facts}, nil
}

// observe counts what the step o did.
func (w *Workflow) observe(o *step.Outcome) {
	for _, s := range o.States {
		w.metrics.transitions.WithLabelValues(string(s)).Inc()
	}
	if o.Calculation != nil {
		w.metrics.routed.WithLabelValues(string(o.Routing.Outcome.Route)).Inc()
	}
	if d := o.Decision; d != nil {
		w.metrics.decided.WithLabelValues(string(d.Outcome), fmt.Sprint(d.DecidedBy.IsAutomated())).Inc()
	}
}

// retryIn is the wait before asking a silent source again: a second at
// first, growing with the time the case has waited, at most ten minutes,
// with jitter so that a source coming back is not hit by every case at once.
func (w *Workflow) retryIn(waited time.Duration) time.Duration {
	d := min(max(waited/4, time.Second), 10*time.Minute, w.cfg.RegisterDeadline/4+time.Second)
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

func statusFact(person, source string, month skalig.Month, status, evidence string, at time.Time) skalig.Fact {
	if evidence == "" {
		evidence = "fetch:" + status
	}
	return skalig.Fact{
		Kind: skalig.RegisterStatusKind(source), PersonID: person, Period: month,
		Value: skalig.TextValue(status), Source: skalig.SourceSystem, At: at, Evidence: evidence,
	}
}

// hasStatus reports whether the facts hold an answer (data or unknown
// person) from source for the person and month.
func hasStatus(facts []skalig.Fact, person, source string, month skalig.Month) bool {
	kind := skalig.RegisterStatusKind(source)
	for _, f := range facts {
		if f.Kind == kind && f.PersonID == person && f.Period == month && f.Source == skalig.SourceSystem &&
			(f.Value.Text == skalig.RegisterAnswered || f.Value.Text == skalig.RegisterUnknownPerson) {
			return true
		}
	}
	return false
}

func hasNewStatus(facts []skalig.Fact, person, source string) bool {
	kind := skalig.RegisterStatusKind(source)
	for _, f := range facts {
		if f.Kind == kind && f.PersonID == person {
			return true
		}
	}
	return false
}

// Waiting returns the names of the registers the case still waits for
// (WaitingSources), in Swedish: what the API says.
func Waiting(c *skalig.Case, members []skalig.Member, facts []skalig.Fact, required []string) []string {
	var out []string
	for _, src := range WaitingSources(c, members, facts, required) {
		out = append(out, skalig.RegisterSwedishName(src))
	}
	return out
}

// WaitingSources returns the register sources the case still waits for,
// from its facts: what Mina sidor and the caseworker show as "väntar på
// Försäkringskassan", each page in its language.
func WaitingSources(c *skalig.Case, members []skalig.Member, facts []skalig.Fact, required []string) []string {
	if c.State != skalig.StateSubmitted && c.State != skalig.StateFetching {
		return nil
	}
	var out []string
	for _, src := range required {
		for _, m := range members {
			if slices.Contains(sourcesFor(m, c.Month, required), src) && !hasStatus(facts, m.ID, src, c.Month) {
				out = append(out, src)
				break
			}
		}
	}
	return out
}

// sourcesFor returns the required registers asked about member m for
// month mo: every one for an adult; for a child only Migrationsverket and
// the population register, and only from rules.RuleLawfulResidence (from
// 2027 aid is given only to persons lawfully in Sweden, children too).
func sourcesFor(m skalig.Member, mo skalig.Month, required []string) []string {
	if m.Role != skalig.RoleChild {
		return required
	}
	if !rules.RuleLawfulResidence.InForce(mo) {
		return nil
	}
	var out []string
	for _, src := range []string{skalig.RegisterMigration, skalig.RegisterPopulation} {
		if slices.Contains(required, src) {
			out = append(out, src)
		}
	}
	return out
}

// adults are the personal numbers of the adults among members.
func adults(members []skalig.Member) []skalig.PersonalNumber {
	var out []skalig.PersonalNumber
	for _, m := range members {
		if m.Role != skalig.RoleChild {
			out = append(out, m.PersonalNumber)
		}
	}
	return out
}
