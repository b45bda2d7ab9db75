package workflow

// Manual calculation: when a month's parameters or rules are missing (the
// case waits with a person for parameters_missing, calculation_failed, the
// engine's parameter_missing, a provisional parameter, a rule error), a
// caseworker may calculate the case by hand. The rules:
//
//   - Every line is entered by hand: its kind (norm, a cost, an income, aid
//     beyond the calculation), what it is, the amount in kronor and its
//     basis (the law, the table, the evidence), with a reason for the
//     manual calculation as a whole. Nothing is taken from the engine.
//   - The lines are kept as caseworker facts of the calculation record
//     (manual.<kind>.<n>, its .text and .reason), so the receipt of a
//     decision on it holds them and replay reproduces it: the figures are a
//     pure function of the lines (manualcalc.Output).
//   - The calculation replaces the case's latest calculation; a decision
//     waiting for a second signature on the old one is returned in the same
//     transaction. The case stays with the person, who decides on it with
//     Decide as on any calculation; the person who calculated counts as an
//     adjuster (four eyes: another caseworker signs).
//   - When the missing parameters are approved before the decision, the
//     case is calculated again by the engine (recalculate.go) and the
//     manual calculation no longer counts.

import (
	"context"
	"slices"
	"time"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/manualcalc"
)

// RecordManualCalculation is the record of who calculated a case by hand
// and why (the lines and figures are manualcalc's).
const RecordManualCalculation = "manual_calculation"

// ManualCalculationRequest is a person's manual calculation of a case.
type ManualCalculationRequest struct {
	CaseID  string
	Version int // the case version the person saw
	Actor   skalig.Actor
	Lines   []manualcalc.Line
	// Reason says why the case is calculated by hand ("Riksnormen för
	// 2027 finns ännu inte i Skälig; beräknad enligt SFS 2026:…").
	Reason string
}

// manualAllowed checks that case c, on its latest calculation calc, may be
// calculated by hand: it waits for a person's decision, and it has no
// calculation or waits for a reason of manualcalc.Reasons.
func manualAllowed(c *skalig.Case, calc *casecalc.Calculation) error {
	if err := decidable(c); err != nil {
		return err
	}
	if calc == nil || calc.Output == nil {
		return nil
	}
	for _, r := range c.RoutingReasons {
		if slices.Contains(manualcalc.Reasons, r) {
			return nil
		}
	}
	return skalig.Errorf(skalig.ECONFLICT, "Ärendet har en beräkning enligt gällande regler och parametrar. Beräkning för hand används bara när parametrar eller regler för månaden saknas; justera annars uppgifterna.")
}

// CalculateManually records a person's manual calculation of a case whose
// parameters or rules are missing (see the rules above) as the case's
// latest calculation, with a record of who and why, and returns it. The
// person then decides with Decide.
//
// Errors: ENOTFOUND; EFORBIDDEN (not a caseworker); ECONFLICT (stale
// version, not waiting for a person, decided, or calculated on parameters
// and rules in force); EINVALID (a line or the reason, by field).
func (w *Workflow) CalculateManually(ctx context.Context, req ManualCalculationRequest) (*casecalc.Calculation, error) {
	a, c, err := w.adjuster(ctx, req.Actor, req.CaseID)
	if err != nil {
		return nil, err
	}
	if c.Version != req.Version {
		return nil, errStale
	}
	app, err := w.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	lines, reason, err := manualcalc.Check(req.Lines, req.Reason, app.Members)
	if err != nil {
		return nil, err
	}
	var old casecalc.Calculation
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &old); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	if err := manualAllowed(c, &old); err != nil {
		return nil, err
	}
	calc := manualCalculation(c, lines, a.Subject(), w.db.Clock())
	pending, err := w.desk.PendingApproval(ctx, c.ID)
	if err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
		return nil, err
	}
	by := a.String()
	_, err = w.cases.Update(ctx, c.ID, func(m *store.Moves) error {
		if m.Case().Version != c.Version {
			return errStale
		}
		if pending != nil {
			if err := m.CloseApproval(ctx, pending.ID, store.ApprovalReturned, a.Subject(), by,
				"Ärendet har beräknats för hand; förslaget gällde den tidigare beräkningen."); err != nil {
				return err
			}
		}
		if err := m.AddRecord(ctx, by, RecordManualCalculation, map[string]any{
			"caseworker": a.Subject(), "reason": reason, "lines": lines, "aid": calc.Output.Aid,
			"replaces": old.ParamSet, "replaced_error": old.Error}); err != nil {
			return err
		}
		return m.AddRecord(ctx, by, store.RecordCalculation, calc)
	})
	if err != nil {
		return nil, err
	}
	return calc, nil
}

// manualCalculation is the calculation record of lines entered by subject
// for case c on the date on.
func manualCalculation(c *skalig.Case, lines []manualcalc.Line, subject string, now time.Time) *casecalc.Calculation {
	facts := manualcalc.Facts(lines, c.Month, subject, now)
	out := manualcalc.Output(c.Month, lines, subject)
	calc := &casecalc.Calculation{Month: c.Month.String(), CalculatedOn: skalig.DateOf(now).String(), Facts: facts,
		ParamSet: manualcalc.ParamSet, ParamStatus: manualcalc.ParamSet, EngineVersion: manualcalc.Engine, Output: out}
	for _, l := range lines {
		if l.Kind == manualcalc.Cost || l.Kind == manualcalc.Beyond {
			calc.Claimed += l.Amount
		}
	}
	return calc
}
