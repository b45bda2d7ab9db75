package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"skalig"
	"skalig/internal/registry/wire"
)

// Error codes of the parts that the client sets itself (skalig's
// RegisterCode constants); a source's own codes pass through as the source
// sent them.
const (
	CodeTimeout     = skalig.RegisterCodeTimeout
	CodeUnavailable = skalig.RegisterCodeUnavailable
	CodeMalformed   = skalig.RegisterCodeMalformed
	CodeCircuitOpen = skalig.RegisterCodeCircuitOpen
	CodeRejected    = skalig.RegisterCodeRejected
	CodeTLS         = skalig.RegisterCodeTLS
)

// EvidenceRef returns the reference of a raw answer: "sha256:<hex>".
func EvidenceRef(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// FaultError is a SOAP fault answered instead of data.
type FaultError struct {
	Code   string // "soap:Client" or "soap:Server"
	String string
}

func (e *FaultError) Error() string { return "soap fault " + e.Code + ": " + e.String }

// Client reports whether the fault blames the request (soap:Client), so
// that asking again the same way will not help.
func (e *FaultError) Client() bool {
	_, local, _ := strings.Cut(e.Code, ":")
	if local == "" {
		local = e.Code
	}
	return strings.EqualFold(local, "Client")
}

// ParseAnswer reads one raw SOAP answer to req, received at at, into one
// part per source that req asks for (in the order of CheckRequest). Facts
// carry Evidence EvidenceRef(raw); correlationID, when not empty, must be
// the one the answer names.
//
// An answer that cannot be read as a whole (not well-formed, not a fetch
// answer, about another person, another correlation id) is an error
// wrapping wire.ErrMalformed, and a SOAP fault a *FaultError: no part is
// returned, since no part can be trusted. A part that cannot be read, or a
// source missing from the answer, becomes a part with Err Code "malformed"
// and no facts. ParseAnswer never panics, whatever raw holds; a stored raw
// answer replayed through it gives the same facts again.
func ParseAnswer(raw []byte, req skalig.RegisterRequest, correlationID string, at time.Time) ([]skalig.RegisterPart, error) {
	sources, err := CheckRequest(req)
	if err != nil {
		return nil, err
	}
	env, err := wire.Unmarshal(raw)
	if err != nil {
		return nil, err
	}
	if f := env.Body.Fault; f != nil {
		return nil, &FaultError{Code: strings.TrimSpace(f.Code), String: strings.TrimSpace(f.String)}
	}
	resp := env.Body.FetchResponse
	if resp == nil {
		return nil, fmt.Errorf("%w: not a fetch answer", wire.ErrMalformed)
	}
	if resp.Person != req.Person.Canonical() {
		return nil, fmt.Errorf("%w: the answer is about another person", wire.ErrMalformed)
	}
	if correlationID != "" && resp.CorrelationID != correlationID {
		return nil, fmt.Errorf("%w: correlation id %q, want %q", wire.ErrMalformed, resp.CorrelationID, correlationID)
	}
	byName := map[string]*wire.Part{}
	dup := map[string]bool{}
	for i := range resp.Parts {
		p := &resp.Parts[i]
		if _, seen := byName[p.Source]; seen {
			dup[p.Source] = true
		}
		byName[p.Source] = p
	}
	fm := factMaker{personID: req.PersonID, at: at.UTC().Truncate(time.Microsecond), evidence: EvidenceRef(raw)}
	parts := make([]skalig.RegisterPart, len(sources))
	for i, s := range sources {
		parts[i].Source = s
		p, ok := byName[s]
		switch {
		case !ok:
			parts[i].Err = malformedPart(s, skalig.NewDetail("detail.register_error.part.missing"))
		case dup[s]:
			parts[i].Err = malformedPart(s, skalig.NewDetail("detail.register_error.part.twice"))
		default:
			fm.source = s
			parts[i] = readPart(p, req.PeriodOf(s), fm)
		}
	}
	return parts, nil
}

// malformedPart is the error of source's part that could not be read, for
// the reason detail: "Svaret från Försäkringskassan gick inte att läsa:
// utbetalning 2: ogiltigt belopp "12x".".
func malformedPart(source string, detail skalig.Detail) *skalig.RegisterError {
	return skalig.NewRegisterError(CodeMalformed, true,
		skalig.NewDetail("detail.register_error.malformed", skalig.RegisterArg(source), skalig.DetailAsArg(detail)))
}

// A partError is what the parser found wrong in a part, as a message of
// the detail catalogs ("detail.register_error.part.*"); Error is its
// Swedish.
type partError struct{ d skalig.Detail }

func (e *partError) Error() string { return e.d.Swedish() }

// bad is a partError of message id with args.
func bad(id string, args ...skalig.DetailArg) error {
	return &partError{skalig.NewDetail("detail.register_error.part."+id, args...)}
}

// partDetail is err's detail: a partError's, else (no reader returns
// another error) its text as it is.
func partDetail(err error) skalig.Detail {
	var pe *partError
	if errors.As(err, &pe) {
		return pe.d
	}
	return skalig.NewDetail("detail.list", skalig.TextArg(err.Error()))
}

// item names what in a part a partError is about, a
// "detail.register_error.item.*" message: a field ("förnamn"), or the n-th
// item of its kind ("utbetalning 2") when n is given.
func item(kind string, n ...int) skalig.DetailArg {
	var args []skalig.DetailArg
	for _, i := range n {
		args = append(args, skalig.TextArg(strconv.Itoa(i)))
	}
	return skalig.MsgArg("detail.register_error.item."+kind, args...)
}

// quoted is a value quoted from the answer, as %q writes it.
func quoted(s string) skalig.DetailArg { return skalig.TextArg(strconv.Quote(clip(s))) }

// readPart reads one source's part: an error, unknown person or data.
func readPart(p *wire.Part, period skalig.RegisterPeriod, fm factMaker) skalig.RegisterPart {
	src := fm.source
	out := skalig.RegisterPart{Source: src}
	data := map[string]bool{
		skalig.RegisterFK: p.FK != nil, skalig.RegisterCSN: p.CSN != nil, skalig.RegisterAF: p.AF != nil,
		skalig.RegisterSKV: p.SKV != nil, skalig.RegisterAkassa: p.Akassa != nil,
		skalig.RegisterMigration: p.Migr != nil, skalig.RegisterTransport: p.TS != nil,
		skalig.RegisterPopulation: p.Folk != nil,
	}
	n := 0
	for name, set := range data {
		if set && name != src {
			out.Err = malformedPart(src, skalig.NewDetail("detail.register_error.part.other_source"))
			return out
		}
	}
	for _, set := range []bool{p.Error != nil, p.UnknownPerson != nil, data[src]} {
		if set {
			n++
		}
	}
	if n != 1 {
		out.Err = malformedPart(src, skalig.NewDetail("detail.register_error.part.one_of"))
		return out
	}
	switch {
	case p.Error != nil:
		code := strings.TrimSpace(p.Error.Code)
		if !isCode(code, "_-.", 64) {
			out.Err = malformedPart(src, skalig.NewDetail("detail.register_error.part.bad_code"))
			return out
		}
		d := skalig.NewDetail("detail.register_error.source_error", skalig.RegisterArg(src))
		if msg := cleanMessage(p.Error.Message); msg != "" {
			d = skalig.NewDetail("detail.register_error.source_said", skalig.TextArg(msg))
		}
		out.Err = skalig.NewRegisterError(code, p.Error.Temporary, d)
		return out
	case p.UnknownPerson != nil:
		out.UnknownPerson = true
		return out
	}
	var facts []skalig.Fact
	var err error
	switch src {
	case skalig.RegisterFK:
		facts, err = fkFacts(p.FK, period, fm)
	case skalig.RegisterCSN:
		facts, err = csnFacts(p.CSN, period, fm)
	case skalig.RegisterAF:
		facts, err = afFacts(p.AF, period, fm)
	case skalig.RegisterSKV:
		facts, err = skvFacts(p.SKV, period, fm)
	case skalig.RegisterAkassa:
		facts, err = akassaFacts(p.Akassa, period, fm)
	case skalig.RegisterMigration:
		facts, err = migrFacts(p.Migr, period, fm)
	case skalig.RegisterTransport:
		facts, err = tsFacts(p.TS, period, fm)
	case skalig.RegisterPopulation:
		facts, err = folkFacts(p.Folk, period, fm)
	default:
		err = bad("unknown_source")
	}
	if err == nil {
		for i := range facts {
			if verr := facts[i].Validate(); verr != nil {
				err = bad("invalid_fact", skalig.TextArg(facts[i].Kind))
				break
			}
		}
	}
	if err != nil {
		out.Err = malformedPart(src, partDetail(err))
		return out
	}
	sortFacts(facts)
	out.Facts = facts
	return out
}

// cleanMessage keeps a source's error message printable and short.
func cleanMessage(s string) string {
	if !utf8.ValidString(s) {
		return ""
	}
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

// factMaker makes the facts of one part with their provenance.
type factMaker struct {
	source   string
	personID string
	at       time.Time
	evidence string
}

func (fm factMaker) fact(kind string, mo skalig.Month, v skalig.FactValue) skalig.Fact {
	return skalig.Fact{
		Kind: kind, PersonID: fm.personID, Period: mo, Value: v,
		Source: skalig.RegisterSource(fm.source), At: fm.at, Evidence: fm.evidence,
	}
}

func sortFacts(fs []skalig.Fact) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Value.String() < b.Value.String()
	})
}

