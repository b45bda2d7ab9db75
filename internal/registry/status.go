package registry

import (
	"skalig"
)

// PartStatus returns how a part answered: skalig.RegisterFailed when it
// has an error, skalig.RegisterUnknownPerson when the source does not know
// the person, else skalig.RegisterAnswered. Only an answered part's silence
// means "nothing for the period".
func PartStatus(p skalig.RegisterPart) string {
	switch {
	case p.Err != nil:
		return skalig.RegisterFailed
	case p.UnknownPerson:
		return skalig.RegisterUnknownPerson
	}
	return skalig.RegisterAnswered
}

// StatusFacts returns the register.<source>.status facts of an answer to
// req: one per part and month of the source's period, a system fact with the
// part's status, at the time of the answer and referring to its evidence.
// The workflow records them beside the parts' facts, so that a source
// without an answered status is never read as "no income".
func StatusFacts(req skalig.RegisterRequest, ans *skalig.RegisterAnswer) []skalig.Fact {
	var out []skalig.Fact
	for _, p := range ans.Parts {
		st := PartStatus(p)
		per := req.PeriodOf(p.Source)
		for m := per.From; m <= per.To; m++ {
			out = append(out, skalig.Fact{
				Kind: skalig.RegisterStatusKind(p.Source), PersonID: req.PersonID, Period: m,
				Value: skalig.TextValue(st), Source: skalig.SourceSystem,
				At: ans.FetchedAt, Evidence: ans.EvidenceRef,
			})
		}
	}
	return out
}
