package casecalc

import (
	"encoding/json"
	"fmt"

	"skalig"
	"skalig/internal/calcformat"
)

// Receipt builds and seals the receipt of decision d of case c (with
// members) made on calc.
//
// Errors: ECONFLICT (calc has no output).
func Receipt(c *skalig.Case, members []skalig.Member, calc *Calculation, d *skalig.Decision) (*skalig.Receipt, error) {
	if calc.Output == nil {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Ärendet har ingen beräkning att fatta beslut på.")
	}
	result, trace, err := OutputJSON(calc.Output)
	if err != nil {
		return nil, err
	}
	on, ok := skalig.ParseDate(calc.CalculatedOn)
	if !ok {
		return nil, fmt.Errorf("calculation date %q", calc.CalculatedOn)
	}
	r := &skalig.Receipt{
		CaseID: c.ID, Month: c.Month, CalculatedOn: on, Members: members, Facts: calc.Facts,
		ParamSet: calc.ParamSet, ParamStatus: calc.ParamStatus, EngineVersion: calc.EngineVersion,
		GuidelineVersion: calc.GuidelineVersion, Result: result, Trace: trace,
		Outcome: d.Outcome, Amount: d.Amount, DecidedBy: d.DecidedBy,
	}
	if err := r.Seal(); err != nil {
		return nil, err
	}
	return r, nil
}

// OutputJSON splits the engine's output into the receipt's result (the
// figures) and trace (the lines).
func OutputJSON(o *calcformat.Output) (result, trace json.RawMessage, err error) {
	figures := *o
	figures.Trace = nil
	if result, err = json.Marshal(figures); err != nil {
		return nil, nil, err
	}
	trace, err = json.Marshal(o.Trace)
	return result, trace, err
}
