// Package calcformat reads and writes Skälig's public household-month
// calculation format (docs/calc-format.md): the body of
// POST /api/v1/calculations, the input of `skalig calc` and the shape of the
// legislation test cases. Parsing is strict: an unknown or repeated field is
// an error, and every error names the field path with a Swedish message.
package calcformat

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"skalig"
	"skalig/internal/params"
	"skalig/internal/rules"
)

// Limits on input size. They are far above any real household and keep a
// hostile request cheap.
const (
	MaxBytes     = 1 << 20
	MaxPeople    = 30
	MaxCosts     = 100
	MaxIncomes   = 200
	MaxAidMonths = 600
	maxIDLen     = 64
	maxTextLen   = 200
	maxErrors    = 50
)

// errs collects field errors.
type errs struct{ list []skalig.FieldError }

func (e *errs) add(field, format string, args ...any) {
	if len(e.list) < maxErrors {
		e.list = append(e.list, skalig.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
}

func (e *errs) err() error {
	if len(e.list) == 0 {
		return nil
	}
	return &skalig.Error{Code: skalig.EINVALID, Message: "uppgifterna innehåller fel", Fields: e.list}
}

// object walks the keys of an object: each known key is handled by its
// function; an unknown or repeated key is an error.
func (e *errs) object(n *node, path string, fields map[string]func(*node, string)) bool {
	if n.kind != 'o' {
		e.add(orRoot(path), "ska vara ett objekt, inte %s", kindName(n.kind))
		return false
	}
	seen := make(map[string]bool, len(n.keys))
	for i, k := range n.keys {
		fp := field(path, k)
		fn, ok := fields[k]
		switch {
		case !ok:
			e.add(fp, "okänt fält (kontrollera stavningen)")
		case seen[k]:
			e.add(fp, "fältet står två gånger")
		default:
			seen[k] = true
			fn(n.vals[i], fp)
		}
	}
	return true
}

func orRoot(path string) string {
	if path == "" {
		return "(hela texten)"
	}
	return path
}

func (e *errs) str(n *node, path string) (string, bool) {
	if n.kind != 's' {
		e.add(path, "ska vara en text, inte %s", kindName(n.kind))
		return "", false
	}
	return n.str, true
}

func (e *errs) boolean(n *node, path string) (bool, bool) {
	if n.kind != 'b' {
		e.add(path, "ska vara true eller false, inte %s", kindName(n.kind))
		return false, false
	}
	return n.b, true
}

func (e *errs) integer(n *node, path string, lo, hi int) (int, bool) {
	if n.kind != 'n' {
		e.add(path, "ska vara ett heltal, inte %s", kindName(n.kind))
		return 0, false
	}
	v := 0
	s := n.str
	if s == "" || len(s) > 4 || strings.ContainsAny(s, ".eE-+") {
		e.add(path, "ska vara ett heltal mellan %d och %d", lo, hi)
		return 0, false
	}
	for _, c := range s {
		v = v*10 + int(c-'0')
	}
	if v < lo || v > hi {
		e.add(path, "ska vara ett heltal mellan %d och %d", lo, hi)
		return 0, false
	}
	return v, true
}

func (e *errs) money(n *node, path string) (skalig.Money, bool) {
	if n.kind != 'n' {
		e.add(path, "ska vara ett belopp i kronor (ett tal, t.ex. 7200 eller 350.50), inte %s", kindName(n.kind))
		return 0, false
	}
	m, ok := skalig.ParseMoney(n.str)
	switch {
	case !ok && strings.HasPrefix(n.str, "-"):
		e.add(path, "beloppet får inte vara negativt")
	case !ok && strings.ContainsAny(n.str, "eE"):
		e.add(path, "skriv beloppet som ett vanligt tal i kronor, utan exponent")
	case !ok && strings.Contains(n.str, ".") && len(n.str)-strings.Index(n.str, ".") > 3:
		e.add(path, "beloppet får ha högst två decimaler (hela ören)")
	case !ok:
		e.add(path, "beloppet är inte ett giltigt belopp (högst %s)", skalig.MaxMoney.Swedish())
	case m < 0:
		e.add(path, "beloppet får inte vara negativt")
		return 0, false
	}
	return m, ok && m >= 0
}

// signedMoney is money that may be negative (a lower norm).
func (e *errs) signedMoney(n *node, path string) (skalig.Money, bool) {
	if n.kind != 'n' {
		e.add(path, "ska vara ett belopp i kronor (ett tal, t.ex. 500 eller -250), inte %s", kindName(n.kind))
		return 0, false
	}
	m, ok := skalig.ParseMoney(n.str)
	if !ok {
		e.add(path, "beloppet är inte ett giltigt belopp i kronor med högst två decimaler (högst %s)", skalig.MaxMoney.Swedish())
	}
	return m, ok
}

// text is a required short text (1–maxTextLen characters, no control
// characters).
func (e *errs) text(n *node, path, what string) (string, bool) {
	s, ok := e.str(n, path)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > maxTextLen || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }) {
		e.add(path, "skriv %s (1–%d tecken)", what, maxTextLen)
		return "", false
	}
	return s, true
}

