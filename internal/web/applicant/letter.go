package applicant

import (
	"net/http"
	"strconv"

	"skalig"
	"skalig/internal/letters"
)

// handleLetter sends the decision letter of the person's case
// (docs/letters.md): the tagged PDF to download when pdf, else the HTML
// letter to read or print. The letter is built from the decision's receipt
// by internal/letters, the same bytes the API and `skalig letter` give;
// the read is logged in the audit trail ("letter") before anything is
// sent. Another person's case, and a case without a decision, answer the
// 404 page.
func (a *applicant) handleLetter(pdf bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.person(w, r)
		if !ok {
			return
		}
		id := r.PathValue("id")
		if !a.ownCase(w, r, p, id) {
			return
		}
		in, err := letters.Load(r.Context(), a.wf, a.mun, id, reader(p))
		if err != nil {
			if skalig.ErrorCode(err) == skalig.ENOTFOUND {
				a.s.NotFound(w, r)
			} else {
				a.s.Error(w, r, err)
			}
			return
		}
		body, err := letters.Render(in, pdf)
		if err != nil {
			a.s.Error(w, r, err)
			return
		}
		a.lm.Served(in.Receipt.Outcome, pdf)
		h := w.Header()
		name := "beslut-" + id
		if pdf {
			h.Set("Content-Type", "application/pdf")
			h.Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
		} else {
			// The letter is a page of its own: one inline style sheet,
			// allowed by its hash, and nothing else.
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", "default-src 'none'; style-src "+letters.StyleSource()+"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
			h.Set("Content-Disposition", `inline; filename="`+name+`.html"`)
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	}
}
