package rules

import (
	"fmt"
	"slices"
	"strconv"

	"skalig"
)

// Role is a person's place in the household assessed.
type Role uint8

// Roles. The applicant and a partner (spouse, registered partner or sambo)
// are assessed jointly; children are those under 18 at home and young people
// 18-20 at home in school.
const (
	Applicant Role = iota
	Partner
	Child
)

var roleNames = [...]string{"applicant", "partner", "child"}

// ParseRole parses a role name of the calculation format.
func ParseRole(s string) (Role, bool) {
	for i, n := range roleNames {
		if n == s {
			return Role(i), true
		}
	}
	return 0, false
}

// Source says where a figure came from: the parameter table, the applicant,
// a register, a caseworker, or a rule of the engine.
type Source uint8

// Sources of trace lines and input figures.
const (
	SourceApplicant Source = iota
	SourceRegister
	SourceCaseworker
	SourceParameter
	SourceRule
)

var sourceNames = [...]string{"applicant", "register", "caseworker", "parameter", "rule"}

func (s Source) String() string { return sourceNames[s] }

// ParseSource parses a source name.
func ParseSource(s string) (Source, bool) {
	for i, n := range sourceNames {
		if n == s {
			return Source(i), true
		}
	}
	return 0, false
}

// Swedish names the source for a reader of the explanation.
func (s Source) Swedish() string {
	switch s {
	case SourceApplicant:
		return "uppgift från den sökande"
	case SourceRegister:
		return "uppgift från register"
	case SourceCaseworker:
		return "handläggarens bedömning"
	case SourceParameter:
		return "riksnormen/parameter"
	}
	return "beräkningsregel"
}

// Person is one member of the household assessed.
type Person struct {
	ID    string
	Role  Role
	Birth skalig.Date
	// LunchAtHome is false for a child 0-6 who does not eat lunch at home five
	// days a week; it selects the "utan lunch" amount.
	LunchAtHome bool
	// DaysPresent is the number of days a child lives in the household this
	// month (växelvis boende); 0 means the whole month.
	DaysPresent int
	// InSchool is true for a young person 18-20 in grundskola, gymnasium or
	// equivalent.
	InSchool bool
	// AidMonths are the months before the month assessed in which this
	// person (an adult) was granted försörjningsstöd; with Input.AidMonths
	// (which mean every adult) they decide jobbstimulans for the person.
	AidMonths []skalig.Month
}

// CostKind is a reasonable cost outside the norm, or another need.
type CostKind uint8

// Cost kinds of the calculation format.
const (
	Housing CostKind = iota
	Electricity
	WorkTravel
	HomeInsurance
	UnionFee
	UnemploymentFundFee
	OtherCost // "other:<text>": livsföring i övrigt, never approved by the engine alone
	// BeyondCost is "beyond:<text>": aid beyond what the right to aid
	// gives (SoL 12 kap. 2 §), only ever as an amount a person approved.
	BeyondCost
	numCostKinds
)

var costNames = [...]string{"housing", "electricity", "work_travel", "home_insurance", "union_fee", "unemployment_fund_fee", "other", "beyond"}

var costSwedish = [...]string{"Boendekostnad", "Hushållsel", "Arbetsresor", "Hemförsäkring", "Fackföreningsavgift", "Avgift till arbetslöshetskassa", "Övrigt behov", "Bistånd utöver försörjningsstöd"}

func (k CostKind) String() string { return costNames[k] }

// Swedish names the cost in Swedish.
func (k CostKind) Swedish() string { return costSwedish[k] }