// FKBenefits maps Försäkringskassan's and Pensionsmyndigheten's benefit
// codes to the income kinds of the calculation format. A code not here is
// not read as an income: it becomes a fk.other_benefit text fact, which a
// person looks at.
var FKBenefits = map[string]string{
	"bostadsbidrag":              "housing_allowance",
	"bostadstillagg":             "housing_allowance",
	"sjukpenning":                "sickness_benefit",
	"rehabiliteringspenning":     "sickness_benefit",
	"sjukersattning":             "sickness_benefit",
	"aktivitetsersattning":       "sickness_benefit",
	"foraldrapenning":            "parental_benefit",
	"tillfallig_foraldrapenning": "parental_benefit",
	"graviditetspenning":         "parental_benefit",
	"aktivitetsstod":             "activity_support",
	"utvecklingsersattning":      "activity_support",
	"etableringsersattning":      "activity_support",
	"underhallsstod":             "maintenance_support",
	"barnbidrag":                 "child_allowance",
	"flerbarnstillagg":           "child_allowance",
	"forlangt_barnbidrag":        "child_allowance",
	"allman_pension":             "pension",
	"garantipension":             "pension",
	"tjanstepension":             "pension",
	"efterlevandepension":        "pension",
	"aldreforsorjningsstod":      "pension",
}

