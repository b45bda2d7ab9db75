package auth

import (
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
)

// Helpers that only the tests use. The pages gate staff themselves
// (internal/web/caseworker's frame); RequireStaff is the test server's gate.

// Sessions returns the session manager, for packages that keep their own
// values in the session (the language chosen, a draft's id). Only
// Middleware loads and saves it.
func (a *Auth) Sessions() *scs.SessionManager { return a.sm }

// RequireStaff returns middleware that lets through only staff with at
// least one of roles (any staff when none are given). Whether the staff
// member may see a particular case is for the handler to check with
// Principal.InMunicipality.
func (a *Auth) RequireStaff(roles ...Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := FromContext(r.Context())
			switch {
			case !ok:
				a.unauthenticated(w, r)
			case !p.HasAnyRole(roles...):
				a.errorPage(w, r, http.StatusForbidden, "Du har inte behörighet till den här sidan.")
			default:
				w.Header().Set("Cache-Control", "no-store")
				next.ServeHTTP(w, r)
			}
		})
	}
}

// IdleMinutes is IdleTimeout in whole minutes, for the visible notice.
func (s SessionInfo) IdleMinutes() int { return int(s.IdleTimeout / time.Minute) }

// Config returns the configuration in use, defaults filled in.
func (a *Auth) Config() Config { return a.cfg }
