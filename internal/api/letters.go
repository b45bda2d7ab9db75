package api

import (
	"net/http"
	"strconv"

	"skalig/internal/letters"
	"skalig/internal/municipal"
)

// handleLetter returns a handler for the decision letter of a case
// (docs/letters.md): a tagged PDF when pdf, else HTML. Like the receipt,
// it is read for a client scoped to the case's municipality (another
// municipality's case is 404, as if it did not exist) and the read is
// logged in the audit trail ("letter") before anything is returned.
func (s *Server) handleLetter(pdf bool) func(http.ResponseWriter, *http.Request, *client) {
	return func(w http.ResponseWriter, r *http.Request, c *client) {
		id := r.PathValue("id")
		if _, ok := s.caseFor(w, r, c); !ok {
			return
		}
		mun, err := municipal.Default()
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		in, err := letters.Load(r.Context(), s.wf, mun, id, c.reader())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		body, err := letters.Render(in, pdf)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.metrics.letters.Served(in.Receipt.Outcome, pdf)
		h := w.Header()
		name := "beslut-" + id
		if pdf {
			h.Set("Content-Type", "application/pdf")
			name += ".pdf"
		} else {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", "default-src 'none'; style-src "+letters.StyleSource()+"; frame-ancestors 'none'")
			name += ".html"
		}
		h.Set("Content-Disposition", `inline; filename="`+name+`"`)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	}
}
