package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"skalig"
)

// Error codes of the HTTP layer that have no skalig code: they are about the
// request itself, not the domain. They appear in the "code" of the error body
// next to the skalig codes.
const (
	codeTooLarge         = "too_large"
	codeUnsupportedType  = "unsupported_media_type"
	codeMethodNotAllowed = "method_not_allowed"
)

// httpError is an error of the HTTP layer (route, method, body size, content
// type) with its status. Its message is Swedish and safe to show.
type httpError struct {
	status  int
	code    string
	message string
}

func (e *httpError) Error() string { return "api " + e.code + ": " + e.message }

// ProblemTypeBase is the prefix of the "type" URI of every problem: the
// code follows it (https://skalig.se/problem/invalid). The URIs identify
// the codes and need not resolve; docs/api-errors.md lists them.
const ProblemTypeBase = "https://skalig.se/problem/"

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// problemTitles are the English, stable titles of the codes; "detail"
// carries the Swedish message for the person who caused the error.
var problemTitles = map[string]string{
	skalig.EINVALID:      "Invalid request",
	skalig.ENOTFOUND:     "Not found",
	skalig.ECONFLICT:     "Conflict with the current state",
	skalig.EUNAUTHORIZED: "Authentication required",
	skalig.EFORBIDDEN:    "Forbidden",
	skalig.EUNAVAILABLE:  "Service unavailable",
	skalig.EINTERNAL:     "Internal error",
	codeTooLarge:         "Request body too large",
	codeUnsupportedType:  "Unsupported media type",
	codeMethodNotAllowed: "Method not allowed",
}

// problem is the body of every error response: RFC 9457 problem details
// with two extension members, "code" (the stable error code) and "errors"
// (the field errors of an invalid request).
type problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Instance string              `json:"instance"`
	Code     string              `json:"code"`
	Errors   []skalig.FieldError `json:"errors,omitempty"`
}

// newProblem returns the problem of code with status, the Swedish message
// as its detail, and the request id as its instance.
func newProblem(status int, code, message, requestID string) problem {
	title := problemTitles[code]
	if title == "" {
		title = http.StatusText(status)
	}
	return problem{
		Type:     ProblemTypeBase + code,
		Title:    title,
		Status:   status,
		Detail:   message,
		Instance: "urn:request:" + requestID,
		Code:     code,
	}
}

// statusOf maps a skalig error code to its HTTP status (skalig.HTTPStatus).
func statusOf(code string) int { return skalig.HTTPStatus(code) }

// writeError is the one place where an error becomes a response. An
// *httpError keeps its status; a *skalig.Error is mapped by its code; every
// other error, and every code that maps to 500, is answered "Internt fel"
// with the request id, and only the log sees what went wrong.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	id := requestIDFrom(r.Context())
	var p problem
	status := http.StatusInternalServerError
	var he *httpError
	if errors.As(err, &he) {
		status = he.status
		p = newProblem(status, he.code, he.message, id)
	} else {
		code := skalig.ErrorCode(err)
		status = statusOf(code)
		if status != http.StatusInternalServerError {
			p = newProblem(status, code, skalig.ErrorMessage(err), id)
			var se *skalig.Error
			if errors.As(err, &se) {
				p.Errors = se.Fields
			}
		}
	}
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", id, "err", err)
		p = newProblem(status, skalig.EINTERNAL, "Internt fel", id)
	}
	data, merr := json.Marshal(p)
	if merr != nil {
		panic("api: marshal problem: " + merr.Error()) // strings and ints always marshal
	}
	writeBytesAs(w, status, ProblemContentType, append(data, '\n'))
}

// writeJSON writes v as the JSON body of a response with status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		// Only a bug gets here; the error body itself always marshals.
		s.writeError(w, r, err)
		return
	}
	writeBytes(w, status, append(data, '\n'))
}

func writeBytes(w http.ResponseWriter, status int, data []byte) {
	writeBytesAs(w, status, "application/json; charset=utf-8", data)
}

func writeBytesAs(w http.ResponseWriter, status int, contentType string, data []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}
