package demo

import (
	"fmt"
	"strings"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/registry/sim"
)

// A Persona is a household of the development provider's applicant
// personas (internal/auth/devidp) with a history in the demo: months
// applied for and decided before the demo's month, so that the person who
// logs in as them sees decided and paid months in Mina sidor and can apply
// for the next month. The register simulator gives the personas the life
// situation of their description (internal/registry/sim/personas.go), and
// the applications declare what the registers hold.
type Persona struct {
	// Subject is the applicant's devidp subject; Partner the spouse's or
	// sambo's, if any.
	Subject, Partner string
	// Children are the household's children: personnummer of the test
	// series, born on the dates the simulator pays barnbidrag for.
	Children []skalig.PersonalNumber
	Rent     skalig.Money
	// Account is the payment account as the web form writes it,
	// "clearing-account".
	Account string
	// History is how many months before the demo's month the household has
	// applied for, oldest first: the first a grundansökan decided by a
	// caseworker, the rest monthly re-applications.
	History int
	// Current, when set, is an application for the demo's month itself,
	// which stops for a caseworker (a need beyond the norm): the demo then
	// asks for documents in it and writes a message.
	Current bool
	// Story says in Swedish what the person will see after logging in.
	Story string
}

// Personas returns the personas with a demo history.
func Personas() []Persona {
	return []Persona{
		{Subject: devidp.AlvaTestsson, Rent: skalig.Kronor(4150), Account: "8327-9110000001", History: 3,
			Story: "tre beslutade och utbetalda månader och ett meddelande från handläggaren. Ansök om nästa månad " +
				"(uppgifterna är ifyllda): ansökan beslutas automatiskt inom några sekunder medan du tittar " +
				"(ett av tjugo ärenden lottas till stickprov och granskas då av en handläggare)."},
		{Subject: devidp.CeciliaDemosson, Partner: devidp.DavidDemosson, Rent: skalig.Kronor(6900),
			Account: "8327-9110000002", History: 2, Current: true,
			Children: childrenOf(devidp.CeciliaDemosson),
			Story: "två beslutade och utbetalda månader, och en ansökan för den här månaden om vinterkläder till " +
				"barnen där handläggaren begär in ett kvitto och har skrivit ett meddelande. David Demosson ser samma ärenden."},
	}
}

// childrenOf returns personnummer of the test series for the children the
// simulator pays barnbidrag for to subject.
func childrenOf(subject string) []skalig.PersonalNumber {
	p, _ := devidp.Lookup(subject)
	var out []skalig.PersonalNumber
	for i, d := range sim.PersonaChildren(p.PersonalNumber) {
		s := fmt.Sprintf("%04d%02d%02d%03d", d.Y, d.M, d.D, 990+i)
		out = append(out, skalig.PersonalNumber(s+fmt.Sprint(luhnDigit(s[2:]))))
	}
	return out
}

// Person returns the persona's applicant.
func (p Persona) Person() devidp.Person { x, _ := devidp.Lookup(p.Subject); return x }

// Application returns the persona household's application for month, of
// kind, in municipality, with the registers' incomes of seed declared. A
// need beyond the norm is added when need is true. The idempotency key is
// "persona-<subject>-<month>".
func (p Persona) Application(seed uint64, municipality string, month skalig.Month, kind skalig.ApplicationKind, need bool) *skalig.Application {
	app := &skalig.Application{Kind: kind, Municipality: municipality, Month: month,
		IdempotencyKey: fmt.Sprintf("persona-%s-%s", p.Subject, month)}
	add := func(kind, person string, v skalig.FactValue) {
		app.Facts = append(app.Facts, skalig.Fact{Kind: kind, PersonID: person, Value: v, Source: skalig.SourceApplicant, Period: month})
	}
	adult := func(id string, p devidp.Person, role skalig.MemberRole) {
		pn := p.PersonalNumber
		// The name the person's login gives: as if they had signed on the
		// e-service.
		app.Members = append(app.Members, skalig.Member{ID: id, PersonalNumber: pn, Role: role, Name: p.Name()})
		prof := sim.ProfileOf(seed, pn, month)
		for _, f := range prof.Facts {
			if strings.HasPrefix(f.Kind, skalig.KindIncomePrefix) && !f.Value.IsText {
				add(f.Kind, id, skalig.AmountValue(f.Value.Amount))
			}
		}
		add(skalig.KindWorkSituation, id, skalig.TextValue("unemployed"))
		add(skalig.KindAFRegistered, id, skalig.TextValue("yes"))
	}
	adult("p1", p.Person(), skalig.RoleApplicant)
	if p.Partner != "" {
		partner, _ := devidp.Lookup(p.Partner)
		adult("p2", partner, skalig.RolePartner)
	}
	for i, c := range p.Children {
		app.Members = append(app.Members, skalig.Member{ID: fmt.Sprintf("c%d", i+1), PersonalNumber: c, Role: skalig.RoleChild})
	}
	add(skalig.KindCostPrefix+"housing", "", skalig.AmountValue(p.Rent))
	add(skalig.KindCostPrefix+"home_insurance", "", skalig.AmountValue(skalig.Kronor(129)))
	add(skalig.KindAssetBank, "", skalig.AmountValue(skalig.Kronor(350)))
	add(skalig.KindPaymentAccount, "", skalig.TextValue(p.Account))
	if need {
		add(skalig.KindOtherNeedPrefix+"1", "", skalig.AmountValue(skalig.Kronor(1800)))
		add(skalig.KindOtherNeedPrefix+"1.text", "", skalig.TextValue("Vinterkläder till barnen (overaller och kängor)"))
	}
	return app
}
