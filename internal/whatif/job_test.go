package whatif_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/dbtest"
	"skalig/internal/jobs"
	"skalig/internal/store"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
)

var month2 = month + 1

// runUntil runs the what-if jobs of d on a queue of their own until done
// reports true; it fails after a minute.
func runUntil(t *testing.T, d *decided, cfg jobs.Config, done func() bool) {
	t.Helper()
	q := d.db.Queue(cfg)
	d.runner.Handle(q)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { q.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	for deadline := time.Now().Add(time.Minute); !done(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the what-if jobs did not finish within a minute")
		}
	}
}

func finished(t *testing.T, d *decided, id string) func() bool {
	return func() bool {
		p, err := d.runner.Progress(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return p.Finished()
	}
}

func auditActions(t *testing.T, db *store.DB, action, runID string) int {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT data FROM audit_trail WHERE action = $1`, action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		var d struct {
			RunID string `json:"run_id"`
		}
		json.Unmarshal([]byte(data), &d)
		if d.RunID == runID {
			n++
		}
	}
	return n
}

// sameResult fails unless got has the totals, breakdown and changes of
// want.
func sameResult(t *testing.T, got, want *whatif.Result) {
	t.Helper()
	if !reflect.DeepEqual(got.Totals, want.Totals) {
		t.Errorf("Totals = %+v,\nwant %+v", got.Totals, want.Totals)
	}
	if !reflect.DeepEqual(got.ByHousehold, want.ByHousehold) {
		t.Errorf("ByHousehold = %+v,\nwant %+v", got.ByHousehold, want.ByHousehold)
	}
	if !reflect.DeepEqual(got.Changes, want.Changes) {
		t.Errorf("%d changes, want %d (or they differ)", len(got.Changes), len(want.Changes))
	}
}

// A run started as a job is evaluated a month at a time by the workers and
// gives what an evaluation within the call gives, with its progress at
// 100 % and one audit event for its start and one for its result.
func TestRunAsJob(t *testing.T) {
	d := setupMonths(t, dbtest.Open(t), 12, month, month2)
	ctx := context.Background()
	cand, err := whatif.RoutingCandidate("routing-1000.json", delegationLimit(t, 1000))
	if err != nil {
		t.Fatal(err)
	}
	sel := whatif.Selection{Municipality: "0821"}
	want, err := d.runner.Evaluate(ctx, cand, sel, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := d.runner.Start(ctx, "staff:adm1", cand, sel, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := d.runner.Progress(ctx, id); p.Status != whatifdb.StatusQueued {
		t.Fatalf("Status = %q before the workers, want queued", p.Status)
	}
	runUntil(t, d, jobs.Config{Workers: 1}, finished(t, d, id))
	got, err := whatif.Load(ctx, d.runner.Cases, id)
	if err != nil {
		t.Fatal(err)
	}
	n := d.count(t)
	if p := got.Progress; p.Status != whatifdb.StatusDone || p.Done != n || p.Total != n || p.Percent != 100 {
		t.Fatalf("Progress = %+v, want done %d of %d", p, n, n)
	}
	if got.Totals.Cases != n || got.Totals.RouteChanged == 0 {
		t.Fatalf("Totals = %+v: want %d cases, some routed otherwise", got.Totals, n)
	}
	sameResult(t, got, want)
	if a, b := auditActions(t, d.db, whatifdb.ActionWhatIfStarted, id), auditActions(t, d.db, whatifdb.ActionWhatIfRun, id); a != 1 || b != 1 {
		t.Fatalf("audit: %d started and %d done events, want 1 and 1", a, b)
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := d.runner.Start(ctx, "staff:adm1", cand, whatif.Selection{From: "2026-13"}, 0)
		if skalig.ErrorCode(err) != skalig.EINVALID {
			t.Fatalf("Start with a bad month: %v, want EINVALID", err)
		}
	})
}

// A worker killed in the middle of a run (it holds the job and never
// commits: kill -9) leaves the run at its last kept month; after the lease
// another worker goes on from there, and the result is the same as without
// the crash, audited once. The dead worker's late completion commits
// nothing.
func TestRunResumesAfterCrash(t *testing.T) {
	d := setupMonths(t, dbtest.Open(t), 10, month, month2)
	ctx := context.Background()
	cand, err := whatif.RoutingCandidate("routing-1000.json", delegationLimit(t, 1000))
	if err != nil {
		t.Fatal(err)
	}
	sel := whatif.Selection{Municipality: "0821"}
	want, err := d.runner.Evaluate(ctx, cand, sel, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := d.runner.Start(ctx, "cli:whatif", cand, sel, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The first process: the first month's step commits; in the second
	// the process dies (the handler never returns until released).
	dead := make(chan *jobs.Job, 1)
	release := make(chan struct{})
	q1 := d.db.Queue(jobs.Config{Workers: 1, Lease: 100 * time.Millisecond})
	q1.Handle(whatif.JobRun, func(ctx context.Context, j *jobs.Job) error {
		run, err := d.runner.Cases.RunByID(ctx, id)
		if err != nil {
			return err
		}
		if run.NextMonth == 0 {
			return d.runner.HandleRun(ctx, j)
		}
		select {
		case dead <- j:
			d.runner.Cases.SetProgress(context.Background(), id, run.Done+3, run.Total)
			<-release
			return nil
		default: // claimed again by this process after its lease: it is dead
			return jobs.Snooze(time.Hour, "the dead process runs nothing more")
		}
	})
	ctx1, cancel1 := context.WithCancel(ctx)
	stopped1 := make(chan struct{})
	go func() { q1.Run(ctx1); close(stopped1) }()
	j1 := <-dead
	cancel1()
	run, err := d.runner.Cases.RunByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != whatifdb.StatusRunning || run.NextMonth != month2 || run.Done == 0 || run.Done >= run.Total {
		t.Fatalf("after the crash: status %s, next month %v, %d of %d: want running at %v, part done", run.Status, run.NextMonth, run.Done, run.Total, month2)
	}
	// The second process takes the job over once the lease has run out.
	runUntil(t, d, jobs.Config{Workers: 1, Poll: 20 * time.Millisecond}, finished(t, d, id))
	if err := j1.Complete(ctx, nil); !errors.Is(err, jobs.ErrLeaseLost) {
		t.Fatalf("the dead worker's Complete: %v, want ErrLeaseLost", err)
	}
	close(release)
	<-stopped1
	got, err := whatif.Load(ctx, d.runner.Cases, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Progress.Status != whatifdb.StatusDone || got.Progress.Done != d.count(t) {
		t.Fatalf("Progress = %+v, want done with every decision", got.Progress)
	}
	sameResult(t, got, want)
	if n := auditActions(t, d.db, whatifdb.ActionWhatIfRun, id); n != 1 {
		t.Fatalf("%d result audit events, want 1", n)
	}
}

// A shadow run compares the decisions made in its period as they come,
// each once, like a what-if run over them; it decides nothing (the live
// decisions are as they were), and it is done once its period is over.
func TestShadowRun(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	// The shadow starts before the cases come in.
	r0 := &whatif.Runner{Cases: whatifdb.New(db)}
	now := r0.Cases.Now()
	cand, err := whatif.RoutingCandidate("routing-1000.json", delegationLimit(t, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r0.StartShadow(ctx, "staff:adm1", cand, "0821", now, now, 0); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("StartShadow with an empty period: %v, want EINVALID", err)
	}
	if _, err := r0.StartShadow(ctx, "staff:adm1", cand, "", now, now.Add(time.Hour), 0); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("StartShadow without a municipality: %v, want EINVALID", err)
	}
	id, err := r0.StartShadow(ctx, "staff:adm1", cand, "0821", now, now.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	d := setup(t, db, 16)
	d.runner.ShadowInterval = 20 * time.Millisecond
	// The shadow's first look is due (a minute has passed).
	if _, err := db.SQL().Exec(`UPDATE jobs SET run_at = 0 WHERE kind = $1`, whatif.JobShadow); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	n := d.count(t)
	runUntil(t, d, jobs.Config{Workers: 1}, func() bool {
		p, err := d.runner.Progress(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return p.Done == n
	})
	if after := snapshot(t, db); after != before {
		t.Fatal("the shadow run changed the live cases")
	}
	want, err := d.runner.Evaluate(ctx, cand, whatif.Selection{Municipality: "0821"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := whatif.Load(ctx, d.runner.Cases, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode != whatifdb.ModeShadow || got.Progress.Status != whatifdb.StatusRunning {
		t.Fatalf("Mode %q, status %q: want a running shadow", got.Mode, got.Progress.Status)
	}
	if got.Totals.Cases != n || got.Totals.RouteChanged == 0 {
		t.Fatalf("Totals = %+v: want %d cases, some routed otherwise", got.Totals, n)
	}
	sameResult(t, got, want)
	kept, err := d.runner.Cases.ShadowCases(ctx, id, false)
	if err != nil || len(kept) != n {
		t.Fatalf("%d kept comparisons (%v), want %d", len(kept), err, n)
	}
	// The period ends: the next look finds nothing new and finishes.
	if _, err := db.SQL().Exec(`UPDATE whatif_runs SET shadow_until = $1 WHERE id = $2`, db.TimeArg(now.Add(-time.Hour)), id); err != nil {
		t.Fatal(err)
	}
	runUntil(t, d, jobs.Config{Workers: 1}, finished(t, d, id))
	got, err = whatif.Load(ctx, d.runner.Cases, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Progress.Status != whatifdb.StatusDone || got.Totals.Cases != n {
		t.Fatalf("after the period: %+v, %d cases; want done with %d", got.Progress, got.Totals.Cases, n)
	}
	if a := auditActions(t, db, whatifdb.ActionWhatIfRun, id); a != 1 {
		t.Fatalf("%d result audit events, want 1", a)
	}
}

// An administrator can end a shadow run before its period is over: the
// stop is audited with who did it, the period ends then, the run is done
// at the job's next look, and a run that is over cannot be stopped again.
func TestStopShadow(t *testing.T) {
	db := dbtest.Open(t)
	ctx := context.Background()
	d := setup(t, db, 4)
	d.runner.ShadowInterval = 20 * time.Millisecond
	now := d.runner.Cases.Now()
	cand, err := whatif.RoutingCandidate("routing-1000.json", delegationLimit(t, 1000))
	if err != nil {
		t.Fatal(err)
	}
	id, err := d.runner.StartShadow(ctx, "staff:adm1", cand, "0821", now, now.Add(30*24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.runner.StopShadow(ctx, "staff:adm2", "nosuchrun"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("StopShadow of no run: %v, want ENOTFOUND", err)
	}
	replay, err := d.runner.Start(ctx, "staff:adm1", cand, whatif.Selection{Municipality: "0821"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.runner.StopShadow(ctx, "staff:adm2", replay); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("StopShadow of a what-if run: %v, want EINVALID", err)
	}
	if err := d.runner.StopShadow(ctx, "staff:adm2", id); err != nil {
		t.Fatal(err)
	}
	run, err := d.runner.Cases.RunByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if run.ShadowUntil.After(d.runner.Cases.Now()) || run.ShadowUntil.Before(now) {
		t.Fatalf("ShadowUntil = %v, want the time of the stop", run.ShadowUntil)
	}
	evs, err := audit.Trail(ctx, db.SQL(), `action = $1`, false, whatifdb.ActionWhatIfShadowStopped)
	if err != nil || len(evs) != 1 || evs[0].Actor != "staff:adm2" || !strings.Contains(string(evs[0].Data), id) {
		t.Fatalf("audit events of the stop: %+v (%v), want one by staff:adm2 naming the run", evs, err)
	}
	if err := d.runner.StopShadow(ctx, "staff:adm2", id); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("StopShadow twice: %v, want EINVALID", err)
	}
	if _, err := db.SQL().Exec(`UPDATE jobs SET run_at = 0 WHERE kind = $1`, whatif.JobShadow); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * d.runner.ShadowInterval)
	runUntil(t, d, jobs.Config{Workers: 1}, finished(t, d, id))
	if p, err := d.runner.Progress(ctx, id); err != nil || p.Status != whatifdb.StatusDone {
		t.Fatalf("Progress = %+v, %v; want done", p, err)
	}
}

// A run whose candidate no longer reads is kept as failed, with the
// reason and its audit event; its job does not run again.
func TestRunFailsWhenTheCandidateDoesNotRead(t *testing.T) {
	d := setup(t, dbtest.Open(t), 4)
	ctx := context.Background()
	cand, err := whatif.RoutingCandidate("routing-1000.json", delegationLimit(t, 1000))
	if err != nil {
		t.Fatal(err)
	}
	id, err := d.runner.Start(ctx, "staff:adm1", cand, whatif.Selection{Municipality: "0821"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.SQL().Exec(`UPDATE whatif_runs SET candidate = '{' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	runUntil(t, d, jobs.Config{Workers: 1}, finished(t, d, id))
	p, err := d.runner.Progress(ctx, id)
	if err != nil || p.Status != whatifdb.StatusFailed || !strings.Contains(p.Error, "kandidaten kan inte läsas") {
		t.Fatalf("Progress = %+v, %v; want failed, the candidate named", p, err)
	}
	var n int
	if err := d.db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d jobs left (%v)", n, err)
	}
	if a := auditActions(t, d.db, whatifdb.ActionWhatIfRun, id); a != 1 {
		t.Fatalf("%d result audit events, want 1", a)
	}
}