// Kinds of facts beyond the income kinds and those of kinds.go.
const (
	KindFKOtherBenefit      = "fk.other_benefit"             // text "<code> <YYYY-MM> <net>": a benefit not mapped to an income
	KindCSNLoan             = "csn.loan"                     // amount: student loan paid in the month
	KindCSNHomeEquipment    = "csn.home_equipment_loan"      // amount: hemutrustningslån paid in the month
	KindCSNOther            = "csn.other"                    // text "<type> <amount>": a payment type not known
	KindAFProgram           = "af.program"                   // text: program or activity while registered
	KindAFExtent            = "af.extent"                    // text: "heltid", "deltid"
	KindAFStatus            = "af.status"                    // text: Arbetsförmedlingen's status code
	KindAFProgramExtent     = skalig.KindAFProgramExtent     // text: "heltid", "deltid": the extent of the program
	KindSKVTaxedIncome      = "skv.taxed_income_last_year"   // amount: earned income of the latest assessed year
	KindSKVCapitalIncome    = "skv.capital_income_last_year" // amount: capital income of that year
	KindSKVIncomeYear       = "skv.income_year"              // text "2024": the year assessed
	KindAkassaDays          = "akassa.days"                  // text "21": days paid in the month
	KindPermitOpenCase      = "permit.open_case"             // text: the type of an undecided case at Migrationsverket
	kindHousingAllowance    = skalig.KindIncomePrefix + "housing_allowance"
	kindStudentGrant        = skalig.KindIncomePrefix + "student_grant"
	kindUnemploymentBenefit = skalig.KindIncomePrefix + "unemployment_benefit"
)

