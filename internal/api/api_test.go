package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"skalig"
	"skalig/internal/api"
	"skalig/internal/params"
	"skalig/internal/rules"
)

// singleAdult is the single-adult example of docs/calc-format.md: norm
// 3 910 + 1 270, costs 5 200 + 280 + 120, activity support 4 100: aid 6 680.
const singleAdult = `{
  "month": "2025-09",
  "people": [{"id": "p1", "role": "applicant", "birth_date": "1993-06-01"}],
  "costs": [
    {"kind": "housing", "amount": 5200},
    {"kind": "electricity", "amount": 280},
    {"kind": "home_insurance", "amount": 120}
  ],
  "incomes": [{"kind": "activity_support", "amount": 4100}]
}`

// output is the part of a calculation response the tests read.
type output struct {
	Month           string      `json:"month"`
	Status          string      `json:"status"`
	ReviewReasons   []string    `json:"review_reasons"`
	Norm            json.Number `json:"norm"`
	ReasonableCosts json.Number `json:"reasonable_costs"`
	OtherCosts      json.Number `json:"other_costs"`
	IncomeCounted   json.Number `json:"income_counted"`
	Aid             json.Number `json:"aid"`
	Surplus         json.Number `json:"surplus"`
	Trace           []traceLine `json:"trace"`
}

type traceLine struct {
	Item   string      `json:"item"`
	Amount json.Number `json:"amount"`
	Text   string      `json:"text"`
}

// errorBody is an error response: RFC 9457 problem details with the
// extension members code and errors.
type errorBody struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	Code     string `json:"code"`
	Errors   []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// requestID is the request id in the problem's instance.
func (e errorBody) requestID() string { return strings.TrimPrefix(e.Instance, "urn:request:") }

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newServer returns the API's handler for cfg with the embedded parameters
// and a logger that writes to the returned buffer.
func newServer(tb testing.TB, cfg api.Config) (http.Handler, *logBuffer) {
	tb.Helper()
	p, err := params.Default()
	if err != nil {
		tb.Fatalf("params.Default: %v", err)
	}
	logs := &logBuffer{}
	if cfg.Params == nil {
		cfg.Params = p
	}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	if cfg.Version == "" {
		cfg.Version = "v9.9.9-test"
	}
	return validating(tb, api.New(cfg).Handler()), logs
}

func do(tb testing.TB, h http.Handler, method, target, contentType string, body io.Reader) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(method, target, body)
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func post(tb testing.TB, h http.Handler, target, body string) *httptest.ResponseRecorder {
	tb.Helper()
	return do(tb, h, http.MethodPost, target, "application/json", strings.NewReader(body))
}

func mustDecode(tb testing.TB, w *httptest.ResponseRecorder, v any) {
	tb.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		tb.Fatalf("Content-Type=%q, want application/json; charset=utf-8", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("decode %s: %v", w.Body, err)
	}
}

// mustError checks that w is our JSON error with status and code, and that
// its request id is the one in the header.
func mustError(tb testing.TB, w *httptest.ResponseRecorder, status int, code string) errorBody {
	tb.Helper()
	if w.Code != status {
		tb.Fatalf("status=%d, want %d; body %s", w.Code, status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("Content-Type=%q, want application/problem+json", ct)
	}
	var e errorBody
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		tb.Fatalf("decode %s: %v", w.Body, err)
	}
	if e.Code != code {
		tb.Errorf("code=%q, want %q", e.Code, code)
	}
	if e.Type != "https://skalig.se/problem/"+code {
		tb.Errorf("type=%q, want https://skalig.se/problem/%s", e.Type, code)
	}
	if e.Status != status {
		tb.Errorf("status member=%d, want %d", e.Status, status)
	}
	if e.Title == "" {
		tb.Errorf("title is empty")
	}
	if e.Detail == "" {
		tb.Errorf("detail is empty")
	}
	if id := w.Header().Get("X-Request-Id"); id == "" || e.Instance != "urn:request:"+id {
		tb.Errorf("instance=%q, want urn:request: and the X-Request-Id header %q", e.Instance, id)
	}
	return e
}

