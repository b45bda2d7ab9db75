package caseworker

import (
	"context"
	"net/http"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
)

// The search for a case: by case number (2026-0821-000123) or by a
// household member's personnummer, within the caseworker's municipalities.
// The search term is sent in a POST body, never in the URL, and is never
// logged; each case found is logged as read by the caseworker ("search"),
// as any case page is. Applicants' names are not held by Skälig (the
// application carries personnummer only), so no search by name is offered.

// cwCaseNumbers finds a case by its case number; the case store has it.
type cwCaseNumbers interface {
	CaseByNumber(ctx context.Context, number string) (*skalig.Case, error)
}

// cwSearchView is the data of the search page.
type cwSearchView struct {
	Searched bool
	Results  []cwSearchHit
}

type cwSearchHit struct {
	Number, URL, Applicant, State, KindLabel string
	Month                                    skalig.Month
}

func (c *Desk) handleSearch(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	l := web.LangFrom(r.Context())
	v := &cwSearchView{}
	pg := c.Page(r, p, l.T("cw.search.title"), v)
	if r.Method != http.MethodPost {
		pg.Form = web.NewForm(l, nil)
		c.render(w, r, http.StatusOK, "cw-search", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	q, _ := f.Required("q", l.T("cw.search.label"))
	q = strings.TrimSpace(q)
	var found []*skalig.Case
	switch {
	case f.HasErrors():
	case skalig.LooksLikeCaseNumber(q):
		cn, ok := c.cases.(cwCaseNumbers)
		if !ok {
			break
		}
		cs, err := cn.CaseByNumber(r.Context(), q)
		switch {
		case err == nil && p.InMunicipality(cs.Municipality):
			found = append(found, cs)
		case err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND:
			c.s.Error(w, r, err)
			return
		}
	default:
		pn, err := skalig.ParsePersonalNumber(q, c.today())
		if err != nil {
			f.FailKey("q", "cw.search.invalid")
			break
		}
		seen := map[string]bool{}
		for _, m := range p.Municipalities {
			list, err := c.cases.CasesOfPersonIn(r.Context(), m, pn)
			if err != nil {
				c.s.Error(w, r, err)
				return
			}
			for _, cs := range list {
				if !seen[cs.ID] {
					seen[cs.ID] = true
					found = append(found, cs)
				}
			}
		}
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-search", f, nil)
		return
	}
	v.Searched = true
	if len(found) > 50 {
		found = found[:50]
	}
	for _, cs := range found {
		// Showing a case in the results is reading it: logged as such.
		if err := c.cases.LogRead(r.Context(), cwActor(p), cs.ID, "web", "search"); err != nil {
			c.s.Error(w, r, err)
			return
		}
		hit := cwSearchHit{Number: cs.Number, URL: cwCaseURL(cs.ID), Month: cs.Month, State: cs.State.Swedish(),
			KindLabel: l.T("kind." + string(cs.Kind))}
		if hit.Number == "" {
			hit.Number = cs.ID
		}
		if app, err := c.cases.CaseApplication(r.Context(), cs.ID); err == nil {
			for _, m := range app.Members {
				if m.Role == skalig.RoleApplicant {
					hit.Applicant = cwPN(m.PersonalNumber)
				}
			}
		}
		v.Results = append(v.Results, hit)
	}
	pg.Form = web.NewForm(l, nil) // the term is not echoed back into the page's form
	c.render(w, r, http.StatusOK, "cw-search", pg)
}
