package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"skalig"
)

// ErrorPage is the data of the error page.
type ErrorPage struct {
	Status int
	// Heading and Text are in the page's language.
	Heading, Text string
	// Detail is the domain's own message (Swedish), shown for errors that
	// are the person's to act on (not for 500).
	Detail string
	// ShowID is true for the 5xx pages: the request id to quote.
	ShowID bool
}

// statusOf maps a skalig error code to its HTTP status (skalig.HTTPStatus).
func statusOf(code string) int { return skalig.HTTPStatus(code) }

// Error is the one place where an error becomes a page. A *skalig.Error is
// answered by its code (ENOTFOUND 404, EFORBIDDEN 403, ...) with its safe
// Swedish message; anything else, and EINTERNAL, is the 500 page with the
// request id, and only the log sees what went wrong. A page never shows a
// stack trace.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	code := skalig.ErrorCode(err)
	status := statusOf(code)
	detail := ""
	var se *skalig.Error
	if status != http.StatusInternalServerError && errors.As(err, &se) {
		detail = se.Message
	}
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", RequestID(r.Context()), "err", err)
	}
	s.ErrorStatus(w, r, status, detail)
}

// ErrorStatus renders the error page for an HTTP status, with an optional
// Swedish detail for the person (never for 500).
func (s *Server) ErrorStatus(w http.ResponseWriter, r *http.Request, status int, detail string) {
	p := s.Page(r)
	key := "error." + statusKey(status)
	e := &ErrorPage{
		Status:  status,
		Heading: p.T(key + ".heading"),
		Text:    p.T(key + ".text"),
		Detail:  detail,
		ShowID:  status >= 500,
	}
	if e.ShowID {
		e.Detail = ""
	}
	p.Title = e.Heading
	p.Data = e
	s.Render(w, r, status, "error", p)
}

// FormError answers a request whose form could not be read: 413 with a
// message that says what to do when it was too large, else 400.
func (s *Server) FormError(w http.ResponseWriter, r *http.Request, err error) {
	if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
		s.ErrorStatus(w, r, http.StatusRequestEntityTooLarge, s.Page(r).T("form.too_large", mb.Limit>>10))
		return
	}
	s.ErrorStatus(w, r, http.StatusBadRequest, "")
}

func statusKey(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge:
		return "400"
	case http.StatusUnauthorized:
		return "401"
	case http.StatusForbidden:
		return "403"
	case http.StatusNotFound:
		return "404"
	case http.StatusMethodNotAllowed:
		return "405"
	case http.StatusConflict:
		return "409"
	case http.StatusServiceUnavailable:
		return "503"
	}
	return "500"
}

// AuthError renders the error page of the login package (auth.Options
// ErrorPage): status and a Swedish message that is safe to show. It works
// also for a request that did not pass this package's middleware.
func (s *Server) AuthError(w http.ResponseWriter, r *http.Request, status int, message string) {
	if RequestID(r.Context()) == "" {
		id := newRequestID(r)
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), ctxRequestID, id))
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "login error", "request_id", RequestID(r.Context()), "status", status, "message", message)
		message = ""
	}
	s.ErrorStatus(w, r, status, message)
}

// NotFound renders the 404 page.
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	s.ErrorStatus(w, r, http.StatusNotFound, "")
}

// Forbidden renders the 403 page.
func (s *Server) Forbidden(w http.ResponseWriter, r *http.Request) {
	s.ErrorStatus(w, r, http.StatusForbidden, "")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) { s.NotFound(w, r) }

// methodNotAllowed answers a path's other methods with the 405 page.
func (s *Server) methodNotAllowed(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", strings.Join(s.allowed(path), ", "))
		s.ErrorStatus(w, r, http.StatusMethodNotAllowed, "")
	}
}

func (s *Server) allowed(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allow[path]
}
