// Package rules calculates försörjningsstöd for one household and one month.
//
// Calculate is a pure function of the household (Input), the parameters in
// force for the month (params.Set) and the municipality's guidelines: it
// reads no clock, database or network, and the same inputs always give the
// same Result and Trace. Money is integer öre; the aid is rounded to whole
// kronor only at the end, and the rounding is a line of the trace.
package rules

import (
	"fmt"
	"slices"
	"strconv"

	"skalig"
	"skalig/internal/params"
)

// EngineVersion identifies the calculation rules. It is stored with every
// decision; change it whenever a change to this package could change a
// result or a trace. rules/2026.12.1: approved amounts (costs[].approved),
// aid beyond the calculation, a person's norm adjustment and jobbstimulans
// per person (people[].aid_months); the jobbstimulans line speaks of the
// person, not the household.
// rules/2026.12.2: a month from 2027-01 needs a person's review under the
// reformed norm rules (norm_reform_2027, large_household_2027; DatedRule).
// rules/2026.12.3: the reform rules cite the amended SoL (2025:400) as the
// text in force from the rule's first day with its bill, without chapter
// numbers not verified (RuleNormReform's law in the review line); the
// conditions ActivityRequirement and LawfulResidence.
const EngineVersion = "rules/2026.12.3"

// Status is the outcome of a calculation.
type Status uint8

// Statuses of a calculation.
const (
	Complete    Status = iota // the calculation alone settles the amount
	NeedsReview               // a person must look: see Result.Reasons
)

func (s Status) String() string {
	if s == NeedsReview {
		return "needs_review"
	}
	return "complete"
}

// Result is the outcome of one calculation.
type Result struct {
	Month   skalig.Month
	Status  Status
	Reasons Reasons

	Norm            skalig.Money // riksnorm: personal plus common household costs
	ReasonableCosts skalig.Money // approved reasonable costs outside the norm
	OtherCosts      skalig.Money // approved other needs (livsföring i övrigt)
	NormAdjustment  skalig.Money // a person's higher (or lower, negative) norm for special reasons
	Need            skalig.Money // Norm + NormAdjustment + ReasonableCosts + OtherCosts
	IncomeCounted   skalig.Money // all income less exemptions
	Beyond          skalig.Money // aid beyond the calculation, approved by a person
	Aid             skalig.Money // försörjningsstöd (need − income) plus Beyond, whole kronor
	Surplus         skalig.Money // IncomeCounted − Need when positive

	ParamSet    string        // e.g. "riksnorm-2025"
	ParamStatus params.Status // the weakest status of the values used
}

// Line is one line of the explanation of a calculation.
type Line struct {
	Item        string       // stable code: personal_cost, housing, salary_net, jobbstimulans, ...
	Person      string       // the person's id, where the line concerns one person
	Amount      skalig.Money // the amount this line contributes (exemptions are negative)
	Source      Source
	Parameter   string        // parameter id, where one was used
	ParamStatus params.Status // status of that parameter
	Law         string        // legal reference in force in the month assessed
	Text        string        // a plain Swedish sentence
}

// Trace collects the lines of a calculation. A nil *Trace collects nothing,
// which is how the calculation runs when only the figures are wanted.
type Trace struct {
	Lines []Line
}

func (t *Trace) add(l Line) {
	if t != nil {
		t.Lines = append(t.Lines, l)
	}
}

// Guidelines are a municipality's guidelines for reasonable costs, in force
// for the month assessed. The zero value caps nothing.
type Guidelines struct {
	Municipality string // "0821 Högsby kommun"
	Version      string // which version of the municipality's guidelines
	Source       string // where the figures were published
	// MaxHousing is the highest housing cost approved without a person's
	// review, indexed [adults−1][children]; a household with more children
	// than the table has takes the last column. Nil: no housing guideline.
	MaxHousing [2][]skalig.Money
	// MaxElectricity is the highest household electricity by number of
	// persons, the first entry for one person and the last for that many or
	// more. Nil: the municipality does not cap electricity.
	MaxElectricity []skalig.Money
	// WorkTravel is the price of the public-transport monthly pass that the
	// municipality approves for work travel; 0: none set.
	WorkTravel skalig.Money
}