// months reads a list of months "YYYY-MM".
func (e *errs) months(n *node, path string) []skalig.Month {
	arr, ok := e.array(n, path, MaxAidMonths)
	if !ok {
		return nil
	}
	out := make([]skalig.Month, 0, len(arr))
	for i, mn := range arr {
		s, ok := e.str(mn, idx(path, i))
		if !ok {
			continue
		}
		m, ok := skalig.ParseMonth(s)
		if !ok {
			e.add(idx(path, i), "månaden är ogiltig (ÅÅÅÅ-MM)")
			continue
		}
		out = append(out, m)
	}
	return out
}

func (e *errs) array(n *node, path string, max int) ([]*node, bool) {
	if n.kind != 'a' {
		e.add(path, "ska vara en lista, inte %s", kindName(n.kind))
		return nil, false
	}
	if len(n.arr) > max {
		e.add(path, "listan får ha högst %d poster", max)
		return nil, false
	}
	return n.arr, true
}

// Parse reads one household-month in the calculation format. Month and
// birth dates are checked against the parameters p (a month without a
// riksnorm is an error on "month"), and the household rules of
// rules.Input.Validate are applied. The error is an EINVALID *skalig.Error
// whose Fields name each problem.
func Parse(data []byte, p *params.Params) (*rules.Input, error) {
	var e errs
	if len(data) > MaxBytes {
		e.add("(hela texten)", "texten är för stor (högst %d byte)", MaxBytes)
		return nil, e.err()
	}
	root, err := parseJSON(data)
	if err != nil {
		e.add("(hela texten)", "%s", err.Error())
		return nil, e.err()
	}
	in := &rules.Input{}
	var peopleNodes []*node
	var incomeNodes []*node
	var incomePaths []string
	haveMonth, havePeople := false, false
	ok := e.object(root, "", map[string]func(*node, string){
		"month": func(n *node, path string) {
			s, ok := e.str(n, path)
			if !ok {
				return
			}
			m, ok := skalig.ParseMonth(s)
			if !ok {
				e.add(path, "månaden saknas eller är ogiltig (ÅÅÅÅ-MM)")
				return
			}
			if _, err := p.At(m); err != nil {
				e.add(path, "%s", skalig.ErrorMessage(err))
				return
			}
			in.Month, haveMonth = m, true
		},
		"people": func(n *node, path string) {
			arr, ok := e.array(n, path, MaxPeople)
			if ok {
				peopleNodes, havePeople = arr, true
			}
		},
		"dwelling_size": func(n *node, path string) {
			if v, ok := e.integer(n, path, 1, 99); ok {
				in.DwellingSize = v
			}
		},
		"costs": func(n *node, path string) {
			arr, ok := e.array(n, path, MaxCosts)
			if !ok {
				return
			}
			for i, cn := range arr {
				if c, ok := e.cost(cn, idx(path, i)); ok {
					in.Costs = append(in.Costs, c)
				}
			}
		},
		"incomes": func(n *node, path string) {
			arr, ok := e.array(n, path, MaxIncomes)
			if ok {
				incomeNodes = arr
				for i := range arr {
					incomePaths = append(incomePaths, idx(path, i))
				}
			}
		},
		"aid_months": func(n *node, path string) {
			in.AidMonths = e.months(n, path)
		},
		"norm_adjustment": func(n *node, path string) {
			a := &rules.NormAdjustment{}
			var haveAmount, haveReason bool
			if !e.object(n, path, map[string]func(*node, string){
				"amount": func(n *node, fp string) { a.Amount, haveAmount = e.signedMoney(n, fp) },
				"reason": func(n *node, fp string) {
					a.Reason, haveReason = e.text(n, fp, "skälet till den högre eller lägre normen")
				},
				"by": func(n *node, fp string) { a.By, _ = e.text(n, fp, "vem som beslutade") },
			}) {
				return
			}
			if !haveAmount && !hasKey(n, "amount") {
				e.add(path+".amount", "beloppet saknas (kronor, negativt för en lägre norm)")
			}
			if !haveReason && !hasKey(n, "reason") {
				e.add(path+".reason", "skälet saknas: en högre eller lägre norm kräver särskilda skäl")
			}
			if haveAmount && a.Amount == 0 {
				e.add(path+".amount", "en justering på 0 kr är ingen justering; ta bort norm_adjustment")
			}
			in.NormAdjustment = a
		},
	})
	if !ok {
		return nil, e.err()
	}
	if !haveMonth && !hasKey(root, "month") {
		e.add("month", "månaden saknas (ÅÅÅÅ-MM)")
	}
	if !havePeople && !hasKey(root, "people") {
		e.add("people", "personerna i hushållet saknas")
	}
	ids := map[string]int{}
	for i, pn := range peopleNodes {
		person, ok := e.person(pn, idx("people", i), haveMonth, in.Month)
		if !ok {
			// Keep indexes aligned with the input so that later messages name
			// the right element; the input is invalid anyway.
			person = rules.Person{ID: fmt.Sprintf("\x00%d", i), Role: rules.Child, Birth: in.Month.First(), LunchAtHome: true}
		} else if _, dup := ids[person.ID]; dup {
			e.add(idx("people", i)+".id", "id %q används redan av en annan person", person.ID)
		}
		if _, dup := ids[person.ID]; !dup {
			ids[person.ID] = i
		}
		in.People = append(in.People, person)
	}
	for i, n := range incomeNodes {
		if inc, ok := e.income(n, incomePaths[i], ids); ok {
			in.Incomes = append(in.Incomes, inc)
		}
	}
	if len(e.list) > 0 {
		return nil, e.err()
	}
	for _, fe := range in.Validate() {
		e.add(fe.Field, "%s", fe.Message)
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	return in, nil
}

func hasKey(n *node, k string) bool {
	for _, key := range n.keys {
		if key == k {
			return true
		}
	}
	return false
}

func (e *errs) person(n *node, path string, haveMonth bool, month skalig.Month) (rules.Person, bool) {
	p := rules.Person{LunchAtHome: true}
	before := len(e.list)
	var childOnly []string
	var haveID, haveRole, haveBirth bool
	e.object(n, path, map[string]func(*node, string){
		"id": func(n *node, fp string) {
			s, ok := e.str(n, fp)
			if !ok {
				return
			}
			if s == "" || utf8.RuneCountInString(s) > maxIDLen || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }) {
				e.add(fp, "id måste vara en kort text (1–%d tecken)", maxIDLen)
				return
			}
			p.ID, haveID = s, true
		},
		"role": func(n *node, fp string) {
			s, ok := e.str(n, fp)
			if !ok {
				return
			}
			r, ok := rules.ParseRole(s)
			if !ok {
				e.add(fp, "rollen måste vara applicant, partner eller child")
				return
			}
			p.Role, haveRole = r, true
		},
		"birth_date": func(n *node, fp string) {
			s, ok := e.str(n, fp)
			if !ok {
				return
			}
			d, ok := skalig.ParseDate(s)
			if !ok {
				e.add(fp, "datum saknas eller är ogiltigt (ÅÅÅÅ-MM-DD)")
				return
			}
			p.Birth, haveBirth = d, true
		},
		"lunch_at_home": func(n *node, fp string) {
			if v, ok := e.boolean(n, fp); ok {
				p.LunchAtHome = v
				childOnly = append(childOnly, fp)
			}
		},
		"days_present": func(n *node, fp string) {
			days := 31
			if haveMonth {
				days = month.Days()
			}
			if v, ok := e.integer(n, fp, 1, days); ok {
				p.DaysPresent = v
				childOnly = append(childOnly, fp)
			}
		},
		"in_school": func(n *node, fp string) {
			if v, ok := e.boolean(n, fp); ok {
				p.InSchool = v
				childOnly = append(childOnly, fp)
			}
		},
		"aid_months": func(n *node, fp string) {
			p.AidMonths = e.months(n, fp)
		},
	})
	if n.kind == 'o' {
		if !haveID && !hasKey(n, "id") {
			e.add(path+".id", "id saknas")
		}
		if !haveRole && !hasKey(n, "role") {
			e.add(path+".role", "rollen saknas (applicant, partner eller child)")
		}
		if !haveBirth && !hasKey(n, "birth_date") {
			e.add(path+".birth_date", "datum saknas eller är ogiltigt (ÅÅÅÅ-MM-DD)")
		}
	}
	if haveRole && p.Role != rules.Child {
		for _, fp := range childOnly {
			e.add(fp, "gäller bara barn (role child)")
		}
	}
	return p, len(e.list) == before
}

