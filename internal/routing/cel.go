package routing

import (
	"fmt"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/functions"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"

	"skalig"
)

// ruleCostLimit bounds the work of one rule evaluation (CEL cost units, about
// one per operation): a rule that exceeds it fails with rule_error instead of
// holding up the queue. Iterating the facts of a large household a few
// times costs a few thousand.
const ruleCostLimit = 100_000

// The variables and functions a municipal rule sees; docs/routing.md
// documents each. Amounts are kronor as double.
var celVars = []struct {
	name string
	typ  *cel.Type
}{
	{"case.kind", cel.StringType},       // "first" | "monthly"
	{"case.month", cel.StringType},      // "2026-03"
	{"case.year", cel.IntType},          // 2026
	{"case.month_of_year", cel.IntType}, // 3
	{"case.municipality", cel.StringType},
	{"household.size", cel.IntType},
	{"household.adults", cel.IntType},
	{"household.children", cel.IntType},
	{"members", cel.ListType(cel.MapType(cel.StringType, cel.DynType))}, // {id, role, age}
	{"calc.aid", cel.DoubleType},
	{"calc.norm", cel.DoubleType},
	{"calc.costs", cel.DoubleType},
	{"calc.incomes", cel.DoubleType},
	{"calc.reasons", cel.ListType(cel.StringType)},
	{"calc.param_status", cel.StringType},
	{"calc.reduced", cel.BoolType},
	{"calc.outcome", cel.StringType}, // approved | partly_approved | rejected
	{"previous.exists", cel.BoolType},
	{"previous.month", cel.StringType}, // "" when none
	{"previous.amount", cel.DoubleType},
	{"facts", cel.ListType(cel.MapType(cel.StringType, cel.DynType))}, // {kind, person, role, source, period, amount, text, is_text}
}

// celEnv is the one environment every rule is compiled in.
var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.CrossTypeNumericComparisons(true),
		cel.ExtendedValidations(),
		ext.Strings(),
		cel.Function("declared", cel.Overload("declared_string", []*cel.Type{cel.StringType}, cel.DoubleType, cel.LateFunctionBinding())),
		cel.Function("registered", cel.Overload("registered_string", []*cel.Type{cel.StringType}, cel.DoubleType, cel.LateFunctionBinding())),
		cel.Function("has_fact", cel.Overload("has_fact_string", []*cel.Type{cel.StringType}, cel.BoolType, cel.LateFunctionBinding())),
	}
	for _, v := range celVars {
		opts = append(opts, cel.Variable(v.name, v.typ))
	}
	return cel.NewEnv(opts...)
})

// rule is a compiled municipal rule.
type rule struct {
	spec RuleSpec
	prg  cel.Program
}

