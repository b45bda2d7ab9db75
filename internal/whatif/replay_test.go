package whatif_test

import (
	"context"
	"strings"
	"testing"

	"skalig/internal/dbtest"
	"skalig/internal/store/whatifdb"
	"skalig/internal/whatif"
	"skalig/internal/workflow/replay"
)

// TestReplayAll replays every decision in pages on two workers: each
// report is the one Workflow.Replay gives for that decision alone, in
// decision id order; a receipt changed in the database and a decision
// whose amount no longer matches its receipt are the ones that differ.
func TestReplayAll(t *testing.T) {
	d := setup(t, dbtest.Open(t), 24)
	ctx := context.Background()
	var ids []string
	rows, err := d.db.SQL().Query(`SELECT id FROM decisions ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) < 16 {
		t.Fatalf("only %d decisions", len(ids))
	}
	// A receipt's date of calculation changed (its hash no longer matches), and
	// another decision's amount changed.
	if _, err := d.db.SQL().Exec(`UPDATE receipts SET body = REPLACE(body, '"calculated_on":"2026', '"calculated_on":"2025') WHERE hash = (SELECT receipt_hash FROM decisions WHERE id = $1)`, ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.SQL().Exec(`UPDATE decisions SET amount = amount + 100 WHERE id = $1`, ids[2]); err != nil {
		t.Fatal(err)
	}
	rp := &whatif.Replayer{Cases: whatifdb.New(d.db), Workflow: d.wf, Workers: 2, PageSize: 5}
	var got []*replay.Report
	n, err := rp.ReplayAll(ctx, func(reps []*replay.Report) error {
		if len(reps) > 5 {
			t.Errorf("a page of %d reports", len(reps))
		}
		got = append(got, reps...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ids) || len(got) != len(ids) {
		t.Fatalf("replayed %d (%d reports), want %d", n, len(got), len(ids))
	}
	for i, rep := range got {
		if rep.DecisionID != ids[i] {
			t.Fatalf("report %d is of %s, want %s", i, rep.DecisionID, ids[i])
		}
		one, err := d.wf.Replay(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if rep.Identical != one.Identical || rep.HashValid != one.HashValid || rep.CaseID != one.CaseID ||
			strings.Join(rep.Differences, "\n") != strings.Join(one.Differences, "\n") {
			t.Errorf("%s: ReplayAll %+v, Replay %+v", ids[i], rep, one)
		}
		if want := i != 1 && i != 2; rep.Identical != want {
			t.Errorf("%s: identical %v, want %v: %v", ids[i], rep.Identical, want, rep.Differences)
		}
	}
	if got[1].HashValid || !got[2].HashValid {
		t.Errorf("hash valid: changed receipt %v, changed amount %v", got[1].HashValid, got[2].HashValid)
	}
}

// BenchmarkReplayDecision replays the demo households' decisions, read
// once, as a worker of ReplayAll does (hash, compact inputs, calculation
// with its trace, canonical JSON compared): the CPU and allocations of one
// decision without the database. bench/whatif measures ReplayAll over
// 100 000 with the reads and the audit events.
func BenchmarkReplayDecision(b *testing.B) {
	d := setup(b, dbtest.Open(b), 64)
	page, err := whatifdb.New(d.db).DecidedReceipts(context.Background(), whatifdb.Selection{}, "", 1000)
	if err != nil {
		b.Fatal(err)
	}
	rp := &whatif.Replayer{Cases: whatifdb.New(d.db), Workflow: d.wf}
	replayOne := rp.ReplayWorker()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if !replayOne(&page[i%len(page)]) {
			b.Fatalf("decision %s does not replay identically", page[i%len(page)].DecisionID)
		}
		i++
	}
}
