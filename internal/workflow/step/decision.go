package step

import (
	"fmt"
	"strings"

	"skalig"
	"skalig/internal/workflow/casecalc"
)

// automatedDecision is the decision the robot makes on calc under the
// delegation routing named in rr, or nil when there is none (routing would
// not have let the robot decide; it does not decide on doubt).
func automatedDecision(c *skalig.Case, rr casecalc.RoutingRecord, calc *casecalc.Calculation) *skalig.Decision {
	if rr.Outcome.Delegation == "" || calc.Output == nil {
		return nil
	}
	d := &skalig.Decision{
		CaseID: c.ID, Outcome: rr.Outcome.Outcome, Month: c.Month, Amount: calc.Output.Aid,
		DecidedBy: skalig.Automated(rr.Outcome.Delegation),
	}
	if d.Outcome != skalig.OutcomeApproved {
		d.Reasons = DecisionReasons(d.Outcome, calc)
	}
	return d
}

// DecisionReasons is the statement of reasons of a decision the robot may
// make other than approval in full (only when explicitly delegated).
func DecisionReasons(o skalig.Outcome, calc *casecalc.Calculation) []string {
	switch o {
	case skalig.OutcomeRejected:
		return []string{fmt.Sprintf("Hushållets inkomster (%s) är högre än behovet (%s) enligt beräkningen.",
			calc.Output.IncomeCounted.Swedish(), (calc.Output.Norm + calc.Output.ReasonableCosts + calc.Output.OtherCosts).Swedish())}
	case skalig.OutcomePartlyApproved:
		// The ground, named: each cost the guidelines cut, in the
		// engine's words ("Hushållsel över kommunens belopp …").
		var out []string
		for _, l := range calc.Output.Trace {
			if strings.HasSuffix(l.Item, "_guideline") && l.Amount < 0 && l.Text != "" {
				out = append(out, strings.TrimSuffix(l.Text, ".")+".")
			}
		}
		if len(out) > 0 {
			return out
		}
		return []string{"Alla kostnader du sökte för har inte godtagits i sin helhet; se beräkningen."}
	}
	return nil
}

// DecisionNotice is the text of the notification of decision d of case c.
func DecisionNotice(c *skalig.Case, d *skalig.Decision) string {
	text := fmt.Sprintf("Beslut om försörjningsstöd för %s: %s, %s.", c.Month.String(), d.Outcome.Swedish(), d.Amount.Swedish())
	if d.DecidedBy.IsAutomated() {
		text += " Beslutet är fattat automatiskt. Du kan be att en handläggare prövar ditt ärende."
	}
	return text
}
