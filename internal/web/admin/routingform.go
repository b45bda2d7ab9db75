package admin

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/municipal"
	"skalig/internal/routing"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
)

// The routing form: the delegation as one group of fields per case group
// (its name in the delegation order, the limit in kronor, which outcomes
// Skälig may decide, only unchanged re-applications), the sample rate as
// a percentage or "1 av 20", the robot's stops (income tolerance, bank
// balance), and the exception rules in CEL as JSON in an advanced section.
// The form only maps its fields to a routing.Spec; municipal.Check (through
// routing.Check) validates it and its Swedish messages are shown on the
// field they name. "Förhandsgranska" runs the change over the recent
// decided cases of the municipality with the what-if engine (preview.go)
// before anything is saved; "Spara" makes a new version as the JSON did.

// maxGroups bounds the case groups a form takes.
const maxGroups = 30

// groupOutcomes are the outcomes a case group's boxes offer, in order.
var groupOutcomes = []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected}

// routingFormView is the data of the routing form.
type routingFormView struct {
	*cwConfigForm
	Groups []routingGroup
	// Casework is the settings in force that say when a second person
	// signs; CaseworkURL their form.
	Casework    municipal.CaseworkSettings
	CaseworkURL string
	TesterURL   string
	Preview     *previewView
	// Outcomes are the outcomes each group's boxes offer.
	Outcomes []skalig.Outcome
}

// routingGroup is one case group's fields: names Prefix+"name" and so on.
type routingGroup struct {
	N      int // 1-based
	Prefix string
	New    bool // the empty group for adding one
}

func groupPrefix(i int) string { return "d" + strconv.Itoa(i) + "_" }

// fillRoutingForm writes spec into the form's fields, with one empty case
// group after its own.
func fillRoutingForm(f *web.Form, spec routing.Spec) {
	f.Set("source", spec.Source)
	f.Set("sample_rate", strings.TrimSuffix(web.Percent(web.Swedish, spec.SampleRate*100), " %"))
	f.Set("sample_seed", spec.SampleSeed)
	f.Set("income_tolerance", strconv.FormatInt(spec.IncomeTolerance, 10))
	f.Set("bank_limit", strconv.FormatInt(spec.BankLimit, 10))
	f.Set("registers", strings.Join(spec.Registers, ", "))
	f.Set("rules", jsonText(nonNilSlice(spec.Rules)))
	f.Set("note", spec.Note)
	for i, d := range spec.Delegations {
		p := groupPrefix(i)
		f.Set(p+"name", d.Name)
		f.Set(p+"max_amount", strconv.FormatInt(d.MaxAmount, 10))
		for _, o := range d.Outcomes {
			f.Set(p+string(o), "yes")
		}
		if d.UnchangedOnly {
			f.Set(p+"unchanged", "yes")
		}
	}
	f.Set("groups", strconv.Itoa(len(spec.Delegations)+1))
}

// groups returns the case groups of the form's fields.
func groups(f *web.Form) []routingGroup {
	n, err := strconv.Atoi(f.Value("groups"))
	if err != nil || n < 1 {
		n = 1
	}
	n = min(n, maxGroups)
	out := make([]routingGroup, n)
	for i := range out {
		p := groupPrefix(i)
		out[i] = routingGroup{N: i + 1, Prefix: p, New: f.Value(p+"name") == "" && f.Value(p+"max_amount") == ""}
	}
	return out
}

var (
	reOneIn   = regexp.MustCompile(`^(\d+)\s*(?:av|på|of|من|/|:)\s*(\d+)$`)
	reNumber  = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)
	reGroupFe = regexp.MustCompile(`^delegations\[(\d+)\]\.(\w+)$`)
)

// parseSampleRate reads the share of cases drawn for sample control: a
// percentage ("5", "2,5 %") or one in so many ("1 av 20", "1/20"). ok is
// false when it is neither; the range is the configuration's to check.
func parseSampleRate(s string) (share float64, ok bool) {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	if s == "" {
		return 0, true
	}
	if m := reOneIn.FindStringSubmatch(s); m != nil {
		a, _ := strconv.ParseFloat(m[1], 64)
		b, _ := strconv.ParseFloat(m[2], 64)
		if b == 0 {
			return 0, false
		}
		return math.Round(a/b*1e6) / 1e6, true
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "procent")), "%"))
	if !reNumber.MatchString(s) {
		return 0, false
	}
	x, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		return 0, false
	}
	return math.Round(x*1e4) / 1e6, true
}