// calc carries the state of one calculation.
type calc struct {
	in  *Input
	ps  *params.Set
	l   *laws
	tr  *Trace
	res Result
	// Texts used by several trace lines, made once per calculation.
	yearStr, dateStr string
}

// costTexts and incomeTexts are the trace texts of costs and incomes by kind
// and source, made once: building them per line was a third of the time of
// a calculation with trace.
var costTexts, incomeTexts = func() (c [numCostKinds][len(sourceNames)]string, i [numIncomeKinds][len(sourceNames)]string) {
	for k := range c {
		for src := range c[k] {
			c[k][src] = CostKind(k).Swedish() + ", faktisk kostnad enligt " + Source(src).Swedish()
		}
	}
	for k := range i {
		for src := range i[k] {
			i[k][src] = IncomeKind(k).Swedish() + " enligt " + Source(src).Swedish() + ": all inkomst minskar behovet"
		}
	}
	return
}()

// use records that v was used: its status weakens the result, a provisional
// value is a review reason, a missing one too. It returns v's amount, or 0
// when there is no value.
func (c *calc) use(v *params.Value) skalig.Money {
	if !v.Set {
		c.res.Reasons.Add(ParameterMissing)
		return 0
	}
	c.res.ParamStatus = c.res.ParamStatus.Weaker(v.Status)
	if v.Status == params.Provisional {
		c.res.Reasons.Add(ProvisionalParameter)
	}
	return v.Amount
}

// Calculate computes försörjningsstöd for in with the parameters ps in force
// for in.Month and the municipal guidelines g (nil: none). When tr is not
// nil the explanation is appended to it. It returns an EINVALID *skalig.Error
// with field messages when in is not a valid household for one case, and
// when ps is not the set for in.Month.
func Calculate(in *Input, ps *params.Set, g *Guidelines, tr *Trace) (Result, error) {
	if ps == nil || ps.Month != in.Month {
		return Result{}, skalig.Errorf(skalig.EINVALID, "parametrarna gäller inte den månad som prövas")
	}
	if errs := in.Validate(); errs != nil {
		return Result{}, &skalig.Error{Code: skalig.EINVALID, Message: "uppgifterna kan inte beräknas", Fields: errs}
	}
	c := calc{in: in, ps: ps, l: lawsAt(in.Month), tr: tr}
	if tr != nil {
		c.yearStr = strconv.Itoa(in.Month.Year())
		c.dateStr = swedishDate(in.Month.First())
		// One allocation for the whole trace instead of a doubling per line.
		tr.Lines = slices.Grow(tr.Lines, 10+len(in.People)+2*len(in.Costs)+2*len(in.Incomes)+int(numReasons))
	}
	c.res.Month = in.Month
	c.res.ParamSet = ps.Name
	c.norm()
	c.normAdjustment()
	c.costs(g)
	c.incomes()
	c.normReform()
	c.result()
	return c.res, nil
}

