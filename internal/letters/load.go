package letters

import (
	"context"

	"skalig"
	"skalig/internal/municipal"
	"skalig/internal/workflow"
)

// Load reads what the letter of case caseID needs from the store: the
// decision, its receipt (checked against its hash), the payment if one is
// ordered, the municipality's name and contact details from mun, and the
// name of the caseworker who decided from the staff directory. The
// read is logged in the audit trail for r as a read of "letter" before
// anything is returned; a read that cannot be logged is refused.
//
// Errors: ENOTFOUND (no case, or no decision yet).
func Load(ctx context.Context, wf *workflow.Workflow, mun *municipal.Set, caseID string, r workflow.Reader) (Input, error) {
	cases := wf.Cases()
	c, err := cases.Case(ctx, caseID)
	if err != nil {
		return Input{}, err
	}
	d, err := cases.CaseDecision(ctx, c.ID)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			return Input{}, skalig.Errorf(skalig.ENOTFOUND, "Ärendet har inget beslut än, så det finns inget beslutsbrev.")
		}
		return Input{}, err
	}
	if err := cases.LogRead(ctx, r.Actor, c.ID, r.Via, "letter"); err != nil {
		return Input{}, err
	}
	rec, err := cases.Receipt(ctx, d.ReceiptHash)
	if err != nil {
		return Input{}, err
	}
	if rec.Hash == "" {
		rec.Hash = d.ReceiptHash
	}
	if !rec.Verify() {
		return Input{}, skalig.Errorf(skalig.EINTERNAL, "Beslutets kvitto stämmer inte med sin kontrollsumma.")
	}
	in := Input{Receipt: rec, Decision: d, CaseNumber: c.Number}
	app, err := cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return Input{}, err
	}
	for _, m := range app.Members {
		if m.Name != "" && m.Role != skalig.RoleChild {
			in.Recipients = append(in.Recipients, m.Name)
		}
	}
	if p, err := cases.CasePayment(ctx, c.ID); err == nil {
		in.Payment = &Payment{PayOn: p.PayOn, Account: p.Account}
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return Input{}, err
	}
	m, err := mun.Get(c.Municipality)
	if err != nil {
		return Input{}, err
	}
	in.Municipality, in.Contact = m.Name, m.Contact
	// The decider's name as the login provider last gave it (the staff
	// directory, skalig.CaseworkService), and every staff member's for the
	// amounts a caseworker approved. Skälig keeps no titles: the letter
	// says "handläggare".
	staff, err := wf.Staff(ctx, c.Municipality)
	if err != nil {
		return Input{}, err
	}
	in.StaffNames = map[string]string{}
	for _, s := range staff {
		in.StaffNames[s.Subject] = s.Name
		if sub := rec.DecidedBy.Caseworker; sub != "" && s.Subject == sub {
			in.DeciderName = s.Name
		}
	}
	return in, nil
}

// Render builds the letter for in and renders it: a tagged PDF when pdf,
// else HTML.
func Render(in Input, pdf bool) ([]byte, error) {
	l, err := Build(in)
	if err != nil {
		return nil, err
	}
	if pdf {
		return l.PDF()
	}
	return l.HTML()
}
