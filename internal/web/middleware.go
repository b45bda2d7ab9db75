package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"skalig/internal/httpx"
)

// ContentSecurityPolicy is the policy of every response: scripts, styles,
// images and fonts from this site only, no inline script or style, no
// frames, forms posted to this site only.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxLang
)

// RequestID returns the id of the request (set by the middleware), or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// LangFrom returns the language of the request (set by the middleware), or
// Swedish.
func LangFrom(ctx context.Context) *Lang {
	if l, ok := ctx.Value(ctxLang).(*Lang); ok {
		return l
	}
	return Swedish
}

// requestID returns the caller's X-Request-Id when it is a short token that
// is safe to log and show, or else a new random one.
func newRequestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); safeToken(id) {
		return id
	}
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

func safeToken(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// wrap puts the middleware around h, outermost first: request id, security
// headers and language, the request log, panic recovery.
func (s *Server) wrap(h http.Handler) http.Handler {
	return s.instrument(s.recoverer(h))
}

// instrument gives the request its id and language, sets the security
// headers, keeps a language chosen with ?lang= in the cookie, and logs one
// line after the response. The log has the route pattern, never the raw
// path or query, which may hold personal data.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID(r)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cache-Control", "no-store")

		l, fromQuery := langFromRequest(r)
		if fromQuery {
			http.SetCookie(w, &http.Cookie{
				Name: LangCookie, Value: l.Code, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
			})
		}
		ctx := context.WithValue(r.Context(), ctxRequestID, id)
		ctx = context.WithValue(ctx, ctxLang, l)
		r = r.WithContext(ctx)
		sw := &httpx.StatusWriter{ResponseWriter: w}
		defer func() {
			status := sw.Status
			if status == 0 {
				status = http.StatusOK
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
				slog.String("method", httpx.MethodLabel(r.Method)),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.String("lang", l.Code),
				slog.String("request_id", id))
		}()
		next.ServeHTTP(sw, r)
	})
}

// recoverer turns a panic in next into a logged internal error: the person
// gets the 500 page with the request id (unless the response had already
// begun), never the panic value or a stack.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return httpx.Recoverer(s.log, func(r *http.Request) string { return RequestID(r.Context()) }, s.Error)(next)
}