func (c *calc) norm() {
	in, ps, l := c.in, c.ps, c.l
	first := in.Month.First()
	days := in.Month.Days()
	hasPartner := false
	for i := range in.People {
		if in.People[i].Role == Partner {
			hasPartner = true
		}
	}
	var norm skalig.Money
	for i := range in.People {
		p := &in.People[i]
		age := p.Birth.AgeOn(first)
		switch p.Role {
		case Partner:
			if age < 18 {
				c.res.Reasons.Add(ApplicantUnder18)
			}
			// The couple amount is one line, on the applicant.
		case Applicant:
			if age < 18 {
				c.res.Reasons.Add(ApplicantUnder18)
			}
			v := &ps.Adult[0]
			if hasPartner {
				v = &ps.Adult[1]
			}
			amt := c.use(v)
			norm += amt
			if c.tr != nil {
				text := "Personliga kostnader för en ensamstående vuxen (riksnormen " + c.yearStr + ")"
				if hasPartner {
					text = "Personliga kostnader för sammanboende vuxna, för båda tillsammans (riksnormen " + c.yearStr + ")"
				}
				c.tr.add(Line{Item: "personal_cost", Person: p.ID, Amount: amt, Source: SourceParameter,
					Parameter: v.ID, ParamStatus: v.Status, Law: l.norm, Text: text + statusNote(v)})
			}
		case Child:
			bornDuring := first.Before(p.Birth)
			if bornDuring {
				age = 0
				c.res.Reasons.Add(ChildBornDuringMonth)
			}
			band := bandOf(age)
			v := &ps.Child[band]
			noLunch := !p.LunchAtHome && band < params.NoLunchBands
			if noLunch {
				v = &ps.ChildNoLunch[band]
			}
			full := c.use(v)
			amt := full
			partial := p.DaysPresent > 0 && p.DaysPresent < days
			if partial {
				amt = shareKronor(full, int64(p.DaysPresent), int64(days))
			}
			norm += amt
			if c.tr != nil {
				text := "Personliga kostnader för barn " + bandText(band) + " år (" + strconv.Itoa(age) + " år den " + c.dateStr + ", riksnormen " + c.yearStr + ")"
				if noLunch {
					text += ", utan lunch hemma fem dagar i veckan"
				}
				if !v.Set {
					text += ": beloppet saknas i Skäligs tabeller för året"
				}
				law := l.norm
				if partial {
					text += fmt.Sprintf("; barnet bor här %d av %d dagar (växelvis boende): %s × %d/%d, avrundat till hela kronor", p.DaysPresent, days, full.Swedish(), p.DaysPresent, days)
					law = l.norm + "; " + l.guidance
				}
				c.tr.add(Line{Item: "personal_cost", Person: p.ID, Amount: amt, Source: SourceParameter,
					Parameter: v.ID, ParamStatus: v.Status, Law: law, Text: text + statusNote(v)})
			}
		}
	}

	// Common household costs, for the persons in the case, or a share of
	// those for the whole dwelling (lodger rule).
	persons := len(in.People)
	size := persons
	if in.DwellingSize > persons {
		size = in.DwellingSize
	}
	var common skalig.Money
	var v *params.Value
	law := l.norm
	var text string
	if size <= 7 {
		v = &ps.Common[size]
		common = c.use(v)
		if c.tr != nil {
			text = "Gemensamma hushållskostnader för " + personsText(size) + " (riksnormen " + c.yearStr + ")"
		}
	} else {
		// The line carries the amount for seven persons, with the weaker
		// status of the two values the extension is computed from.
		ext := ps.Common[7]
		ext.Status = ext.Status.Weaker(ps.Common[6].Status)
		ext.Set = ext.Set && ps.Common[6].Set
		v = &ext
		six, seven := c.use(&ps.Common[6]), c.use(&ps.Common[7])
		step := seven - six
		common = seven + skalig.Money(size-7)*step
		law = l.normExtra
		if c.tr != nil {
			text = fmt.Sprintf("Gemensamma hushållskostnader för %d personer: %s för sju personer och %s för var och en utöver sju (skillnaden mellan sex och sju personer, riksnormen %s)", size, seven.Swedish(), step.Swedish(), c.yearStr)
		}
	}
	if size > persons {
		full := common
		common = shareKronor(full, int64(persons), int64(size))
		law = l.normExtra
		if c.tr != nil {
			text += fmt.Sprintf(". Ni delar bostaden med andra: %s × %d/%d (personerna i ansökan av alla i bostaden), avrundat till hela kronor", full.Swedish(), persons, size)
		}
	}
	norm += common
	if c.tr != nil {
		c.tr.add(Line{Item: "common_household_cost", Amount: common, Source: SourceParameter,
			Parameter: v.ID, ParamStatus: v.Status, Law: law, Text: text + statusNote(v)})
		c.tr.add(Line{Item: "norm", Amount: norm, Source: SourceRule, Law: l.norm,
			Text: "Riksnormen för hushållet: personliga kostnader och gemensamma hushållskostnader"})
	}
	c.res.Norm = norm
}