// readRoutingForm maps the form's fields to a routing version. It checks
// only what the fields themselves need (an amount is an amount, the share
// a number); the version as a whole is municipal.Check's. idx[i] is the
// form's group of the spec's delegation i.
func readRoutingForm(l *web.Lang, f *web.Form) (spec routing.Spec, idx []int) {
	spec = routing.Spec{SampleSeed: f.Value("sample_seed")}
	spec.Source, _ = f.Required("source", l.T("cw.admin.routing.source"))
	for _, g := range groups(f) {
		p := g.Prefix
		if g.New || f.Value(p+"remove") == "yes" {
			continue
		}
		d := routing.DelegationSpec{Name: f.Value(p + "name"), Kinds: []skalig.ApplicationKind{skalig.MonthlyApplication},
			UnchangedOnly: f.Value(p+"unchanged") == "yes", Outcomes: []skalig.Outcome{}}
		for _, o := range groupOutcomes {
			if f.Value(p+string(o)) == "yes" {
				d.Outcomes = append(d.Outcomes, o)
			}
		}
		if len(d.Outcomes) == 0 {
			// The file form's "outcomes omitted" (approvals only) has no
			// box: a group with none ticked decides nothing.
			f.FailKey(p+string(skalig.OutcomeApproved), "cw.admin.routing.group.outcomes.none", g.N)
		}
		d.MaxAmount = kronorField(f, p+"max_amount", l.T("cw.admin.routing.group.max_amount_of", g.N))
		spec.Delegations = append(spec.Delegations, d)
		idx = append(idx, g.N-1)
	}
	if share, ok := parseSampleRate(f.Value("sample_rate")); ok {
		spec.SampleRate = share
	} else {
		f.FailKey("sample_rate", "cw.admin.routing.sample_rate.invalid")
	}
	spec.IncomeTolerance = kronorField(f, "income_tolerance", l.T("cw.admin.routing.income_tolerance"))
	spec.BankLimit = kronorField(f, "bank_limit", l.T("cw.admin.routing.bank_limit"))
	if s := f.Value("registers"); s != "" {
		spec.Registers = []string{}
		for _, r := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			spec.Registers = append(spec.Registers, r)
		}
	} else {
		spec.Registers = nil
	}
	if err := decodeField(f.Value("rules"), &spec.Rules); err != nil {
		f.FailKey("rules", "cw.admin.json", err.Error())
	}
	spec.Note, _ = f.Text("note", l.T("cw.admin.note"))
	return spec, idx
}

// routingFieldOf is the form field of a routing field's path
// ("delegations[1].max_amount" is the second group's "d1_max_amount"
// when the form's second group is the spec's second).
func routingFieldOf(path string, idx []int) string {
	if m := reGroupFe.FindStringSubmatch(path); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i >= len(idx) {
			return ""
		}
		p := groupPrefix(idx[i])
		switch m[2] {
		case "max_amount":
			return p + "max_amount"
		case "outcomes":
			return p + string(skalig.OutcomeApproved)
		}
		return p + "name"
	}
	switch {
	case strings.HasPrefix(path, "rules"):
		return "rules"
	case slices.Contains([]string{"version", "from", "reason", "source", "sample_rate", "sample_seed", "income_tolerance", "bank_limit", "registers", "note"}, path):
		return path
	}
	return ""
}

// addRoutingError shows municipal's error on the fields it names. It
// returns err when it is not the person's to act on.
func addRoutingError(f *web.Form, err error, idx []int) error {
	var e *skalig.Error
	if !errors.As(err, &e) || e.Code == skalig.EINTERNAL {
		return err
	}
	if len(e.Fields) == 0 {
		f.General = append(f.General, e.Message)
	}
	for _, fe := range e.Fields {
		msg := f.Lang().FieldMessage(fe) // a rule's problem in the page's language
		if name := routingFieldOf(fe.Field, idx); name != "" {
			f.Fail(name, msg)
		} else {
			f.General = append(f.General, msg)
		}
	}
	return nil
}

