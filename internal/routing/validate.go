package routing

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"

	"skalig"
)

// Problem is one thing wrong with a routing configuration version, for
// the administrator who wrote it.
type Problem struct {
	// Field is the path of the field in the file form: "sample_rate",
	// "delegations[0].max_amount", "rules[1].expression".
	Field string
	// Message is in Swedish and names the field in words ("Ärendegrupp 1,
	// högsta belopp: …"), so that it reads on its own in an error summary.
	Message string
	// Detail is Message as data (a message of locales/details.LANG.json
	// and its arguments), for a page in another language: set for the
	// problems of the exception rules ("Regel 2 (stort_hushall), villkor:
	// …", with the CEL compiler's own words as a technical appendix); zero
	// for the others, which are Swedish only.
	Detail skalig.Detail
	// english is the text of New's error, as a file's reader has always
	// been told.
	english string
}

// Check validates s as New does and returns every problem, in the order
// of the fields; nil when s is a valid version. The administration's
// forms show them by field (internal/municipal.Check).
func Check(s Spec) []Problem {
	_, ps := build(s)
	return ps
}

// problems collects the problems of one Spec.
type problems []Problem

func (ps *problems) add(field, english, swedish string) {
	*ps = append(*ps, Problem{Field: field, english: english, Message: swedish})
}

// addDetail adds a problem whose Swedish is d's.
func (ps *problems) addDetail(field, english string, d skalig.Detail) {
	*ps = append(*ps, Problem{Field: field, english: english, Message: d.Swedish(), Detail: d})
}

// groupLabel names delegation i for a reader: "Ärendegrupp 1".
func groupLabel(i int, d *DelegationSpec) string {
	if n := strings.TrimSpace(d.Name); n != "" {
		return fmt.Sprintf("Ärendegrupp %d (%s)", i+1, n)
	}
	return fmt.Sprintf("Ärendegrupp %d", i+1)
}

// ruleLabel names rule i for a reader: "Regel 1 (stort_hushall)".
func ruleLabel(i int, r *RuleSpec) skalig.DetailArg {
	n := skalig.TextArg(strconv.Itoa(i + 1))
	if name := strings.TrimSpace(r.Name); name != "" {
		return skalig.MsgArg("detail.rule.label_named", n, skalig.TextArg(name))
	}
	return skalig.MsgArg("detail.rule.label", n)
}

// kr writes whole kronor the Swedish way: "1 000 000 kr".
func kr(n int64) string { return skalig.Kronor(n).Swedish() }

// build validates s and compiles its rules, collecting every problem.
func build(s Spec) (*Config, []Problem) {
	s = s.clone()
	c := &Config{}
	var ps problems
	if strings.TrimSpace(s.Version) == "" {
		ps.add("version", "version: required", "Versionens namn: skriv ett namn på versionen.")
	}
	if mo, ok := skalig.ParseMonth(s.From); ok {
		c.from = mo
	} else {
		ps.add("from", fmt.Sprintf("from: %q is not YYYY-MM", s.From), "Gäller från: ange månaden som ÅÅÅÅ-MM, till exempel 2027-01.")
	}
	if strings.TrimSpace(s.Source) == "" {
		ps.add("source", "source: required (cite the board's delegation order)",
			"Beslut om delegation: skriv vilket beslut i nämnden (delegationsordningen) versionen bygger på.")
	}
	names := map[string]bool{}
	for i := range s.Delegations {
		d := &s.Delegations[i]
		d.validate(i, &ps)
		if n := d.Name; strings.TrimSpace(n) != "" {
			if names[n] {
				ps.add(fmt.Sprintf("delegations[%d].name", i), fmt.Sprintf("delegations[%d].name: %q is given twice", i, n),
					fmt.Sprintf("%s, namn: en annan ärendegrupp har redan namnet %s. Ge varje grupp ett eget namn.", groupLabel(i, d), quote(n)))
			}
			names[n] = true
		}
	}
	if math.IsNaN(s.SampleRate) || s.SampleRate < 0 || s.SampleRate > 1 {
		ps.add("sample_rate", fmt.Sprintf("sample_rate: %v is not a share from 0 to 1", s.SampleRate),
			"Andel stickprov: ange en andel mellan 0 och 100 procent.")
	}
	switch {
	case s.SampleRate > 0 && len(s.SampleSeed) < minSeedLength:
		ps.add("sample_seed", fmt.Sprintf("sample_seed: required with a sample_rate, at least %d characters", minSeedLength),
			fmt.Sprintf("Nyckel för stickprov: behövs när stickprov dras, minst %d tecken.", minSeedLength))
	case s.SampleSeed != "" && len(s.SampleSeed) < minSeedLength:
		ps.add("sample_seed", fmt.Sprintf("sample_seed: at least %d characters", minSeedLength),
			fmt.Sprintf("Nyckel för stickprov: minst %d tecken.", minSeedLength))
	}
	if s.IncomeTolerance < 0 || s.IncomeTolerance > maxAmountLimit {
		ps.add("income_tolerance", fmt.Sprintf("income_tolerance: %d is not 0-%d kronor", s.IncomeTolerance, maxAmountLimit),
			fmt.Sprintf("Tolerans för inkomst: ange 0–%s.", kr(maxAmountLimit)))
	}
	if s.BankLimit < 0 || s.BankLimit > maxBankLimit {
		ps.add("bank_limit", fmt.Sprintf("bank_limit: %d is not 0-%d kronor", s.BankLimit, maxBankLimit),
			fmt.Sprintf("Gräns för banksaldo: ange 0–%s.", kr(maxBankLimit)))
	}
	switch {
	case s.Registers == nil:
		c.registers = skalig.RegisterNames
	case len(s.Registers) == 0:
		ps.add("registers", "registers: empty; omit the key to require every register",
			"Register: välj minst ett register, eller utelämna fältet för att kräva svar från alla.")
	default:
		for i, r := range s.Registers {
			if !slices.Contains(skalig.RegisterNames, r) {
				ps.add("registers", fmt.Sprintf("registers[%d]: unknown register %q (known: %s)", i, r, strings.Join(skalig.RegisterNames, ", ")),
					fmt.Sprintf("Register: %s är inte ett register som Skälig känner (%s).", quote(r), strings.Join(skalig.RegisterNames, ", ")))
			} else if slices.Contains(s.Registers[:i], r) {
				ps.add("registers", fmt.Sprintf("registers[%d]: %q is given twice", i, r),
					fmt.Sprintf("Register: %s står två gånger.", quote(r)))
			}
		}
		c.registers = s.Registers
	}
	c.rules = compileRules(s.Rules, &ps)
	c.spec = s
	if len(ps) > 0 {
		return nil, ps
	}
	return c, nil
}