// ParseCostKind parses a cost kind; for "other:<text>" it returns OtherCost
// and the text, for "beyond:<text>" BeyondCost and the text.
func ParseCostKind(s string) (CostKind, string, bool) {
	if t, ok := cutPrefix(s, "other:"); ok {
		return OtherCost, t, true
	}
	if t, ok := cutPrefix(s, "beyond:"); ok {
		return BeyondCost, t, true
	}
	for i, n := range costNames[:OtherCost] {
		if n == s {
			return CostKind(i), "", true
		}
	}
	return 0, "", false
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

// Cost is one cost claimed for the month.
type Cost struct {
	Kind   CostKind
	Text   string // what the other need (or the aid beyond) is, for OtherCost and BeyondCost
	Amount skalig.Money
	Source Source
	// Approval is a person's decision on the line, or nil: the amount a
	// person approved for an other need, a cost above a guideline or aid
	// beyond the calculation. It enters the calculation instead of Amount.
	Approval *Approval
}

// Approval is an amount a person decided, with who and why. The engine
// never invents one: it takes it as input and cites it in the trace.
type Approval struct {
	Amount skalig.Money
	By     string // who decided (a caseworker's name or id), may be empty in the calculation format
	Reason string // why
}

// NormAdjustment is a higher (positive) or lower (negative) norm for special
// reasons, set by a person (SoL 12 kap. 7 § third paragraph).
type NormAdjustment struct {
	Amount skalig.Money
	By     string
	Reason string
}

// IncomeKind is a kind of income of the household.
type IncomeKind uint8

// Income kinds of the calculation format.
const (
	SalaryNet IncomeKind = iota
	UnemploymentBenefit
	ActivitySupport
	SicknessBenefit
	ParentalBenefit
	Pension
	HousingAllowance
	MaintenanceSupport
	ChildAllowance
	StudentGrant
	TaxRefund
	OtherIncome
	numIncomeKinds
)

var incomeNames = [...]string{"salary_net", "unemployment_benefit", "activity_support", "sickness_benefit", "parental_benefit", "pension", "housing_allowance", "maintenance_support", "child_allowance", "student_grant", "tax_refund", "other"}

var incomeSwedish = [...]string{"Lön efter skatt", "Ersättning från arbetslöshetskassa", "Aktivitetsstöd", "Sjukpenning/sjukersättning", "Föräldrapenning", "Pension", "Bostadsbidrag/bostadstillägg", "Underhållsstöd/underhållsbidrag", "Barnbidrag och flerbarnstillägg", "Studiebidrag", "Skatteåterbäring", "Annan inkomst"}

func (k IncomeKind) String() string { return incomeNames[k] }

// Swedish names the income in Swedish.
func (k IncomeKind) Swedish() string { return incomeSwedish[k] }

// ParseIncomeKind parses an income kind of the calculation format.
func ParseIncomeKind(s string) (IncomeKind, bool) {
	for i, n := range incomeNames {
		if n == s {
			return IncomeKind(i), true
		}
	}
	return 0, false
}

// Income is one income of the household in the month.
type Income struct {
	// Person is the index in Input.People of the earner, or -1 when the
	// income belongs to the household.
	Person int
	Kind   IncomeKind
	Amount skalig.Money
	// EarnedEarlier is what a child earned from work earlier in the same
	// calendar year, when EarnedEarlierKnown.
	EarnedEarlier      skalig.Money
	EarnedEarlierKnown bool
	Source             Source
}

// Input is one household and one month: everything the engine needs besides
// the parameters and the municipal guidelines.
type Input struct {
	Month  skalig.Month
	People []Person
	// DwellingSize is the number of persons in the home when the household
	// shares it with others not in this case (the lodger rule); 0 when not.
	DwellingSize int
	Costs        []Cost
	Incomes      []Income
	// AidMonths are the months before Month in which the household was
	// granted försörjningsstöd: they count for every adult.
	AidMonths []skalig.Month
	// NormAdjustment is a person's higher or lower norm, or nil.
	NormAdjustment *NormAdjustment
}

// Validate checks the household rules that make an input impossible to
// assess as one case, and returns one Swedish message per problem with the
// path of the field in the calculation format. It allocates nothing when the
// input is valid.
func (in *Input) Validate() []skalig.FieldError {
	var errs []skalig.FieldError
	add := func(field, msg string) { errs = append(errs, skalig.FieldError{Field: field, Message: msg}) }
	first := in.Month.First()
	days := in.Month.Days()
	applicants, partners := 0, 0
	if len(in.People) == 0 {
		add("people", "minst en person (den sökande) måste anges")
	}
	for i := range in.People {
		p := &in.People[i]
		switch p.Role {
		case Applicant:
			applicants++
			if applicants > 1 {
				add(path("people", i, "role"), "det får bara finnas en sökande (applicant)")
			}
		case Partner:
			partners++
			if partners > 1 {
				add(path("people", i, "role"), "det får bara finnas en make, maka eller sambo (partner)")
			}
		}
		if p.Birth.Month() > in.Month {
			add(path("people", i, "birth_date"), "personen är född efter den månad som prövas")
			continue
		}
		age := p.Birth.AgeOn(first)
		if age > 130 {
			add(path("people", i, "birth_date"), "födelsedatumet är inte rimligt")
		}
		for j, m := range p.AidMonths {
			if m >= in.Month {
				add(path("people", i, "aid_months")+"["+strconv.Itoa(j)+"]", "månaden måste ligga före den månad som prövas ("+in.Month.String()+")")
			}
			if slices.Contains(p.AidMonths[:j], m) {
				add(path("people", i, "aid_months")+"["+strconv.Itoa(j)+"]", "månaden "+m.String()+" står två gånger")
			}
		}
		if p.Role != Child {
			continue
		}
		if len(p.AidMonths) > 0 {
			add(path("people", i, "aid_months"), "gäller bara vuxna (applicant eller partner): jobbstimulans gäller inte barns lön")
		}
		switch {
		case age >= 21:
			add(path("people", i, "birth_date"), "barnet är 21 år eller äldre och ska ha ett eget ärende")
		case age >= 18 && !p.InSchool:
			add(path("people", i, "in_school"), "en ung person 18–20 år som inte går i skolan ska ha ett eget ärende")
		}
		if p.DaysPresent < 0 || p.DaysPresent > days {
			add(path("people", i, "days_present"), "måste vara ett antal dagar mellan 1 och "+strconv.Itoa(days))
		}
	}
	if applicants == 0 && len(in.People) > 0 {
		add("people", "en person måste ha rollen applicant (sökande)")
	}
	if in.DwellingSize != 0 && (in.DwellingSize < len(in.People) || in.DwellingSize > 99) {
		add("dwelling_size", fmt.Sprintf("antalet personer i bostaden måste vara minst %d (personerna i ärendet) och högst 99", len(in.People)))
	}
	for i := range in.Incomes {
		inc := &in.Incomes[i]
		if inc.Person >= len(in.People) || inc.Person < -1 {
			add(path("incomes", i, "person"), "personen finns inte bland people")
			continue
		}
		if inc.Kind == SalaryNet && inc.Person < 0 {
			add(path("incomes", i, "person"), "ange vem som har lönen (krävs för salary_net)")
		}
		if inc.EarnedEarlierKnown && (inc.Kind != SalaryNet || inc.Person < 0 || in.People[inc.Person].Role != Child) {
			add(path("incomes", i, "earned_earlier_this_year"), "gäller bara ett barns lön (salary_net för ett barn)")
		}
	}
	for i := range in.Costs {
		cs := &in.Costs[i]
		switch {
		case cs.Kind == BeyondCost && cs.Approval == nil:
			add(path("costs", i, "approved"), "bistånd utöver försörjningsstöd (beyond:) måste ha ett belopp som en handläggare har beviljat")
		case cs.Approval != nil && cs.Approval.Amount < 0:
			add(path("costs", i, "approved"), "det beviljade beloppet får inte vara negativt")
		}
	}
	for i, m := range in.AidMonths {
		if m >= in.Month {
			add(path("aid_months", i, ""), "månaden måste ligga före den månad som prövas ("+in.Month.String()+")")
		}
		for _, o := range in.AidMonths[:i] {
			if o == m {
				add(path("aid_months", i, ""), "månaden "+m.String()+" står två gånger")
				break
			}
		}
	}
	return errs
}

func path(list string, i int, field string) string {
	s := list + "[" + strconv.Itoa(i) + "]"
	if field != "" {
		s += "." + field
	}
	return s
}