// checkVersion checks v as AddVersion will (municipal.Check over the
// stored versions), without storing it.
func (c *admin) checkVersion(r *http.Request, v *municipal.Change) error {
	ctx := r.Context()
	stored, err := c.mc.Versions(ctx, v.Municipality, v.Kind)
	if err != nil {
		return err
	}
	other := municipal.KindGuidelines
	if v.Kind == municipal.KindGuidelines {
		other = municipal.KindRouting
	}
	others, err := c.mc.Versions(ctx, v.Municipality, other)
	if err != nil {
		return err
	}
	return municipal.Check(c.mc.Base(), v, stored, others, c.s.MonthInForce())
}

// handleAdminRouting shows the routing configuration in force as a form
// for a new version, previews a change on recent cases, and saves it.
func (c *admin) handleAdminRouting(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	code, ok := c.Municipality(w, r, p)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	if _, err := c.s.Config().Municipalities.Get(code); err != nil {
		c.s.NotFound(w, r)
		return
	}
	q := "?kommun=" + url.QueryEscape(code)
	v := &routingFormView{cwConfigForm: c.configForm(r, p, code, "/admin/routing"),
		CaseworkURL: caseworker.Path + "/admin/handlaggning" + q, TesterURL: caseworker.Path + "/admin/regeltest" + q,
		Outcomes: groupOutcomes}
	v.Casework, _ = c.mc.Casework(ctx, code, c.s.MonthInForce())
	var cur routing.Spec
	if rc, err := c.mc.Routing(ctx, code, c.s.MonthInForce()); err == nil {
		cur, v.Current = rc.Spec(), rc.Version()
	}
	pg := c.Page(r, p, l.T("cw.admin.routing.title"), v)
	if r.Method == http.MethodGet {
		f := c.newVersionForm(l, nil)
		fillRoutingForm(f, cur)
		pg.Form = f
		v.Groups = groups(f)
		c.s.Render(w, r, http.StatusOK, "cw-admin-routing", pg)
		return
	}
	f := c.newVersionForm(l, r.PostForm)
	action := f.Value("action")
	if action == "add_group" {
		// Another empty case group; nothing is checked or saved.
		n, _ := strconv.Atoi(f.Value("groups"))
		f.Set("groups", strconv.Itoa(min(max(n, 1)+1, maxGroups)))
		pg.Form = f
		v.Groups = groups(f)
		c.s.Render(w, r, http.StatusOK, "cw-admin-routing", pg)
		return
	}
	v.Groups = groups(f)
	var version, reason string
	var from skalig.Month
	if action != "preview" {
		// A preview needs no name, month or reason yet.
		version, from, reason = c.readVersion(l, f)
	}
	spec, idx := readRoutingForm(l, f)
	body, _ := json.Marshal(spec)
	change := &municipal.Change{Municipality: code, Kind: municipal.KindRouting, Version: version, From: from, Body: body,
		Reason: reason, Author: p.Subject}
	// The configuration is checked even when the version's own fields
	// have errors, so that every mistake shows at once (a field keeps its
	// first error: the form's own before municipal's).
	check := *change
	if check.Version == "" {
		check.Version = "förhandsgranskning"
	}
	if check.From == 0 {
		check.From = c.s.MonthInForce()
	}
	if check.Reason == "" {
		check.Reason = "förhandsgranskning"
	}
	if err := c.checkVersion(r, &check); err != nil {
		if e := addRoutingError(f, err, idx); e != nil {
			c.s.Error(w, r, e)
			return
		}
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-admin-routing", f, nil)
		return
	}
	change.Body = check.Body
	if action == "preview" {
		pv, err := c.preview(r, p, code, change.Body)
		if err != nil {
			if e := f.AddError(err); e != nil {
				c.s.Error(w, r, e)
				return
			}
			c.FormError(w, r, pg, "cw-admin-routing", f, nil)
			return
		}
		v.Preview = pv
		pg.Form = f
		c.s.Render(w, r, http.StatusOK, "cw-admin-routing", pg)
		return
	}
	change.Body = body
	done, err := c.proposeRuleChange(ctx, change)
	if err != nil {
		if e := addRoutingError(f, err, idx); e != nil {
			c.s.Error(w, r, e)
			return
		}
		c.FormError(w, r, pg, "cw-admin-routing", f, nil)
		return
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}
