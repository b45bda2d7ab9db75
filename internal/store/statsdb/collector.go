package statsdb

import (
	"context"
	"log/slog"
	"skalig/internal/store"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector reports decisions by outcome and payments to Prometheus, read
// from the database on each scrape (two aggregate queries), so that every
// process of an installation reports the same totals and a restart loses
// nothing. Decisions and payments are never deleted, so the totals only
// grow: they are counters.
type Collector struct {
	db  *store.DB
	log *slog.Logger

	decisions, payments, up *prometheus.Desc
}

// NewCollector returns the collector of db; log receives a failed query
// (nil: slog.Default()).
func NewCollector(db *store.DB, log *slog.Logger) *Collector {
	if log == nil {
		log = slog.Default()
	}
	return &Collector{db: db, log: log,
		decisions: prometheus.NewDesc("skalig_decisions_stored_total", "Decisions in the database (all processes), by outcome (approved, partly_approved, rejected) and by who decided (delegation: the automated function; caseworker).",
			[]string{"outcome", "decided_by"}, nil),
		payments: prometheus.NewDesc("skalig_payments_stored_total", "Payment orders in the database (all processes) for granted decisions.", nil, nil),
		up: prometheus.NewDesc("skalig_store_scrape_ok", "1 when decisions and payments could be read for this scrape, 0 when a query failed.",
			nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.decisions
	ch <- c.payments
	ch <- c.up
}

// Collect implements prometheus.Collector. A failed query is logged and
// reported as skalig_store_scrape_ok 0; the rest of the scrape works.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok := 1.0
	if err := c.collect(ctx, ch); err != nil {
		c.log.Warn("metrics: read decisions and payments", "err", err)
		ok = 0
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, ok)
}

func (c *Collector) collect(ctx context.Context, ch chan<- prometheus.Metric) error {
	counts := map[[2]string]int64{}
	for _, o := range []string{"approved", "partly_approved", "rejected"} {
		for _, by := range []string{"delegation", "caseworker"} {
			counts[[2]string{o, by}] = 0
		}
	}
	rows, err := c.db.SQL().QueryContext(ctx, `
		SELECT outcome, CASE WHEN decided_by_delegation <> '' THEN 'delegation' ELSE 'caseworker' END, COUNT(*)
		FROM decisions GROUP BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var outcome, by string
		var n int64
		if err := rows.Scan(&outcome, &by, &n); err != nil {
			return err
		}
		counts[[2]string{outcome, by}] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var payments int64
	if err := c.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM payments`).Scan(&payments); err != nil {
		return err
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.decisions, prometheus.CounterValue, float64(n), k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(c.payments, prometheus.CounterValue, float64(payments))
	return nil
}