func hasField(e errorBody, field string) (string, bool) {
	for _, f := range e.Errors {
		if f.Field == field {
			return f.Message, true
		}
	}
	return "", false
}

func TestCalculate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		w := post(t, h, "/api/v1/calculations", singleAdult)
		if w.Code != http.StatusOK {
			t.Fatalf("status=%d, want 200; body %s", w.Code, w.Body)
		}
		var out output
		mustDecode(t, w, &out)
		if out.Aid != "6680" {
			t.Errorf("Aid=%v, want 6680", out.Aid)
		}
		if out.Norm != "5180" || out.ReasonableCosts != "5600" || out.IncomeCounted != "4100" || out.Surplus != "0" {
			t.Errorf("Norm, ReasonableCosts, IncomeCounted, Surplus=%v, %v, %v, %v, want 5180, 5600, 4100, 0",
				out.Norm, out.ReasonableCosts, out.IncomeCounted, out.Surplus)
		}
		if out.Month != "2025-09" || out.Status != "complete" {
			t.Errorf("Month, Status=%q, %q, want 2025-09, complete", out.Month, out.Status)
		}
		if len(out.Trace) == 0 {
			t.Fatalf("Trace is empty")
		}
		if last := out.Trace[len(out.Trace)-1]; last.Item != "aid" || last.Amount != "6680" {
			t.Errorf("last trace line=%+v, want aid 6680", last)
		}
	})

	t.Run("OKCharset", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		w := do(t, h, http.MethodPost, "/api/v1/calculations", "Application/JSON; charset=UTF-8", strings.NewReader(singleAdult))
		if w.Code != http.StatusOK {
			t.Fatalf("status=%d, want 200; body %s", w.Code, w.Body)
		}
	})

	t.Run("ErrInvalidBirthDate", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		w := post(t, h, "/api/v1/calculations", strings.Replace(singleAdult, "1993-06-01", "1993-13-01", 1))
		e := mustError(t, w, http.StatusBadRequest, skalig.EINVALID)
		msg, ok := hasField(e, "people[0].birth_date")
		if !ok {
			t.Fatalf("fields=%+v, want people[0].birth_date", e.Errors)
		}
		if want := "datum saknas eller är ogiltigt (ÅÅÅÅ-MM-DD)"; msg != want {
			t.Errorf("message=%q, want %q", msg, want)
		}
	})

	t.Run("ErrUnknownField", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		w := post(t, h, "/api/v1/calculations", strings.Replace(singleAdult, `"month"`, `"dwelling_sise": 3, "month"`, 1))
		e := mustError(t, w, http.StatusBadRequest, skalig.EINVALID)
		msg, ok := hasField(e, "dwelling_sise")
		if !ok {
			t.Fatalf("fields=%+v, want dwelling_sise", e.Errors)
		}
		if !strings.Contains(msg, "okänt fält") {
			t.Errorf("message=%q, want it to say okänt fält", msg)
		}
	})

	t.Run("ErrNotJSON", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		w := post(t, h, "/api/v1/calculations", `{"month": `)
		e := mustError(t, w, http.StatusBadRequest, skalig.EINVALID)
		if len(e.Errors) == 0 {
			t.Errorf("fields are empty, want the JSON error")
		}
	})

	t.Run("ErrContentType", func(t *testing.T) {
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "application/json;;"} {
			h, _ := newServer(t, api.Config{})
			w := do(t, h, http.MethodPost, "/api/v1/calculations", ct, strings.NewReader(singleAdult))
			e := mustError(t, w, http.StatusUnsupportedMediaType, "unsupported_media_type")
			if !strings.Contains(e.Detail, "måste vara JSON") {
				t.Errorf("Content-Type %q: message=%q, want Swedish", ct, e.Detail)
			}
		}
	})

	t.Run("ErrTooLarge", func(t *testing.T) {
		big := `{"month": "2025-09", "x": "` + strings.Repeat("a", 1<<20) + `"}`
		for _, length := range []string{"known", "chunked"} {
			h, _ := newServer(t, api.Config{})
			r := httptest.NewRequest(http.MethodPost, "/api/v1/calculations", strings.NewReader(big))
			r.Header.Set("Content-Type", "application/json")
			if length == "chunked" {
				r.ContentLength = -1 // the limit must hold while reading, too
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			e := mustError(t, w, http.StatusRequestEntityTooLarge, "too_large")
			if !strings.Contains(e.Detail, "för stor") {
				t.Errorf("%s: message=%q, want Swedish", length, e.Detail)
			}
		}
	})

	t.Run("ErrMethodNotAllowed", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		w := do(t, h, http.MethodGet, "/api/v1/calculations", "", nil)
		mustError(t, w, http.StatusMethodNotAllowed, "method_not_allowed")
		if allow := w.Header().Get("Allow"); allow != "POST" {
			t.Errorf("Allow=%q, want POST", allow)
		}
	})
}