// validate checks delegation i and fills in its default outcomes.
func (d *DelegationSpec) validate(i int, ps *problems) {
	g := groupLabel(i, d)
	at := func(f string) string { return fmt.Sprintf("delegations[%d].%s", i, f) }
	en := func(s string) string { return fmt.Sprintf("delegations[%d]: %s", i, s) }
	if strings.TrimSpace(d.Name) == "" {
		ps.add(at("name"), en("name: required (cite the point of the delegation order)"),
			g+", namn: skriv vilken punkt i delegationsordningen gruppen bygger på.")
	}
	if len(d.Kinds) == 0 {
		ps.add(at("kinds"), en(`kinds: required, e.g. ["monthly"]`), g+", ansökningar: välj vilka ansökningar gruppen gäller.")
	}
	for k, kind := range d.Kinds {
		switch {
		case kind == skalig.FirstApplication:
			ps.add(at("kinds"), en(fmt.Sprintf("kinds[%d]: a first application always goes to a person (first_application) and cannot be delegated", k)),
				g+", ansökningar: en förstagångsansökan prövas alltid av en handläggare och kan inte delegeras till Skälig.")
		case !kind.Valid():
			ps.add(at("kinds"), en(fmt.Sprintf("kinds[%d]: unknown kind %q (monthly)", k, kind)),
				fmt.Sprintf("%s, ansökningar: %s är inte ett ansökningsslag (monthly).", g, quote(string(kind))))
		case slices.Contains(d.Kinds[:k], kind):
			ps.add(at("kinds"), en(fmt.Sprintf("kinds[%d]: %q is given twice", k, kind)),
				fmt.Sprintf("%s, ansökningar: %s står två gånger.", g, quote(string(kind))))
		}
	}
	if d.Outcomes == nil {
		d.Outcomes = []skalig.Outcome{skalig.OutcomeApproved}
	}
	if len(d.Outcomes) == 0 {
		ps.add(at("outcomes"), en("outcomes: empty; omit the key to delegate approvals in full only"),
			g+", utfall: välj minst ett utfall som Skälig får besluta om. Ska Skälig inte besluta något i gruppen, ta bort gruppen.")
	}
	for k, o := range d.Outcomes {
		switch {
		case !o.Valid():
			ps.add(at("outcomes"), en(fmt.Sprintf("outcomes[%d]: unknown outcome %q (approved, partly_approved, rejected)", k, o)),
				fmt.Sprintf("%s, utfall: %s är inte ett utfall (bifall, delvis bifall eller avslag).", g, quote(string(o))))
		case slices.Contains(d.Outcomes[:k], o):
			ps.add(at("outcomes"), en(fmt.Sprintf("outcomes[%d]: %q is given twice", k, o)),
				fmt.Sprintf("%s, utfall: %s står två gånger.", g, o.Swedish()))
		}
	}
	if d.MaxAmount <= 0 || d.MaxAmount > maxAmountLimit {
		ps.add(at("max_amount"), en(fmt.Sprintf("max_amount: %d is not 1-%d kronor", d.MaxAmount, maxAmountLimit)),
			fmt.Sprintf("%s, högsta belopp: ange ett belopp från %s till %s.", g, kr(1), kr(maxAmountLimit)))
	}
}