func (c *calc) costs(g *Guidelines) {
	in, l := c.in, c.l
	var byKind [numCostKinds]skalig.Money
	var seen, approved [numCostKinds]bool
	for i := range in.Costs {
		cs := &in.Costs[i]
		switch {
		case cs.Kind == BeyondCost:
			// Validate makes sure a person approved it.
			c.res.Beyond += cs.Approval.Amount
			if c.tr != nil {
				c.tr.add(Line{Item: "beyond_calculation", Amount: cs.Approval.Amount, Source: SourceCaseworker, Law: l.beyond,
					Text: fmt.Sprintf("Bistånd utöver försörjningsstödet (%s): sökt %s, %s", cs.Text, cs.Amount.Swedish(), approvalText(cs.Approval))})
			}
			continue
		case cs.Kind == OtherCost && cs.Approval != nil:
			c.res.OtherCosts += cs.Approval.Amount
			if c.tr != nil {
				c.tr.add(Line{Item: "other_cost", Amount: cs.Approval.Amount, Source: SourceCaseworker, Law: l.other,
					Text: fmt.Sprintf("Övrigt behov, livsföring i övrigt (%s): sökt %s, %s", cs.Text, cs.Amount.Swedish(), approvalText(cs.Approval))})
			}
			continue
		case cs.Kind == OtherCost:
			c.res.Reasons.Add(OtherCostClaimed)
			if c.tr != nil {
				c.tr.add(Line{Item: "other_cost", Amount: cs.Amount, Source: cs.Source, Law: l.other,
					Text: fmt.Sprintf("Övrigt behov (%s), %s: prövas av en handläggare och ingår inte i beräkningen", cs.Text, cs.Amount.Swedish())})
			}
			continue
		}
		amount := cs.Amount
		if cs.Approval != nil {
			amount = cs.Approval.Amount
			approved[cs.Kind] = true
		}
		byKind[cs.Kind] += amount
		seen[cs.Kind] = true
		c.res.ReasonableCosts += amount
		if c.tr != nil {
			if cs.Approval != nil {
				c.tr.add(Line{Item: cs.Kind.String(), Amount: amount, Source: SourceCaseworker, Law: l.costs,
					Text: fmt.Sprintf("%s, faktisk kostnad %s; %s", cs.Kind.Swedish(), cs.Amount.Swedish(), approvalText(cs.Approval))})
			} else {
				c.tr.add(Line{Item: cs.Kind.String(), Amount: amount, Source: cs.Source, Law: l.costs,
					Text: costTexts[cs.Kind][cs.Source]})
			}
		}
	}
	anyCost := false
	for k := range seen[:OtherCost] {
		anyCost = anyCost || seen[k]
	}
	if !anyCost {
		return
	}
	if g == nil {
		if c.tr != nil {
			c.tr.add(Line{Item: "municipal_guidelines", Source: SourceRule, Law: l.costs,
				Text: "Ingen kommun är vald: kostnaderna är godtagna med faktiskt belopp, utan kommunens högsta belopp för boende och andra kostnader"})
		}
	} else {
		// A kind a person has approved an amount for is not capped again:
		// the person has weighed it against the guideline.
		for k := range approved {
			if approved[k] {
				seen[k] = false
			}
		}
		c.guidelines(g, &byKind, &seen)
	}
	if c.tr != nil {
		c.tr.add(Line{Item: "reasonable_costs", Amount: c.res.ReasonableCosts, Source: SourceRule, Law: l.costs,
			Text: "Skäliga kostnader utanför riksnormen, sammanlagt"})
	}
}

