package web

import (
	"net/http"

	"skalig/internal/auth"
)

// AuthSession returns the Config.Session of a program that logs people in
// with internal/auth: the principal's name, the session's timing
// (auth.Auth.Session) and the login package's paths for logging out,
// extending the session and its idle-timeout script. The request must have
// passed a.Middleware.
func AuthSession(a *auth.Auth) func(r *http.Request) Session {
	return func(r *http.Request) Session {
		p, ok := auth.FromContext(r.Context())
		if !ok {
			return Session{}
		}
		si, ok := a.Session(r)
		if !ok {
			return Session{}
		}
		name := p.Name
		if name == "" {
			name = p.Subject
		}
		return Session{
			Name:        name,
			LogoutURL:   auth.LogoutPath,
			ExtendURL:   auth.ExtendPath,
			ScriptURL:   auth.TimeoutScriptPath,
			ExpiredURL:  LoggedOutPath,
			IdleTimeout: si.IdleTimeout,
			Remaining:   si.Remaining,
			ExpiresAt:   si.ExpiresAt,
			Warning:     si.Warning,
			Extendable:  si.Extendable,
		}
	}
}
