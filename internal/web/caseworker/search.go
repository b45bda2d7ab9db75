package caseworker

import (
	"context"
	"net/http"
	"strings"
	"unicode"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/web"
)

// The search for a case: by case number (2026-0821-000123), by a
// household member's personnummer, or by the name of the applicant or the
// co-applicant (skalig.CaseService.CasesByName: every word as the
// beginning of a word of the name, whatever the case of the letters, å, ä
// and ö too; a word typed without diacritics finds the name with them,
// "goran" and "goeran" Göran), within the caseworker's municipalities. The search term is sent in a POST body, never in the
// URL, and is never logged; each case found is logged as read by the
// caseworker ("search"), as any case page is.

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
	Number, URL, Applicant, Name, State, KindLabel string
	Month                                          skalig.Month
}

// cwSearchLimit is the most cases one search shows.
const cwSearchLimit = 50

// cwLooksLikeName reports whether q holds a letter, so that a term that is
// neither a case number nor a personnummer is searched as a name, and one
// of digits only is refused as a mistyped number.
func cwLooksLikeName(q string) bool {
	return strings.IndexFunc(q, unicode.IsLetter) >= 0
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
		byName := err != nil && cwLooksLikeName(q)
		if err != nil && !byName {
			f.FailKey("q", "cw.search.invalid")
			break
		}
		seen := map[string]bool{}
		for _, m := range p.Municipalities {
			var list []*skalig.Case
			if byName {
				list, err = c.cases.CasesByName(r.Context(), m, q, cwSearchLimit)
			} else {
				list, err = c.cases.CasesOfPersonIn(r.Context(), m, pn)
			}
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
	if len(found) > cwSearchLimit {
		found = found[:cwSearchLimit]
	}
	for _, cs := range found {
		// Showing a case in the results is reading it: logged as such.
		if err := c.cases.LogRead(r.Context(), cwActor(p), cs.ID, "web", "search"); err != nil {
			c.s.Error(w, r, err)
			return
		}
		hit := cwSearchHit{Number: cwNumber(cs), URL: cwCaseURL(cs.ID), Month: cs.Month, State: l.T(cs.State.TextID()),
			KindLabel: l.T("kind." + string(cs.Kind)), Name: cwName(l, "")}
		if app, err := c.cases.CaseApplication(r.Context(), cs.ID); err == nil {
			for _, m := range app.Members {
				if m.Role == skalig.RoleApplicant {
					hit.Applicant, hit.Name = cwPN(m.PersonalNumber), cwName(l, m.Name)
				}
			}
		}
		v.Results = append(v.Results, hit)
	}
	pg.Form = web.NewForm(l, nil) // the term is not echoed back into the page's form
	c.render(w, r, http.StatusOK, "cw-search", pg)
}