// guidelines applies the municipality's caps. Housing above the maximum is
// approved in full (a transition period is the default) but goes to a person;
// electricity and work travel above the municipal amount are reduced to it,
// and the reduction goes to a person too: only a person reduces.
func (c *calc) guidelines(g *Guidelines, byKind *[numCostKinds]skalig.Money, seen *[numCostKinds]bool) {
	l := c.l
	adults, children := 0, 0
	for i := range c.in.People {
		if c.in.People[i].Role == Child {
			children++
		} else {
			adults++
		}
	}
	persons := adults + children
	if seen[Housing] {
		tab := g.MaxHousing[min(adults, 2)-1]
		if len(tab) == 0 {
			c.res.Reasons.Add(NoMunicipalGuidelines)
		} else if max := tab[min(children, len(tab)-1)]; byKind[Housing] > max {
			c.res.Reasons.Add(HousingAboveGuideline)
			if c.tr != nil {
				c.tr.add(Line{Item: "housing_guideline", Source: SourceRule, Law: l.costs,
					Text: fmt.Sprintf("Boendekostnaden %s är högre än %s riktlinje %s för hushållet (%s). Kostnaden godtas tills vidare; en handläggare bedömer övergångstiden", byKind[Housing].Swedish(), municipalityGenitive(g), max.Swedish(), g.Version)})
			}
		}
	}
	capKind := func(k CostKind, max skalig.Money, what string) {
		if byKind[k] <= max {
			return
		}
		cut := byKind[k] - max
		c.res.ReasonableCosts -= cut
		c.res.Reasons.Add(CostAboveGuideline)
		if c.tr != nil {
			c.tr.add(Line{Item: k.String() + "_guideline", Amount: -cut, Source: SourceRule, Law: l.costs,
				Text: fmt.Sprintf("%s över kommunens belopp %s (%s): %s räknas inte med; en handläggare prövar om mer ska godtas", k.Swedish(), max.Swedish(), what, cut.Swedish())})
		}
	}
	// Household electricity is approved at actual cost unless the
	// municipality has chosen to cap it (rules.md 3).
	if seen[Electricity] && len(g.MaxElectricity) > 0 {
		capKind(Electricity, g.MaxElectricity[min(persons, len(g.MaxElectricity))-1], personsText(persons))
	}
	if seen[WorkTravel] {
		if g.WorkTravel == 0 {
			c.res.Reasons.Add(NoMunicipalGuidelines)
		} else {
			// One monthly pass per adult who works (has a salary this month:
			// a salary of 0 kr is not work), at least one.
			workers := 0
			var counted [2]bool
			for i := range c.in.Incomes {
				inc := &c.in.Incomes[i]
				if inc.Kind == SalaryNet && inc.Person >= 0 && inc.Amount > 0 {
					if r := c.in.People[inc.Person].Role; r != Child && !counted[r] {
						counted[r] = true
						workers++
					}
				}
			}
			workers = max(workers, 1)
			what := "månadskort i kollektivtrafiken"
			if workers > 1 {
				what = strconv.Itoa(workers) + " månadskort i kollektivtrafiken, ett per vuxen som arbetar"
			}
			capKind(WorkTravel, g.WorkTravel*skalig.Money(workers), what)
		}
	}
}

