package casecalc

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"skalig"
	"skalig/internal/rules"
	"skalig/internal/workflow/casecheck"
)

// BuildInput turns a household and its facts into the calculation's input
// for month. It is deterministic: the same members and facts give the same
// input, which is what lets a receipt be replayed.
//
// Which fact counts, per kind, person and month: a caseworker's fact
// (the latest) over a register's (summed over the sources that have it)
// over the applicant's (summed). A register that answered without the kind
// leaves the applicant's figure standing: silence is not "no income", and a
// difference beyond the municipality's tolerance is routing's business.
//
// It returns the facts it used, in a stable order: they are the receipt's
// inputs, and BuildInput on them alone gives the same input again.
func BuildInput(month skalig.Month, members []skalig.Member, facts []skalig.Fact) (*rules.Input, []skalig.Fact, error) {
	return buildInput(month, members, facts, true)
}

// InputOf is BuildInput without the facts used: what a replay of a
// receipt (whose facts are those used) and a letter need.
func InputOf(month skalig.Month, members []skalig.Member, facts []skalig.Fact) (*rules.Input, error) {
	in, _, err := buildInput(month, members, facts, false)
	return in, err
}

// usedFacts collects the facts buildInput used, when it keeps them.
type usedFacts struct {
	keep  bool
	facts []skalig.Fact
}

func (u *usedFacts) add(fs ...skalig.Fact) {
	if u.keep {
		u.facts = append(u.facts, fs...)
	}
}

// drop takes back the last n facts added.
func (u *usedFacts) drop(n int) {
	if u.keep {
		u.facts = u.facts[:len(u.facts)-n]
	}
}

