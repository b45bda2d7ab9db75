package jobs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"skalig/internal/jobs"
)

func TestCollector(t *testing.T) {
	db := setup(t)
	enqueue(t, db, jobs.New{Kind: "fetch", CaseID: "C1"})
	enqueue(t, db, jobs.New{Kind: "fetch", CaseID: "C2"})
	enqueue(t, db, jobs.New{Kind: "notify", CaseID: "C1", RunAt: time.Now().Add(time.Hour)})
	if _, err := db.SQL().Exec(`UPDATE jobs SET state = 'parked' WHERE kind = 'fetch' AND case_id = 'C2'`); err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(time.Hour) }
	c := jobs.NewCollector(db.SQL(), later, nil)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)

	want := `
# HELP skalig_jobs Jobs in the queue, by kind and state (queued, running, parked).
# TYPE skalig_jobs gauge
skalig_jobs{kind="fetch",state="parked"} 1
skalig_jobs{kind="fetch",state="queued"} 1
skalig_jobs{kind="fetch",state="running"} 0
skalig_jobs{kind="notify",state="parked"} 0
skalig_jobs{kind="notify",state="queued"} 1
skalig_jobs{kind="notify",state="running"} 0
# HELP skalig_jobs_scrape_ok 1 when the queue could be read for this scrape, 0 when the query failed.
# TYPE skalig_jobs_scrape_ok gauge
skalig_jobs_scrape_ok 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "skalig_jobs", "skalig_jobs_scrape_ok"); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	ages := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "skalig_jobs_oldest_age_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var kind, state string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "kind":
					kind = l.GetValue()
				case "state":
					state = l.GetValue()
				}
			}
			ages[kind+"/"+state] = m.GetGauge().GetValue()
		}
	}
	if len(ages) != 6 {
		t.Errorf("oldest-age series %v, want 6", ages)
	}
	for k, v := range ages {
		hasJobs := k == "fetch/queued" || k == "fetch/parked" || k == "notify/queued"
		if hasJobs && (v < 3600 || v > 3700) || !hasJobs && v != 0 {
			t.Errorf("oldest age of %s = %v, want about an hour where there are jobs, else 0", k, v)
		}
	}

	// A database that fails does not fail the scrape: it reports 0.
	db.Close()
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP skalig_jobs_scrape_ok 1 when the queue could be read for this scrape, 0 when the query failed.
# TYPE skalig_jobs_scrape_ok gauge
skalig_jobs_scrape_ok 0
`), "skalig_jobs_scrape_ok"); err != nil {
		t.Fatal(err)
	}
}
