package replay

import (
	"skalig"
	"skalig/internal/workflow/casecalc"
	"skalig/internal/workflow/jsondiff"
	"skalig/internal/workflow/manualcalc"
)

// manual recomputes a receipt of a manual calculation from the lines
// it holds.
func manual(r *skalig.Receipt, rep *Report, diff func(string, ...any)) {
	lines, by, ok := manualcalc.LinesOf(r.Facts)
	if !ok {
		diff("underlaget är en beräkning för hand men saknar raderna")
		return
	}
	out := manualcalc.Output(r.Month, lines, by)
	result, trace, err := casecalc.OutputJSON(out)
	if err != nil {
		diff("%v", err)
		return
	}
	jsondiff.Compare("resultat", r.Result, result, diff)
	jsondiff.Compare("beräkningsrader", r.Trace, trace, diff)
	if r.Outcome == skalig.OutcomeApproved && out.Aid != r.Amount {
		diff("beviljat belopp %s, omräknat %s", r.Amount, out.Aid)
	}
	rep.Identical = len(rep.Differences) == 0
}