func buildInput(month skalig.Month, members []skalig.Member, facts []skalig.Fact, keepUsed bool) (*rules.Input, []skalig.Fact, error) {
	in := &rules.Input{Month: month}
	index := map[string]int{}
	for _, m := range members {
		role := rules.Applicant
		switch m.Role {
		case skalig.RolePartner:
			role = rules.Partner
		case skalig.RoleChild:
			role = rules.Child
		}
		index[m.ID] = len(in.People)
		in.People = append(in.People, rules.Person{ID: m.ID, Role: role, Birth: m.PersonalNumber.BirthDate(), LunchAtHome: true})
	}

	sc := effectivePool.Get().(*effectiveScratch)
	defer effectivePool.Put(sc)
	groups := effective(month, facts, sc)
	// What the applicant applied for, per need: a caseworker's fact of an
	// other need is the amount approved, and the outcome compares the two.
	applied := map[groupKey][]skalig.Fact{}
	for _, f := range facts {
		if f.Period == month && f.Source == skalig.SourceApplicant && strings.HasPrefix(f.Kind, skalig.KindOtherNeedPrefix) {
			k := groupKey{f.Kind, f.PersonID}
			applied[k] = append(applied[k], f)
		}
	}
	used := usedFacts{keep: keepUsed} // facts nil when no fact is of the month, as before
	if len(groups) > 0 && keepUsed {
		used.facts = make([]skalig.Fact, 0, len(facts))
	}
	type need struct {
		amount   skalig.Money // applied for (or approved, when nothing was applied for)
		text     string
		src      rules.Source
		approval *rules.Approval
	}
	needs := map[string]*need{}
	beyond := map[string]*need{}
	getNeed := func(m map[string]*need, id string) *need {
		n := m[id]
		if n == nil {
			n = &need{}
			m[id] = n
		}
		return n
	}
	approvals := map[rules.CostKind]*rules.Approval{}
	reasons := map[string]string{}
	var personMonths, householdSystemMonths bool
	var householdMonths []skalig.Month
	earned := map[int]skalig.Money{}
	for _, g := range groups {
		k, fs := g.key, g.facts
		used.add(fs...)
		p, hasPerson := index[k.person]
		if k.person != "" && !hasPerson {
			return nil, nil, fmt.Errorf("uppgiften %s gäller en person som inte finns i hushållet", k.kind)
		}
		src := ruleSource(fs[0].Source)
		amount, text := sum(fs)
		switch {
		case strings.HasSuffix(k.kind, skalig.KindReasonSuffix) && casecheck.Discretionary(strings.TrimSuffix(k.kind, skalig.KindReasonSuffix)):
			reasons[strings.TrimSuffix(k.kind, skalig.KindReasonSuffix)] = text
		case k.kind == skalig.KindNormAdjustment:
			if fs[0].Source != skalig.SourceCaseworker {
				used.drop(len(fs)) // only a person sets the norm
				continue
			}
			in.NormAdjustment = &rules.NormAdjustment{Amount: amount, By: fs[0].RecordedBy}
		case strings.HasPrefix(k.kind, skalig.KindBeyondPrefix):
			id, isText := strings.CutSuffix(strings.TrimPrefix(k.kind, skalig.KindBeyondPrefix), ".text")
			n := getNeed(beyond, id)
			if isText {
				n.text = text
			} else if fs[0].Source == skalig.SourceCaseworker {
				n.amount, n.src = amount, src
				n.approval = &rules.Approval{Amount: amount, By: fs[0].RecordedBy}
			} else {
				used.drop(len(fs)) // only a person grants aid beyond
			}
		case k.kind == skalig.KindPersonAidMonths:
			if !hasPerson {
				return nil, nil, fmt.Errorf("uppgiften om månader med bistånd saknar person")
			}
			ms, err := casecheck.AidMonths(text)
			if err != nil {
				return nil, nil, err
			}
			in.People[p].AidMonths = ms
			personMonths = true
		case k.kind == skalig.KindEarnedEarlier:
			if !hasPerson {
				return nil, nil, fmt.Errorf("uppgiften om tidigare inkomst saknar person")
			}
			earned[p] = amount
		case strings.HasPrefix(k.kind, skalig.KindIncomePrefix):
			kind, ok := rules.ParseIncomeKind(strings.TrimPrefix(k.kind, skalig.KindIncomePrefix))
			if !ok {
				continue // other register data (e.g. income.salary_gross) the calculation does not use
			}
			person := -1
			if hasPerson {
				person = p
			}
			in.Incomes = append(in.Incomes, rules.Income{Person: person, Kind: kind, Amount: amount, Source: src})
		case strings.HasPrefix(k.kind, skalig.KindCostPrefix):
			name, isApproval := strings.CutSuffix(strings.TrimPrefix(k.kind, skalig.KindCostPrefix), skalig.KindApprovedSuffix)
			kind, _, ok := rules.ParseCostKind(name)
			if !ok || kind == rules.OtherCost || kind == rules.BeyondCost {
				continue
			}
			if isApproval {
				if fs[0].Source != skalig.SourceCaseworker {
					used.drop(len(fs))
					continue
				}
				approvals[kind] = &rules.Approval{Amount: amount, By: fs[0].RecordedBy}
				continue
			}
			in.Costs = append(in.Costs, rules.Cost{Kind: kind, Amount: amount, Source: src})
		case strings.HasPrefix(k.kind, skalig.KindOtherNeedPrefix):
			rest := strings.TrimPrefix(k.kind, skalig.KindOtherNeedPrefix)
			id, isText := strings.CutSuffix(rest, ".text")
			n := getNeed(needs, id)
			switch {
			case isText:
				n.text = text
			case fs[0].Source == skalig.SourceCaseworker:
				// A person's decision on the need: the amount approved (0 is
				// a refusal), against what the applicant applied for.
				n.approval = &rules.Approval{Amount: amount, By: fs[0].RecordedBy}
				n.amount, n.src = amount, rules.SourceApplicant
				if a := applied[k]; len(a) > 0 {
					n.amount, _ = sum(a)
					used.add(a...)
				}
			default:
				n.amount, n.src = amount, src
			}
		case k.kind == skalig.KindLunchAtHome && hasPerson:
			in.People[p].LunchAtHome = text != "no"
		case k.kind == skalig.KindInSchool && hasPerson:
			in.People[p].InSchool = text == "yes"
		case k.kind == skalig.KindDaysPresent && hasPerson:
			d, err := strconv.Atoi(text)
			if err != nil {
				return nil, nil, fmt.Errorf("antal dagar i hushållet är inte ett tal: %q", text)
			}
			in.People[p].DaysPresent = d
		case k.kind == skalig.KindDwellingSize:
			d, err := strconv.Atoi(text)
			if err != nil {
				return nil, nil, fmt.Errorf("antal personer i bostaden är inte ett tal: %q", text)
			}
			in.DwellingSize = d
		case k.kind == KindAidMonths:
			ms, err := casecheck.AidMonths(text)
			if err != nil {
				return nil, nil, err
			}
			householdMonths = ms
			householdSystemMonths = fs[0].Source == skalig.SourceSystem
		default:
			// Facts routing reads (assets, permits, signals, statuses, ...)
			// are not inputs to the calculation.
			used.drop(len(fs))
		}
	}
	for i := range in.Incomes {
		inc := &in.Incomes[i]
		if e, ok := earned[inc.Person]; ok && inc.Kind == rules.SalaryNet && inc.Person >= 0 && in.People[inc.Person].Role == rules.Child {
			inc.EarnedEarlier, inc.EarnedEarlierKnown = e, true
		}
	}
	// The system's household months (Skälig's decisions for any adult, as
	// recorded before rules/2026.12.1) give way to the months per person
	// when those are known: jobbstimulans is per person.
	if !(personMonths && householdSystemMonths) {
		in.AidMonths = householdMonths
	}
	for kind := rules.Housing; kind < rules.OtherCost; kind++ {
		a := approvals[kind]
		if a == nil {
			continue
		}
		a.Reason = reasons[skalig.KindCostPrefix+kind.String()+skalig.KindApprovedSuffix]
		for i := range in.Costs {
			if in.Costs[i].Kind == kind {
				in.Costs[i].Approval = a
				// One approval per kind: it covers the kind's total, so it
				// goes on the first line and the others are approved at 0.
				a = &rules.Approval{By: a.By, Reason: a.Reason}
			}
		}
		if a == approvals[kind] {
			// Approved without a claimed cost: a line of 0 kr applied for.
			in.Costs = append(in.Costs, rules.Cost{Kind: kind, Source: rules.SourceCaseworker, Approval: a})
		}
	}
	if in.NormAdjustment != nil {
		in.NormAdjustment.Reason = reasons[skalig.KindNormAdjustment]
		if in.NormAdjustment.Amount == 0 {
			in.NormAdjustment = nil // a caseworker took the adjustment back
		}
	}
	addNeeds := func(m map[string]*need, kind rules.CostKind, prefix, def string) {
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			n := m[id]
			if n.approval == nil && (n.amount <= 0 || kind == rules.BeyondCost) {
				continue
			}
			if n.approval != nil {
				n.approval.Reason = reasons[prefix+id]
			}
			t := n.text
			if t == "" {
				t = def
			}
			in.Costs = append(in.Costs, rules.Cost{Kind: kind, Text: t, Amount: n.amount, Source: n.src, Approval: n.approval})
		}
	}
	addNeeds(needs, rules.OtherCost, skalig.KindOtherNeedPrefix, "annat behov")
	addNeeds(beyond, rules.BeyondCost, skalig.KindBeyondPrefix, "bistånd utöver")
	return in, used.facts, nil
}

