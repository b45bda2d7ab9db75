package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"skalig/internal/httpx"
)

// wrap puts the middleware around h, outermost first: request id and
// security headers, metrics and the request log, panic recovery.
func (s *Server) wrap(h http.Handler) http.Handler {
	return s.instrument(s.recoverer(h))
}

type ctxKey struct{}

// requestIDFrom returns the request id that instrument put in ctx, or "".
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// requestID returns the caller's X-Request-Id when it is a short token that
// is safe to log and echo, or else a new random one.
func requestID(r *http.Request) string {
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

// instrument gives the request its id, sets the security headers, and after
// the response counts it and logs one line. The labels are the route
// pattern, never the raw path, so that neither the metrics nor the log can
// grow with (or hold) what a client puts in a URL.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		sw := &httpx.StatusWriter{ResponseWriter: w}
		// The ServeMux sets r.Pattern on the request it is given, so keep
		// that request to read the route afterwards.
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
		defer func() {
			status := sw.Status
			if status == 0 {
				status = http.StatusOK
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			method := httpx.MethodLabel(r.Method)
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			s.metrics.duration.WithLabelValues(route).Observe(d.Seconds())
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
				slog.String("method", method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.String("request_id", id))
		}()
		next.ServeHTTP(sw, r)
	})
}

// recoverer turns a panic in next into a logged internal error: the client
// gets 500 "Internt fel" with the request id (unless the response had
// already begun), never the panic value or a stack.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return httpx.Recoverer(s.log, func(r *http.Request) string { return requestIDFrom(r.Context()) }, s.writeError)(next)
}
