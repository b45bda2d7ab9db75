package jobs

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector reports the queue to Prometheus on each scrape with one cheap
// query (the jobs table holds only work not yet done): the jobs by kind and
// state, and the age of the oldest of each. The states are queued (waiting
// for a worker, also when delayed by a backoff), running and parked (failed
// too often; skalig jobs retry).
type Collector struct {
	db  *sql.DB
	now func() time.Time
	log *slog.Logger

	jobs, oldest, up *prometheus.Desc
}

// NewCollector returns the collector of the queue in db. now is the clock
// the ages are measured against (nil: time.Now); log receives a failed
// query (nil: slog.Default()).
func NewCollector(db *sql.DB, now func() time.Time, log *slog.Logger) *Collector {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Collector{db: db, now: now, log: log,
		jobs: prometheus.NewDesc("skalig_jobs", "Jobs in the queue, by kind and state (queued, running, parked).",
			[]string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("skalig_jobs_oldest_age_seconds", "Age of the oldest job in the queue since it was enqueued, by kind and state.",
			[]string{"kind", "state"}, nil),
		up: prometheus.NewDesc("skalig_jobs_scrape_ok", "1 when the queue could be read for this scrape, 0 when the query failed.",
			nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.oldest
	ch <- c.up
}

// stateLabel is the metric's name for a state of the jobs table.
func stateLabel(s string) string {
	if s == "available" {
		return "queued"
	}
	return s
}

// Collect implements prometheus.Collector. A query that fails is logged and
// reported as skalig_jobs_scrape_ok 0, so the rest of the scrape still
// works.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok := 1.0
	if err := c.collect(ctx, ch); err != nil {
		c.log.Warn("metrics: read the job queue", "err", err)
		ok = 0
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, ok)
}

func (c *Collector) collect(ctx context.Context, ch chan<- prometheus.Metric) error {
	rows, err := c.db.QueryContext(ctx, `SELECT kind, state, COUNT(*), MIN(created_at) FROM jobs GROUP BY kind, state`)
	if err != nil {
		return err
	}
	defer rows.Close()
	now := c.now()
	seen := map[[2]string]bool{}
	var kinds []string
	for rows.Next() {
		var kind, state string
		var n, oldest int64
		if err := rows.Scan(&kind, &state, &n, &oldest); err != nil {
			return err
		}
		state = stateLabel(state)
		if !seen[[2]string{kind, ""}] {
			seen[[2]string{kind, ""}] = true
			kinds = append(kinds, kind)
		}
		seen[[2]string{kind, state}] = true
		age := max(now.Sub(time.UnixMicro(oldest)).Seconds(), 0)
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(n), kind, state)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age, kind, state)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// A kind that has jobs reports every state, 0 where there are none, so
	// that a rate or an alert on a state is defined.
	for _, kind := range kinds {
		for _, state := range []string{"queued", "running", "parked"} {
			if !seen[[2]string{kind, state}] {
				ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, 0, kind, state)
				ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, 0, kind, state)
			}
		}
	}
	return nil
}
