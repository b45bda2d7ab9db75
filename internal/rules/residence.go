package rules

import (
	"slices"

	"skalig"
)

// Outcomes of LawfulResidence.
const (
	ResidenceNotInForce = "not_in_force" // the month is before the rule's first month
	ResidenceLawful     = "lawful"
	ResidenceNotLawful  = "not_lawful"
	ResidenceUnknown    = "unknown"
	// ResidenceUnregistered: known to neither Migrationsverket nor the
	// population register; a person finds out who this is.
	ResidenceUnregistered = "unregistered"
)

// Grounds of a lawful residence (Finding.Ground).
const (
	ResidenceByCaseworker   = "caseworker"
	ResidenceByMigration    = "migration"
	ResidenceSwedishCitizen = "swedish_citizen"
	ResidenceAssumed        = "assumed_by_personnummer"
)

// citizenLaw is why a Swedish citizen resides lawfully: no Swedish citizen
// may be expelled or refused entry (regeringsformen 2 kap. 7 §).
const citizenLaw = "RF 2 kap. 7 §"

// Residence is what is known of one member's residence in one month.
type Residence struct {
	// Lawful is the residence.lawful value ("yes", "no", or another text)
	// from a caseworker or Migrationsverket, a caseworker's first; ""
	// when neither gives one. LawfulBy names who gave it ("caseworker",
	// or "register" for Migrationsverket).
	Lawful   string `json:"lawful,omitempty"`
	LawfulBy string `json:"lawful_by,omitempty"`
	// Migration and Population are how Migrationsverket and the population
	// register answered about the person: "answered", "unknown_person",
	// "failed", or "" when not asked.
	Migration  string `json:"migration,omitempty"`
	Population string `json:"population,omitempty"`
	// Citizenships are the population register's country codes for the
	// month ("SE"); Registered its "yes" or "no" (folkbokförd).
	Citizenships []string `json:"citizenships,omitempty"`
	Registered   string   `json:"registered,omitempty"`
	// Coordination is true for a samordningsnummer.
	Coordination bool `json:"coordination_number,omitempty"`
	// AssumeByPersonnummer is the municipality's explicit assumption
	// (routing's lawful_residence_by_population_register) for a
	// deployment without the population register: a personnummer whom
	// Migrationsverket does not know counts as lawfully resident. It is
	// used only when the population register was not asked.
	AssumeByPersonnummer bool `json:"assume_by_personnummer,omitempty"`
}

// LawfulResidence applies RuleLawfulResidence to one member for month m.
//
// From January 2027 ekonomiskt bistånd beyond emergency aid is given only
// to a person who resides lawfully in Sweden. A caseworker's or
// Migrationsverket's finding decides (citizenship, a permit in force, an
// extension applied for in time; or not). Without one, a Swedish citizen
// by the population register resides lawfully (a citizen may not be
// refused entry or expelled). A person known to neither register is named
// as such (ResidenceUnregistered); anything else is unknown, with what the
// registers said, for a person to judge. Never assumed, except by the
// municipality's explicit AssumeByPersonnummer where the population
// register is not asked.
func LawfulResidence(m skalig.Month, r Residence) Finding {
	rule := RuleLawfulResidence
	f := Finding{Rule: rule.Code, Law: rule.Law}
	if !rule.InForce(m) {
		f.Outcome = ResidenceNotInForce
		return f
	}
	set := func(outcome, ground, id string, args ...skalig.DetailArg) Finding {
		f.Outcome, f.Ground = outcome, ground
		f.Detail = skalig.NewDetail("detail.residence."+id, args...)
		f.Swedish = f.Detail.Swedish()
		return f
	}
	by := skalig.MsgArg("detail.residence.by_migration")
	ground := ResidenceByMigration
	if r.LawfulBy == "caseworker" {
		by, ground = skalig.MsgArg("detail.residence.by_caseworker"), ResidenceByCaseworker
	}
	switch {
	case r.Lawful == "yes":
		return set(ResidenceLawful, ground, "lawful", by)
	case r.Lawful == "no":
		return set(ResidenceNotLawful, ground, "not_lawful", by)
	case r.Lawful != "":
		return set(ResidenceUnknown, "", "unknown_value", skalig.TextArg(r.Lawful), by)
	case r.Population == skalig.RegisterAnswered && slices.Contains(r.Citizenships, "SE"):
		f.Law = rule.Law + "; " + citizenLaw
		return set(ResidenceLawful, ResidenceSwedishCitizen, "citizen")
	case r.Migration == skalig.RegisterUnknownPerson && r.Population == skalig.RegisterUnknownPerson:
		return set(ResidenceUnregistered, "", "unregistered")
	case r.Population == "" && r.Migration == skalig.RegisterUnknownPerson && !r.Coordination && r.AssumeByPersonnummer:
		return set(ResidenceLawful, ResidenceAssumed, "assumed")
	}
	var why []skalig.DetailArg
	add := func(id string) { why = append(why, skalig.MsgArg("detail.residence."+id)) }
	if r.Coordination {
		add("coordination")
	}
	switch r.Migration {
	case skalig.RegisterAnswered:
		add("migr_answered")
	case skalig.RegisterUnknownPerson:
		add("migr_unknown")
	default:
		add("migr_none")
	}
	switch {
	case r.Population == skalig.RegisterAnswered && r.Registered == "yes":
		add("pop_registered")
	case r.Population == skalig.RegisterAnswered:
		add("pop_not_registered")
	case r.Population == skalig.RegisterUnknownPerson:
		add("pop_unknown")
	case r.Population == skalig.RegisterFailed:
		add("pop_none")
	}
	f.Outcome = ResidenceUnknown
	f.Detail = skalig.NewDetail("detail.list", skalig.ListArg(skalig.DetailSepComma, why...))
	f.Swedish = f.Detail.Swedish()
	return f
}