func TestMunicipality(t *testing.T) {
	// guidelines knows one municipality; "down" fails like an unreachable
	// configuration store, and "broken" like a bug.
	guidelines := func(code string, m skalig.Month) (*rules.Guidelines, error) {
		switch code {
		case "0821":
			return &rules.Guidelines{
				Municipality: "Högsby kommun",
				Version:      "riktlinjer 2025",
				MaxHousing:   [2][]skalig.Money{{skalig.Kronor(5000)}, {skalig.Kronor(6000)}},
			}, nil
		case "down":
			return nil, skalig.Errorf(skalig.EUNAVAILABLE, "kommunens riktlinjer kan inte hämtas just nu")
		case "broken":
			return nil, errors.New("select guidelines: connection reset by peer")
		case "bad!":
			return nil, skalig.Errorf(skalig.EINVALID, "kommunkoden är ogiltig")
		}
		return nil, skalig.Errorf(skalig.ENOTFOUND, "kommunen %s finns inte", code)
	}

	t.Run("OK", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Guidelines: guidelines})
		w := post(t, h, "/api/v1/calculations?municipality=0821", singleAdult)
		if w.Code != http.StatusOK {
			t.Fatalf("status=%d, want 200; body %s", w.Code, w.Body)
		}
		var out output
		mustDecode(t, w, &out)
		// Housing 5 200 is above the guideline 5 000: approved, but reviewed.
		if out.Status != "needs_review" || len(out.ReviewReasons) != 1 || out.ReviewReasons[0] != "housing_above_guideline" {
			t.Errorf("Status, ReviewReasons=%q, %q, want needs_review, [housing_above_guideline]", out.Status, out.ReviewReasons)
		}
		if out.Aid != "6680" {
			t.Errorf("Aid=%v, want 6680", out.Aid)
		}
	})

	t.Run("ErrNoGuidelines", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		w := post(t, h, "/api/v1/calculations?municipality=0821", singleAdult)
		e := mustError(t, w, http.StatusBadRequest, skalig.EINVALID)
		if _, ok := hasField(e, "municipality"); !ok {
			t.Errorf("fields=%+v, want municipality", e.Errors)
		}
	})

	t.Run("ErrUnknownParameter", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Guidelines: guidelines})
		w := post(t, h, "/api/v1/calculations?municiplity=0821", singleAdult)
		e := mustError(t, w, http.StatusBadRequest, skalig.EINVALID)
		if _, ok := hasField(e, "municiplity"); !ok {
			t.Errorf("fields=%+v, want municiplity", e.Errors)
		}
	})

	t.Run("ErrEmpty", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Guidelines: guidelines})
		w := post(t, h, "/api/v1/calculations?municipality=", singleAdult)
		e := mustError(t, w, http.StatusBadRequest, skalig.EINVALID)
		if _, ok := hasField(e, "municipality"); !ok {
			t.Errorf("fields=%+v, want municipality", e.Errors)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Guidelines: guidelines})
		w := post(t, h, "/api/v1/calculations?municipality=bad!", singleAdult)
		e := mustError(t, w, http.StatusBadRequest, skalig.EINVALID)
		if msg, ok := hasField(e, "municipality"); !ok || msg != "kommunkoden är ogiltig" {
			t.Errorf("fields=%+v, want municipality: kommunkoden är ogiltig", e.Errors)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Guidelines: guidelines})
		w := post(t, h, "/api/v1/calculations?municipality=9999", singleAdult)
		e := mustError(t, w, http.StatusNotFound, skalig.ENOTFOUND)
		if e.Detail != "kommunen 9999 finns inte" {
			t.Errorf("message=%q, want kommunen 9999 finns inte", e.Detail)
		}
	})

	t.Run("ErrUnavailable", func(t *testing.T) {
		h, _ := newServer(t, api.Config{Guidelines: guidelines})
		w := post(t, h, "/api/v1/calculations?municipality=down", singleAdult)
		mustError(t, w, http.StatusServiceUnavailable, skalig.EUNAVAILABLE)
	})

	t.Run("ErrInternal", func(t *testing.T) {
		h, logs := newServer(t, api.Config{Guidelines: guidelines})
		w := post(t, h, "/api/v1/calculations?municipality=broken", singleAdult)
		e := mustError(t, w, http.StatusInternalServerError, skalig.EINTERNAL)
		if e.Detail != "Internt fel" {
			t.Errorf("message=%q, want Internt fel", e.Detail)
		}
		if strings.Contains(w.Body.String(), "connection reset") {
			t.Errorf("body %s shows the Go error", w.Body)
		}
		log := logs.String()
		if !strings.Contains(log, "connection reset by peer") || !strings.Contains(log, "request_id="+e.requestID()) {
			t.Errorf("log %q, want the error with request_id=%s", log, e.requestID())
		}
	})
}

