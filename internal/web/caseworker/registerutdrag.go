package caseworker

import (
	"fmt"
	"net/http"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/registerutdrag"
	"skalig/internal/web"
)

// RolesUtdrag make a registerutdrag for a request by post.
var RolesUtdrag = RolesAct

// handleRegisterutdrag is the form for a registerutdrag asked for by post
// (GDPR art. 15, docs/registerutdrag.md): a personnummer, and the extract
// of the person's data in the staff member's municipalities as a PDF or
// JSON download. The personnummer is posted, never in the address. Making
// it is logged (the reads and the extract's event), naming the staff
// member.
func (c *Desk) handleRegisterutdrag(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	l := web.LangFrom(r.Context())
	pg := c.Page(r, p, l.T("cw.utdrag.title"), nil)
	if r.Method == http.MethodGet {
		pg.Form = web.NewForm(l, nil)
		c.render(w, r, http.StatusOK, "cw-registerutdrag", pg)
		return
	}
	f := web.NewForm(l, r.PostForm)
	raw, ok := f.Required("personal_number", l.T("cw.utdrag.pn"))
	var pn skalig.PersonalNumber
	if ok {
		var err error
		if pn, err = skalig.ParsePersonalNumber(raw, skalig.DateOf(c.s.Now())); err != nil {
			f.Fail("personal_number", web.MessageLabel(l.T("cw.utdrag.pn"))+": "+skalig.ErrorMessage(err))
		}
	}
	format, _ := f.OneOf("format", l.T("cw.utdrag.title"), "pdf", "json")
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-registerutdrag", f, nil)
		return
	}
	x, err := registerutdrag.Make(r.Context(), registerutdrag.Source{Workflow: c.wf, Municipal: c.s.Config().Municipalities,
		Drafts: c.drafts, Persons: c.utdrag, Now: c.s.Now},
		registerutdrag.Request{Person: pn, Municipalities: p.Municipalities, Reader: cwReader(p), Channel: registerutdrag.ChannelPost, Format: format})
	if err != nil {
		c.FormError(w, r, pg, "cw-registerutdrag", f, err)
		return
	}
	var body []byte
	ctype := "application/pdf"
	if format == "pdf" {
		body, err = x.PDF()
	} else {
		body, err = x.JSON()
		ctype = "application/json"
	}
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=registerutdrag-%s-%s.%s", pn.Masked()[:8], x.Produced.Format("2006-01-02"), format))
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}