// KindAidMonths is the system fact that records, at calculation, the months
// in which the household was granted aid before ("2026-01,2026-02"): the
// history jobbstimulans needs, kept in the receipt like any input.
const KindAidMonths = "household.aid_months"

type groupKey struct{ kind, person string }

// householdIncome are the incomes that belong to the household rather than
// to the person they are paid to.
var householdIncome = map[string]bool{
	skalig.KindIncomePrefix + "housing_allowance":   true,
	skalig.KindIncomePrefix + "child_allowance":     true,
	skalig.KindIncomePrefix + "maintenance_support": true,
}

// group is the facts that count for one kind and person.
type group struct {
	key   groupKey
	facts []skalig.Fact
}

// effective picks, per kind and person, the facts that count for month:
// the groups ordered by kind and person, the facts of a group in stored
// order. A group's facts may be facts itself; effective never changes them.
//
// The groups live in sc, which the caller gives back (effectivePool) when
// it no longer reads them.
func effective(month skalig.Month, facts []skalig.Fact, sc *effectiveScratch) []group {
	// The facts of the month, by key and then stored order.
	of := sc.of[:0]
	for i := range facts {
		f := &facts[i]
		if f.Period != month {
			continue
		}
		k := groupKey{f.Kind, f.PersonID}
		if householdIncome[f.Kind] {
			// Paid to the household, whoever receives it: the applicant
			// may declare it for the household and the register report it
			// for the parent it pays.
			k.person = ""
		}
		of = append(of, keyed{k, i})
	}
	slices.SortFunc(of, func(a, b keyed) int {
		if c := strings.Compare(a.key.kind, b.key.kind); c != 0 {
			return c
		}
		if c := strings.Compare(a.key.person, b.key.person); c != 0 {
			return c
		}
		return a.i - b.i
	})
	sc.of = of
	out := sc.out[:0]
	buf := sc.buf[:0] // the groups of several facts, one after the other
	for len(of) > 0 {
		n := 1
		for n < len(of) && of[n].key == of[0].key {
			n++
		}
		run := of[:n]
		of = of[n:]
		// A caseworker's over the system's over a register's (any other
		// source) over the applicant's.
		cw, sys, regs := -1, -1, 0
		for _, e := range run {
			switch facts[e.i].Source {
			case skalig.SourceCaseworker:
				cw = e.i
			case skalig.SourceSystem:
				sys = e.i
			case skalig.SourceApplicant:
			default:
				regs++
			}
		}
		g := group{key: run[0].key}
		switch {
		case cw >= 0:
			g.facts = facts[cw : cw+1 : cw+1] // the latest assessment
		case sys >= 0:
			g.facts = facts[sys : sys+1 : sys+1]
		default:
			if cap(buf)-len(buf) < len(run) {
				// A new array: the groups made so far keep the old one.
				buf = make([]skalig.Fact, 0, max(2*cap(buf), len(run)+len(of)))
			}
			from := len(buf)
			for _, e := range run {
				if src := facts[e.i].Source; (regs > 0) == (src != skalig.SourceApplicant) {
					buf = append(buf, facts[e.i])
				}
			}
			g.facts = buf[from:len(buf):len(buf)]
		}
		out = append(out, g)
	}
	sc.out, sc.buf = out, buf
	return out
}

