package statsdb_test

import (
	"skalig/internal/store/statsdb"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"skalig"
)

func TestCollector(t *testing.T) {
	f := newStatsFixture(t)
	ok, partly, rej := skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected
	for _, sc := range []statsCase{
		{adults: 1, route: "auto", outcome: ok, amount: 8000, after: time.Hour},
		{adults: 1, route: "auto", outcome: ok, amount: 6000, after: time.Hour},
		{adults: 2, route: "proposal", outcome: ok, amount: 10000, after: time.Hour},
		{adults: 1, route: "exception", reasons: []string{"income_differs"}, outcome: partly, amount: 5000, after: time.Hour},
		{adults: 1, route: "exception", reasons: []string{"first_application"}, outcome: rej, after: time.Hour},
		{adults: 1, route: "open", reasons: []string{"first_application"}},
	} {
		f.add(sc)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(statsdb.NewCollector(f.db, nil))
	const help = `
# HELP skalig_decisions_stored_total Decisions in the database (all processes), by outcome (approved, partly_approved, rejected) and by who decided (delegation: the automated function; caseworker).
# TYPE skalig_decisions_stored_total counter
skalig_decisions_stored_total{decided_by="caseworker",outcome="approved"} 1
skalig_decisions_stored_total{decided_by="caseworker",outcome="partly_approved"} 1
skalig_decisions_stored_total{decided_by="caseworker",outcome="rejected"} 1
skalig_decisions_stored_total{decided_by="delegation",outcome="approved"} 2
skalig_decisions_stored_total{decided_by="delegation",outcome="partly_approved"} 0
skalig_decisions_stored_total{decided_by="delegation",outcome="rejected"} 0
# HELP skalig_payments_stored_total Payment orders in the database (all processes) for granted decisions.
# TYPE skalig_payments_stored_total counter
skalig_payments_stored_total 4
# HELP skalig_store_scrape_ok 1 when decisions and payments could be read for this scrape, 0 when a query failed.
# TYPE skalig_store_scrape_ok gauge
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(help+"skalig_store_scrape_ok 1\n")); err != nil {
		t.Fatal(err)
	}
	f.db.Close()
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP skalig_store_scrape_ok 1 when decisions and payments could be read for this scrape, 0 when a query failed.
# TYPE skalig_store_scrape_ok gauge
skalig_store_scrape_ok 0
`), "skalig_store_scrape_ok"); err != nil {
		t.Fatal(err)
	}
}