// compileRules validates and compiles the rules: each name a unique code,
// each expression valid CEL over the documented variables whose type is
// bool, each with a reason text.
func compileRules(specs []RuleSpec, ps *problems) []rule {
	if len(specs) == 0 {
		return nil
	}
	env, err := celEnv()
	if err != nil {
		ps.add("rules", "rules: the CEL environment: "+err.Error(), "Regler: reglerna kan inte prövas just nu (internt fel i regelmotorn).")
		return nil
	}
	out := make([]rule, 0, len(specs))
	seen := map[string]bool{}
	for i := range specs {
		s := &specs[i]
		where := fmt.Sprintf("rules[%d] %q", i, s.Name)
		at := func(f string) string { return fmt.Sprintf("rules[%d].%s", i, f) }
		g := ruleLabel(i, s)
		ok := true
		switch {
		case !isRuleName(s.Name):
			ok = false
			ps.addDetail(at("name"), where+": name: must be 1-64 lower-case letters, digits and '_', starting with a letter",
				skalig.NewDetail("detail.rule_error.name", g))
		case seen[s.Name]:
			ok = false
			ps.addDetail(at("name"), where+": name: given twice", skalig.NewDetail("detail.rule_error.name_twice", g))
		}
		seen[s.Name] = true
		if strings.TrimSpace(s.Reason) == "" {
			ok = false
			ps.addDetail(at("reason"), where+": reason: required (the Swedish text the caseworker sees)",
				skalig.NewDetail("detail.rule_error.reason", g))
		}
		prg, en, finding := compileExpression(env, s.Expression)
		if en != "" {
			ps.addDetail(at("expression"), where+": expression: "+en, skalig.NewDetail("detail.rule_error.expression", g, skalig.DetailAsArg(finding)))
			continue
		}
		if ok {
			out = append(out, rule{spec: *s, prg: prg})
		}
	}
	return out
}

// compileExpression compiles a rule's expression in env; on failure it
// returns why in English (as New tells it) and as a Detail whose Swedish
// the administrator reads: what is wrong in words, where, and the
// compiler's own words as a technical appendix.
func compileExpression(env *cel.Env, expr string) (prg cel.Program, english string, finding skalig.Detail) {
	if strings.TrimSpace(expr) == "" {
		return nil, "required", skalig.NewDetail("detail.rule_error.cel.required")
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, iss.Err().Error(), celProblem(expr, iss.Errors())
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) {
		return nil, fmt.Sprintf("must be true or false (bool), is %s", t),
			skalig.NewDetail("detail.rule_error.cel.not_bool", celTypeArg(t.String()))
	}
	prg, err := env.Program(ast, cel.CostLimit(ruleCostLimit))
	if err != nil {
		return nil, err.Error(), withTechnical(skalig.NewDetail("detail.rule_error.cel.cannot_run"), err.Error())
	}
	return prg, "", skalig.Detail{}
}

// withTechnical is d followed by the rule engine's own words, technical,
// as they are: "… Teknisk uppgift från regelmotorn: 1:19: Syntax error: …".
func withTechnical(d skalig.Detail, technical string) skalig.Detail {
	return sentences(skalig.DetailAsArg(d), skalig.MsgArg("detail.rule_error.cel.technical", skalig.TextArg(technical)))
}

// sentences is args one after the other, each a sentence of its own
// ("detail.rule_error.cel.then": "%s %s"). args is not empty.
func sentences(args ...skalig.DetailArg) skalig.Detail {
	if len(args) == 1 {
		return skalig.NewDetail("detail.list", args[0])
	}
	d := skalig.NewDetail("detail.rule_error.cel.then", args[len(args)-2], args[len(args)-1])
	for i := len(args) - 3; i >= 0; i-- {
		d = skalig.NewDetail("detail.rule_error.cel.then", args[i], skalig.DetailAsArg(d))
	}
	return d
}