func isRuleName(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// evalRules evaluates every rule on x: the rules that hold, as reasons in
// configuration order, and the rules that failed to evaluate, as details of
// rule_error. A failed rule never passes silently.
func (c *Config) evalRules(x *caseView) (hits []Reason, errs []finding) {
	if len(c.rules) == 0 {
		return nil, nil
	}
	act := &activation{x: x}
	for _, r := range c.rules {
		out, _, err := r.prg.Eval(act)
		if err != nil {
			errs = append(errs, found("detail.rule.error", skalig.TextArg(r.spec.Name), skalig.TextArg(err.Error())))
			continue
		}
		b, ok := out.(types.Bool)
		if !ok {
			errs = append(errs, found("detail.rule.not_bool", skalig.TextArg(r.spec.Name), skalig.TextArg(fmt.Sprint(out))))
			continue
		}
		if b {
			hits = append(hits, Reason{Code: skalig.ReasonMunicipalPrefix + r.spec.Name, Text: r.spec.Reason})
		}
	}
	return hits, errs
}

// activation gives a rule the variables and functions of one case. The
// lists are made on first use and shared by the rules of one Route.
type activation struct {
	x       *caseView
	members []map[string]any
	facts   []map[string]any
}

var _ interpreter.FunctionActivation = (*activation)(nil)

func kronor(m skalig.Money) float64 { return float64(m) / 100 }

// ResolveName returns the value of a variable of celVars.
func (a *activation) ResolveName(name string) (any, bool) {
	in := a.x.in
	switch name {
	case "case.kind":
		return string(in.Kind), true
	case "case.month":
		return in.Month.String(), true
	case "case.year":
		return int64(in.Month.Year()), true
	case "case.month_of_year":
		return int64(in.Month.Num()), true
	case "case.municipality":
		return in.Municipality, true
	case "household.size":
		return int64(len(in.Members)), true
	case "household.adults":
		return int64(len(a.x.adults)), true
	case "household.children":
		n := 0
		for _, m := range in.Members {
			if m.Role == skalig.RoleChild {
				n++
			}
		}
		return int64(n), true
	case "members":
		if a.members == nil {
			a.members = make([]map[string]any, 0, len(in.Members))
			first := in.Month.First()
			for _, m := range in.Members {
				age := int64(-1)
				if b := m.PersonalNumber.BirthDate(); b != (skalig.Date{}) {
					age = int64(b.AgeOn(first))
				}
				a.members = append(a.members, map[string]any{"id": m.ID, "role": string(m.Role), "age": age})
			}
		}
		return a.members, true
	case "calc.aid":
		return kronor(in.Calc.Aid), true
	case "calc.norm":
		return kronor(in.Calc.Norm), true
	case "calc.costs":
		return kronor(in.Calc.Costs), true
	case "calc.incomes":
		return kronor(in.Calc.Incomes), true
	case "calc.reasons":
		if in.Calc.Reasons == nil {
			return []string{}, true
		}
		return in.Calc.Reasons, true
	case "calc.param_status":
		return in.Calc.ParamStatus, true
	case "calc.reduced":
		return in.Calc.Reduced, true
	case "calc.outcome":
		return string(outcomeOf(&in.Calc)), true
	case "previous.exists":
		return in.Previous != nil, true
	case "previous.month":
		if in.Previous == nil {
			return "", true
		}
		return in.Previous.Month.String(), true
	case "previous.amount":
		if in.Previous == nil {
			return 0.0, true
		}
		return kronor(in.Previous.Amount), true
	case "facts":
		if a.facts == nil {
			a.facts = make([]map[string]any, 0, len(in.Facts))
			for _, f := range in.Facts {
				role := ""
				if f.PersonID != "" {
					role = string(a.x.role(f.PersonID))
				}
				amount, text := 0.0, ""
				if f.Value.IsText {
					text = f.Value.Text
				} else {
					amount = kronor(f.Value.Amount)
				}
				a.facts = append(a.facts, map[string]any{
					"kind": f.Kind, "person": f.PersonID, "role": role, "source": string(f.Source),
					"period": f.Period.String(), "amount": amount, "text": text, "is_text": f.Value.IsText,
				})
			}
		}
		return a.facts, true
	}
	return nil, false
}

// Parent returns nil: the activation is the only one.
func (a *activation) Parent() interpreter.Activation { return nil }

// ResolveFunction returns the late-bound functions declared, registered and
// has_fact for this case.
func (a *activation) ResolveFunction(name string) (functions.LateBoundOp, bool) {
	switch name {
	case "declared":
		return a.sumOf(func(s skalig.FactSource) bool { return s == skalig.SourceApplicant }), true
	case "registered":
		return a.sumOf(func(s skalig.FactSource) bool { _, ok := s.Register(); return ok }), true
	case "has_fact":
		return func(_ string, args ...ref.Val) ref.Val {
			kind, ok := args[0].(types.String)
			if !ok {
				return types.NewErr("has_fact: the kind must be a string")
			}
			for _, f := range a.x.ofKind(string(kind)) {
				if !isNo(f.Value) {
					return types.True
				}
			}
			return types.False
		}, true
	}
	return nil, false
}

// sumOf returns a function summing, in kronor, the amounts of the facts of a
// kind for the month assessed from the sources that keep accepts.
func (a *activation) sumOf(keep func(skalig.FactSource) bool) functions.LateBoundOp {
	return func(_ string, args ...ref.Val) ref.Val {
		kind, ok := args[0].(types.String)
		if !ok {
			return types.NewErr("the kind must be a string")
		}
		var sum skalig.Money
		for _, f := range a.x.ofKind(string(kind)) {
			if f.Period == a.x.in.Month && !f.Value.IsText && keep(f.Source) {
				sum += f.Value.Amount
			}
		}
		return types.Double(kronor(sum))
	}
}
