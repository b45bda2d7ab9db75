// Package demo makes the demo's synthetic households: applications whose
// declared figures agree with what the register simulator (internal/registry/
// sim) will answer for the same persons, or differ from it on purpose, so that
// a demo run shows automated decisions, proposals, exceptions of several kinds
// and sample controls. Every person is synthetic: personnummer of the test
// series (födelsenummer 980-999), never a real person's.
package demo

import (
	"fmt"
	"iter"
	"slices"
	"strconv"

	"skalig"
	"skalig/internal/registry/sim"
	"skalig/internal/rules"
)

// Scenario is the kind of household a demo application shows.
type Scenario string

// Scenarios, in the order Generate cycles through them (the plain monthly
// cases most often, as in reality).
const (
	Plain          Scenario = "plain"           // monthly, figures agree: the robot decides (or samples)
	Family         Scenario = "family"          // a couple with children, monthly, figures agree
	First          Scenario = "first"           // a first application: always a person
	IncomeDiffers  Scenario = "income_differs"  // a benefit not declared: declared and register differ
	OtherNeed      Scenario = "other_need"      // asks for something beyond the norm
	Eviction       Scenario = "eviction"        // an eviction notice: social work first
	HighHousing    Scenario = "high_housing"    // rent above the municipality's guideline
	Message        Scenario = "message"         // a message to the caseworker
	RegisterIssues Scenario = "register_issues" // whatever the registers hold (vehicle, permit, not at AF)
	Sick           Scenario = "sick"            // ill without a läkarintyg (from July 2026: asked for, a person)
	Sublet         Scenario = "sublet"          // rents second hand without shown consent (from 2027: asked for, a person)
)

var cycle = []Scenario{Plain, Plain, Family, First, Plain, IncomeDiffers, Plain, OtherNeed, Family, Eviction,
	Plain, HighHousing, Plain, Message, RegisterIssues, Plain, Sick, Sublet}

// Swedish describes the scenario for the demo's printout.
func (s Scenario) Swedish() string {
	switch s {
	case Plain:
		return "fortsatt ansökan, uppgifterna stämmer med registren"
	case Family:
		return "par med barn, fortsatt ansökan, uppgifterna stämmer"
	case First:
		return "grundansökan"
	case IncomeDiffers:
		return "en ersättning är inte uppgiven i ansökan"
	case OtherNeed:
		return "ansöker om annat behov (glasögon)"
	case Eviction:
		return "har fått en uppsägning av bostaden"
	case HighHousing:
		return "hyran är högre än kommunens riktlinje"
	case Message:
		return "har skrivit ett meddelande till handläggaren"
	case RegisterIssues:
		return "registren visar fordon, tillstånd eller arbetssökande som måste kontrolleras"
	case Sick:
		return "är sjuk och har inte lämnat läkarintyg"
	case Sublet:
		return "hyr bostaden i andra hand utan visat samtycke"
	}
	return string(s)
}

// Household is one demo application and what it is meant to show.
type Household struct {
	Scenario Scenario
	App      *skalig.Application
}

// Generate returns n households applying in municipality for month, with
// persons of the simulator's population seed. The same arguments give the
// same households; the idempotency keys are "demo-<seed>-<month>-<i>".
func Generate(seed uint64, municipality string, month skalig.Month, n int) []Household {
	g := &gen{seed: seed, month: month}
	out := make([]Household, 0, n)
	for i := range n {
		sc := cycle[i%len(cycle)]
		app := g.household(sc, i)
		app.Municipality = municipality
		app.Month = month
		app.IdempotencyKey = fmt.Sprintf("demo-%d-%s-%d", seed, month, i)
		out = append(out, Household{Scenario: sc, App: app})
	}
	return out
}

// GenerateScenario returns n households of the one scenario sc, for
// load and crash tests that want, say, only Plain households (the robot
// decides them, or samples them). The idempotency keys are
// "demo-<seed>-<month>-<scenario>-<i>"; the persons differ from Generate's.
func GenerateScenario(seed uint64, municipality string, month skalig.Month, sc Scenario, n int) []Household {
	out := make([]Household, 0, n)
	for h := range Scenarios(seed, municipality, month, sc) {
		if len(out) == n {
			break
		}
		out = append(out, h)
	}
	return out
}

