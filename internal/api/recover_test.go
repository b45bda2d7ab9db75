package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"skalig/internal/params"
)

// TestRecover runs a panicking handler inside the server's middleware: the
// client gets our JSON 500 with "Internt fel" and the request id, never the
// panic value; the log gets the value and the request id.
func TestRecover(t *testing.T) {
	p, err := params.Default()
	if err != nil {
		t.Fatalf("params.Default: %v", err)
	}
	var logs bytes.Buffer
	s := New(Config{Params: p, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h := s.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret detail: index out of range")
	}))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/boom", nil))

	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status=%d, want 500", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != ProblemContentType {
		t.Errorf("Content-Type=%q, want %s", ct, ProblemContentType)
	}
	var body problem
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	id := w.Header().Get("X-Request-Id")
	if body.Code != "internal" || body.Detail != "Internt fel" || body.Instance != "urn:request:"+id || id == "" ||
		body.Type != ProblemTypeBase+"internal" || body.Status != 500 || body.Title == "" {
		t.Errorf("problem=%+v, want internal, Internt fel, request id %q", body, id)
	}
	if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "goroutine") {
		t.Errorf("body %s shows the panic", w.Body)
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), "request_id="+id) {
		t.Errorf("log %q, want the panic value and request_id=%s", logs.String(), id)
	}
	if !strings.Contains(logs.String(), "status=500") {
		t.Errorf("log %q, want the request line with status=500", logs.String())
	}
}

// TestRecoverAfterWrite: a panic after the response began cannot change it,
// and must not write a second body into it.
func TestRecoverAfterWrite(t *testing.T) {
	p, err := params.Default()
	if err != nil {
		t.Fatalf("params.Default: %v", err)
	}
	var logs bytes.Buffer
	s := New(Config{Params: p, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h := s.recoverer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("partial"))
		panic("late")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusAccepted || w.Body.String() != "partial" {
		t.Errorf("response=%d %q, want 202 partial", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "late") {
		t.Errorf("log %q, want the panic", logs.String())
	}
}