func (e *errs) cost(n *node, path string) (rules.Cost, bool) {
	c := rules.Cost{Source: rules.SourceApplicant}
	before := len(e.list)
	var haveKind, haveAmount, haveApproved bool
	var approval rules.Approval
	var haveBy, haveReason bool
	e.object(n, path, map[string]func(*node, string){
		"approved": func(n *node, fp string) {
			approval.Amount, haveApproved = e.money(n, fp)
		},
		"approved_by": func(n *node, fp string) {
			approval.By, haveBy = e.text(n, fp, "vem som beviljade beloppet")
		},
		"reason": func(n *node, fp string) {
			approval.Reason, haveReason = e.text(n, fp, "skälet till det beviljade beloppet")
		},
		"kind": func(n *node, fp string) {
			s, ok := e.str(n, fp)
			if !ok {
				return
			}
			k, text, ok := rules.ParseCostKind(s)
			if !ok {
				e.add(fp, "okänd kostnad; tillåtna: housing, electricity, work_travel, home_insurance, union_fee, unemployment_fund_fee, other:<text>, beyond:<text>")
				return
			}
			text = strings.TrimSpace(text)
			if (k == rules.OtherCost || k == rules.BeyondCost) && (text == "" || utf8.RuneCountInString(text) > maxTextLen) {
				e.add(fp, "skriv vad behovet gäller efter %s: (1–%d tecken)", k, maxTextLen)
				return
			}
			c.Kind, c.Text, haveKind = k, text, true
		},
		"amount": func(n *node, fp string) {
			if m, ok := e.money(n, fp); ok {
				c.Amount, haveAmount = m, true
			}
		},
	})
	if n.kind == 'o' {
		if !haveKind && !hasKey(n, "kind") {
			e.add(path+".kind", "vilken sorts kostnad saknas")
		}
		if !haveAmount && !hasKey(n, "amount") {
			e.add(path+".amount", "beloppet saknas")
		}
		switch {
		case haveApproved && !haveReason && !hasKey(n, "reason"):
			e.add(path+".reason", "skälet saknas: ett beviljat belopp kräver ett skäl")
		case !haveApproved && !hasKey(n, "approved") && (haveReason || haveBy):
			e.add(path+".approved", "reason och approved_by gäller ett beviljat belopp: ange approved")
		case haveKind && c.Kind == rules.BeyondCost && !haveApproved && !hasKey(n, "approved"):
			e.add(path+".approved", "bistånd utöver försörjningsstöd (beyond:) måste ha ett belopp som en handläggare har beviljat")
		}
	}
	if haveApproved {
		c.Approval = &approval
	}
	return c, len(e.list) == before
}

