// Package api serves Skälig's JSON API under /api/v1: the household-month
// calculation (POST /api/v1/calculations, in the public calculation format of
// docs/calc-format.md) and its OpenAPI description, plus /healthz and
// /metrics for operations (behind a bearer token, Config.MetricsToken).
//
// Every error is RFC 9457 problem details (docs/api-errors.md), mapped from the error codes of package
// skalig in one place (writeError); an internal error shows "Internt fel" and
// the request id, and its detail is only logged. Request bodies are never
// logged: they hold personal data.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"skalig"
	"skalig/internal/httpx"
	"skalig/internal/letters"
	"skalig/internal/params"
	"skalig/internal/rules"
	"skalig/internal/stats"
	"skalig/internal/whatif"
	"skalig/internal/workflow"
)

// openAPI is the OpenAPI 3.1 description of the API, served as it is.
//
//go:embed openapi.json
var openAPI []byte

// Config is what the API needs from the program that wires it (cmd/).
type Config struct {
	// Params are the dated parameters the calculations use. Required.
	Params *params.Params
	// Guidelines returns the municipality's guidelines in force in month m,
	// or an EINVALID/ENOTFOUND *skalig.Error for an unknown code. Nil: a
	// request that names a municipality is refused with 400.
	Guidelines func(code string, m skalig.Month) (*rules.Guidelines, error)
	// Logger receives one line per request and the detail of internal
	// errors. Nil: slog.Default().
	Logger *slog.Logger
	// Registry receives the API's metrics and is what /metrics serves. Nil:
	// a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Version is reported by /healthz. Empty: skalig.Version.
	Version string
	// Workflow serves the case routes (applications, cases, decisions).
	// Nil: those routes answer 503.
	Workflow *workflow.Workflow
	// Statistics reads a month's cases for GET /api/v1/statistics
	// (statsdb.Store). Nil: the route answers 503.
	Statistics stats.Source
	// WhatIf runs a candidate change over past receipts for POST
	// /api/v1/whatif: a runner with its Cases and Live set (MaxChanges is
	// set per request). Nil: the route answers 503.
	WhatIf *whatif.Runner
	// Proposals puts proposed routing and guidelines versions in force for
	// POST /api/v1/config-proposals/{id}/put-in-force
	// (configdb.MunicipalConfig). Nil: the route answers 503.
	Proposals Proposals
	// Tokens are the machine clients' bearer tokens for the case routes.
	Tokens []Token
	// Ready reports whether the process can serve (the database answers
	// and its schema is up to date), for GET /readyz: nil is ready, an
	// error is answered 503 with its *skalig.Error message (any other
	// error: a generic one; the detail is only logged). Nil: always ready.
	Ready func(ctx context.Context) error
	// MetricsToken is the bearer token /metrics asks for on this handler
	// (SKALIG_METRICS_TOKEN). Empty: /metrics is not served here (404), so
	// that the public listener shows nothing of the process; the program
	// may serve Server.Metrics on a loopback address instead.
	MetricsToken string
}

// Server is the JSON API. It holds no per-request state and is safe for
// concurrent use.
type Server struct {
	params     *params.Params
	stats      stats.Source
	whatif     *whatif.Runner
	proposals  Proposals
	guidelines func(code string, m skalig.Month) (*rules.Guidelines, error)
	log        *slog.Logger
	version    string
	mux        *httpx.Mux
	handler    http.Handler
	metrics    *metrics
	wf         *workflow.Workflow
	tokens     []Token

	metricsHandler http.Handler
	metricsToken   string
	ready          func(ctx context.Context) error
}

