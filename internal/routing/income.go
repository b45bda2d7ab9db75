package routing

import (
	"slices"
	"strings"

	"skalig"
)

// incomeRegister names the register that reports an income kind month by
// month. When that register has answered for a person and reports nothing of
// the kind, the register's figure is 0 kr, to compare with what the person
// declared. Salary, tax refunds and other income have no monthly register
// (Skatteverket reports taxed income of earlier years): they are compared
// only when a register does report them.
var incomeRegister = map[string]string{
	"unemployment_benefit": skalig.RegisterAkassa,
	"activity_support":     skalig.RegisterFK,
	"sickness_benefit":     skalig.RegisterFK,
	"parental_benefit":     skalig.RegisterFK,
	"pension":              skalig.RegisterFK,
	"housing_allowance":    skalig.RegisterFK,
	"maintenance_support":  skalig.RegisterFK,
	"child_allowance":      skalig.RegisterFK,
	"student_grant":        skalig.RegisterCSN,
}

// incomeKind returns the income kind of f ("salary_net" for
// "income.salary_net"), or false when f is not an income of the month (the
// child's earlier earnings are a history, not an income).
func incomeKind(f *skalig.Fact) (string, bool) {
	k, ok := strings.CutPrefix(f.Kind, skalig.KindIncomePrefix)
	if !ok || f.Kind == skalig.KindEarnedEarlier || k == "" {
		return "", false
	}
	return k, true
}

// incomeDifferences compares, for the month assessed, the incomes declared
// by the applicant with the registers' per income kind and person, and
// lists each difference above the tolerance with both figures.
//
//   - Figures of one kind and person are summed per side (applicant,
//     registers).
//   - A kind that either side reports for the household (no person) is
//     compared for the household as a whole, summed over persons, since a
//     household benefit may be declared for the household and reported by
//     the register for the applicant.
//   - A register figure without a declared one is compared with 0 kr (an
//     income not declared). A declared figure without a register one is
//     compared with 0 kr only when incomeRegister names the kind's register
//     and it answered for the person; otherwise there is nothing to compare.
//   - A kind and person for which a caseworker has recorded the income is
//     not compared: a person has assessed it.
//   - An income given as text cannot be compared and is listed.
func (c *Config) incomeDifferences(x *caseView) []finding {
	type sums struct {
		person string
		skalig.SourceSums
	}
	mo := x.in.Month
	tol := skalig.Kronor(c.spec.IncomeTolerance)
	var out []finding
	var m []sums // the sums of one kind, per person
	facts := x.withPrefix(skalig.KindIncomePrefix)
	for len(facts) > 0 {
		n := 1
		for n < len(facts) && facts[n].Kind == facts[0].Kind {
			n++
		}
		run := facts[:n]
		facts = facts[n:]
		kind, ok := incomeKind(run[0])
		if !ok {
			continue
		}
		household := slices.ContainsFunc(run, func(f *skalig.Fact) bool { return f.Period == mo && f.PersonID == "" })
		m = m[:0]
		for _, f := range run {
			if f.Period != mo {
				continue
			}
			if f.Value.IsText {
				if _, isReg := f.Source.Register(); f.Source == skalig.SourceApplicant || isReg {
					out = append(out, found("detail.income.unreadable", incomeArg(kind), x.personArg(f.PersonID), skalig.TextArg(f.Value.Text), sourceArg(f.Source)))
				}
				continue
			}
			person := f.PersonID
			if household {
				person = ""
			}
			i := slices.IndexFunc(m, func(s sums) bool { return s.person == person })
			if i < 0 {
				m = append(m, sums{person: person})
				i = len(m) - 1
			}
			m[i].Add(f)
		}
		for i := range m {
			s := &m[i]
			if s.HasCaseworker {
				continue
			}
			if !s.HasRegister {
				reg, ok := incomeRegister[kind]
				if !ok || s.person == "" || !s.HasDeclared || x.registerStatus(reg, s.person) != skalig.RegisterAnswered {
					continue
				}
				s.Registers = []string{reg}
			}
			diff := s.Declared - s.Register
			if diff < 0 {
				diff = -diff
			}
			if diff <= tol {
				continue
			}
			declared := skalig.MsgArg("detail.income.not_declared")
			if s.HasDeclared {
				declared = skalig.MsgArg("detail.income.declared", skalig.MoneyArg(s.Declared))
			}
			slices.Sort(s.Registers)
			names := make([]skalig.DetailArg, len(s.Registers))
			for i, r := range s.Registers {
				names[i] = skalig.RegisterArg(r)
			}
			out = append(out, found("detail.income.differs", incomeArg(kind), x.personArg(s.person), declared,
				skalig.ListArg(skalig.DetailSepAnd, names...), skalig.MoneyArg(s.Register)))
		}
	}
	return sortedUnique(out)
}
