package workflow

import (
	"context"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// Reader says who reads a case and through which interface; every read is
// written to the audit trail.
type Reader struct {
	Actor string // "applicant:<masked pn>", "caseworker:hl-17", "api:client-name"
	Via   string // "api", "web", "cli"
}

// CaseView is everything about a case that the interfaces show: the case,
// the application, every fact with its provenance, the latest calculation
// and routing outcome, the decision with its receipt, the payment, what the
// case waits for and its history.
type CaseView struct {
	Case        *skalig.Case
	Application *skalig.Application
	Facts       []skalig.Fact
	Calculation *casecalc.Calculation // nil before the case is calculated
	Routing     *casecalc.RoutingRecord
	Decision    *skalig.Decision // nil before the decision
	Payment     *store.Payment
	// WaitingFor is the registers the case waits for (their sources),
	// and Waiting their names in Swedish.
	WaitingFor    []string
	Waiting       []string
	Notifications []store.Record
	Errors        []store.Record
	// History is the case's audit trail, reads included (the caseworker's
	// view shows who read the case).
	History []audit.Event
}

// View reads the case for r, logging the read in the audit trail first: a
// read that cannot be logged is refused.
//
// Errors: ENOTFOUND.
func (w *Workflow) View(ctx context.Context, caseID string, r Reader) (*CaseView, error) {
	c, err := w.cases.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if err := w.cases.LogRead(ctx, r.Actor, c.ID, r.Via, "case"); err != nil {
		return nil, err
	}
	v := &CaseView{Case: c}
	if v.Application, err = w.cases.CaseApplication(ctx, c.ID); err != nil {
		return nil, err
	}
	if v.Facts, err = w.cases.Facts(ctx, c.ID); err != nil {
		return nil, err
	}
	var calc casecalc.Calculation
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err == nil {
		v.Calculation = &calc
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	var rr casecalc.RoutingRecord
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordRouting, &rr); err == nil {
		v.Routing = &rr
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if d, err := w.cases.CaseDecision(ctx, c.ID); err == nil {
		v.Decision = d
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if p, err := w.cases.CasePayment(ctx, c.ID); err == nil {
		v.Payment = p
	} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	rc, _ := w.mun.Routing(c.Municipality, c.Month)
	v.WaitingFor = WaitingSources(c, v.Application.Members, v.Facts, rc.RegistersAt(c.Month))
	for _, src := range v.WaitingFor {
		v.Waiting = append(v.Waiting, skalig.RegisterSwedishName(src))
	}
	if v.Notifications, err = w.cases.Records(ctx, c.ID, store.RecordNotification); err != nil {
		return nil, err
	}
	if v.Errors, err = w.cases.Records(ctx, c.ID, store.RecordError); err != nil {
		return nil, err
	}
	if v.History, err = w.cases.AuditEvents(ctx, c.ID); err != nil {
		return nil, err
	}
	return v, nil
}

// Receipt returns the receipt of the case's decision, read for r and logged.
func (w *Workflow) Receipt(ctx context.Context, caseID string, r Reader) (*skalig.Receipt, []byte, error) {
	d, err := w.cases.CaseDecision(ctx, caseID)
	if err != nil {
		return nil, nil, err
	}
	if err := w.cases.LogRead(ctx, r.Actor, caseID, r.Via, "receipt"); err != nil {
		return nil, nil, err
	}
	body, err := w.cases.ReceiptBody(ctx, d.ReceiptHash)
	if err != nil {
		return nil, nil, err
	}
	rec, err := w.cases.Receipt(ctx, d.ReceiptHash)
	return rec, body, err
}