// New returns the API server for cfg. It panics when cfg.Params is nil or
// the metrics cannot be registered: both are wiring mistakes that must stop
// the program at start, not fail a request later.
func New(cfg Config) *Server {
	if cfg.Params == nil {
		panic("api: Config.Params is nil")
	}
	s := &Server{
		params:     cfg.Params,
		stats:      cfg.Statistics,
		whatif:     cfg.WhatIf,
		proposals:  cfg.Proposals,
		guidelines: cfg.Guidelines,
		log:        cfg.Logger,
		version:    cfg.Version,
		mux:        httpx.NewMux(),
		wf:         cfg.Workflow,
		tokens:     cfg.Tokens,

		metricsToken: cfg.MetricsToken,
		ready:        cfg.Ready,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.version == "" {
		s.version = skalig.Version
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s.metrics = newMetrics(reg)
	lm, err := letters.NewMetrics(reg, "api")
	if err != nil {
		panic("api: letter metrics: " + err.Error())
	}
	s.metrics.letters = lm
	s.metricsHandler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	s.routes()
	s.handler = s.wrap(s.mux)
	return s
}

// Handler returns the HTTP handler of the API with its middleware: request
// id, security headers, metrics, the request log and panic recovery.
func (s *Server) Handler() http.Handler { return s.handler }

// Patterns returns every pattern of the API, the 405 and 404 fallbacks
// included, for a test that walks every route.
func (s *Server) Patterns() []string { return s.mux.Patterns() }

// Metrics returns the Prometheus handler without authentication, for a
// listener only operations can reach (the loopback debug address).
func (s *Server) Metrics() http.Handler { return s.metricsHandler }

// MetricsFor returns the Prometheus handler of a listener of its own
// (SKALIG_METRICS_ADDR): it asks for token as a bearer token when token is
// not empty, and answers problem details like the API.
func (s *Server) MetricsFor(token string) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveMetrics(w, r, token) })
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	mux.HandleFunc("/", s.notFound)
	return s.wrap(mux)
}

// handleMetrics serves /metrics to a caller with the metrics token, and
// to nobody when none is configured.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.metricsToken == "" {
		s.notFound(w, r)
		return
	}
	s.serveMetrics(w, r, s.metricsToken)
}