func (e *errs) income(n *node, path string, ids map[string]int) (rules.Income, bool) {
	inc := rules.Income{Person: -1, Source: rules.SourceApplicant}
	before := len(e.list)
	var haveKind, haveAmount bool
	e.object(n, path, map[string]func(*node, string){
		"person": func(n *node, fp string) {
			s, ok := e.str(n, fp)
			if !ok {
				return
			}
			i, ok := ids[s]
			if !ok {
				e.add(fp, "personen %q finns inte bland people", s)
				return
			}
			inc.Person = i
		},
		"kind": func(n *node, fp string) {
			s, ok := e.str(n, fp)
			if !ok {
				return
			}
			k, ok := rules.ParseIncomeKind(s)
			if !ok {
				e.add(fp, "okänd inkomst; tillåtna: salary_net, unemployment_benefit, activity_support, sickness_benefit, parental_benefit, pension, housing_allowance, maintenance_support, child_allowance, student_grant, tax_refund, other")
				return
			}
			inc.Kind, haveKind = k, true
		},
		"amount": func(n *node, fp string) {
			if m, ok := e.money(n, fp); ok {
				inc.Amount, haveAmount = m, true
			}
		},
		"earned_earlier_this_year": func(n *node, fp string) {
			if m, ok := e.money(n, fp); ok {
				inc.EarnedEarlier, inc.EarnedEarlierKnown = m, true
			}
		},
	})
	if n.kind == 'o' {
		if !haveKind && !hasKey(n, "kind") {
			e.add(path+".kind", "vilken sorts inkomst saknas")
		}
		if !haveAmount && !hasKey(n, "amount") {
			e.add(path+".amount", "beloppet saknas")
		}
	}
	return inc, len(e.list) == before
}