func fkFacts(d *wire.FKData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	s := sums{}
	var facts []skalig.Fact
	for i, pay := range d.Payments {
		what := item("payment", i+1)
		m, net, err := monthlyPayment(what, pay.Month, pay.Net, pay.PaidOn, p, pay.Gross)
		if err != nil {
			return nil, err
		}
		if !isCode(pay.Benefit, "_", 64) {
			return nil, bad("bad_benefit", what)
		}
		kind, ok := FKBenefits[pay.Benefit]
		if !ok {
			facts = append(facts, fm.fact(KindFKOtherBenefit, m, skalig.TextValue(pay.Benefit+" "+m.String()+" "+net.String())))
			continue
		}
		if err := s.add(skalig.KindIncomePrefix+kind, m, net); err != nil {
			return nil, err
		}
	}
	return append(facts, s.facts(fm)...), nil
}

// CSNPayments maps CSN's payment types to fact kinds: grants are the
// calculation's student_grant, loans facts of their own.
var CSNPayments = map[string]string{
	"studiemedel_bidrag": kindStudentGrant,
	"studiehjalp":        kindStudentGrant,
	"studiestartsstod":   kindStudentGrant,
	"studiemedel_lan":    KindCSNLoan,
	"hemutrustningslan":  KindCSNHomeEquipment,
}

func csnFacts(d *wire.CSNData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	s := sums{}
	var facts []skalig.Fact
	for i, pay := range d.Payments {
		what := item("payment", i+1)
		m, amt, err := monthlyPayment(what, pay.Month, pay.Amount, pay.PaidOn, p)
		if err != nil {
			return nil, err
		}
		if !isCode(pay.Type, "_", 64) {
			return nil, bad("bad_type", what)
		}
		kind, ok := CSNPayments[pay.Type]
		if !ok {
			facts = append(facts, fm.fact(KindCSNOther, m, skalig.TextValue(pay.Type+" "+amt.String())))
			continue
		}
		if err := s.add(kind, m, amt); err != nil {
			return nil, err
		}
	}
	return append(facts, s.facts(fm)...), nil
}

func afFacts(d *wire.AFData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	type reg struct {
		from, to                skalig.Date
		hasTo                   bool
		extent, status, program string
		programExtent           string
	}
	regs := make([]reg, 0, len(d.Registrations))
	for i, r := range d.Registrations {
		what := item("enrolment", i+1)
		from, to, hasTo, err := dateSpan(what, r.From, r.To, "ends_before")
		if err != nil {
			return nil, err
		}
		x := reg{from: from, to: to, hasTo: hasTo}
		for _, f := range []struct {
			dst *string
			src string
		}{{&x.extent, r.Extent}, {&x.status, r.Status}, {&x.program, r.Program}, {&x.programExtent, r.ProgramExtent}} {
			if f.src == "" {
				continue
			}
			if *f.dst, err = text(what, f.src, 200); err != nil {
				return nil, err
			}
		}
		regs = append(regs, x)
	}
	var facts []skalig.Fact
	forMonths(p, func(m skalig.Month) {
		var cur *reg
		for i := range regs {
			if overlaps(regs[i].from, regs[i].to, regs[i].hasTo, m) && (cur == nil || cur.from.Before(regs[i].from)) {
				cur = &regs[i]
			}
		}
		if cur == nil {
			facts = append(facts, fm.fact(skalig.KindAFRegistered, m, skalig.TextValue("no")))
			return
		}
		facts = append(facts, fm.fact(skalig.KindAFRegistered, m, skalig.TextValue("yes")))
		pext := ""
		if cur.program != "" {
			pext = cur.programExtent // the extent of a program, only with one
		}
		for _, t := range [][2]string{{KindAFProgram, cur.program}, {KindAFExtent, cur.extent}, {KindAFStatus, cur.status}, {KindAFProgramExtent, pext}} {
			if t[1] != "" {
				facts = append(facts, fm.fact(t[0], m, skalig.TextValue(t[1])))
			}
		}
	})
	return facts, nil
}

