package whatifweb

import (
	"skalig"
	"strings"

	"skalig/internal/web"
	"skalig/internal/whatif"
)

// summary says in the page's language what changed for one case: the
// amount, the outcome, the route, the stop reasons gained and lost, or
// why the case could not be recalculated. (whatif.Change.Reason is the
// same in Swedish, for the CSV and the API.)
func summary(l *web.Lang, c *whatif.Change) string {
	var parts []string
	if c.Error != "" {
		parts = append(parts, l.T("cw.whatif.sum.error", c.Error))
	}
	if c.Difference != 0 {
		parts = append(parts, l.T("cw.whatif.sum.amount", signed(l, c.Difference), l.Money(c.DecidedAid), l.Money(c.CandidateAid)))
	}
	if c.Outcome != c.CandidateOutcome {
		parts = append(parts, l.T("cw.whatif.sum.outcome",
			text(l, "detail.outcome."+string(c.Outcome)), text(l, "detail.outcome."+string(c.CandidateOutcome))))
	}
	if c.Route != c.CandidateRoute {
		parts = append(parts, l.T("cw.whatif.sum.route", text(l, c.Route.TextID()), text(l, c.CandidateRoute.TextID())))
	}
	if len(c.NewReasons) > 0 {
		parts = append(parts, l.T("cw.whatif.sum.new_reasons", reasonNames(l, c.NewReasons)))
	}
	if len(c.VanishedReasons) > 0 {
		parts = append(parts, l.T("cw.whatif.sum.vanished_reasons", reasonNames(l, c.VanishedReasons)))
	}
	if len(parts) == 0 {
		return l.T("cw.whatif.sum.unchanged")
	}
	return strings.Join(parts, l.T("detail.sep.semicolon"))
}

// text is message id in the page's language, or else the code after its
// last dot (an empty route or outcome).
func text(l *web.Lang, id string) string {
	return l.TOr(id, id[strings.LastIndex(id, ".")+1:])
}

// reasonNames names stop reasons by their labels; a municipality's own
// rule ("municipal:<name>") by its name.
func reasonNames(l *web.Lang, codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = text(l, "reason."+c)
		if n, ok := strings.CutPrefix(c, skalig.ReasonMunicipalPrefix); ok {
			names[i] = n
		}
	}
	return strings.Join(names, l.T("detail.sep.comma"))
}