func TestRoutes(t *testing.T) {
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, path := range []string{"/api/v1/nothing", "/api/v1", "/api/v1/calculations/1", "/"} {
			h, _ := newServer(t, api.Config{})
			w := do(t, h, http.MethodGet, path, "", nil)
			e := mustError(t, w, http.StatusNotFound, skalig.ENOTFOUND)
			if e.Detail != "Adressen finns inte i Skäligs API" {
				t.Errorf("%s: message=%q", path, e.Detail)
			}
		}
	})

	t.Run("ErrMethodNotAllowed", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/metrics", "/api/v1/openapi.json"} {
			h, _ := newServer(t, api.Config{})
			w := do(t, h, http.MethodPost, path, "application/json", strings.NewReader("{}"))
			mustError(t, w, http.StatusMethodNotAllowed, "method_not_allowed")
			if allow := w.Header().Get("Allow"); allow != "GET, HEAD" {
				t.Errorf("%s: Allow=%q, want GET, HEAD", path, allow)
			}
		}
	})

	t.Run("SecurityHeaders", func(t *testing.T) {
		want := map[string]string{
			"X-Content-Type-Options":  "nosniff",
			"Cache-Control":           "no-store",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
			"Referrer-Policy":         "no-referrer",
		}
		for _, tc := range []struct{ method, path, body string }{
			{http.MethodPost, "/api/v1/calculations", singleAdult},
			{http.MethodPost, "/api/v1/calculations", "{"},
			{http.MethodGet, "/api/v1/nothing", ""},
			{http.MethodGet, "/healthz", ""},
			{http.MethodGet, "/metrics", ""},
			{http.MethodGet, "/api/v1/openapi.json", ""},
		} {
			h, _ := newServer(t, api.Config{})
			w := do(t, h, tc.method, tc.path, "application/json", strings.NewReader(tc.body))
			for k, v := range want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s %s: %s=%q, want %q", tc.method, tc.path, k, got, v)
				}
			}
		}
	})
}

