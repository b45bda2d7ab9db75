package registry

import (
	"slices"
	"strings"

	"skalig"
	"skalig/internal/registry/wire"
)

// folkFacts reads the population register's part (Skatteverket's
// folkbokföring) into facts per month of p, each judged on the first day of
// the month: population.registered "yes" when a period of folkbokföring
// covers the day and "no" otherwise; population.citizenship the
// citizenships held that day, as sorted country codes joined by commas (no
// fact when none is held); and person.name, the name as registered, for the
// last month of p only. The parser states what the register says; what it
// means for lawful residence is rules.LawfulResidence's.
func folkFacts(d *wire.FolkData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	type span struct {
		from, to skalig.Date
		hasFrom  bool
		hasTo    bool
		country  string
	}
	var regs []span
	for i, r := range d.Registrations {
		what := item("registration", i+1)
		from, to, hasTo, err := dateSpan(what, r.From, r.To, "ceases_before")
		if err != nil {
			return nil, err
		}
		regs = append(regs, span{from: from, hasFrom: true, to: to, hasTo: hasTo})
	}
	var cits []span
	for i, c := range d.Citizenships {
		what := item("citizenship", i+1)
		country := strings.TrimSpace(c.Country)
		if !isCountry(country) {
			return nil, bad("bad_country", what, quoted(country))
		}
		from, hasFrom, err := optDate(what, c.From)
		if err != nil {
			return nil, err
		}
		to, hasTo, err := optDate(what, c.To)
		if err != nil {
			return nil, err
		}
		if hasFrom && hasTo && to.Before(from) {
			return nil, bad("ceases_before", what)
		}
		cits = append(cits, span{from: from, hasFrom: hasFrom, to: to, hasTo: hasTo, country: country})
	}
	// covers reports whether s covers day d: begun by d, not ended before it.
	covers := func(s span, d skalig.Date) bool {
		return (!s.hasFrom || !d.Before(s.from)) && (!s.hasTo || !s.to.Before(d))
	}
	var facts []skalig.Fact
	forMonths(p, func(m skalig.Month) {
		first := m.First()
		registered := "no"
		for _, r := range regs {
			if covers(r, first) {
				registered = "yes"
			}
		}
		facts = append(facts, fm.fact(skalig.KindPopulationRegistered, m, skalig.TextValue(registered)))
		var held []string
		for _, c := range cits {
			if covers(c, first) && !slices.Contains(held, c.country) {
				held = append(held, c.country)
			}
		}
		if len(held) > 0 {
			slices.Sort(held)
			facts = append(facts, fm.fact(skalig.KindCitizenship, m, skalig.TextValue(strings.Join(held, ","))))
		}
	})
	if d.Name != nil {
		given, err := text(item("given_name"), d.Name.Given, 100)
		if err != nil {
			return nil, err
		}
		surname, err := text(item("surname"), d.Name.Surname, 100)
		if err != nil {
			return nil, err
		}
		facts = append(facts, fm.fact(skalig.KindPersonName, p.To, skalig.TextValue(given+" "+surname)))
	}
	return facts, nil
}

// isCountry reports whether s is an ISO 3166-1 alpha-2 code in capitals
// ("SE"); the register's code for an unknown or no citizenship is not one.
func isCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
