package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"skalig"
	"skalig/internal/params"
	"skalig/internal/routing"
	"skalig/internal/rules"
)

// TransparencyPath is the public page about the automated handling.
const TransparencyPath = "/om-automatiserad-handlaggning"

// Delegation is what the municipal board has delegated to the automated
// decision function (kommunallagen 6 kap. 37 §) and how the robot is held
// back, as the transparency page tells it. RoutingDelegation makes it from
// internal/routing's configuration, which is what the server uses unless
// Config.Delegation says otherwise.
type Delegation struct {
	// Board is the board that delegated: "Socialnämnden". Empty: "Nämnden".
	Board string
	// Decision cites the board's decision (the delegation order), in
	// Swedish.
	Decision string
	// Version names the configuration version; From is its first month.
	Version string
	From    skalig.Month
	// Groups are the case groups the automated decision function may decide.
	// None: the robot only proposes.
	Groups []DelegatedGroup
	// SampleRate is the share of the cases, in percent, picked at random for
	// sample control (stickprov).
	SampleRate float64
	// Rules are the Swedish reasons of the municipality's own exception
	// rules: each stops the robot.
	Rules []string
	// Report tells, in Swedish, how automated decisions are reported back to
	// the board (6 kap. 40 §). Optional.
	Report string
}

// DelegatedGroup is one case group of the delegation: the cases of Kinds,
// with at most MaxAmount, unchanged since last month when UnchangedOnly,
// that the robot may decide with one of Outcomes.
type DelegatedGroup struct {
	// Name cites the point of the delegation order, in Swedish.
	Name string
	// Description is more about the group, in Swedish. Optional.
	Description string
	Kinds       []skalig.ApplicationKind
	// Outcomes are what the robot may decide; empty means approvals only.
	Outcomes []skalig.Outcome
	// MaxAmount is the highest aid for the month; 0: no limit.
	MaxAmount     skalig.Money
	UnchangedOnly bool
}

// MayReject reports whether some group lets the robot reject.
func (d *Delegation) MayReject() bool { return d.may(skalig.OutcomeRejected) }

// MayReduce reports whether some group lets the robot approve less than
// applied for.
func (d *Delegation) MayReduce() bool { return d.may(skalig.OutcomePartlyApproved) }

func (d *Delegation) may(o skalig.Outcome) bool {
	for _, g := range d.Groups {
		if slices.Contains(g.Outcomes, o) {
			return true
		}
	}
	return false
}

// RoutingDelegation summarises a routing configuration for the public: its
// delegations, sample rate and exception rules. A nil c (no configuration)
// is nil: nothing is delegated.
func RoutingDelegation(c *routing.Config) *Delegation {
	if c == nil {
		return nil
	}
	spec := c.Spec()
	d := &Delegation{
		Decision:   spec.Source,
		Version:    c.Version(),
		From:       c.From(),
		SampleRate: spec.SampleRate * 100,
	}
	for _, ds := range spec.Delegations {
		d.Groups = append(d.Groups, DelegatedGroup{
			Name:          ds.Name,
			Kinds:         slices.Clone(ds.Kinds),
			Outcomes:      slices.Clone(ds.Outcomes),
			MaxAmount:     skalig.Kronor(ds.MaxAmount),
			UnchangedOnly: ds.UnchangedOnly,
		})
	}
	for _, r := range spec.Rules {
		d.Rules = append(d.Rules, r.Reason)
	}
	return d
}

// delegation returns the delegation of municipality code in month mo:
// Config.Delegation's, or else the routing configuration's from the
// municipal set. A municipality without a routing configuration has no
// delegation (the robot only proposes, as the workflow routes it).
func (s *Server) delegation(code string, mo skalig.Month) (*Delegation, error) {
	if s.cfg.Delegation != nil {
		return s.cfg.Delegation(code, mo)
	}
	c, err := s.cfg.Municipalities.Routing(code, mo)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.EINVALID {
			return nil, nil
		}
		return nil, err
	}
	return RoutingDelegation(c), nil
}

// delegationView is the delegation in the page's language.
type DelegationView struct {
	Board, Decision string
	From            skalig.Month
	Groups          []GroupView
	MayReject       bool
	MayReduce       bool
	Report          string
}

type GroupView struct {
	Name, Description string
	Lines             []string
}

