package letters

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
)

// Metrics counts the decision letters a process serves, for operators:
// skalig_letters_total{outcome, format, via} (docs/operations.md). The
// labels are bounded: the three outcomes, pdf or html, and the interface
// the Metrics were made for (api, web).
type Metrics struct {
	served *prometheus.CounterVec
	via    string
}

// NewMetrics returns the letter metrics of the interface via ("api",
// "web") on reg. Several interfaces share one counter on one registry;
// every outcome and format of via starts at zero, so that a rate is
// defined from the start. A nil reg gives nil Metrics, which count
// nothing.
func NewMetrics(reg prometheus.Registerer, via string) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "skalig_letters_total",
		Help: "Decision letters served by this process, by the decision's outcome (approved, partly_approved, rejected), format (pdf, html) and interface (api, web).",
	}, []string{"outcome", "format", "via"})
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		existing, ok := c, false
		if errors.As(err, &are) {
			existing, ok = are.ExistingCollector.(*prometheus.CounterVec)
		}
		if !ok {
			return nil, err
		}
		c = existing
	}
	for _, o := range []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected} {
		for _, f := range []string{"pdf", "html"} {
			c.WithLabelValues(string(o), f, via)
		}
	}
	return &Metrics{served: c, via: via}, nil
}

// Served counts a letter of outcome served as PDF (pdf) or HTML.
func (m *Metrics) Served(outcome skalig.Outcome, pdf bool) {
	if m == nil || !outcome.Valid() {
		return
	}
	f := "html"
	if pdf {
		f = "pdf"
	}
	m.served.WithLabelValues(string(outcome), f, m.via).Inc()
}
