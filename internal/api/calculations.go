package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"skalig"
	"skalig/internal/calcformat"
	"skalig/internal/rules"
)

// maxMunicipalityLen bounds the municipality code passed to Guidelines.
const maxMunicipalityLen = 64

// handleCalculate calculates one household-month: POST
// /api/v1/calculations with the calculation format as the body and an
// optional ?municipality=CODE. The input is parsed first, because the
// guidelines to use depend on its month.
func (s *Server) handleCalculate(w http.ResponseWriter, r *http.Request) {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		s.writeError(w, r, err)
		return
	}
	code, err := s.municipality(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.calculate(data, code)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.EINVALID {
			s.metrics.calculations.WithLabelValues(calcInvalid).Inc()
		}
		s.writeError(w, r, err)
		return
	}
	s.metrics.calculations.WithLabelValues(out.Status).Inc()
	s.writeJSON(w, r, http.StatusOK, out)
}

// calculate parses data, looks up the guidelines of municipality code (""
// for none) for the month of the input, and calculates.
func (s *Server) calculate(data []byte, code string) (*calcformat.Output, error) {
	var lookup func(skalig.Month) (*rules.Guidelines, error)
	if code != "" {
		lookup = func(m skalig.Month) (*rules.Guidelines, error) { return s.guidelinesFor(code, m) }
	}
	return calcformat.CalculateWith(data, s.params, lookup)
}

// guidelinesFor calls Config.Guidelines. An EINVALID error without field
// messages is given one on "municipality", so that the client sees which
// part of the request was wrong.
func (s *Server) guidelinesFor(code string, m skalig.Month) (*rules.Guidelines, error) {
	g, err := s.guidelines(code, m)
	var se *skalig.Error
	switch {
	case errors.As(err, &se) && se.Code == skalig.EINVALID && len(se.Fields) == 0:
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: se.Message,
			Fields: []skalig.FieldError{{Field: "municipality", Message: se.Message}}}
	case err != nil:
		return nil, err
	case g == nil:
		return nil, errors.New("guidelines returned neither guidelines nor an error")
	}
	return g, nil
}

// municipality returns the municipality code of the query ("" when none is
// given). Other query parameters are refused, as unknown fields of the body
// are: a misspelt "municipality" must not silently calculate without the
// municipality's guidelines.
func (s *Server) municipality(q url.Values) (string, error) {
	var fields []skalig.FieldError
	add := func(field, msg string) { fields = append(fields, skalig.FieldError{Field: field, Message: msg}) }
	for k := range q {
		if k != "municipality" {
			add(k, "okänd parameter (kontrollera stavningen); tillåten: municipality")
		}
	}
	vs, given := q["municipality"]
	code := ""
	switch {
	case !given:
	case s.guidelines == nil:
		add("municipality", "den här servern har inga kommunala riktlinjer; beräkna utan municipality")
	case len(vs) != 1:
		add("municipality", "ange en kommun, inte flera")
	case vs[0] == "" || len(vs[0]) > maxMunicipalityLen || !utf8.ValidString(vs[0]):
		add("municipality", "kommunkoden saknas eller är ogiltig")
	default:
		code = vs[0]
	}
	if len(fields) > 0 {
		return "", &skalig.Error{Code: skalig.EINVALID, Message: "frågan innehåller fel", Fields: fields}
	}
	return code, nil
}

// checkJSONType accepts application/json with or without parameters; a
// charset, when given, must be UTF-8.
func checkJSONType(ct string) error {
	mt, ps, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		if cs, ok := ps["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return &httpError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedType,
		message: "Innehållet måste vara JSON i UTF-8 (Content-Type: application/json)"}
}

var errTooLarge = &httpError{status: http.StatusRequestEntityTooLarge, code: codeTooLarge,
	message: "Begäran är för stor: högst 1 MiB (1 048 576 byte)"}

// readBody reads at most calcformat.MaxBytes of the body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > calcformat.MaxBytes {
		w.Header().Set("Connection", "close")
		return nil, errTooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, calcformat.MaxBytes))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		// The rest of the body is unread: do not keep the connection.
		w.Header().Set("Connection", "close")
		return nil, errTooLarge
	case err != nil:
		return nil, skalig.Errorf(skalig.EINVALID, "begäran kunde inte läsas helt")
	}
	return data, nil
}