func (c *calc) incomes() {
	in, ps, l := c.in, c.ps, c.l
	// Jobbstimulans is per person (SoL 12 kap. 8 §: "den som"): from the
	// household's months (every adult) and the person's own. Worked out
	// for the applicant and a partner at most once each.
	var jobbDone, jobb [2]bool
	var jobbFrom, jobbTo [2]skalig.Month
	jobbFor := func(p int) (bool, skalig.Month, skalig.Month) {
		r := in.People[p].Role
		if !jobbDone[r] {
			jobbDone[r] = true
			jobb[r], jobbFrom[r], jobbTo[r] = jobbstimulansPeriod2(in.AidMonths, in.People[p].AidMonths, in.Month, int(ps.JobbQualifying.N), int(ps.JobbDuration.N))
		}
		return jobb[r], jobbFrom[r], jobbTo[r]
	}
	// What each child has earned so far this month, for a child with more
	// than one salary line.
	var small [16]skalig.Money
	earned := small[:0]
	if len(in.People) <= len(small) {
		earned = small[:len(in.People)]
	} else {
		earned = make([]skalig.Money, len(in.People))
	}
	for i := range in.Incomes {
		inc := &in.Incomes[i]
		person := ""
		if inc.Person >= 0 {
			person = in.People[inc.Person].ID
		}
		if c.tr != nil {
			c.tr.add(Line{Item: inc.Kind.String(), Person: person, Amount: inc.Amount, Source: inc.Source, Law: l.right,
				Text: incomeTexts[inc.Kind][inc.Source]})
		}
		counted := inc.Amount
		if inc.Kind == SalaryNet && inc.Person >= 0 {
			if in.People[inc.Person].Role == Child {
				counted -= c.childExemption(inc, person, earned)
			} else if ok, from, to := jobbFor(inc.Person); ok && ps.JobbRate.Set {
				c.use(&ps.JobbRate)
				exempt := inc.Amount.MulDivRound(ps.JobbRate.N, 100)
				counted -= exempt
				if c.tr != nil && exempt > 0 {
					c.tr.add(Line{Item: "jobbstimulans", Person: person, Amount: -exempt, Source: SourceRule,
						Parameter: ps.JobbRate.ID, ParamStatus: ps.JobbRate.Status, Law: l.jobb,
						Text: "Jobbstimulans: " + strconv.FormatInt(ps.JobbRate.N, 10) + " % av lönen räknas inte som inkomst. Personen har haft försörjningsstöd " +
							strconv.FormatInt(ps.JobbQualifying.N, 10) + " månader i följd; regeln gäller " + from.String() + "–" + to.String()})
				}
			}
		}
		c.res.IncomeCounted += counted
	}
	if c.tr != nil && len(in.Incomes) > 0 {
		c.tr.add(Line{Item: "income_counted", Amount: c.res.IncomeCounted, Source: SourceRule, Law: l.right,
			Text: "Inkomster som räknas, sammanlagt"})
	}
}

// childExemption returns the part of a child's salary that is not counted:
// earnings up to the limit (one prisbasbelopp per calendar year, half before
// 2013-07-01), counting what the child earned earlier in the year.
func (c *calc) childExemption(inc *Income, person string, earned []skalig.Money) skalig.Money {
	ps, l := c.ps, c.l
	pbb := c.use(&ps.Prisbasbelopp)
	c.use(&ps.ChildEarningsLimit)
	limit := pbb.MulDivRound(ps.ChildEarningsLimit.N, 100)
	before := earned[inc.Person]
	if inc.EarnedEarlierKnown {
		before += inc.EarnedEarlier
	} else if c.in.Month.Num() != 1 {
		c.res.Reasons.Add(ChildEarningsHistoryMissing)
	}
	earned[inc.Person] += inc.Amount
	room := max(limit-before, 0)
	exempt := min(inc.Amount, room)
	if c.tr != nil {
		text := fmt.Sprintf("Barnets egen arbetsinkomst räknas inte upp till %s per kalenderår (%d %% av prisbasbeloppet %s). Tjänat tidigare i år: %s", limit.Swedish(), ps.ChildEarningsLimit.N, pbb.Swedish(), before.Swedish())
		switch {
		case exempt == inc.Amount:
			text += "; hela lönen räknas inte"
		case exempt == 0:
			text += "; gränsen är redan nådd och hela lönen räknas"
		default:
			text += fmt.Sprintf("; gränsen passeras denna månad och %s räknas", (inc.Amount - exempt).Swedish())
		}
		c.tr.add(Line{Item: "child_earnings_exemption", Person: person, Amount: -exempt, Source: SourceRule,
			Parameter: ps.Prisbasbelopp.ID, ParamStatus: ps.Prisbasbelopp.Status, Law: l.childEarnings, Text: text})
	}
	return exempt
}