// Scenarios yields GenerateScenario's households one at a time, without
// end: a caller that filters them (bench/load wants only those the robot
// approves) generates no more than it keeps.
func Scenarios(seed uint64, municipality string, month skalig.Month, sc Scenario) iter.Seq[Household] {
	return func(yield func(Household) bool) {
		g := &gen{seed: seed, month: month}
		for i := 0; ; i++ {
			app := g.household(sc, i)
			app.Municipality = municipality
			app.Month = month
			app.IdempotencyKey = fmt.Sprintf("demo-%d-%s-%s-%d", seed, month, sc, i)
			if !yield(Household{Scenario: sc, App: app}) {
				return
			}
		}
	}
}

type gen struct {
	seed  uint64
	month skalig.Month
	next  int // the next TestPersonnummer index to consider
	child int
}

// adult finds the next person of the population whose registers show the
// wanted kind: clean (registered at Arbetsförmedlingen, no vehicle, no
// permit problem, known to Försäkringskassan) or not.
func (g *gen) adult(clean bool) (skalig.PersonalNumber, sim.Profile) {
	for range 10000 {
		pn := sim.TestPersonnummer(g.next)
		g.next++
		if sim.IsPersona(pn) {
			continue // the personas have a history of their own (personas.go)
		}
		if age := pn.BirthDate().AgeOn(g.month.First()); age < 20 || age >= 66 {
			continue
		}
		// A full register profile costs about a millisecond; under the
		// activity requirement only program participants can be clean,
		// and the simulator tells that much cheaply.
		if clean && rules.RuleActivityRequirement.InForce(g.month) && !sim.InProgram(g.seed, pn, g.month) {
			continue
		}
		p := sim.ProfileOf(g.seed, pn, g.month)
		if isClean(p, g.month) == clean {
			return pn, p
		}
	}
	panic("demo: no such person in the first 10 000 of the population")
}

// From the activity requirement (rules.RuleActivityRequirement, October
// 2026) registration alone is not clean: the person takes part in a
// full-time program at Arbetsförmedlingen.
func isClean(p sim.Profile, mo skalig.Month) bool {
	if slices.Contains(p.Unknown, skalig.RegisterFK) || slices.Contains(p.Unknown, skalig.RegisterAF) {
		return false
	}
	af := false
	fullTime := !rules.RuleActivityRequirement.InForce(mo)
	coveredIncome := false
	for _, f := range p.Facts {
		switch f.Kind {
		case skalig.KindIncomePrefix + "unemployment_benefit", skalig.KindIncomePrefix + "child_allowance":
			coveredIncome = coveredIncome || (!f.Value.IsText && f.Value.Amount > 0)
		case skalig.KindAFProgramExtent:
			fullTime = fullTime || f.Value.Text == "heltid"
		case skalig.KindAssetVehicle:
			return false
		case skalig.KindPermitStatus:
			if f.Value.Text != "valid" && f.Value.Text != "citizen" {
				return false
			}
		case skalig.KindAFRegistered:
			af = f.Value.Text == "yes"
		}
	}
	// From the activity requirement a clean person needs aid: a program
	// participant on aktivitetsstöd, not one with a-kassa or the child
	// allowance of children outside the demo's household (which mostly
	// cover the need). Both are stable from month to month, so that the
	// households of consecutive months are the same people.
	return af && fullTime && !(coveredIncome && rules.RuleActivityRequirement.InForce(mo))
}

// childPN returns a synthetic child's personnummer born in year: the test
// series' födelsenummer 980-999 with a computed check digit.
func (g *gen) childPN(year int) skalig.PersonalNumber {
	g.child++
	m := 1 + g.child%12
	d := 1 + (g.child*7)%28
	s := fmt.Sprintf("%04d%02d%02d%03d", year, m, d, 980+g.child%20)
	return skalig.PersonalNumber(s + strconv.Itoa(luhnDigit(s[2:])))
}

