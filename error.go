package skalig

import (
	"errors"
	"fmt"
)

// Error codes. Every error that reaches a user is mapped from one of these in
// one place per interface (HTTP status, exit status); anything else is
// EINTERNAL and its detail is only logged.
const (
	EINVALID      = "invalid"      // the input is wrong; Fields say where
	ENOTFOUND     = "not_found"    // no such thing, or not yours to see
	ECONFLICT     = "conflict"     // the state does not allow it now
	EUNAUTHORIZED = "unauthorized" // not logged in
	EFORBIDDEN    = "forbidden"    // logged in, not allowed
	EUNAVAILABLE  = "unavailable"  // a dependency is down; try later
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is the one error type of the domain. Message is Swedish and safe to
// show to the person who caused it.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field messages for EINVALID, grouped by the part of
	// the input they concern.
	Fields []FieldError
}

// FieldError names one invalid field by its path in the input
// (e.g. "people[1].birth_date") with a Swedish message.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Detail, when set, is Message as data (Message is its Swedish), so
	// that a page can say it in its own language; the API sends Message.
	Detail *Detail `json:"-"`
}

// String returns "field: message".
func (f FieldError) String() string { return f.Field + ": " + f.Message }

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("skalig %s: %s (%s)", e.Code, e.Message, e.Fields[0])
	}
	return fmt.Sprintf("skalig %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with code and a formatted Swedish message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, or EINTERNAL for any other
// error, or "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe Swedish message of err's *Error, or
// "Internt fel" for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internt fel"
}

// HTTPStatus is the HTTP status that answers an error with code: the one
// mapping the JSON API and the web pages share. A code it does not know,
// EINTERNAL included, is 500.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return 400
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case EUNAUTHORIZED:
		return 401
	case EFORBIDDEN:
		return 403
	case EUNAVAILABLE:
		return 503
	}
	return 500
}