var (
	reUndeclared = regexp.MustCompile(`^undeclared reference to '([^']*)'`)
	reUndefined  = regexp.MustCompile(`^undefined field '([^']*)'`)
	reOverload   = regexp.MustCompile(`^found no matching overload for '([^']*)' applied to '\((.*)\)'`)
	reIdentAt    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*`)
)

// celProblem says what is wrong with expr, from the CEL compiler's
// errors: an unknown field (with the fields that begin the same way), a
// function or operator given the wrong types, a syntax error; each with
// where in the expression ("rad 1, tecken 5"); then the compiler's own
// words ("1:5: undeclared reference to 'x' (in container ”)") as a
// technical appendix.
func celProblem(expr string, errs []*cel.Error) skalig.Detail {
	var out, tech []skalig.DetailArg
	for _, e := range errs {
		where := skalig.TextArg("")
		line, col := e.Location.Line(), e.Location.Column()
		if line > 0 {
			where = skalig.MsgArg("detail.rule_error.cel.at", skalig.TextArg(strconv.Itoa(line)), skalig.TextArg(strconv.Itoa(col+1)))
			tech = append(tech, skalig.TextArg(fmt.Sprintf("%d:%d: %s", line, col+1, e.Message)))
		} else {
			tech = append(tech, skalig.TextArg(e.Message))
		}
		msg := e.Message
		switch {
		case reUndeclared.MatchString(msg):
			name := reUndeclared.FindStringSubmatch(msg)[1]
			if full := identAt(expr, line, col); strings.HasPrefix(full, name) {
				name = full
			}
			out = append(out, skalig.MsgArg("detail.rule_error.cel.undeclared", skalig.TextArg(name), where, knownFields(name)))
		case reUndefined.MatchString(msg):
			out = append(out, skalig.MsgArg("detail.rule_error.cel.undefined", skalig.TextArg(reUndefined.FindStringSubmatch(msg)[1]), where))
		case reOverload.MatchString(msg):
			m := reOverload.FindStringSubmatch(msg)
			op := strings.Trim(m[1], "_")
			var types []skalig.DetailArg
			for _, t := range strings.Split(m[2], ", ") {
				types = append(types, celTypeArg(t))
			}
			id := "detail.rule_error.cel.overload"
			if strings.Contains(m[2], "double") && strings.Contains(m[2], "int") {
				id = "detail.rule_error.cel.overload_number"
			}
			out = append(out, skalig.MsgArg(id, skalig.TextArg(op), skalig.ListArg(skalig.DetailSepAnd, types...), where))
		case strings.HasPrefix(msg, "Syntax error") || strings.HasPrefix(msg, "mismatched input"):
			out = append(out, skalig.MsgArg("detail.rule_error.cel.syntax", where))
		default:
			out = append(out, skalig.MsgArg("detail.rule_error.cel.other", where))
		}
	}
	if len(out) == 0 {
		return skalig.NewDetail("detail.rule_error.cel.unknown")
	}
	return sentences(append(out, skalig.MsgArg("detail.rule_error.cel.technical", skalig.ListArg(skalig.DetailSepSemicolon, tech...)))...)
}

// identAt returns the dotted name that starts at line and column (0-based)
// of expr, or "".
func identAt(expr string, line, col int) string {
	lines := strings.Split(expr, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	r := []rune(lines[line-1])
	if col < 0 || col >= len(r) {
		return ""
	}
	return reIdentAt.FindString(string(r[col:]))
}

// knownFields lists the variables that begin as name does (its first
// part), or else every variable: " Fält som finns: household.size, …".
func knownFields(name string) skalig.DetailArg {
	first, _, _ := strings.Cut(name, ".")
	var all, same []skalig.DetailArg
	for _, v := range celVars {
		all = append(all, skalig.TextArg(v.name))
		if p, _, _ := strings.Cut(v.name, "."); p == first {
			same = append(same, skalig.TextArg(v.name))
		}
	}
	if len(same) == 0 {
		same = all
	}
	return skalig.MsgArg("detail.rule_error.cel.known_fields", skalig.ListArg(skalig.DetailSepComma, same...))
}

// celTypeArg names a CEL type for a reader: "ett decimaltal (double)".
func celTypeArg(t string) skalig.DetailArg {
	switch {
	case t == "double":
		return skalig.MsgArg("detail.cel_type.double")
	case t == "int":
		return skalig.MsgArg("detail.cel_type.int")
	case t == "string":
		return skalig.MsgArg("detail.cel_type.string")
	case t == "bool":
		return skalig.MsgArg("detail.cel_type.bool")
	case t == "dyn":
		return skalig.MsgArg("detail.cel_type.dyn")
	case strings.HasPrefix(t, "list"):
		return skalig.MsgArg("detail.cel_type.list", skalig.TextArg(t))
	case strings.HasPrefix(t, "map"):
		return skalig.MsgArg("detail.cel_type.map", skalig.TextArg(t))
	}
	return skalig.TextArg(strconv.Quote(t))
}
