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