func TestRequestID(t *testing.T) {
	hexID := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tc := range []struct {
		name, given string
		keep        bool
	}{
		{"Given", "abc-123_X.y", true},
		{"None", "", false},
		{"Unsafe", "abc def\x7f", false},
		{"TooLong", strings.Repeat("a", 65), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, logs := newServer(t, api.Config{})
			r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			if tc.given != "" {
				r.Header.Set("X-Request-Id", tc.given)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			id := w.Header().Get("X-Request-Id")
			if tc.keep && id != tc.given {
				t.Errorf("X-Request-Id=%q, want %q", id, tc.given)
			}
			if !tc.keep && !hexID.MatchString(id) {
				t.Errorf("X-Request-Id=%q, want 32 random hex digits", id)
			}
			if !strings.Contains(logs.String(), "request_id="+id) {
				t.Errorf("log %q, want request_id=%s", logs, id)
			}
		})
	}
}

func TestLog(t *testing.T) {
	h, logs := newServer(t, api.Config{})
	post(t, h, "/api/v1/calculations", singleAdult)
	post(t, h, "/api/v1/calculations", strings.Replace(singleAdult, "1993-06-01", "1993-13-01", 1))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log has %d lines, want one per request:\n%s", len(lines), logs)
	}
	for _, want := range []string{`method=POST`, `route="POST /api/v1/calculations"`, `status=200`, `status=400`, `duration=`, `request_id=`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log %q, want %s", logs, want)
		}
	}
	// The body holds personal data: neither it nor anything parsed from it
	// may be logged.
	for _, never := range []string{"1993-06-01", "1993-13-01", "birth_date", "activity_support"} {
		if strings.Contains(logs.String(), never) {
			t.Errorf("log %q contains %q from the request body", logs, never)
		}
	}
}

func TestHealthz(t *testing.T) {
	h, _ := newServer(t, api.Config{Version: "v1.2.3"})
	w := do(t, h, http.MethodGet, "/healthz", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status=%d, want 200", w.Code)
	}
	var got struct{ Status, Version string }
	mustDecode(t, w, &got)
	if got.Status != "ok" || got.Version != "v1.2.3" {
		t.Errorf("healthz=%+v, want ok v1.2.3", got)
	}
}

// metricsToken is the metrics token of the tests.
const metricsToken = "metrics-token-0123456789"

func getMetrics(t *testing.T, h http.Handler, auth string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestMetricsAccess is issue 12, violation 9: /metrics was open to anyone
// on the public listener.
func TestMetricsAccess(t *testing.T) {
	t.Run("NoToken", func(t *testing.T) {
		h, _ := newServer(t, api.Config{})
		mustError(t, getMetrics(t, h, ""), http.StatusNotFound, skalig.ENOTFOUND)
		mustError(t, getMetrics(t, h, "Bearer "), http.StatusNotFound, skalig.ENOTFOUND)
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		h, _ := newServer(t, api.Config{MetricsToken: metricsToken})
		for _, auth := range []string{"", "Bearer ", "Bearer wrong-token-0123456789", "Basic " + metricsToken, metricsToken} {
			w := getMetrics(t, h, auth)
			mustError(t, w, http.StatusUnauthorized, skalig.EUNAUTHORIZED)
			if w.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%q: no WWW-Authenticate", auth)
			}
			if strings.Contains(w.Body.String(), "go_goroutines") {
				t.Errorf("%q: metrics shown", auth)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		s := api.New(api.Config{Params: mustParams(t), MetricsToken: metricsToken})
		if w := getMetrics(t, s.Handler(), "Bearer "+metricsToken); w.Code != 200 || !strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("with the token: %d", w.Code)
		}
		w := httptest.NewRecorder()
		s.Metrics().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if w.Code != 200 || !strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("Metrics(): %d", w.Code)
		}
	})
}

