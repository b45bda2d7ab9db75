package api

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"skalig/internal/letters"
)

// metrics are the API's Prometheus metrics. Their labels are bounded: route
// patterns, standard methods, status codes and calculation statuses.
type metrics struct {
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	calculations *prometheus.CounterVec
	// letters counts the decision letters served (skalig_letters_total).
	letters *letters.Metrics
}

// Calculation statuses for skalig_calculations_total: the two statuses of a
// result, and input that could not be calculated.
const (
	calcComplete    = "complete"
	calcNeedsReview = "needs_review"
	calcInvalid     = "invalid"
)

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skalig_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "skalig_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"})),
		calculations: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "skalig_calculations_total",
			Help: "Calculations requested through the API, by outcome: complete, needs_review or invalid.",
		}, []string{"status"})),
	}
	// Start every outcome at zero, so that a rate is defined from the start.
	for _, st := range []string{calcComplete, calcNeedsReview, calcInvalid} {
		m.calculations.WithLabelValues(st)
	}
	return m
}

// register registers c with reg, or returns the collector already
// registered under the same description (a second Server on one registry,
// as in tests, shares the metrics). Any other failure is a programming error.
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
	panic("api: register metrics: " + err.Error())
}
