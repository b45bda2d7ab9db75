package workflow

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/rules"
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

	groups := effective(month, facts)
	var used []skalig.Fact
	keys := make([]groupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].kind != keys[j].kind {
			return keys[i].kind < keys[j].kind
		}
		return keys[i].person < keys[j].person
	})
	type need struct {
		amount skalig.Money
		text   string
		src    rules.Source
	}
	needs := map[string]*need{}
	earned := map[int]skalig.Money{}
	for _, k := range keys {
		fs := groups[k]
		used = append(used, fs...)
		p, hasPerson := index[k.person]
		if k.person != "" && !hasPerson {
			return nil, nil, fmt.Errorf("uppgiften %s gäller en person som inte finns i hushållet", k.kind)
		}
		src := ruleSource(fs[0].Source)
		amount, text := sum(fs)
		switch {
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
			kind, _, ok := rules.ParseCostKind(strings.TrimPrefix(k.kind, skalig.KindCostPrefix))
			if !ok || kind == rules.OtherCost {
				continue
			}
			in.Costs = append(in.Costs, rules.Cost{Kind: kind, Amount: amount, Source: src})
		case strings.HasPrefix(k.kind, skalig.KindOtherNeedPrefix):
			rest := strings.TrimPrefix(k.kind, skalig.KindOtherNeedPrefix)
			id, isText := strings.CutSuffix(rest, ".text")
			n := needs[id]
			if n == nil {
				n = &need{}
				needs[id] = n
			}
			if isText {
				n.text = text
			} else {
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
			for _, s := range strings.Split(text, ",") {
				if s == "" || s == "none" {
					continue
				}
				m, ok := skalig.ParseMonth(s)
				if !ok {
					return nil, nil, fmt.Errorf("månad med bistånd är inte ÅÅÅÅ-MM: %q", s)
				}
				in.AidMonths = append(in.AidMonths, m)
			}
		default:
			// Facts routing reads (assets, permits, signals, statuses, ...)
			// are not inputs to the calculation.
			used = used[:len(used)-len(fs)]
		}
	}
	for i := range in.Incomes {
		inc := &in.Incomes[i]
		if e, ok := earned[inc.Person]; ok && inc.Kind == rules.SalaryNet && inc.Person >= 0 && in.People[inc.Person].Role == rules.Child {
			inc.EarnedEarlier, inc.EarnedEarlierKnown = e, true
		}
	}
	ids := make([]string, 0, len(needs))
	for id := range needs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := needs[id]
		if n.amount <= 0 {
			continue
		}
		t := n.text
		if t == "" {
			t = "annat behov"
		}
		in.Costs = append(in.Costs, rules.Cost{Kind: rules.OtherCost, Text: t, Amount: n.amount, Source: n.src})
	}
	return in, used, nil
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

// effective picks, per kind and person, the facts that count for month.
func effective(month skalig.Month, facts []skalig.Fact) map[groupKey][]skalig.Fact {
	type bySource struct{ caseworker, register, applicant, system []skalig.Fact }
	all := map[groupKey]*bySource{}
	for _, f := range facts {
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
		b := all[k]
		if b == nil {
			b = &bySource{}
			all[k] = b
		}
		switch {
		case f.Source == skalig.SourceCaseworker:
			b.caseworker = append(b.caseworker, f)
		case f.Source == skalig.SourceApplicant:
			b.applicant = append(b.applicant, f)
		case f.Source == skalig.SourceSystem:
			b.system = append(b.system, f)
		default:
			b.register = append(b.register, f)
		}
	}
	out := make(map[groupKey][]skalig.Fact, len(all))
	for k, b := range all {
		switch {
		case len(b.caseworker) > 0:
			out[k] = b.caseworker[len(b.caseworker)-1:] // the latest assessment
		case len(b.system) > 0:
			out[k] = b.system[len(b.system)-1:]
		case len(b.register) > 0:
			out[k] = b.register
		default:
			out[k] = b.applicant
		}
	}
	return out
}

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

// claimed is the total of the costs and other needs the household asked for.
func claimed(in *rules.Input) skalig.Money {
	var c skalig.Money
	for _, x := range in.Costs {
		c += x.Amount
	}
	return c
}
