package whatifweb

import (
	"net/http"

	"net/url"
	"skalig"

	"skalig/internal/auth"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/workflow/casecalc"
)

// compareView is the data of one changed case side by side.
type compareView struct {
	Back, CaseURL, CaseID, Month, Household string
	Reason                                  string
	Rows                                    []compareRow
	Summary                                 []compareRow
	DecidedError, CandidateError            string
}

// compareRow is one line: its label, what was decided and the candidate.
type compareRow struct {
	Label, Item, Person   string
	Law                   string
	Decided, Candidate    string
	DecidedText, CandText string
	Changed               bool
}

// handleCompare shows one changed case of a run side by side. It reads the
// case's receipt and facts: logged as a read of the case first.
func (p *pages) handleCompare(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	res, ok := p.load(w, r, pr)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	decision := r.PathValue("decision")
	caseID := ""
	for _, c := range res.Changes {
		if c.DecisionID == decision {
			caseID = c.CaseID
		}
	}
	if caseID == "" {
		p.s.NotFound(w, r)
		return
	}
	if err := p.reads.LogRead(ctx, "staff:"+pr.Subject, caseID, "web", "whatif-compare:"+res.ID); err != nil {
		p.s.Error(w, r, err)
		return
	}
	cmp, err := p.runner.Compare(ctx, res, decision)
	if err != nil {
		p.s.Error(w, r, err)
		return
	}
	q := url.Values{}
	if m := res.Selection.Municipality; m != "" {
		q.Set("kommun", m)
	}
	ch := &cmp.Change
	v := &compareView{Back: Path + "/" + url.PathEscape(res.ID) + "?" + q.Encode(),
		CaseID: ch.CaseID, Month: ch.Month, Household: l.T("cw.whatif.household." + ch.Household), Reason: summary(l, ch)}
	if pr.HasAnyRole(caseworker.RolesWork...) {
		// Only those who work with cases open the case page (an
		// administrator would meet a 403).
		v.CaseURL = caseworker.Path + "/arenden/" + url.PathEscape(ch.CaseID)
	}
	row := func(key, a, b string) {
		v.Summary = append(v.Summary, compareRow{Label: l.T(key), Decided: a, Candidate: b, Changed: a != b})
	}
	row("cw.whatif.compare.aid", aid(l, cmp.Decided), aid(l, cmp.Candidate))
	row("cw.whatif.compare.route", text(l, ch.Route.TextID()), text(l, ch.CandidateRoute.TextID()))
	row("cw.whatif.compare.outcome", text(l, "detail.outcome."+string(ch.Outcome)), text(l, "detail.outcome."+string(ch.CandidateOutcome)))
	row("cw.whatif.compare.reasons", reasons(l, cmp.DecidedReasons), reasons(l, cmp.CandidateReasons))
	row("cw.whatif.compare.guideline", cmp.Decided.GuidelineVersion, cmp.Candidate.GuidelineVersion)
	row("cw.whatif.compare.params", cmp.Decided.ParamSet, cmp.Candidate.ParamSet)
	v.DecidedError, v.CandidateError = cmp.Decided.Error, cmp.Candidate.Error
	missing := l.T("cw.whatif.compare.missing")
	for _, lp := range cmp.Lines {
		// A line is named by its text, as on the case page (the
		// decided calculation's, or the candidate's when only it has
		// the line), and its person by role; the item's code is kept
		// small beside it for those who know the trace.
		cr := compareRow{Label: lp.DecidedText, Item: lp.Item, Person: personLabel(l, cmp.Members, lp.Person), Law: lp.Law,
			DecidedText: lp.DecidedText, CandText: lp.CandidateText, Decided: missing, Candidate: missing, Changed: lp.Changed}
		if !lp.InDecided {
			cr.Label = lp.CandidateText
		}
		if lp.InDecided {
			cr.Decided = l.Money(lp.Decided)
		}
		if lp.InCandidate {
			cr.Candidate = l.Money(lp.Candidate)
		}
		v.Rows = append(v.Rows, cr)
	}
	pg := p.Page(r, pr, l.T("cw.whatif.compare.title", ch.CaseID), v)
	p.s.Render(w, r, http.StatusOK, "cw-whatif-compare", pg)
}

// personLabel names the member id of a line by role ("Sökande (p1)"),
// or "" for a line of the household.
func personLabel(l *web.Lang, members []skalig.Member, id string) string {
	if id == "" {
		return ""
	}
	for _, m := range members {
		if m.ID == id {
			return l.T("cw.role."+string(m.Role)) + " (" + id + ")"
		}
	}
	return id
}

func aid(l *web.Lang, c *casecalc.Calculation) string {
	if c == nil || c.Output == nil {
		return l.T("cw.whatif.compare.not_calculated")
	}
	return l.Money(c.Output.Aid)
}

func reasons(l *web.Lang, codes []string) string {
	if len(codes) == 0 {
		return l.T("cw.whatif.compare.no_reasons")
	}
	return reasonNames(l, codes)
}