func NewDelegationView(l *Lang, d *Delegation) *DelegationView {
	if d == nil || len(d.Groups) == 0 {
		return nil
	}
	v := &DelegationView{
		Board: d.Board, Decision: d.Decision, From: d.From, Report: d.Report,
		MayReject: d.MayReject(), MayReduce: d.MayReduce(),
	}
	if v.Board == "" {
		v.Board = l.T("transparency.delegation.board")
	}
	for _, g := range d.Groups {
		gv := GroupView{Name: g.Name, Description: g.Description}
		if len(g.Kinds) > 0 {
			var ks []string
			for _, k := range g.Kinds {
				ks = append(ks, l.T("kind."+string(k)))
			}
			gv.Lines = append(gv.Lines, l.T("transparency.group.kinds", strings.Join(ks, ", ")))
		}
		if g.MaxAmount > 0 {
			gv.Lines = append(gv.Lines, l.T("transparency.group.max", l.Money(g.MaxAmount)))
		}
		if g.UnchangedOnly {
			gv.Lines = append(gv.Lines, l.T("transparency.group.unchanged"))
		}
		outs := g.Outcomes
		if len(outs) == 0 {
			outs = []skalig.Outcome{skalig.OutcomeApproved}
		}
		var os []string
		for _, o := range outs {
			os = append(os, l.T("outcome."+string(o)))
		}
		gv.Lines = append(gv.Lines, l.T("transparency.group.outcomes", strings.Join(os, ", ")))
		v.Groups = append(v.Groups, gv)
	}
	return v
}

