package admin

import (
	"context"
	"net/http"
	"net/url"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/municipal"
	"skalig/internal/store/configdb"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/whatif"
)

// Proposals keeps the proposed routing and guidelines versions and puts
// them in force (configdb.MunicipalConfig): the one path of a change of
// the rules, whose rule (skalig.InForce.Check) the store applies.
type Proposals interface {
	Propose(ctx context.Context, v *municipal.Change) error
	Proposals(ctx context.Context, code string) ([]configdb.Proposal, error)
	Proposal(ctx context.Context, id string) (*configdb.Proposal, error)
	Candidate(ctx context.Context, p *configdb.Proposal) (kind, name string, data []byte, err error)
	PutInForce(ctx context.Context, id, by, runID string) (*configdb.Proposal, error)
}

var _ Proposals = (*configdb.MunicipalConfig)(nil)

// WithProposals makes the routing and guidelines forms propose a version,
// and adds the proposal's page: a what-if run of it started from there,
// and a second person putting it in force with a finished run attached.
// runner starts the what-if runs (whatif.Runner.Start).
func WithProposals(ps Proposals, runner *whatif.Runner) Option {
	return func(a *admin) { a.ps, a.runner = ps, runner }
}

func (c *admin) mountProposals(h func(string, []auth.Role, func(http.ResponseWriter, *http.Request, *auth.Principal))) {
	p := caseworker.Path + "/admin/forslag/{id}"
	h("GET "+p, caseworker.RolesAdminView, c.handleProposal)
	h("POST "+p, caseworker.RolesAdminView, c.handleProposal)
	h("POST "+p+"/provkor", caseworker.RolesAdminView, c.handleProposalRun)
}

// proposeRuleChange keeps v, a routing or guidelines version, as a
// proposal (the one path of a change of the rules: a second person puts
// it in force) and returns the page to go to: the proposal's. Without
// proposals here it is refused as AddVersion refuses it.
func (c *admin) proposeRuleChange(ctx context.Context, v *municipal.Change) (string, error) {
	if c.ps == nil {
		return "", c.mc.AddVersion(ctx, v, c.s.MonthInForce())
	}
	if err := c.ps.Propose(ctx, v); err != nil {
		return "", err
	}
	return proposalURL(v.ID, v.Municipality) + "&klart=forslag-sparat", nil
}

// proposalURL is the page of proposal id of municipality code.
func proposalURL(id, code string) string {
	return caseworker.Path + "/admin/forslag/" + url.PathEscape(id) + "?kommun=" + url.QueryEscape(code)
}

// cwProposalRow is a proposal in the overview's list.
type cwProposalRow struct {
	URL, Kind, Version, Author, Reason, Status string
	From                                       skalig.Month
}

// proposalRows lists the proposals of code for the overview.
func (c *admin) proposalRows(ctx context.Context, l *web.Lang, code string) ([]cwProposalRow, error) {
	if c.ps == nil {
		return nil, nil
	}
	ps, err := c.ps.Proposals(ctx, code)
	if err != nil {
		return nil, err
	}
	names := c.Names(ctx)
	var out []cwProposalRow
	for _, p := range ps {
		out = append(out, cwProposalRow{URL: proposalURL(p.ID, code), Kind: l.T("cw.admin.kind." + p.Kind), Version: p.Version,
			Author: caseworker.ActorName(l, names, "staff:"+p.Author), Reason: p.Reason, Status: l.T("cw.admin.proposal.status." + p.Status), From: p.From})
	}
	return out, nil
}

// cwProposalView is the data of a proposal's page.
type cwProposalView struct {
	Code, Municipality, Back string
	P                        *configdb.Proposal
	Kind, Author, PutBy      string
	Body                     string
	InForce                  bool
	RunAction, Action        string
	Runs                     []web.Option // finished what-if runs of the proposal as it is now
	RunLinks                 []cwRunLink
}

type cwRunLink struct{ URL, Label string }