// luhnDigit is the check digit of the nine digits YYMMDDNNN.
func luhnDigit(s string) int {
	sum := 0
	for i, c := range s {
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

func (g *gen) household(sc Scenario, i int) *skalig.Application {
	app := &skalig.Application{Kind: skalig.MonthlyApplication}
	add := func(f skalig.Fact) {
		f.Source, f.Period = skalig.SourceApplicant, g.month
		app.Facts = append(app.Facts, f)
	}
	amount := func(kind, person string, m skalig.Money) {
		add(skalig.Fact{Kind: kind, PersonID: person, Value: skalig.AmountValue(m)})
	}
	text := func(kind, person, t string) {
		add(skalig.Fact{Kind: kind, PersonID: person, Value: skalig.TextValue(t)})
	}
	declare := func(id string, p sim.Profile, skip string) {
		for _, f := range p.Facts {
			if len(f.Kind) > 7 && f.Kind[:7] == skalig.KindIncomePrefix && !f.Value.IsText && f.Kind != skip {
				amount(f.Kind, id, f.Value.Amount)
			}
		}
	}
	pn, prof := g.adult(sc != RegisterIssues)
	app.Members = append(app.Members, skalig.Member{ID: "p1", PersonalNumber: pn, Role: skalig.RoleApplicant, Name: Name(pn)})
	rent := skalig.Kronor(int64(3800 + (i*137)%600))
	switch sc {
	case Family:
		pn2, prof2 := g.adult(true)
		app.Members = append(app.Members,
			skalig.Member{ID: "p2", PersonalNumber: pn2, Role: skalig.RolePartner, Name: Name(pn2)},
			skalig.Member{ID: "c1", PersonalNumber: g.childPN(g.month.Year() - 4), Role: skalig.RoleChild},
			skalig.Member{ID: "c2", PersonalNumber: g.childPN(g.month.Year() - 11), Role: skalig.RoleChild})
		declare("p2", prof2, "")
		text(skalig.KindWorkSituation, "p2", "unemployed")
		rent = skalig.Kronor(int64(6200 + (i*91)%800))
	case First:
		app.Kind = skalig.FirstApplication
	case HighHousing:
		// Above Högsby's maximum for one adult (4 474 kr) but within the
		// maximum + 10 % (4 921 kr): the demo's ready what-if "the maximum
		// housing cost +10 %" (examples/whatif) shows that a decided case
		// would not have stopped for a person.
		rent = skalig.Kronor(4700)
	case OtherNeed:
		amount(skalig.KindOtherNeedPrefix+"1", "", skalig.Kronor(1450))
		text(skalig.KindOtherNeedPrefix+"1.text", "", "Glasögon (synundersökning bifogas)")
	case Eviction:
		text(skalig.KindSignalEviction, "", "yes")
	case Message:
		text(skalig.KindMessage, "", "Jag har fått ett nytt arbete från nästa månad och vill veta vad som gäller.")
	case Sublet:
		text(skalig.KindSublet, "", "yes")
	}
	skip := ""
	if sc == IncomeDiffers {
		for _, f := range prof.Facts {
			if f.Kind == skalig.KindIncomePrefix+"housing_allowance" || f.Kind == skalig.KindIncomePrefix+"unemployment_benefit" ||
				f.Kind == skalig.KindIncomePrefix+"activity_support" {
				skip = f.Kind
			}
		}
		if skip == "" {
			amount(skalig.KindIncomePrefix+"salary_net", "p1", skalig.Kronor(2000)) // none in the register: compared only if reported
		}
	}
	declare("p1", prof, skip)
	work := "unemployed"
	if sc == Sick {
		work = "sick"
	}
	text(skalig.KindWorkSituation, "p1", work)
	amount(skalig.KindCostPrefix+"housing", "", rent)
	amount(skalig.KindCostPrefix+"home_insurance", "", skalig.Kronor(129))
	text(skalig.KindPaymentAccount, "", fmt.Sprintf("8327-9 %09d", 100000000+i))
	return app
}