func mustParams(t *testing.T) *params.Params {
	t.Helper()
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMetrics(t *testing.T) {
	h, _ := newServer(t, api.Config{MetricsToken: metricsToken})
	post(t, h, "/api/v1/calculations", singleAdult)
	post(t, h, "/api/v1/calculations", "{}")
	do(t, h, http.MethodGet, "/api/v1/no/such/path/xyzzy", "", nil)
	w := getMetrics(t, h, "Bearer "+metricsToken)
	if w.Code != http.StatusOK {
		t.Fatalf("status=%d, want 200", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`skalig_calculations_total{status="complete"} 1`,
		`skalig_calculations_total{status="invalid"} 1`,
		`skalig_calculations_total{status="needs_review"} 0`,
		`skalig_http_requests_total{code="200",method="POST",route="POST /api/v1/calculations"} 1`,
		`skalig_http_requests_total{code="400",method="POST",route="POST /api/v1/calculations"} 1`,
		`skalig_http_requests_total{code="404",method="GET",route="/api/v1/"} 1`,
		`skalig_http_request_duration_seconds_count{route="POST /api/v1/calculations"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "xyzzy") {
		t.Errorf("metrics contain a raw path")
	}
}

// openAPIDoc is the part of the OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		RequestBody struct {
			Content map[string]struct {
				Examples map[string]struct {
					Value json.RawMessage `json:"value"`
				} `json:"examples"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]struct {
				Examples map[string]struct {
					Value json.RawMessage `json:"value"`
				} `json:"examples"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
}

func getOpenAPI(t *testing.T, h http.Handler) openAPIDoc {
	t.Helper()
	w := do(t, h, http.MethodGet, "/api/v1/openapi.json", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("status=%d, want 200", w.Code)
	}
	var doc openAPIDoc
	mustDecode(t, w, &doc)
	return doc
}

func TestOpenAPI(t *testing.T) {
	h, _ := newServer(t, api.Config{})
	doc := getOpenAPI(t, h)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi=%q, want 3.1.0", doc.OpenAPI)
	}
	post, ok := doc.Paths["/api/v1/calculations"]["post"]
	if !ok {
		t.Fatalf("no POST /api/v1/calculations")
	}
	for _, code := range []string{"200", "400", "413", "415", "500"} {
		if _, ok := post.Responses[code]; !ok {
			t.Errorf("POST /api/v1/calculations has no response %s", code)
		}
	}
	if _, ok := doc.Paths["/healthz"]["get"]; !ok {
		t.Errorf("no GET /healthz")
	}
}

// TestOpenAPIExample posts the documented example request and checks that
// the answer is the documented example response.
func TestOpenAPIExample(t *testing.T) {
	h, _ := newServer(t, api.Config{})
	op := getOpenAPI(t, h).Paths["/api/v1/calculations"]["post"]
	req, ok := op.RequestBody.Content["application/json"].Examples["single_adult"]
	if !ok {
		t.Fatalf("no request example single_adult")
	}
	resp, ok := op.Responses["200"].Content["application/json"].Examples["single_adult"]
	if !ok {
		t.Fatalf("no response example single_adult")
	}
	var want output
	if err := json.Unmarshal(resp.Value, &want); err != nil {
		t.Fatalf("response example: %v", err)
	}
	if want.Aid != "6680" {
		t.Errorf("documented Aid=%v, want 6680", want.Aid)
	}

	w := post(t, h, "/api/v1/calculations", string(req.Value))
	if w.Code != http.StatusOK {
		t.Fatalf("status=%d, want 200; body %s", w.Code, w.Body)
	}
	var got output
	mustDecode(t, w, &got)
	if got.Aid != want.Aid || got.Norm != want.Norm || got.ReasonableCosts != want.ReasonableCosts ||
		got.IncomeCounted != want.IncomeCounted || got.Surplus != want.Surplus || got.Status != want.Status {
		t.Errorf("response=%+v, want the documented %+v", got, want)
	}
	if len(got.Trace) != len(want.Trace) {
		t.Errorf("trace has %d lines, the documented example %d", len(got.Trace), len(want.Trace))
	}
}