// handleProposal shows a proposal and, on POST, puts it in force with the
// run chosen (a second person; the store checks the rule).
func (c *admin) handleProposal(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	if c.ps == nil {
		c.s.NotFound(w, r)
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	p, err := c.ps.Proposal(ctx, r.PathValue("id"))
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	if !pr.InMunicipality(p.Municipality) {
		c.s.NotFound(w, r)
		return
	}
	v := &cwProposalView{Code: p.Municipality, Municipality: c.MunicipalityName(p.Municipality), P: p,
		Back: caseworker.Path + "/admin?kommun=" + url.QueryEscape(p.Municipality), Kind: l.T("cw.admin.kind." + p.Kind),
		InForce: p.Status == configdb.ProposalInForce, Body: string(p.Body),
		Action: proposalURL(p.ID, p.Municipality), RunAction: caseworker.Path + "/admin/forslag/" + url.PathEscape(p.ID) + "/provkor?kommun=" + url.QueryEscape(p.Municipality)}
	names := c.Names(ctx)
	v.Author = caseworker.ActorName(l, names, "staff:"+p.Author)
	if p.PutBy != "" {
		v.PutBy = caseworker.ActorName(l, names, "staff:"+p.PutBy)
	}
	if c.runner != nil && !v.InForce {
		kind, name, data, err := c.ps.Candidate(ctx, p)
		if err != nil {
			c.s.Error(w, r, err)
			return
		}
		cand, err := whatif.NewCandidate(whatif.Kind(kind), name, data)
		if err != nil {
			c.s.Error(w, r, err)
			return
		}
		runs, err := c.runner.Cases.Runs(ctx, p.Municipality, 200)
		if err != nil {
			c.s.Error(w, r, err)
			return
		}
		for _, run := range runs {
			if run.CandidateDigest != cand.Digest {
				continue
			}
			label := l.T("cw.admin.proposal.run_label", run.StartedAt.In(c.s.Location()).Format("2006-01-02 15:04"),
				caseworker.ActorName(l, names, run.Actor), l.T("cw.whatif.status."+run.Status), run.Cases, run.Changed)
			v.RunLinks = append(v.RunLinks, cwRunLink{URL: caseworker.Path + "/provkorning/" + url.PathEscape(run.ID) + "?kommun=" + url.QueryEscape(p.Municipality), Label: label})
			if run.Status == "done" {
				v.Runs = append(v.Runs, web.Option{Value: run.ID, Label: label})
			}
		}
	}
	title := l.T("cw.admin.proposal.title", p.Version)
	pg := c.Page(r, pr, title, v)
	if r.Method == http.MethodGet {
		f := web.NewForm(l, nil)
		if len(v.Runs) > 0 {
			f.Set("provkorning", v.Runs[0].Value)
		}
		pg.Form = f
		c.s.Render(w, r, http.StatusOK, "cw-admin-proposal", pg)
		return
	}
	if err := r.ParseForm(); err != nil {
		c.s.ErrorStatus(w, r, http.StatusBadRequest, l.T("cw.whatif.error.unreadable"))
		return
	}
	f := web.NewForm(l, r.PostForm)
	if _, err := c.ps.PutInForce(ctx, p.ID, pr.Subject, f.Value("provkorning")); err != nil {
		if e, ok := err.(*skalig.Error); ok && len(e.Fields) > 0 {
			for i := range e.Fields {
				if e.Fields[i].Field == "run" {
					e.Fields[i].Field = "provkorning"
				}
			}
		}
		c.FormError(w, r, pg, "cw-admin-proposal", f, err)
		return
	}
	caseworker.RedirectDone(w, r, caseworker.Path+"/admin?kommun="+url.QueryEscape(p.Municipality), "i-kraft")
}

// handleProposalRun starts a what-if run of the proposal as it would be
// put in force now, over every decision of the municipality, and shows
// the run's page.
func (c *admin) handleProposalRun(w http.ResponseWriter, r *http.Request, pr *auth.Principal) {
	if c.ps == nil || c.runner == nil {
		c.s.NotFound(w, r)
		return
	}
	ctx := r.Context()
	p, err := c.ps.Proposal(ctx, r.PathValue("id"))
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	if !pr.InMunicipality(p.Municipality) {
		c.s.NotFound(w, r)
		return
	}
	kind, name, data, err := c.ps.Candidate(ctx, p)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	cand, err := whatif.NewCandidate(whatif.Kind(kind), name, data)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	id, err := c.runner.Start(ctx, "staff:"+pr.Subject, cand, whatif.Selection{Municipality: p.Municipality}, 0)
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, caseworker.Path+"/provkorning/"+url.PathEscape(id)+"?kommun="+url.QueryEscape(p.Municipality), http.StatusSeeOther)
}
