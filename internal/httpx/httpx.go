// Package httpx holds the HTTP plumbing the JSON API and the web pages share:
// a response writer that remembers the status, panic recovery and the method
// label for logs and metrics. Each caller keeps its own error answer (JSON or
// a page).
package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// StatusWriter remembers the status of a response, for the log and the
// metrics, and whether anything was written, for the panic recovery.
type StatusWriter struct {
	http.ResponseWriter
	Status int // 0 until the response began
}

// Wrap returns w as a *StatusWriter, wrapping it unless it is one already.
func Wrap(w http.ResponseWriter) *StatusWriter {
	if sw, ok := w.(*StatusWriter); ok {
		return sw
	}
	return &StatusWriter{ResponseWriter: w}
}

func (w *StatusWriter) WriteHeader(code int) {
	if w.Status == 0 && code >= 200 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Recoverer turns a panic in next into a logged internal error: fail answers
// it (500 with the request id; it logs err) unless the response had already
// begun, when it is only logged. Never the panic value or a stack to the
// client. http.ErrAbortHandler passes through.
func Recoverer(log *slog.Logger, requestID func(*http.Request) string, fail func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := Wrap(w)
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v) // the server's own way to abort a response
				}
				err := &PanicError{Value: v, Stack: debug.Stack()}
				if sw.Status != 0 {
					log.ErrorContext(r.Context(), "panic after the response began", "request_id", requestID(r), "err", err)
					return
				}
				fail(sw, r, err)
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// MethodLabel returns the method for labels, logs and messages: the standard
// methods as they are, anything else as "OTHER", so that a client cannot
// make new label values.
func MethodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// PanicError is a recovered panic. It logs as its value and stack.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// LogValue gives the log the stack as well as the value.
func (e *PanicError) LogValue() slog.Value {
	return slog.GroupValue(slog.String("panic", fmt.Sprint(e.Value)), slog.String("stack", string(e.Stack)))
}

// HSTSValue is the Strict-Transport-Security header Skälig sends when it is
// reached over https: two years, subdomains included (the recommendation of
// RFC 6797 and of the preload list; preload itself is the operator's choice).
const HSTSValue = "max-age=63072000; includeSubDomains"

// HSTS sets Strict-Transport-Security on every response of next: wrap the
// whole public handler with it when the base URL is https, so that a
// browser never again speaks plain http to the site (RFC 6797). Never on a
// plain-http site: a browser ignores it there, and it would be a lie.
func HSTS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", HSTSValue)
		next.ServeHTTP(w, r)
	})
}

// Mux is an *http.ServeMux that records the patterns registered on it, so
// that a test can walk every route: the authorization test in cmd/skalig
// fails on a route nobody wrote an expectation for. Handle and HandleFunc
// have the ServeMux's signatures.
type Mux struct {
	*http.ServeMux
	patterns []string
	observe  RouteObserver
}

// RouteObserver is told of every request a Mux's route answered: the
// route's pattern, the method label, the status and the time taken. The web
// pages' request metrics are one.
type RouteObserver func(route, method string, status int, d time.Duration)

// Observe makes m tell fn of every request answered by a route registered
// after the call (the route is known at registration, so nested muxes and
// middleware that copy the request do not hide it).
func (m *Mux) Observe(fn RouteObserver) { m.observe = fn }

// observed wraps h to tell m's observer of each request it answers.
func (m *Mux) observed(pattern string, h http.Handler) http.Handler {
	fn := m.observe
	if fn == nil {
		return h
	}
	route := pattern
	if _, p, ok := strings.Cut(pattern, " "); ok {
		route = p // the method is its own label
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := Wrap(w)
		defer func() {
			status := sw.Status
			if status == 0 {
				status = http.StatusOK
			}
			fn(route, MethodLabel(r.Method), status, time.Since(start))
		}()
		h.ServeHTTP(sw, r)
	})
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern and records the pattern.
func (m *Mux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, m.observed(pattern, h))
	m.patterns = append(m.patterns, pattern)
}

// HandleFunc registers f for pattern and records the pattern.
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.ServeMux.Handle(pattern, m.observed(pattern, http.HandlerFunc(f)))
	m.patterns = append(m.patterns, pattern)
}

// Patterns returns the patterns registered, in order.
func (m *Mux) Patterns() []string { return append([]string(nil), m.patterns...) }