// serveMetrics serves the metrics to a caller with token (anyone when
// token is empty).
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, token string) {
	if token != "" {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got, want := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(token))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="skalig-metrics"`)
			s.writeError(w, r, skalig.Errorf(skalig.EUNAUTHORIZED, "Mätvärdena kräver en nyckel: Authorization: Bearer <SKALIG_METRICS_TOKEN>."))
			return
		}
	}
	s.metricsHandler.ServeHTTP(w, r)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, &httpError{status: http.StatusNotFound, code: skalig.ENOTFOUND,
		message: "Adressen finns inte i Skäligs API"})
}

// routes registers each route with its method, and for each path a
// fallback that answers 405 with an Allow header in our JSON shape (the
// ServeMux's own 405 is plain text, and a catch-all would hide it anyway).
// Every other path is a JSON 404.
func (s *Server) routes() {
	routes := []struct {
		method, path string
		h            http.HandlerFunc
	}{
		{"POST", "/api/v1/calculations", s.handleCalculate},
		{"GET", "/api/v1/openapi.json", s.handleOpenAPI},
		{"POST", "/api/v1/applications", s.withClient(skalig.ClientSubmit, s.handleSubmit)},
		{"GET", "/api/v1/cases", s.withClient(skalig.ClientRead, s.handleCases)},
		{"GET", "/api/v1/cases/{id}", s.withClient(skalig.ClientRead, s.handleCase)},
		{"GET", "/api/v1/cases/{id}/receipt", s.withClient(skalig.ClientRead, s.handleReceipt)},
		{"GET", "/api/v1/cases/{id}/letter.pdf", s.withClient(skalig.ClientRead, s.handleLetter(true))},
		{"GET", "/api/v1/cases/{id}/letter.html", s.withClient(skalig.ClientRead, s.handleLetter(false))},
		{"POST", "/api/v1/cases/{id}/decision", s.withClient(skalig.ClientDecide, s.handleDecide)},
		{"POST", "/api/v1/cases/{id}/withdraw", s.withClient(skalig.ClientSubmit, s.handleWithdraw)},
		{"POST", "/api/v1/cases/{id}/appeal", s.withClient(skalig.ClientSubmit, s.handleAppeal)},
		{"POST", "/api/v1/cases/{id}/review", s.withClient(skalig.ClientSubmit, s.handleReview)},
		{"GET", "/api/v1/cases/{id}/requests", s.withClient(skalig.ClientRead, s.handleCaseRequests)},
		{"POST", "/api/v1/cases/{id}/kommunicering", s.withClient(skalig.ClientDecide, s.handleKommunicering)},
		{"POST", "/api/v1/cases/{id}/comment", s.withClient(skalig.ClientSubmit, s.handleComment)},
		{"GET", "/api/v1/review-requests", s.withClient(skalig.ClientRead, s.handleReviewQueue)},
		{"POST", "/api/v1/review-requests/{id}/keep", s.withClient(skalig.ClientDecide, s.resolveReview("keep"))},
		{"POST", "/api/v1/review-requests/{id}/forward", s.withClient(skalig.ClientDecide, s.resolveReview("forward"))},
		{"POST", "/api/v1/review-requests/{id}/reject-late", s.withClient(skalig.ClientDecide, s.resolveReview("reject-late"))},
		{"POST", "/api/v1/review-requests/{id}/change", s.withClient(skalig.ClientDecide, s.handleChangeDecision)},
		{"POST", "/api/v1/cases/{id}/change", s.withClient(skalig.ClientDecide, s.handleOwnChange)},
		{"POST", "/api/v1/cases/{id}/change/sign", s.withClient(skalig.ClientDecide, s.handleSignChange("sign"))},
		{"POST", "/api/v1/cases/{id}/change/return", s.withClient(skalig.ClientDecide, s.handleSignChange("return"))},
		{"POST", "/api/v1/cases/{id}/manual-calculation", s.withClient(skalig.ClientDecide, s.handleManualCalculation)},
		{"POST", "/api/v1/cases/{id}/adjustments", s.withClient(skalig.ClientDecide, s.handleAdjust)},
		{"POST", "/api/v1/cases/{id}/conditions", s.withClient(skalig.ClientDecide, s.handleCondition)},
		{"POST", "/api/v1/aid-history", s.withClient(skalig.ClientDecide, s.handleAidHistory)},
		{"GET", "/api/v1/decisions/{id}/replay", s.withClient(skalig.ClientRead, s.handleReplay)},
		{"GET", "/api/v1/statistics", s.withClient(skalig.ClientRead, s.handleStatistics)},
		{"POST", "/api/v1/whatif", s.withClient(skalig.ClientRead, s.handleWhatIf)},
		{"GET", "/api/v1/whatif/{id}", s.withClient(skalig.ClientRead, s.handleWhatIfRun)},
		{"POST", "/api/v1/whatif/{id}/stop", s.withClient(skalig.ClientRead, s.handleWhatIfStop)},
		{"POST", "/api/v1/config-proposals/{id}/put-in-force", s.withClient(skalig.ClientDecide, s.handlePutInForce)},
		{"GET", "/healthz", s.handleHealth},
		{"GET", "/readyz", s.handleReady},
		{"GET", "/metrics", s.handleMetrics},
	}
	var paths []string
	allow := map[string][]string{}
	for _, rt := range routes {
		s.mux.HandleFunc(rt.method+" "+rt.path, rt.h)
		if _, ok := allow[rt.path]; !ok {
			paths = append(paths, rt.path)
		}
		allow[rt.path] = append(allow[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allow[rt.path] = append(allow[rt.path], http.MethodHead) // a GET pattern serves HEAD too
		}
	}
	for _, p := range paths {
		s.mux.HandleFunc(p, s.methodNotAllowed(strings.Join(allow[p], ", ")))
	}
	notFound := s.notFound
	// "/api/v1" exactly, so that the ServeMux does not redirect it to "/api/v1/".
	s.mux.HandleFunc("/api/v1", notFound)
	s.mux.HandleFunc("/api/v1/", notFound)
	s.mux.HandleFunc("/", notFound)
}

func (s *Server) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		msg := "Metoden är inte tillåten här; tillåtna: " + allow
		if m := httpx.MethodLabel(r.Method); m != "OTHER" {
			msg = "Metoden " + m + " är inte tillåten här; tillåtna: " + allow
		}
		s.writeError(w, r, &httpError{status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed, message: msg})
	}
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeBytes(w, http.StatusOK, openAPI)
}

// handleReady answers 200 when Config.Ready says the process can serve,
// else 503 with problem details, within readyTimeout.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			s.log.WarnContext(r.Context(), "not ready", "request_id", requestIDFrom(r.Context()), "err", err)
			var se *skalig.Error
			if !errors.As(err, &se) || se.Code != skalig.EUNAVAILABLE {
				err = skalig.Errorf(skalig.EUNAVAILABLE, "Tjänsten är inte redo: databasen svarar inte.")
			}
			s.writeError(w, r, err)
			return
		}
	}
	s.writeJSON(w, r, http.StatusOK, struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}{"ready", s.version})
}

// readyTimeout bounds the readiness check, so that a database that hangs
// is answered as not ready before a probe gives up.
const readyTimeout = 2 * time.Second

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}{"ok", s.version})
}
