package routing

import (
	"encoding/json"
	"fmt"
	"skalig"
	"strconv"

	"cel.dev/cel-go/common/functions"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// RuleTry is what an exception rule found on one case, for an
// administrator who writes the rule: whether it matched and the values it
// read, or why it could not run.
type RuleTry struct {
	// Problem says in Swedish why the expression does not compile, naming
	// the field ("fältet household.persons finns inte …") and ending with
	// the compiler's own words; "" when it does. ProblemDetail is the same
	// as data, for a page in another language.
	Problem       string
	ProblemDetail skalig.Detail
	// Error says in Swedish why the rule failed on this case (a rule that
	// fails stops the robot with rule_error); "" when it ran. ErrorDetail
	// is the same as data.
	Error       string
	ErrorDetail skalig.Detail
	// Matched is true when the expression is true for the case: the rule
	// would stop the robot.
	Matched bool
	// Values are the variables and function calls the rule read, in the
	// order it read them, written as in CEL.
	Values []SeenValue
}

// SeenValue is a variable or a function call a rule read, and its value.
type SeenValue struct {
	Name, Value string
}

// maxValueLength bounds the text of one value shown (a household's facts
// can be long).
const maxValueLength = 600

// TryRule compiles expression as a municipal exception rule is compiled
// (the same variables and functions, a bool result) and evaluates it on
// the case in, recording every value the rule reads. It is pure; it
// changes nothing.
func TryRule(expression string, in *Input) RuleTry {
	env, err := celEnv()
	if err != nil {
		return RuleTry{Problem: "reglerna kan inte prövas just nu (internt fel i regelmotorn)."}
	}
	prg, en, finding := compileExpression(env, expression)
	if en != "" {
		return RuleTry{Problem: finding.Swedish(), ProblemDetail: finding}
	}
	rec := &recorder{activation: activation{x: newCaseView(in)}, seen: map[string]bool{}}
	out, _, err := prg.Eval(rec)
	t := RuleTry{Values: rec.values}
	if err != nil {
		t.ErrorDetail = withTechnical(skalig.NewDetail("detail.rule_error.run_failed"), err.Error())
		t.Error = t.ErrorDetail.Swedish()
		return t
	}
	b, ok := out.(types.Bool)
	if !ok {
		t.ErrorDetail = skalig.NewDetail("detail.rule_error.run_not_bool", skalig.TextArg(fmt.Sprint(out)))
		t.Error = t.ErrorDetail.Swedish()
		return t
	}
	t.Matched = bool(b)
	return t
}

// recorder is a rule's activation that writes down what the rule reads.
type recorder struct {
	activation
	seen   map[string]bool
	values []SeenValue
}

var _ interpreter.FunctionActivation = (*recorder)(nil)

func (r *recorder) note(name, value string) {
	if r.seen[name] {
		return
	}
	r.seen[name] = true
	if len(value) > maxValueLength {
		value = value[:maxValueLength] + " …"
	}
	r.values = append(r.values, SeenValue{Name: name, Value: value})
}

// ResolveName returns the variable's value and notes it.
func (r *recorder) ResolveName(name string) (any, bool) {
	v, ok := r.activation.ResolveName(name)
	if ok {
		r.note(name, celLiteral(v))
	}
	return v, ok
}

// ResolveFunction returns the late-bound function, noting each call with
// its argument and result.
func (r *recorder) ResolveFunction(name string) (functions.LateBoundOp, bool) {
	op, ok := r.activation.ResolveFunction(name)
	if !ok {
		return nil, false
	}
	return func(fn string, args ...ref.Val) ref.Val {
		res := op(fn, args...)
		var as []string
		for _, a := range args {
			as = append(as, celLiteral(a.Value()))
		}
		call := name + "("
		for i, a := range as {
			if i > 0 {
				call += ", "
			}
			call += a
		}
		r.note(call+")", celLiteral(res.Value()))
		return res
	}, true
}

// celLiteral writes v as CEL writes it: "text", 12, 1234.5, true, lists
// and maps as JSON.
func celLiteral(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			s += ".0"
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
