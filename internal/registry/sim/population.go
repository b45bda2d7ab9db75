package sim

import (
	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/registry/wire"
)

// The population register (Skatteverket's folkbokföring). It agrees with
// Migrationsverket's part of the same person: everyone with a personnummer
// who is not a newcomer was born in Sweden, is a Swedish citizen from birth
// and folkbokförd from the day of birth; a newcomer is folkbokförd from the
// day the first permit began (a samordningsnummer never is) and holds the
// citizenship of the country they came from, and Swedish citizenship from
// the day Migrationsverket granted it. Migrationsverket knows only the
// newcomers, so a Swedish citizen by birth is known to the population
// register alone; some holders of a samordningsnummer who are not
// newcomers are known to neither. A persona of the development provider
// has its name from there (devidp), everyone else a name drawn from the
// seed.

// citizenDate is a day Swedish citizenship was granted.
type citizenDate skalig.Date

func (c citizenDate) month() skalig.Month { return skalig.MonthOf(int(c.Y), int(c.M)) }
func (c citizenDate) String() string      { return skalig.Date(c).String() }

// citizenship returns the day Migrationsverket granted a newcomer Swedish
// citizenship, if it did (the newcomers whose permits became permanent,
// some five years after arrival).
func (p *person) citizenship() (citizenDate, bool) {
	if p.arch != archNewcomer || p.u("fate", 0) <= 0.8 {
		return citizenDate{}, false
	}
	c := p.arrival + 60
	return citizenDate{Y: int16(c.Year()), M: int8(c.Num()), D: 15}, true
}

// origins are the countries newcomers come from (ISO 3166-1 alpha-2).
var origins = []string{"SY", "AF", "ER", "SO", "IQ", "UA", "IR", "TH"}

// knownFolk reports whether the population register knows the person as
// of the end of per.
func (p *person) knownFolk(per skalig.RegisterPeriod) bool {
	switch {
	case p.arch == archNewcomer:
		return per.To >= p.arrival
	case p.pn.IsCoordination():
		return p.u("folk-known", 0) < 0.5
	}
	return !per.To.First().Before(p.birth)
}

// folk returns the population register's data as known at the end of per.
func (p *person) folk(per skalig.RegisterPeriod) *wire.FolkData {
	given, surname := p.name()
	d := &wire.FolkData{Name: &wire.FolkName{Given: given, Surname: surname}}
	switch {
	case p.arch == archNewcomer:
		if !p.pn.IsCoordination() {
			from := p.arrival.First()
			if from.Before(p.birth) {
				from = p.birth
			}
			d.Registrations = append(d.Registrations, wire.FolkRegistration{From: from.String()})
		}
		d.Citizenships = append(d.Citizenships, wire.FolkCitizenship{Country: origins[p.h("origin", 0)%uint64(len(origins))]})
		if c, ok := p.citizenship(); ok && per.To >= c.month() {
			d.Citizenships = append(d.Citizenships, wire.FolkCitizenship{Country: "SE", From: c.String()})
		}
	case p.pn.IsCoordination():
		// Known by a samordningsnummer: never folkbokförd, no citizenship
		// on record.
	default:
		d.Registrations = append(d.Registrations, wire.FolkRegistration{From: p.birth.String()})
		d.Citizenships = append(d.Citizenships, wire.FolkCitizenship{Country: "SE"})
	}
	return d
}

var givenNames = []string{"Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Sara", "Johan", "Eva", "Mohammed",
	"Fatima", "Ali", "Amina", "Oskar", "Elsa", "Noah", "Leila", "Omar", "Sofia", "Hugo"}

var surnames = []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
	"Persson", "Svensson", "Gustafsson", "Hassan", "Ahmadi", "Mohammadi", "Berg", "Lindqvist", "Lund"}

// personaNames are the development provider's applicants' names by
// personnummer, read once.
var personaNames = func() map[skalig.PersonalNumber][2]string {
	out := map[skalig.PersonalNumber][2]string{}
	for _, d := range devidp.Persons() {
		if d.PersonalNumber != "" {
			out[d.PersonalNumber] = [2]string{d.GivenName, d.FamilyName}
		}
	}
	return out
}()

// name returns the person's registered name: a persona's from the
// development provider, anyone else's drawn from the seed.
func (p *person) name() (given, surname string) {
	if n, ok := personaNames[p.pn]; ok {
		return n[0], n[1]
	}
	return givenNames[p.h("given", 0)%uint64(len(givenNames))], surnames[p.h("surname", 0)%uint64(len(surnames))]
}