// percent formats a percentage with at most two decimals, with a decimal
// comma except in English: "5", "2,5".
func Percent(l *Lang, p float64) string {
	s := strconv.FormatFloat(math.Round(p*100)/100, 'f', -1, 64)
	if l != English {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// transparencyView is the data of the transparency page.
type transparencyView struct {
	Month         skalig.Month
	Municipality  string
	Registers     []RegisterView
	Delegation    *DelegationView
	DelegationErr bool
	SampleRate    string
	Rules         []string
	EngineVersion string
	Law           string
	ParamSet      string
	ParamsMissing string // the reason, when no parameters are in force
	ParamGroups   []ParamGroup
	Provisional   bool
	Guidelines    *guidelinesView
	GuidelinesErr string
	Contact       Contact
}

type RegisterView struct {
	Code, Name, What, Why string
}

type ParamGroup struct {
	Heading string
	Rows    []ParamRow
}

type ParamRow struct {
	ID, Name, Value, Period, Status, Source string
	Provisional                             bool
}

type guidelinesView struct {
	Version, Source string
	Housing         [][]string // rows: one adult, two adults; columns by children
	HousingCols     []string
	Electricity     []string // by persons
	WorkTravel      string
}

func (s *Server) handleTransparency(w http.ResponseWriter, r *http.Request) {
	p := s.Page(r)
	code := s.cfg.Municipality
	if c := r.PathValue("kommun"); c != "" {
		m, err := s.cfg.Municipalities.Get(c)
		if err != nil {
			s.NotFound(w, r)
			return
		}
		code, p.Municipality = m.Code, m.Name
	}
	p.Title = p.T("transparency.title")
	p.Data = s.transparency(r, p.Lang, code, p.Municipality)
	s.Render(w, r, http.StatusOK, "transparency", p)
}

func (s *Server) transparency(r *http.Request, l *Lang, code, name string) *transparencyView {
	mo := s.MonthInForce()
	v := &transparencyView{
		Month:         mo,
		Municipality:  name,
		EngineVersion: rules.EngineVersion,
		Contact:       s.cfg.Contact,
	}
	if mo >= rules.NewLawFrom {
		v.Law = l.T("law.sol.2025")
	} else {
		v.Law = l.T("law.sol.2001")
	}
	for _, reg := range skalig.RegisterNames {
		v.Registers = append(v.Registers, RegisterView{
			Code: reg,
			Name: RegisterName(l, reg),
			What: l.T("register." + reg + ".what"),
			Why:  l.T("register." + reg + ".why"),
		})
	}

	d, err := s.delegation(code, mo)
	if err != nil {
		s.log.ErrorContext(r.Context(), "delegation", "request_id", RequestID(r.Context()), "municipality", code, "err", err)
		v.DelegationErr = true
	} else if d != nil {
		v.Delegation = NewDelegationView(l, d)
		if d.SampleRate > 0 {
			v.SampleRate = Percent(l, d.SampleRate)
		}
		v.Rules = d.Rules
	}

	set, err := s.cfg.Params.At(mo)
	if err != nil {
		v.ParamsMissing = l.T("transparency.params.missing", mo.Year())
	} else {
		v.ParamSet = set.Name
		v.ParamGroups = ParamGroups(l, set)
		for _, g := range v.ParamGroups {
			for _, row := range g.Rows {
				v.Provisional = v.Provisional || row.Provisional
			}
		}
	}

	g, err := s.cfg.Municipalities.Guidelines(code, mo)
	if err != nil {
		v.GuidelinesErr = l.T("transparency.guidelines.missing")
	} else {
		gv := &guidelinesView{Version: g.Version, Source: g.Source}
		if len(g.MaxHousing[0]) > 0 {
			n := max(len(g.MaxHousing[0]), len(g.MaxHousing[1]))
			for c := range n {
				key := "transparency.guidelines.children"
				if c == n-1 {
					key = "transparency.guidelines.children_more"
				}
				gv.HousingCols = append(gv.HousingCols, l.T(key, c))
			}
			for a := range 2 {
				var row []string
				for c := range n {
					row = append(row, l.Money(MoneyAt(g.MaxHousing[a], c)))
				}
				gv.Housing = append(gv.Housing, row)
			}
		}
		for _, m := range g.MaxElectricity {
			gv.Electricity = append(gv.Electricity, l.Money(m))
		}
		if g.WorkTravel > 0 {
			gv.WorkTravel = l.Money(g.WorkTravel)
		}
		v.Guidelines = gv
	}
	return v
}

// MoneyAt returns xs[i], or the last element when i is past the end (the
// guideline tables' "or more" column).
func MoneyAt(xs []skalig.Money, i int) skalig.Money {
	if i < len(xs) {
		return xs[i]
	}
	return xs[len(xs)-1]
}

// registerName names a register source for the reader: the Swedish name
// (skalig.RegisterSwedishName, with a capital), and in other languages the
// translated explanation after it.
func RegisterName(l *Lang, reg string) string {
	sv := Capitalize(skalig.RegisterSwedishName(reg))
	if l == Swedish {
		return sv
	}
	return l.T("register."+reg+".name", sv)
}

func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// paramGroups lists the parameters of set for the page: the riksnorm
// (adults, children, common household costs) and the dated values.
func ParamGroups(l *Lang, set *params.Set) []ParamGroup {
	row := func(name string, v params.Value) ParamRow {
		return ParamRow{
			ID: v.ID, Name: name, Value: paramValue(l, v), Period: paramPeriod(l, v),
			Status: l.T("param.status." + v.Status.String()), Source: v.Source,
			Provisional: v.Status == params.Provisional,
		}
	}
	var adults, children, common, other []ParamRow
	adults = append(adults,
		row(l.T("param.adult.single"), set.Adult[0]),
		row(l.T("param.adult.couple"), set.Adult[1]))
	for i, band := range params.ChildBands {
		children = append(children, row(l.T("param.child", band), set.Child[i]))
		if i < params.NoLunchBands && set.ChildNoLunch[i].Set {
			children = append(children, row(l.T("param.child_no_lunch", band), set.ChildNoLunch[i]))
		}
	}
	for n := 1; n <= 7; n++ {
		common = append(common, row(l.T("param.common", n), set.Common[n]))
	}
	other = append(other,
		row(l.T("param.prisbasbelopp"), set.Prisbasbelopp),
		row(l.T("param.child_earnings_limit"), set.ChildEarningsLimit))
	if set.JobbRate.Set {
		other = append(other,
			row(l.T("param.jobb.rate"), set.JobbRate),
			row(l.T("param.jobb.qualifying"), set.JobbQualifying),
			row(l.T("param.jobb.duration"), set.JobbDuration))
	}
	return []ParamGroup{
		{Heading: l.T("param.group.adults"), Rows: adults},
		{Heading: l.T("param.group.children"), Rows: children},
		{Heading: l.T("param.group.common"), Rows: common},
		{Heading: l.T("param.group.other"), Rows: other},
	}
}

func paramValue(l *Lang, v params.Value) string {
	switch v.Unit {
	case "percent":
		return fmt.Sprintf("%d %%", v.N)
	case "months":
		return l.T("param.months", v.N)
	}
	return l.Money(v.Amount)
}

// openEnd is params' "until further notice".
const openEnd = skalig.Month(math.MaxInt32)

func paramPeriod(l *Lang, v params.Value) string {
	switch {
	case v.To == openEnd:
		return l.T("param.period.open", l.Month(v.From))
	case v.From.Num() == 1 && v.To.Num() == 12 && v.From.Year() == v.To.Year():
		return fmt.Sprint(v.From.Year())
	}
	return l.Month(v.From) + " – " + l.Month(v.To)
}