func skvFacts(d *wire.SKVData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	type assessment struct {
		year            int
		earned, capital skalig.Money
	}
	byYear := map[int]assessment{}
	for i, a := range d.Assessments {
		what := item("assessment", i+1)
		m, ok := skalig.ParseMonth(a.Year + "-01")
		if !ok || len(a.Year) != 4 {
			return nil, bad("bad_year", what, quoted(a.Year))
		}
		y := m.Year()
		if _, dup := byYear[y]; dup {
			return nil, bad("year_twice", what, skalig.TextArg(strconv.Itoa(y)))
		}
		earned, err := amountOf(what, a.EarnedIncome, false)
		if err != nil {
			return nil, err
		}
		capital, err := amountOf(what, a.CapitalIncome, true)
		if err != nil {
			return nil, err
		}
		byYear[y] = assessment{year: y, earned: earned, capital: capital}
	}
	var facts []skalig.Fact
	forMonths(p, func(m skalig.Month) {
		best := assessment{year: -1}
		for y, a := range byYear {
			if y < m.Year() && y > best.year {
				best = a
			}
		}
		if best.year < 0 {
			return
		}
		facts = append(facts,
			fm.fact(KindSKVTaxedIncome, m, skalig.AmountValue(best.earned)),
			fm.fact(KindSKVCapitalIncome, m, skalig.AmountValue(best.capital)),
			fm.fact(KindSKVIncomeYear, m, skalig.TextValue(fmt.Sprint(best.year))))
	})
	return facts, nil
}

func akassaFacts(d *wire.AkassaData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	if d.Fund != "" {
		if _, err := text(item("fund"), d.Fund, 200); err != nil {
			return nil, err
		}
	}
	s := sums{}
	days := map[skalig.Month]int{}
	for i, pay := range d.Payments {
		what := item("payment", i+1)
		paid, err := dateOf(what, pay.PaidOn)
		if err != nil {
			return nil, err
		}
		m := paid.Month()
		if m < p.From || m > p.To {
			return nil, bad("paid_outside", what)
		}
		from, err := dateOf(what, pay.From)
		if err != nil {
			return nil, err
		}
		to, err := dateOf(what, pay.To)
		if err != nil {
			return nil, err
		}
		if to.Before(from) {
			return nil, bad("period_ends_before", what)
		}
		n, ok := smallInt(pay.Days, 31)
		if !ok {
			return nil, bad("bad_days", what, quoted(pay.Days))
		}
		if _, err := amountOf(what, pay.Gross, false); err != nil {
			return nil, err
		}
		net, err := amountOf(what, pay.Net, false)
		if err != nil {
			return nil, err
		}
		if err := s.add(kindUnemploymentBenefit, m, net); err != nil {
			return nil, err
		}
		days[m] += n
	}
	facts := s.facts(fm)
	for m, n := range days {
		facts = append(facts, fm.fact(KindAkassaDays, m, skalig.TextValue(fmt.Sprint(n))))
	}
	return facts, nil
}

