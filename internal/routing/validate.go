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

// groupLabel names delegation i for a reader: "Ärendegrupp 1".
func groupLabel(i int, d *DelegationSpec) string {
	if n := strings.TrimSpace(d.Name); n != "" {
		return fmt.Sprintf("Ärendegrupp %d (%s)", i+1, n)
	}
	return fmt.Sprintf("Ärendegrupp %d", i+1)
}

// ruleLabel names rule i for a reader: "Regel 1 (stort_hushall)".
func ruleLabel(i int, r *RuleSpec) string {
	if n := strings.TrimSpace(r.Name); n != "" {
		return fmt.Sprintf("Regel %d (%s)", i+1, n)
	}
	return fmt.Sprintf("Regel %d", i+1)
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
			ps.add(at("name"), where+": name: must be 1-64 lower-case letters, digits and '_', starting with a letter",
				g+", namn: 1–64 små bokstäver a–z, siffror och _, och första tecknet en bokstav (till exempel stort_hushall).")
		case seen[s.Name]:
			ok = false
			ps.add(at("name"), where+": name: given twice", g+", namn: en annan regel har samma namn.")
		}
		seen[s.Name] = true
		if strings.TrimSpace(s.Reason) == "" {
			ok = false
			ps.add(at("reason"), where+": reason: required (the Swedish text the caseworker sees)",
				g+", skäl: skriv texten som handläggaren ser när regeln stoppar ett ärende.")
		}
		prg, en, sv := compileExpression(env, s.Expression)
		if en != "" {
			ps.add(at("expression"), where+": expression: "+en, g+", villkor: "+sv)
			continue
		}
		if ok {
			out = append(out, rule{spec: *s, prg: prg})
		}
	}
	return out
}

// compileExpression compiles a rule's expression in env; on failure it
// returns why in English (as New tells it) and in Swedish.
func compileExpression(env *cel.Env, expr string) (prg cel.Program, english, swedish string) {
	if strings.TrimSpace(expr) == "" {
		return nil, "required", "skriv ett villkor."
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		return nil, iss.Err().Error(), celSwedish(expr, iss.Errors())
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) {
		return nil, fmt.Sprintf("must be true or false (bool), is %s", t),
			fmt.Sprintf("villkoret ska ge sant eller falskt, men ger %s.", celTypeSwedish(t.String()))
	}
	prg, err := env.Program(ast, cel.CostLimit(ruleCostLimit))
	if err != nil {
		return nil, err.Error(), "villkoret kan inte köras: " + err.Error()
	}
	return prg, "", ""
}

var (
	reUndeclared = regexp.MustCompile(`^undeclared reference to '([^']*)'`)
	reUndefined  = regexp.MustCompile(`^undefined field '([^']*)'`)
	reOverload   = regexp.MustCompile(`^found no matching overload for '([^']*)' applied to '\((.*)\)'`)
	reIdentAt    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*`)
)

// celSwedish says in Swedish what is wrong with expr, from the CEL
// compiler's errors: an unknown field (with the fields that begin the same
// way), a function or operator given the wrong types, a syntax error; each
// with where in the expression.
func celSwedish(expr string, errs []*cel.Error) string {
	var out []string
	for _, e := range errs {
		where := ""
		line, col := e.Location.Line(), e.Location.Column()
		if line > 0 {
			where = fmt.Sprintf(" (rad %d, tecken %d)", line, col+1)
		}
		msg := e.Message
		switch {
		case reUndeclared.MatchString(msg):
			name := reUndeclared.FindStringSubmatch(msg)[1]
			if full := identAt(expr, line, col); strings.HasPrefix(full, name) {
				name = full
			}
			out = append(out, "fältet "+name+" finns inte"+where+"."+knownFields(name))
		case reUndefined.MatchString(msg):
			out = append(out, "fältet "+reUndefined.FindStringSubmatch(msg)[1]+" finns inte"+where+".")
		case reOverload.MatchString(msg):
			m := reOverload.FindStringSubmatch(msg)
			op := strings.Trim(m[1], "_")
			var types []string
			for _, t := range strings.Split(m[2], ", ") {
				types = append(types, celTypeSwedish(t))
			}
			s := fmt.Sprintf("%s kan inte användas med %s%s.", op, strings.Join(types, " och "), where)
			if strings.Contains(m[2], "double") && strings.Contains(m[2], "int") {
				s += " Belopp är decimaltal: skriv till exempel 2.0 i stället för 2."
			}
			out = append(out, s)
		case strings.HasPrefix(msg, "Syntax error") || strings.HasPrefix(msg, "mismatched input"):
			out = append(out, "villkoret är inte rätt skrivet"+where+" (syntaxfel: "+strings.TrimPrefix(msg, "Syntax error: ")+").")
		default:
			out = append(out, "villkoret kan inte tolkas"+where+": "+msg+".")
		}
	}
	if len(out) == 0 {
		return "villkoret kan inte tolkas."
	}
	return strings.Join(out, " ")
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
func knownFields(name string) string {
	first, _, _ := strings.Cut(name, ".")
	var all, same []string
	for _, v := range celVars {
		all = append(all, v.name)
		if p, _, _ := strings.Cut(v.name, "."); p == first {
			same = append(same, v.name)
		}
	}
	if len(same) == 0 {
		same = all
	}
	return " Fält som finns: " + strings.Join(same, ", ") + "."
}

// celTypeSwedish names a CEL type for a reader.
func celTypeSwedish(t string) string {
	switch {
	case t == "double":
		return "ett decimaltal (double)"
	case t == "int":
		return "ett heltal (int)"
	case t == "string":
		return "en text (string)"
	case t == "bool":
		return "sant eller falskt (bool)"
	case strings.HasPrefix(t, "list"):
		return "en lista (" + t + ")"
	case strings.HasPrefix(t, "map"):
		return "en post (" + t + ")"
	case t == "dyn":
		return "ett värde av okänd typ (dyn)"
	}
	return strconv.Quote(t)
}
