package workflow

import (
	"context"

	"skalig"
	"skalig/internal/routing"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// RoutingInput returns case c as routing saw it when it was last
// calculated: its members and every fact, the figures of its latest
// calculation and the household's last decided month before it. The
// administration's rule tester runs a rule on it (routing.TryRule). It
// only reads; the caller logs the read.
//
// Errors: EINVALID (the case has not been calculated, or could not be);
// ENOTFOUND.
func (w *Workflow) RoutingInput(ctx context.Context, c *skalig.Case) (*routing.Input, error) {
	app, err := w.cases.CaseApplication(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	facts, err := w.cases.Facts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var calc casecalc.Calculation
	if err := w.cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			return nil, skalig.Errorf(skalig.EINVALID, "Ärendet är inte beräknat ännu, så reglerna kan inte prövas på det.")
		}
		return nil, err
	}
	if calc.Output == nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Ärendet kunde inte beräknas (%s), så reglerna prövas inte på det.", calc.Error)
	}
	granted, err := w.cases.GrantedMonths(ctx, adults(app.Members), c.Month)
	if err != nil {
		return nil, err
	}
	var prev *routing.Previous
	if len(granted) > 0 {
		if prev, err = w.previous(ctx, granted[len(granted)-1]); err != nil {
			return nil, err
		}
	}
	return casecalc.RoutingInput(c, app.Members, facts, &calc, prev), nil
}
