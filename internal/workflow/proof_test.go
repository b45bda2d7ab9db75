package workflow_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/registry"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/paymentdb"
	"skalig/internal/store/statsdb"
	"skalig/internal/workflow"
)

// TestProofRegisterFaults is issue 4's proof: with the simulator failing
// 30 % of the time on every source (error answers and timeouts), a run of
// applications (1 000 with SKALIG_PROOF_N=1000; 300 by default, 100 with
// -short) ends with every case decided or with a person, and no decision
// was made on a source that did not answer: checked from the receipts,
// which keep every source's status for every adult.
func TestProofRegisterFaults(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 100
	}
	if v, err := strconv.Atoi(os.Getenv("SKALIG_PROOF_N")); err == nil && v > 0 {
		n = v
	}
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	p, _ := params.Default()
	mun, _ := municipal.Default()
	faults := map[string]sim.Faults{}
	for _, src := range skalig.RegisterNames {
		faults[src] = sim.Faults{Error: 0.15, Timeout: 0.15}
	}
	s := sim.New(sim.Config{Seed: 7, Faults: faults})
	reg := prometheus.NewRegistry()
	cfg := registry.DefaultConfig()
	cfg.BaseURL, cfg.HTTPClient = sim.BaseURL, s.HTTPClient()
	cfg.OrgNumber, cfg.OrgName = "212000-0001", "Test"
	cfg.Retry = registry.RetryConfig{MaxAttempts: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
	cfg.Breaker = registry.BreakerConfig{Failures: 5, CoolDown: 500 * time.Millisecond}
	client, err := registry.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := workflow.New(workflow.Config{Cases: cases, Params: p, Municipal: mun, Registers: client,
		RegisterDeadline: 20 * time.Second, RegisterTimeout: 5 * time.Second, Registerer: reg,
		Jobs: jobs.Config{Workers: 32, Poll: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, h := range demo.Generate(7, "0821", month, n) {
		if _, _, err := wf.Submit(ctx, h.App); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	e := &env{db: db, cases: cases, wf: wf}
	e.run(t)
	elapsed := time.Since(start)

	counts, err := statsdb.New(cases.DB()).CountByState(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for st, c := range counts {
		switch st {
		case skalig.StatePaid, skalig.StateClosed, skalig.StateAwaitingCaseworker, skalig.StateSampled:
		case skalig.StateAwaitingApplicant:
			// The robot asked for a document (a läkarintyg, a sublet
			// consent); its due-date job brings the case to a person.
		case skalig.StateNotified:
			// Decided with a payment ordered: the case waits for the
			// bank's answer (internal/payments).
			if n, err := paymentdb.New(cases).PaymentsByStatus(ctx, store.PaymentOrdered, 100000); err != nil || len(n) != c {
				t.Errorf("%d cases rest in notified with %d payments ordered (%v)", c, len(n), err)
			}
		default:
			t.Errorf("%d cases rest in %s", c, st)
		}
	}
	// From the receipts: every decision has an answer from every required
	// source for every adult.
	ids, _ := cases.DecisionIDs(ctx, "", 100000)
	rc, _ := mun.Routing("0821", month)
	for _, id := range ids {
		d, _ := cases.Decision(ctx, id)
		r, err := cases.Receipt(ctx, d.ReceiptHash)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.Members {
			if m.Role == skalig.RoleChild {
				continue
			}
			for _, src := range rc.RegistersAt(month) {
				ok := false
				for _, f := range r.Facts {
					if f.Kind == skalig.RegisterStatusKind(src) && f.PersonID == m.ID &&
						(f.Value.Text == skalig.RegisterAnswered || f.Value.Text == skalig.RegisterUnknownPerson) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("decision %s: no answer from %s for %s in the receipt", id, src, m.ID)
				}
			}
		}
	}
	var unavailable int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM cases WHERE routing_reasons LIKE '%register_unavailable%'`).Scan(&unavailable)
	mf, _ := reg.Gather()
	snoozes := 0.0
	for _, f := range mf {
		if f.GetName() == "skalig_job_duration_seconds" {
			for _, m := range f.GetMetric() {
				lbl := map[string]string{}
				for _, l := range m.GetLabel() {
					lbl[l.GetName()] = l.GetValue()
				}
				if lbl["kind"] == "fetch" && lbl["outcome"] == "snooze" {
					snoozes += float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
	}
	st := client.Stats()
	summary := fmt.Sprintf("%d applications, 30 %% faults on every source, %s: states %v; %d decisions, all with every source answered; "+
		"%d register requests, %d exchanges, %d sources retried within a request, %d refused by an open breaker (opened %v); "+
		"%d fetch steps waited for a source; %d cases handed to a person for a register that stayed down",
		n, elapsed.Round(time.Millisecond), counts, len(ids), st.Fetches, st.Exchanges, st.Retries, st.Refused, st.BreakerOpened,
		int(snoozes), unavailable)
	t.Log(summary)
	if testing.Verbose() {
		fmt.Println(summary)
	}
}