// keyed is a fact of the month (its index) under its group's key.
type keyed struct {
	key groupKey
	i   int
}

// effectiveScratch is effective's space, reused from one call to the next
// through effectivePool (a calculation is built many times a second in a
// what-if run and a replay). What it holds is dropped with the pool at
// the garbage collector's cycles.
type effectiveScratch struct {
	of  []keyed
	out []group
	buf []skalig.Fact
}

var effectivePool = sync.Pool{New: func() any { return new(effectiveScratch) }}

func sum(fs []skalig.Fact) (skalig.Money, string) {
	var m skalig.Money
	var texts []string
	for _, f := range fs {
		if f.Value.IsText {
			texts = append(texts, f.Value.Text)
		} else {
			m += f.Value.Amount
		}
	}
	return m, strings.Join(slices.Compact(texts), "; ")
}

func ruleSource(s skalig.FactSource) rules.Source {
	switch {
	case s == skalig.SourceApplicant:
		return rules.SourceApplicant
	case s == skalig.SourceCaseworker:
		return rules.SourceCaseworker
	case s == skalig.SourceSystem:
		return rules.SourceRule
	}
	return rules.SourceRegister
}

// reduced compares what was applied for with what was granted, item by
// item: a line approved below what was applied for, an other need no person
// has approved, or a cost the municipality's guideline capped. Granting
// everything applied for (or more) is not a reduction.
func reduced(in *rules.Input, res *rules.Result) bool {
	var claimedK, grantedK [rules.OtherCost]skalig.Money
	var granted skalig.Money
	for _, c := range in.Costs {
		switch {
		case c.Kind < rules.OtherCost:
			claimedK[c.Kind] += c.Amount
			g := c.Amount
			if c.Approval != nil {
				g = c.Approval.Amount
			}
			grantedK[c.Kind] += g
			granted += g
		case c.Approval == nil:
			return true // an other need no person has decided
		case c.Approval.Amount < c.Amount:
			return true
		}
	}
	for k := range claimedK {
		if grantedK[k] < claimedK[k] {
			return true
		}
	}
	return res.ReasonableCosts < granted // a guideline capped a cost
}

// claimed is the total of the costs and other needs the household asked for.
func claimed(in *rules.Input) skalig.Money {
	var c skalig.Money
	for _, x := range in.Costs {
		c += x.Amount
	}
	return c
}
