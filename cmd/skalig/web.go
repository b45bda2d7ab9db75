package main

import "net/http"

// handler puts the JSON API (/api/, /healthz, /metrics) and the web pages
// together. The web pages (internal/web: Mina sidor, the e-service, the
// caseworker's side, login) are mounted here.
func (m *Main) handler(apiHandler http.Handler) (http.Handler, error) {
	return apiHandler, nil
}

// webInfo is the demo's printout of the web pages: where to log in as an
// applicant and as a caseworker.
func (m *Main) webInfo(base string) string {
	return "  (webbsidorna för sökande och handläggare kommer i ett senare steg)"
}
