package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/routing"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
)

// The rule tester: an administrator writes an exception rule's expression
// (CEL) and names a case by its case number; the page says whether the
// rule would stop the robot on that case and shows every value the rule
// read, or why the expression does not compile, in Swedish naming the
// field. The case is read as routing saw it at its latest calculation
// (workflow.RoutingInput) and the read is logged. Nothing is saved. The
// case number is sent in a POST body, never in the URL.

// caseNumbers finds a case by its case number; the case store has it.
type caseNumbers interface {
	CaseByNumber(ctx context.Context, number string) (*skalig.Case, error)
}

// ruleTestView is the data of the rule tester.
type ruleTestView struct {
	Code, Municipality string
	Action, Back       string
	Municipalities     []caseworker.MunicipalityChoice
	// Result is set after a test: the case tested and what the rule found.
	Result *ruleTestResult
}

type ruleTestResult struct {
	Number, URL string
	Matched     bool
	Values      []routing.SeenValue
	Error       string
}

func (c *admin) handleRuleTest(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	code, ok := c.Municipality(w, r, p)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	q := "?kommun=" + url.QueryEscape(code)
	v := &ruleTestView{Code: code, Municipality: c.MunicipalityName(code), Action: caseworker.Path + "/admin/regeltest" + q,
		Back: caseworker.Path + "/admin/routing" + q, Municipalities: c.MunicipalityChoices(p, code, caseworker.Path+"/admin/regeltest", r.URL.Query())}
	pg := c.Page(r, p, l.T("cw.admin.ruletest.title"), v)
	if r.Method != http.MethodPost {
		f := web.NewForm(l, nil)
		if rc, err := c.mc.Routing(ctx, code, c.s.MonthInForce()); err == nil {
			if rules := rc.Spec().Rules; len(rules) > 0 {
				f.Set("expression", rules[0].Expression)
			}
		}
		pg.Form = f
		c.s.Render(w, r, http.StatusOK, "cw-admin-ruletest", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	number, _ := f.Required("arende", l.T("cw.admin.ruletest.case"))
	expr, _ := f.Required("expression", l.T("cw.admin.ruletest.expression"))
	var cs *skalig.Case
	if number != "" {
		var err error
		cs, err = c.findCase(ctx, p, code, strings.TrimSpace(number))
		switch {
		case skalig.ErrorCode(err) == skalig.ENOTFOUND:
			f.FailKey("arende", "cw.admin.ruletest.case.not_found")
		case err != nil:
			c.s.Error(w, r, err)
			return
		}
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-admin-ruletest", f, nil)
		return
	}
	in, err := c.Workflow().RoutingInput(ctx, cs)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.EINVALID {
			f.Fail("arende", skalig.ErrorMessage(err))
			c.FormError(w, r, pg, "cw-admin-ruletest", f, nil)
			return
		}
		c.s.Error(w, r, err)
		return
	}
	try := routing.TryRule(expr, in)
	if try.Problem != "" {
		f.Fail("expression", l.T("cw.admin.ruletest.expression")+": "+l.Details([]skalig.Detail{try.ProblemDetail}))
		c.FormError(w, r, pg, "cw-admin-ruletest", f, nil)
		return
	}
	// The result shows the case's values: logged as read before it is shown.
	if err := c.Workflow().Cases().LogRead(ctx, "staff:"+p.Subject, cs.ID, "web", "rule-test"); err != nil {
		c.s.Error(w, r, err)
		return
	}
	res := &ruleTestResult{Number: cs.Number, Matched: try.Matched, Values: try.Values}
	if try.Error != "" {
		res.Error = l.Details([]skalig.Detail{try.ErrorDetail})
	}
	if p.HasAnyRole(caseworker.RolesWork...) {
		res.URL = caseworker.Path + "/arenden/" + cs.ID
	}
	if res.Number == "" {
		res.Number = cs.ID
	}
	v.Result = res
	pg.Form = f
	c.s.Render(w, r, http.StatusOK, "cw-admin-ruletest", pg)
}

// findCase returns the case of number (a case number, or a case id) in
// municipality code, which p works for; ENOTFOUND otherwise, the same for
// a case of another municipality.
func (c *admin) findCase(ctx context.Context, p *auth.Principal, code, number string) (*skalig.Case, error) {
	cases := c.Workflow().Cases()
	var cs *skalig.Case
	var err error
	if cn, ok := cases.(caseNumbers); ok && skalig.LooksLikeCaseNumber(number) {
		cs, err = cn.CaseByNumber(ctx, number)
	} else {
		cs, err = cases.Case(ctx, number)
	}
	if err != nil {
		return nil, err
	}
	if cs.Municipality != code || !p.InMunicipality(cs.Municipality) {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Ärendet finns inte.")
	}
	return cs, nil
}
