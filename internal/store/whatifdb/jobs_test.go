package whatifdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/store/storetest"
	"skalig/internal/store/whatifdb"
)

// A started run is kept queued with its job and its start audited; its
// job's steps keep the checkpoint with the next step's job, and the last
// one the run done, audited, in the step's transaction; a shadow run keeps
// each decision it compared once.
func TestRunLifecycle(t *testing.T) {
	db, s := open(t)
	w := whatifdb.New(db)
	ctx := context.Background()
	shadowFrom := w.Now().Add(-time.Second)
	var decided []string
	for i := range 3 {
		app := storetest.App(fmt.Sprintf("L%d", i))
		if i == 2 {
			app.Month = skalig.MonthOf(2026, 5)
			for j := range app.Facts {
				app.Facts[j].Period = app.Month
			}
		}
		c := mustSubmit(t, s, app)
		decided = append(decided, decide(t, db, s, c, app, 1000).ID)
	}
	first, last, n, err := w.MonthSpan(ctx, whatifdb.Selection{Municipality: "0821"})
	if err != nil || n != 3 || first != skalig.MonthOf(2026, 4) || last != skalig.MonthOf(2026, 5) {
		t.Fatalf("MonthSpan = %v, %v, %d, %v; want 2026-04, 2026-05, 3", first, last, n, err)
	}
	if _, _, n, err := w.MonthSpan(ctx, whatifdb.Selection{Municipality: "0180"}); err != nil || n != 0 {
		t.Fatalf("MonthSpan of another municipality: %d, %v", n, err)
	}

	run := &whatifdb.Run{Actor: "staff:adm1", Municipality: "0821", CandidateKind: "engine", CandidateName: "rules/test",
		CandidateDigest: "abc", EngineVersion: "rules/test", Selection: json.RawMessage(`{"municipality":"0821"}`), MaxChanges: 10}
	if err := w.StartRun(ctx, run, jobs.New{Kind: "whatif_run"}); err != nil {
		t.Fatal(err)
	}
	back, err := w.RunByID(ctx, run.ID)
	if err != nil || back.Status != whatifdb.StatusQueued || back.Mode != whatifdb.ModeReplay || back.MaxChanges != 10 {
		t.Fatalf("started run: %+v, %v", back, err)
	}
	var jobsOf int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE kind = 'whatif_run' AND case_id = $1`, whatifdb.JobCase(run.ID)).Scan(&jobsOf); err != nil || jobsOf != 1 {
		t.Fatalf("%d jobs of the run (%v), want 1", jobsOf, err)
	}
	if err := w.SetProgress(ctx, run.ID, 1, 3); err != nil {
		t.Fatal(err)
	}
	if back, _ := w.RunByID(ctx, run.ID); back.Status != whatifdb.StatusRunning || back.Done != 1 || back.Total != 3 {
		t.Fatalf("after SetProgress: %s %d of %d", back.Status, back.Done, back.Total)
	}

	// Two steps: the first keeps 2026-05 as the next month and enqueues
	// the next step; the second finishes.
	steps := 0
	q := db.Queue(jobs.Config{Workers: 1})
	q.Handle("whatif_run", func(ctx context.Context, j *jobs.Job) error {
		steps++
		id := whatifdb.RunOfJob(j.CaseID)
		if steps == 1 {
			return w.Checkpoint(ctx, j, id, whatifdb.Checkpoint{Totals: json.RawMessage(`{"totals":{"cases":2}}`), Cases: 2,
				Done: 2, Total: 3, NextMonth: skalig.MonthOf(2026, 5)})
		}
		r, err := w.RunByID(ctx, id)
		if err != nil {
			return err
		}
		if r.NextMonth != skalig.MonthOf(2026, 5) || r.Done != 2 {
			return jobs.Permanent(errors.New("the second step does not see the first's checkpoint"))
		}
		return w.Checkpoint(ctx, j, id, whatifdb.Checkpoint{Totals: json.RawMessage(`{"totals":{"cases":3}}`), Cases: 3, Changed: 1,
			Changes: json.RawMessage(`[{"case_id":"x"}]`), Done: 3, Total: 3})
	})
	runQueue(t, q, func() bool { r, _ := w.RunByID(ctx, run.ID); return r.Status == whatifdb.StatusDone })
	back, err = w.RunByID(ctx, run.ID)
	if err != nil || steps != 2 || back.Cases != 3 || back.Changed != 1 || back.Done != 3 || back.NextMonth != 0 || string(back.Changes) != `[{"case_id":"x"}]` {
		t.Fatalf("done run after %d steps: %+v, %v", steps, back, err)
	}
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs`).Scan(&jobsOf); err != nil || jobsOf != 0 {
		t.Fatalf("%d jobs left (%v), want 0", jobsOf, err)
	}
	for _, action := range []string{whatifdb.ActionWhatIfStarted, whatifdb.ActionWhatIfRun} {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_trail WHERE action = $1 AND actor = 'staff:adm1'`, action).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d %s events (%v), want 1", n, action, err)
		}
	}
	// SetProgress leaves a finished run alone.
	if err := w.SetProgress(ctx, run.ID, 0, 9); err != nil {
		t.Fatal(err)
	}
	if back, _ := w.RunByID(ctx, run.ID); back.Status != whatifdb.StatusDone || back.Total != 3 {
		t.Fatalf("SetProgress changed a done run: %+v", back)
	}

	// A shadow run's decisions: those of its period it has not compared.
	sh := &whatifdb.Run{Actor: "staff:adm1", Municipality: "0821", CandidateKind: "engine", CandidateName: "rules/test",
		CandidateDigest: "abc", EngineVersion: "rules/test", Mode: whatifdb.ModeShadow,
		ShadowFrom: shadowFrom, ShadowUntil: shadowFrom.Add(time.Hour)}
	if err := w.StartRun(ctx, sh, jobs.New{Kind: "whatif_shadow", RunAt: w.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	page, err := w.ShadowDecisions(ctx, sh.ID, "0821", sh.ShadowFrom, sh.ShadowUntil, 2)
	if err != nil || len(page) != 2 || page[0].DecisionID != decided[0] || len(page[0].Facts) == 0 {
		t.Fatalf("first shadow page: %d decisions, %v", len(page), err)
	}
	if page, err := w.ShadowDecisions(ctx, sh.ID, "0821", sh.ShadowFrom.Add(-2*time.Hour), sh.ShadowFrom.Add(-time.Hour), 10); err != nil || len(page) != 0 {
		t.Fatalf("decisions of an earlier period: %d, %v", len(page), err)
	}
	if _, err := db.SQL().Exec(`UPDATE jobs SET run_at = 0 WHERE kind = 'whatif_shadow'`); err != nil {
		t.Fatal(err)
	}
	q2 := db.Queue(jobs.Config{Workers: 1})
	q2.Handle("whatif_shadow", func(ctx context.Context, j *jobs.Job) error {
		var kept []whatifdb.ShadowCase
		for _, d := range page {
			kept = append(kept, whatifdb.ShadowCase{DecisionID: d.DecisionID, CaseID: d.CaseID, Changed: d.DecisionID == decided[1], Change: json.RawMessage(`{}`)})
		}
		// The same decisions twice: kept once.
		kept = append(kept, kept...)
		return w.Checkpoint(ctx, j, sh.ID, whatifdb.Checkpoint{Shadow: kept, Done: 2, Total: 2})
	})
	runQueue(t, q2, func() bool { r, _ := w.RunByID(ctx, sh.ID); return r.Status == whatifdb.StatusDone })
	all, err := w.ShadowCases(ctx, sh.ID, false)
	if err != nil || len(all) != 2 {
		t.Fatalf("kept shadow cases: %d, %v; want 2", len(all), err)
	}
	if ch, err := w.ShadowCases(ctx, sh.ID, true); err != nil || len(ch) != 1 || ch[0].DecisionID != decided[1] {
		t.Fatalf("changed shadow cases: %+v, %v", ch, err)
	}
	if page, err := w.ShadowDecisions(ctx, sh.ID, "0821", sh.ShadowFrom, sh.ShadowUntil, 10); err != nil || len(page) != 1 || page[0].DecisionID != decided[2] {
		t.Fatalf("left to compare: %d, %v; want the third decision", len(page), err)
	}
	mustVerify(t, db)
}

func runQueue(t *testing.T, q *jobs.Queue, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { q.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the jobs did not finish within 30 s")
		}
	}
}
