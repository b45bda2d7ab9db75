package main

import (
	"context"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/workflow"
)

// The demo's personas get a history through the workflow itself, as a
// caseworker and the robot would have made it: earlier months applied for,
// decided and paid (a grundansökan decided by a caseworker, then monthly
// re-applications the robot decides), a message from the caseworker and,
// for one household, an open request for documents. The person who logs in
// as a persona (the development provider's login page) sees it in Mina
// sidor and can apply for the next month.

// demoCaseworker is the caseworker who decides the personas' first months
// and writes to them; demoSigner signs under the four-eyes rule.
var demoCaseworker, demoSigner = devidp.SaraHandlaggarsson, devidp.TomasHandlaggarsson

// personaSeedTimeout bounds the wait for one case of a persona's history.
const personaSeedTimeout = 2 * time.Minute

// seedPersonas gives every demo persona its history up to month (the
// demo's month): the months before it decided, and for a household with
// Current an application for month itself with an open document request.
// It needs the workflow's workers running (Main.Serve). Submitting is
// idempotent, so a demo started again on the same --data goes on where it
// was.
func (m *Main) seedPersonas(ctx context.Context, seed uint64, municipality string, month skalig.Month) error {
	for _, p := range demo.Personas() {
		if err := m.seedPersona(ctx, p, seed, municipality, month); err != nil {
			return fmt.Errorf("persona %s: %w", p.Person().Name(), err)
		}
	}
	return nil
}

func (m *Main) seedPersona(ctx context.Context, p demo.Persona, seed uint64, municipality string, month skalig.Month) error {
	var first *skalig.Case
	for k := p.History; k >= 1; k-- {
		kind := skalig.MonthlyApplication
		if k == p.History {
			kind = skalig.FirstApplication
		}
		c, err := m.personaCase(ctx, p.Application(seed, municipality, month-skalig.Month(k), kind, false))
		if err != nil {
			return err
		}
		if first == nil {
			first = c
		}
	}
	if first != nil {
		msg := fmt.Sprintf("Hej %s! Jag är din handläggare. Dina fortsatta ansökningar beslutas oftast automatiskt "+
			"när uppgifterna stämmer med registren; skriv här om något ändras i din situation. Hälsningar Sara Handläggarsson",
			p.Person().GivenName)
		if err := m.messageOnce(ctx, first.ID, msg); err != nil {
			return err
		}
	}
	if !p.Current {
		return nil
	}
	c, _, err := m.Workflow.Submit(ctx, p.Application(seed, municipality, month, skalig.MonthlyApplication, true))
	if err != nil {
		return err
	}
	c, err = m.waitCase(ctx, c.ID, skalig.StateAwaitingCaseworker, skalig.StateAwaitingApplicant, skalig.StateSampled)
	if err != nil {
		return err
	}
	if c.State == skalig.StateAwaitingApplicant {
		return nil // asked already (a demo started again on the same data)
	}
	due := skalig.DateOf(m.DB.Clock().AddDate(0, 0, 14))
	if _, err := m.Workflow.RequestDocuments(ctx, c.ID, c.Version, demoCaseworker,
		"Kvitto eller prisuppgift på vinterkläderna (overaller och kängor) som du ansöker om.", due); err != nil {
		return err
	}
	return m.messageOnce(ctx, c.ID, fmt.Sprintf("Hej %s! Jag har tagit emot ansökan om vinterkläder. "+
		"Ladda upp ett kvitto eller en prisuppgift så beslutar jag så snart den har kommit in. Hälsningar Sara Handläggarsson",
		p.Person().GivenName))
}

// personaCase submits app and sees it decided: by the robot, or, when it
// stops for a person (a grundansökan, a sample control), by the demo's
// caseworker approving what the robot calculated. It returns the case
// once decided.
func (m *Main) personaCase(ctx context.Context, app *skalig.Application) (*skalig.Case, error) {
	c, _, err := m.Workflow.Submit(ctx, app)
	if err != nil {
		return nil, err
	}
	c, err = m.waitCase(ctx, c.ID, skalig.StateAwaitingCaseworker, skalig.StateSampled, skalig.StateDecided,
		skalig.StateNotified, skalig.StatePaid, skalig.StateClosed)
	if err != nil {
		return nil, err
	}
	if c.State != skalig.StateAwaitingCaseworker && c.State != skalig.StateSampled {
		return c, nil
	}
	v, err := m.Workflow.View(ctx, c.ID, workflow.Reader{Actor: "caseworker:" + demoCaseworker, Via: "cli"})
	if err != nil {
		return nil, err
	}
	if v.Routing == nil {
		return nil, fmt.Errorf("case %s has no routing", c.ID)
	}
	res, err := m.Workflow.Decide(ctx, workflow.DecisionRequest{CaseID: c.ID, Version: c.Version,
		Actor: staffActor(demoCaseworker), Outcome: v.Routing.Outcome.Outcome, Amount: v.Routing.Aid})
	if err != nil {
		return nil, err
	}
	if res.Proposal != nil {
		if _, err := m.Workflow.SignProposal(ctx, c.ID, staffActor(demoSigner)); err != nil {
			return nil, err
		}
	}
	return m.waitCase(ctx, c.ID, skalig.StateDecided, skalig.StateNotified, skalig.StatePaid, skalig.StateClosed)
}

// decideHighHousing has the demo's caseworker decide the first household
// of hs whose rent is above the municipality's guideline, approving what
// the robot calculated (the rent in full): the demo's ready what-if "the
// maximum housing cost +10 %" then has a decision it changes (with the
// higher maximum the case would not have stopped for a person). The
// others stay in the caseworker's queue.
func (m *Main) decideHighHousing(ctx context.Context, hs []demo.Household) error {
	for _, h := range hs {
		if h.Scenario == demo.HighHousing {
			_, err := m.personaCase(ctx, h.App)
			return err
		}
	}
	return nil
}

func staffActor(subject string) skalig.Actor {
	p, _ := devidp.Lookup(subject)
	roles := make([]skalig.StaffRole, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = skalig.StaffRole(r)
	}
	return skalig.PersonActor(p.Subject, roles, p.Municipalities)
}

// messageOnce writes the caseworker's message body in the case unless it
// is there already.
func (m *Main) messageOnce(ctx context.Context, caseID, body string) error {
	ms, err := m.Cases.Messages(ctx, caseID)
	if err != nil {
		return err
	}
	for _, x := range ms {
		if x.Body == body {
			return nil
		}
	}
	_, err = m.Workflow.Message(ctx, caseID, "caseworker:"+demoCaseworker, body)
	return err
}

// waitCase waits until the case is in one of states.
func (m *Main) waitCase(ctx context.Context, id string, states ...skalig.CaseState) (*skalig.Case, error) {
	deadline := time.Now().Add(personaSeedTimeout)
	for {
		c, err := m.Workflow.Cases().Case(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, s := range states {
			if c.State == s {
				return c, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("case %s stayed %s", id, c.State)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
