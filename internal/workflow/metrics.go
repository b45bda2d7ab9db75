package workflow

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	submitted      prometheus.Counter
	transitions    *prometheus.CounterVec
	routed         *prometheus.CounterVec
	decided        *prometheus.CounterVec
	jobs           *prometheus.HistogramVec
	registerFetch  prometheus.Histogram
	registerErrors *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		submitted: prometheus.NewCounter(prometheus.CounterOpts{Name: "skalig_applications_submitted_total",
			Help: "Applications stored (new cases)."}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "skalig_case_transitions_total",
			Help: "Case state transitions made by this process, by state entered."}, []string{"state"}),
		routed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "skalig_cases_routed_total",
			Help: "Cases routed, by route (decide, propose, exception, sample)."}, []string{"route"}),
		decided: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "skalig_decisions_total",
			Help: "Decisions recorded, by outcome and whether automated."}, []string{"outcome", "automated"}),
		jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "skalig_job_duration_seconds",
			Help: "Job runs by kind and how they ended.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)},
			[]string{"kind", "outcome"}),
		registerFetch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "skalig_workflow_register_fetch_seconds",
			Help: "Register requests made by the fetch step (one per adult).", Buckets: prometheus.ExponentialBuckets(0.01, 2, 12)}),
		registerErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "skalig_workflow_register_part_errors_total",
			Help: "Register answer parts with an error, by source and code."}, []string{"source", "code"}),
	}
	if reg != nil {
		reg.MustRegister(m.submitted, m.transitions, m.routed, m.decided, m.jobs, m.registerFetch, m.registerErrors)
	}
	return m
}

func (m *metrics) observeJob(kind, outcome string, d time.Duration) {
	m.jobs.WithLabelValues(kind, outcome).Observe(d.Seconds())
}
