package registry

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
)

// metrics are the client's Prometheus metrics, per source. Labels are
// bounded: register names, error kinds and part statuses.
type metrics struct {
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	retries  *prometheus.CounterVec
	parts    *prometheus.CounterVec
	breaker  *prometheus.GaugeVec
}

// Error kinds of skalig_register_errors_total: the client's own codes, and
// source_error for any error code a source answers with.
var errorKinds = []string{CodeTimeout, CodeUnavailable, CodeMalformed, CodeRejected, CodeTLS, CodeCircuitOpen, "source_error"}

func errorKind(code string) string {
	for _, k := range errorKinds {
		if k == code {
			return k
		}
	}
	return "source_error"
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "skalig_register_request_duration_seconds",
			Help:    "Time of one exchange with the register service, observed for each source asked in it.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30},
		}, []string{"source"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skalig_register_errors_total",
			Help: "Failed source parts per exchange (or refused by the breaker), by source and kind: timeout, unavailable, malformed, rejected, tls, circuit_open, source_error.",
		}, []string{"source", "kind"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skalig_register_retries_total",
			Help: "Sources asked again within a fetch after a temporary failure.",
		}, []string{"source"}),
		parts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skalig_register_parts_total",
			Help: "Parts of fetches returned to the caller, by source and status: answered, unknown_person, failed.",
		}, []string{"source", "status"}),
		breaker: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "skalig_register_breaker_state",
			Help: "Circuit breaker per source: 0 closed, 1 half-open, 2 open.",
		}, []string{"source"}),
	}
	if reg != nil {
		m.duration = register(reg, m.duration)
		m.errors = register(reg, m.errors)
		m.retries = register(reg, m.retries)
		m.parts = register(reg, m.parts)
		m.breaker = register(reg, m.breaker)
	}
	// Start every series at zero, so that rates are defined from the start.
	for _, s := range skalig.RegisterNames {
		m.retries.WithLabelValues(s)
		m.breaker.WithLabelValues(s)
		for _, st := range []string{skalig.RegisterAnswered, skalig.RegisterUnknownPerson, skalig.RegisterFailed} {
			m.parts.WithLabelValues(s, st)
		}
		for _, k := range errorKinds {
			m.errors.WithLabelValues(s, k)
		}
	}
	return m
}

// register registers c with reg, or returns the collector already
// registered under the same description (two clients on one registry share
// the metrics). Any other failure is a programming error.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic("registry: register metrics: " + err.Error())
}