func (c *calc) result() {
	l := c.l
	r := &c.res
	r.Need = r.Norm + r.NormAdjustment + r.ReasonableCosts + r.OtherCosts
	diff := r.Need - r.IncomeCounted
	if c.tr != nil {
		c.tr.add(Line{Item: "need", Amount: r.Need, Source: SourceRule, Law: l.aid,
			Text: "Behov: riksnormen och skäliga kostnader"})
	}
	if diff <= 0 {
		r.Surplus = -diff
	}
	// Aid beyond the calculation is paid whatever the need (SoL 12 kap.
	// 2 §); it is added before the one rounding to whole kronor.
	exact := max(diff, 0) + r.Beyond
	if exact > 0 {
		r.Aid = exact.RoundKronor()
		if c.tr != nil && r.Aid != exact {
			text := "Behov minus inkomster är " + diff.Swedish() + "; avrundat till hela kronor"
			if r.Beyond > 0 {
				text = "Försörjningsstöd och bistånd utöver är " + exact.Swedish() + "; avrundat till hela kronor"
			}
			c.tr.add(Line{Item: "rounding", Amount: r.Aid - exact, Source: SourceRule, Law: l.rounding, Text: text})
		}
	}
	if r.Reasons != 0 {
		r.Status = NeedsReview
	}
	if c.tr == nil {
		return
	}
	if r.Beyond > 0 {
		if diff <= 0 {
			c.tr.add(Line{Item: "surplus", Amount: r.Surplus, Source: SourceRule, Law: l.aid,
				Text: "Inkomsterna är lika stora som eller större än behovet: inget försörjningsstöd för månaden"})
		}
		c.tr.add(Line{Item: "aid", Amount: r.Aid, Source: SourceRule, Law: l.aid + "; " + l.beyond,
			Text: "Att betala för månaden: försörjningsstöd (behovet minus inkomsterna, om något) och bistånd utöver försörjningsstödet " + r.Beyond.Swedish()})
	}
	switch {
	case r.Beyond > 0:
	case r.Aid > 0:
		c.tr.add(Line{Item: "aid", Amount: r.Aid, Source: SourceRule, Law: l.aid,
			Text: "Försörjningsstöd för månaden: behovet minus inkomsterna"})
	case diff > 0:
		c.tr.add(Line{Item: "aid", Source: SourceRule, Law: l.aid,
			Text: fmt.Sprintf("Behovet är bara %s större än inkomsterna; avrundat till hela kronor blir försörjningsstödet 0 kr", diff.Swedish())})
	default:
		c.tr.add(Line{Item: "surplus", Amount: r.Surplus, Source: SourceRule, Law: l.aid,
			Text: "Inkomsterna är lika stora som eller större än behovet: inget försörjningsstöd för månaden"})
	}
	for _, reason := range r.Reasons.List() {
		c.tr.add(Line{Item: "review_reason", Source: SourceRule, Law: c.reasonLaw(reason), Text: reason.Swedish()})
	}
}

func (c *calc) reasonLaw(r Reason) string {
	switch r {
	case ProvisionalParameter, ParameterMissing, ChildBornDuringMonth:
		return c.l.norm
	case OtherCostClaimed:
		return c.l.other
	case NormAdjustmentNotEncoded, NormAdjustmentTooLow:
		return c.l.normAdjust
	case NormReformNotEncoded, LargeHouseholdNotEncoded:
		return RuleNormReform.Law
	case NoMunicipalGuidelines, HousingAboveGuideline, CostAboveGuideline:
		return c.l.costs
	case ChildEarningsHistoryMissing:
		return c.l.childEarnings
	}
	return c.l.right
}