func migrFacts(d *wire.MigrData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	type permit struct {
		from, until skalig.Date
		permanent   bool
	}
	var permits []permit
	for i, x := range d.Permits {
		what := item("permit_decision", i+1)
		if !isCode(strings.ToLower(x.Type), "_-", 32) {
			return nil, bad("bad_type", what)
		}
		from, until, hasUntil, err := dateSpan(what, x.From, x.Until, "ceases_before")
		if err != nil {
			return nil, err
		}
		permits = append(permits, permit{from: from, until: until, permanent: !hasUntil})
	}
	type openCase struct {
		kind   string
		opened skalig.Date
	}
	var cases []openCase
	for i, c := range d.OpenCases {
		what := item("case", i+1)
		opened, err := dateOf(what, c.Opened)
		if err != nil {
			return nil, err
		}
		kind, err := text(what, c.Type, 100)
		if err != nil {
			return nil, err
		}
		cases = append(cases, openCase{kind: kind, opened: opened})
	}
	var citizen skalig.Date
	hasCitizen := false
	if d.Citizenship != nil {
		var err error
		if citizen, err = dateOf(item("citizenship_grant"), d.Citizenship.Granted); err != nil {
			return nil, err
		}
		hasCitizen = true
	}
	var facts []skalig.Fact
	forMonths(p, func(m skalig.Month) {
		first, last := m.First(), lastDay(m)
		add := func(kind, v string) { facts = append(facts, fm.fact(kind, m, skalig.TextValue(v))) }
		if hasCitizen && !first.Before(citizen) {
			add(skalig.KindPermitStatus, "citizen")
			add(skalig.KindLawfulResidence, "yes")
			return
		}
		// The permit valid on the first of the month that lasts longest,
		// and the latest end of a permit begun by then.
		var valid *permit
		var lastEnd skalig.Date
		hasEnd := false
		for i := range permits {
			x := &permits[i]
			if first.Before(x.from) {
				continue
			}
			if x.permanent || !x.until.Before(first) {
				if valid == nil || x.permanent || (!valid.permanent && valid.until.Before(x.until)) {
					valid = x
				}
			} else if !hasEnd || lastEnd.Before(x.until) {
				lastEnd, hasEnd = x.until, true
			}
		}
		var pending *openCase
		for i := range cases {
			if !last.Before(cases[i].opened) {
				pending = &cases[i]
			}
		}
		// Lawful residence on the first of the month (from 2027 a condition
		// of ekonomiskt bistånd): citizenship, a permit in force, or an
		// extension applied for before the last permit ran out; no permit
		// or an expired one without such an application is not. A pending
		// case without a permit before it is left without a finding: a
		// person judges it.
		switch {
		case valid != nil:
			add(skalig.KindLawfulResidence, "yes")
		case pending != nil && hasEnd && !lastEnd.Before(pending.opened):
			add(skalig.KindLawfulResidence, "yes")
		case pending == nil:
			add(skalig.KindLawfulResidence, "no")
		}
		switch {
		case valid != nil:
			add(skalig.KindPermitStatus, "valid")
			if !valid.permanent {
				add(skalig.KindPermitValidUntil, valid.until.String())
			}
		case pending != nil:
			add(skalig.KindPermitStatus, "pending")
			if hasEnd {
				add(skalig.KindPermitValidUntil, lastEnd.String())
			}
		case hasEnd:
			add(skalig.KindPermitStatus, "expired")
			add(skalig.KindPermitValidUntil, lastEnd.String())
		default:
			add(skalig.KindPermitStatus, "none")
		}
		if pending != nil {
			add(KindPermitOpenCase, pending.kind)
		}
	})
	return facts, nil
}

func tsFacts(d *wire.TSData, p skalig.RegisterPeriod, fm factMaker) ([]skalig.Fact, error) {
	type vehicle struct {
		desc     string
		from, to skalig.Date
		hasTo    bool
	}
	var vs []vehicle
	for i, v := range d.Vehicles {
		what := item("vehicle", i+1)
		if !validRegNo(v.RegNo) {
			return nil, bad("bad_regno", what)
		}
		mk, err := text(what, v.Make, 100)
		if err != nil {
			return nil, err
		}
		desc := v.RegNo + " " + mk
		if v.Model != "" {
			model, err := text(what, v.Model, 100)
			if err != nil {
				return nil, err
			}
			desc += " " + model
		}
		if ym, ok := skalig.ParseMonth(v.Year + "-01"); !ok || len(v.Year) != 4 || ym.Year() < 1900 {
			return nil, bad("bad_model_year", what)
		}
		desc += " " + v.Year
		from, to, hasTo, err := dateSpan(what, v.From, v.To, "ownership_ends_before")
		if err != nil {
			return nil, err
		}
		vs = append(vs, vehicle{desc: desc, from: from, to: to, hasTo: hasTo})
	}
	var facts []skalig.Fact
	forMonths(p, func(m skalig.Month) {
		for _, v := range vs {
			if overlaps(v.from, v.to, v.hasTo, m) {
				facts = append(facts, fm.fact(skalig.KindAssetVehicle, m, skalig.TextValue(v.desc)))
			}
		}
	})
	return facts, nil
}
