package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/api"
)

func TestReady(t *testing.T) {
	t.Run("ready", func(t *testing.T) {
		called := false
		h, _ := newServer(t, api.Config{Ready: func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("the readiness check has no deadline")
			}
			called = true
			return nil
		}})
		w := do(t, h, http.MethodGet, "/readyz", "", nil)
		if w.Code != http.StatusOK || !called || !strings.Contains(w.Body.String(), `"status":"ready"`) {
			t.Fatalf("readyz: %d %s (check called: %v)", w.Code, w.Body, called)
		}
	})
	t.Run("database down", func(t *testing.T) {
		h, logs := newServer(t, api.Config{Ready: func(context.Context) error {
			return errors.New("dial tcp 10.0.0.9:5432: connection refused")
		}})
		w := do(t, h, http.MethodGet, "/readyz", "", nil)
		e := mustError(t, w, http.StatusServiceUnavailable, skalig.EUNAVAILABLE)
		if strings.Contains(w.Body.String(), "10.0.0.9") || !strings.Contains(logs.String(), "connection refused") {
			t.Errorf("body %s shows the detail, or the log %q lacks it", w.Body, logs)
		}
		if e.Detail == "" {
			t.Error("no detail")
		}
	})
	t.Run("schema behind", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Ready: func(context.Context) error {
			return skalig.Errorf(skalig.EUNAVAILABLE, "Databasens schema är inte aktuellt: kör skalig migrate.")
		}})
		w := do(t, h, http.MethodGet, "/readyz", "", nil)
		if e := mustError(t, w, http.StatusServiceUnavailable, skalig.EUNAVAILABLE); !strings.Contains(e.Detail, "skalig migrate") {
			t.Errorf("detail %q", e.Detail)
		}
	})
	t.Run("healthz does not ask", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Ready: func(context.Context) error { t.Error("healthz called the readiness check"); return nil }})
		if w := do(t, h, http.MethodGet, "/healthz", "", nil); w.Code != http.StatusOK {
			t.Fatalf("healthz: %d", w.Code)
		}
	})
}