// normAdjustment applies a person's higher or lower norm (SoL 12 kap. 7 §
// third paragraph) to a month before the reform of 2027-01-01; for a later
// month it is not applied and the case goes to a person, since the reformed
// rules are not encoded. A lowering below zero is limited to the norm and
// goes to a person.
func (c *calc) normAdjustment() {
	a := c.in.NormAdjustment
	if a == nil {
		return
	}
	l := c.l
	if c.in.Month >= NormReformFrom {
		c.res.Reasons.Add(NormAdjustmentNotEncoded)
		if c.tr != nil {
			c.tr.add(Line{Item: "norm_adjustment", Source: SourceCaseworker, Law: l.normAdjust,
				Text: "Justering av normen, " + approvalText(&Approval{Amount: a.Amount, By: a.By, Reason: a.Reason}) + ". Från den 1 januari 2027 gäller nya regler (prop. 2025/26:201) som inte finns i Skälig: justeringen räknas inte med och prövas av en handläggare"})
		}
		return
	}
	amount := a.Amount
	note := ""
	if c.res.Norm+amount < 0 {
		// A lowering below zero is a mistake: it is limited to the norm and
		// a person corrects it.
		amount = -c.res.Norm
		c.res.Reasons.Add(NormAdjustmentTooLow)
		if c.tr != nil {
			note = "; sänkningen är större än riksnormen och begränsas till " + c.res.Norm.Swedish()
		}
	}
	c.res.NormAdjustment = amount
	if c.tr != nil {
		what := "Högre norm"
		if a.Amount < 0 {
			what = "Lägre norm"
		}
		c.tr.add(Line{Item: "norm_adjustment", Amount: amount, Source: SourceCaseworker, Law: l.normAdjust,
			Text: what + " av särskilda skäl i det enskilda fallet: " + approvalText(&Approval{Amount: a.Amount, By: a.By, Reason: a.Reason}) + note})
	}
}

// approvalText says who approved what and why, for a trace line.
func approvalText(a *Approval) string {
	s := "beviljat " + a.Amount.Swedish()
	if a.By != "" {
		s += " av " + a.By
	} else {
		s += " av en handläggare"
	}
	if a.Reason != "" {
		s += ". Skäl: " + a.Reason
	}
	return s
}

// shareKronor returns full × num ÷ den rounded half up to whole kronor, in one
// rounding (rounding to öre first could round a second time the wrong way).
func shareKronor(full skalig.Money, num, den int64) skalig.Money {
	return full.MulDivRound(num, den*100) * 100
}

func bandOf(age int) int {
	switch {
	case age <= 0:
		return 0
	case age <= 2:
		return 1
	case age == 3:
		return 2
	case age <= 6:
		return 3
	case age <= 10:
		return 4
	case age <= 14:
		return 5
	case age <= 18:
		return 6
	}
	return 7
}

var bandTexts = [...]string{"0", "1–2", "3", "4–6", "7–10", "11–14", "15–18", "19–20"}

func bandText(b int) string { return bandTexts[b] }

var monthNames = [...]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

func swedishDate(d skalig.Date) string {
	return fmt.Sprintf("%d %s %d", d.D, monthNames[d.M-1], d.Y)
}

var personWords = [...]string{"", "en person", "två personer", "tre personer", "fyra personer", "fem personer", "sex personer", "sju personer"}

func personsText(n int) string {
	if n < len(personWords) {
		return personWords[n]
	}
	return fmt.Sprintf("%d personer", n)
}

// municipalityGenitive returns "0821 Högsby kommuns" or "kommunens".
func municipalityGenitive(g *Guidelines) string {
	if g.Municipality == "" {
		return "kommunens"
	}
	return g.Municipality + "s"
}

func statusNote(v *params.Value) string {
	switch {
	case !v.Set:
		return ""
	case v.Status == params.Provisional:
		return " – obs: preliminärt belopp, ännu inte fastställt"
	case v.Status == params.Derived:
		return " – beloppet är härlett ur publicerade ändringar"
	}
	return ""
}
