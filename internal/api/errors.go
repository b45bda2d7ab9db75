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

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string              `json:"code"`
	Message   string              `json:"message"`
	Fields    []skalig.FieldError `json:"fields,omitempty"`
	RequestID string              `json:"request_id"`
}

// statusOf maps a skalig error code to its HTTP status (skalig.HTTPStatus).
func statusOf(code string) int { return skalig.HTTPStatus(code) }

// writeError is the one place where an error becomes a response. An
// *httpError keeps its status; a *skalig.Error is mapped by its code; every
// other error, and every code that maps to 500, is answered "Internt fel"
// with the request id, and only the log sees what went wrong.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	id := requestIDFrom(r.Context())
	d := errorDetail{RequestID: id}
	status := http.StatusInternalServerError
	var he *httpError
	if errors.As(err, &he) {
		status, d.Code, d.Message = he.status, he.code, he.message
	} else {
		code := skalig.ErrorCode(err)
		status = statusOf(code)
		if status != http.StatusInternalServerError {
			d.Code, d.Message = code, skalig.ErrorMessage(err)
			var se *skalig.Error
			if errors.As(err, &se) {
				d.Fields = se.Fields
			}
		}
	}
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", id, "err", err)
		d = errorDetail{Code: skalig.EINTERNAL, Message: "Internt fel", RequestID: id}
	}
	s.writeJSON(w, r, status, errorBody{Error: d})
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
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}
