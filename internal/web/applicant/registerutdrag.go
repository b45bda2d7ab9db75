package applicant

import (
	"fmt"
	"net/http"

	"skalig/internal/registerutdrag"
)

// handleRegisterutdrag downloads everything Skälig holds about the person
// logged in, as a tagged PDF or as JSON (docs/registerutdrag.md). The
// extract is logged before it is made: a read of each case and the
// extract's own event.
func (a *applicant) handleRegisterutdrag(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := a.person(w, r)
		if !ok {
			return
		}
		x, err := registerutdrag.Make(r.Context(), registerutdrag.Source{Workflow: a.wf, Municipal: a.s.Config().Municipalities,
			Drafts: a.drafts, Persons: a.utdrag, Now: a.s.Now},
			registerutdrag.Request{Person: p.PersonalNumber, Reader: reader(p), Channel: registerutdrag.ChannelMinaSidor, Format: format})
		if err != nil {
			a.s.Error(w, r, err)
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
			a.s.Error(w, r, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=registerutdrag-%s.%s", x.Produced.Format("2006-01-02"), format))
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	}
}
