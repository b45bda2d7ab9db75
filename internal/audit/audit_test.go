package audit_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skalig/internal/audit"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
)

// The same tests run on SQLite and, with SKALIG_TEST_PG, on PostgreSQL.

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// appendOne appends e in a transaction of its own.
func appendOne(tb testing.TB, db *sql.DB, e audit.Event) audit.Event {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	e, err = audit.Append(ctx, tx, e)
	if err != nil {
		tb.Fatalf("Append: %v", err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return e
}

// fill appends n events and returns them.
func fill(tb testing.TB, db *sql.DB, n int) []audit.Event {
	tb.Helper()
	var out []audit.Event
	for i := range n {
		e := audit.Event{
			At: t0.Add(time.Duration(i) * time.Second), Actor: "system", Action: "case.transition",
			CaseID: fmt.Sprintf("case-%d", i%3),
			Data:   json.RawMessage(fmt.Sprintf(`{"to": "fetching", "from": "submitted", "n": %d}`, i)),
		}
		if i%4 == 3 {
			e.CaseID, e.Data = "", nil
		}
		out = append(out, appendOne(tb, db, e))
	}
	return out
}

func verify(tb testing.TB, db *sql.DB) (int64, error) {
	tb.Helper()
	return audittest.Verify(context.Background(), db)
}

func TestAppend(t *testing.T) {
	db := dbtest.Open(t).SQL()
	ctx := context.Background()

	first := appendOne(t, db, audit.Event{
		At: t0, Actor: "applicant", Action: "application.submitted", CaseID: "c1",
		Data: json.RawMessage(`{ "members": 2, "kind": "monthly" }`),
	})
	if first.Seq != 1 || string(first.Data) != `{"kind":"monthly","members":2}` || !first.At.Equal(t0.Truncate(time.Microsecond)) {
		t.Errorf("first event %+v data %s", first, first.Data)
	}
	// The documented format: SHA-256 of nothing || the canonical event,
	// which holds the digest of its canonical data, not the data.
	dsum := sha256.Sum256([]byte(`{"kind":"monthly","members":2}`))
	if first.Digest != hex.EncodeToString(dsum[:]) {
		t.Errorf("first digest %s", first.Digest)
	}
	canon := `{"v":2,"seq":1,"at":"2026-03-02T09:30:00.123456Z","actor":"applicant","action":"application.submitted","case_id":"c1","digest":"` + first.Digest + `"}`
	sum := sha256.Sum256([]byte(canon))
	if want := hex.EncodeToString(sum[:]); first.Hash != want {
		t.Errorf("first hash %s, want %s", first.Hash, want)
	}
	second := appendOne(t, db, audit.Event{At: t0.Add(time.Second), Actor: "system", Action: "case.transition"})
	prev, _ := hex.DecodeString(first.Hash)
	h := sha256.New()
	h.Write(prev)
	nullSum := sha256.Sum256([]byte("null"))
	h.Write([]byte(`{"v":2,"seq":2,"at":"2026-03-02T09:30:01.123456Z","actor":"system","action":"case.transition","case_id":"","digest":"` + hex.EncodeToString(nullSum[:]) + `"}`))
	if want := hex.EncodeToString(h.Sum(nil)); second.Seq != 2 || second.Hash != want {
		t.Errorf("second event seq %d hash %s, want 2 %s", second.Seq, second.Hash, want)
	}

	seq, hash, err := audit.Head(ctx, db)
	if err != nil || seq != 2 || hash != second.Hash {
		t.Errorf("Head()=%d, %s, %v; want 2, %s", seq, hash, err, second.Hash)
	}
	evs, err := audittest.Events(ctx, db, "c1")
	if err != nil || len(evs) != 1 || evs[0].Hash != first.Hash || !evs[0].At.Equal(first.At) || string(evs[0].Data) != string(first.Data) {
		t.Errorf("Events(c1)=%+v, %v", evs, err)
	}
	if n, err := verify(t, db); n != 0 || err != nil {
		t.Errorf("Verify()=%d, %v", n, err)
	}

	t.Run("Rollback", func(t *testing.T) {
		// An event whose transaction rolls back leaves no trace and no gap.
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := audit.Append(ctx, tx, audit.Event{At: t0, Actor: "system", Action: "x"}); err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		third := appendOne(t, db, audit.Event{At: t0, Actor: "system", Action: "y"})
		if third.Seq != 3 {
			t.Errorf("after a rollback Seq=%d, want 3", third.Seq)
		}
		if n, err := verify(t, db); n != 0 || err != nil {
			t.Errorf("Verify()=%d, %v", n, err)
		}
	})

	t.Run("Err", func(t *testing.T) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, e := range []audit.Event{
			{At: t0, Action: "x"},
			{At: t0, Actor: "system"},
			{Actor: "system", Action: "x"},
			{At: t0, Actor: "system", Action: "x", Data: json.RawMessage(`{"a":`)},
		} {
			if _, err := audit.Append(ctx, tx, e); err == nil {
				t.Errorf("Append(%+v): no error", e)
			}
		}
	})
}

func TestVerifyEmpty(t *testing.T) {
	db := dbtest.Open(t).SQL()
	if n, err := verify(t, db); n != 0 || err != nil {
		t.Errorf("Verify() of an empty trail=%d, %v", n, err)
	}
}

// TestVerifyTampered changes the stored trail in the ways someone with
// database access could, and checks that Verify names the first broken
// event each time.
func TestVerifyTampered(t *testing.T) {
	ctx := context.Background()
	const n = 9
	for _, tt := range []struct {
		name string
		sql  string
		args []any
		want int64
	}{
		{"actor edited", `UPDATE audit_events SET actor = 'caseworker:hl-17' WHERE seq = $1`, []any{5}, 5},
		{"action edited", `UPDATE audit_events SET action = 'case.read' WHERE seq = $1`, []any{1}, 1},
		{"data edited", `UPDATE audit_events SET data = '{"from":"submitted","n":6,"to":"decided"}' WHERE seq = $1`, []any{7}, 7},
		{"case edited", `UPDATE audit_events SET case_id = 'case-2' WHERE seq = $1`, []any{2}, 2},
		{"case removed", `UPDATE audit_events SET case_id = NULL WHERE seq = $1`, []any{3}, 3},
		{"hash edited", `UPDATE audit_events SET hash = $2 WHERE seq = $1`, []any{4, fmt.Sprintf("%064x", 1)}, 4},
		{"hash not hex", `UPDATE audit_events SET hash = $2 WHERE seq = $1`, []any{4, "zz"}, 4},
		{"last edited", `UPDATE audit_events SET actor = 'x' WHERE seq = $1`, []any{n}, n},
		{"middle deleted", `DELETE FROM audit_events WHERE seq = $1`, []any{6}, 6},
		{"first deleted", `DELETE FROM audit_events WHERE seq = $1`, []any{1}, 1},
		{"last deleted", `DELETE FROM audit_events WHERE seq = $1`, []any{n}, n},
		{"last three deleted", `DELETE FROM audit_events WHERE seq > $1`, []any{n - 3}, n - 2},
		{"head hash edited", `UPDATE audit_head SET hash = $1`, []any{"00"}, n},
		// Events after the head are not read (they may be appends in
		// progress), so a head set back breaks where it points.
		{"head set back", `UPDATE audit_head SET seq = seq - 1`, nil, n - 1},
		{"renumbered", `UPDATE audit_events SET seq = seq + 100 WHERE seq = $1`, []any{n}, n},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sdb := dbtest.Open(t).SQL()
			fill(t, sdb, n)
			if got, err := verify(t, sdb); got != 0 || err != nil {
				t.Fatalf("before: Verify()=%d, %v", got, err)
			}
			if _, err := sdb.ExecContext(ctx, tt.sql, tt.args...); err != nil {
				t.Fatal(err)
			}
			got, err := verify(t, sdb)
			var be *audit.BrokenError
			if got != tt.want || !errors.As(err, &be) || be.Seq != tt.want {
				t.Errorf("Verify()=%d, %v; want %d and a *BrokenError", got, err, tt.want)
			}
		})
	}

	t.Run("rewritten from an event on", func(t *testing.T) {
		// Rewriting an event and recomputing its own hash still breaks the
		// link to the next one.
		sdb := dbtest.Open(t).SQL()
		evs := fill(t, sdb, n)
		e := evs[3]
		e.Actor = "caseworker:hl-17"
		forged := appendForged(t, evs[2].Hash, e)
		if _, err := sdb.ExecContext(ctx, `UPDATE audit_events SET actor = $1, hash = $2 WHERE seq = 4`, e.Actor, forged); err != nil {
			t.Fatal(err)
		}
		if got, err := verify(t, sdb); got != 5 || err == nil {
			t.Errorf("Verify()=%d, %v; want 5", got, err)
		}
	})
}

// appendForged computes the hash an attacker would give e chained to prev,
// by appending it to a scratch database whose head is set to prev.
func appendForged(tb testing.TB, prev string, e audit.Event) string {
	tb.Helper()
	scratch := dbtest.Open(tb).SQL()
	ctx := context.Background()
	if _, err := scratch.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2`, e.Seq-1, prev); err != nil {
		tb.Fatal(err)
	}
	return appendOne(tb, scratch, e).Hash
}

// TestAppendConcurrent appends from several goroutines at once, each event in
// its own transaction with other work in it, while Verify runs alongside:
// the result is one unbroken chain numbered without gaps, and Verify never
// sees a broken link on the way.
func TestAppendConcurrent(t *testing.T) {
	db := dbtest.Open(t)
	sdb := db.SQL()
	ctx := context.Background()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	var done atomic.Bool
	errs := make(chan error, workers+1)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := func() error {
					tx, err := sdb.BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					if _, err := audit.Append(ctx, tx, audit.Event{
						At: time.Now(), Actor: fmt.Sprintf("worker:%d", w), Action: "test.append",
						CaseID: fmt.Sprintf("case-%d", w), Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)),
					}); err != nil {
						return err
					}
					if i%5 == 4 {
						return nil // rolled back: leaves no gap
					}
					return tx.Commit()
				}()
				if err != nil {
					errs <- fmt.Errorf("worker %d event %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	verifier := make(chan struct{})
	go func() {
		defer close(verifier)
		for !done.Load() {
			if n, err := audittest.Verify(ctx, sdb); err != nil {
				errs <- fmt.Errorf("Verify during appends=%d: %w", n, err)
				return
			}
		}
	}()
	wg.Wait()
	done.Store(true)
	<-verifier
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := int64(workers * (each - each/5))
	seq, _, err := audit.Head(ctx, sdb)
	if err != nil || seq != want {
		t.Errorf("Head()=%d, %v; want %d", seq, err, want)
	}
	var count, maxSeq int64
	if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*), MAX(seq) FROM audit_events`).Scan(&count, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if count != want || maxSeq != want {
		t.Errorf("%d events up to %d, want %d without gaps", count, maxSeq, want)
	}
	if n, err := audittest.Verify(ctx, sdb); n != 0 || err != nil {
		t.Errorf("Verify()=%d, %v", n, err)
	}
	for w := range workers {
		evs, err := audittest.Events(ctx, sdb, fmt.Sprintf("case-%d", w))
		if err != nil || len(evs) != each-each/5 {
			t.Errorf("worker %d: %d events, %v", w, len(evs), err)
		}
	}
	t.Logf("%s: %d events from %d goroutines", db.Dialect(), want, workers)
}

// Pending events (DeferPending) are as durable as their transaction, are
// read with the trail before they are sealed, and Seal chains them after
// events appended directly, in the order it finds them; a rolled-back
// batch leaves nothing. Concurrent sealers seal each event once.
func TestPendingAndSeal(t *testing.T) {
	db := dbtest.Open(t)
	sdb := db.SQL()
	ctx := context.Background()
	fill(t, sdb, 3)

	writePending := func(commit bool, caseID string, n int) {
		t.Helper()
		tx, err := sdb.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		b := audit.DeferPending(tx)
		defer b.Discard()
		for i := range n {
			e, err := audit.Append(ctx, tx, audit.Event{At: t0, Actor: "worker:test", Action: "case.transition",
				CaseID: caseID, Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))})
			if err != nil || e.Seq != 0 {
				t.Fatalf("Append in a pending batch: seq %d, %v", e.Seq, err)
			}
		}
		if err := b.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if commit {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	writePending(true, "case-p", 4)
	writePending(false, "case-p", 2) // rolled back
	writePending(true, "case-q", 2)

	if n, err := audit.Pending(ctx, sdb); err != nil || n != 6 {
		t.Fatalf("Pending()=%d, %v; want 6", n, err)
	}
	evs, err := audittest.Events(ctx, sdb, "case-p")
	if err != nil || len(evs) != 4 || evs[0].Seq != 0 || evs[0].Hash != "" || string(evs[3].Data) != `{"i":3}` {
		t.Fatalf("pending events of case-p: %+v, %v", evs, err)
	}
	// The chain as sealed so far verifies without them.
	if n, err := audittest.Verify(ctx, sdb); n != 0 || err != nil {
		t.Fatalf("Verify before sealing: %d, %v", n, err)
	}

	var wg sync.WaitGroup
	var sealed atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := audit.SealAll(ctx, sdb)
			if err != nil {
				t.Error(err)
			}
			sealed.Add(int64(n))
		}()
	}
	wg.Wait()
	if sealed.Load() != 6 {
		t.Fatalf("sealed %d events, want 6", sealed.Load())
	}
	if n, err := audit.Pending(ctx, sdb); err != nil || n != 0 {
		t.Fatalf("Pending() after sealing = %d, %v", n, err)
	}
	if seq, _, err := audit.Head(ctx, sdb); err != nil || seq != 9 {
		t.Fatalf("Head()=%d, %v; want 9", seq, err)
	}
	if n, err := audittest.Verify(ctx, sdb); n != 0 || err != nil {
		t.Fatalf("Verify after sealing: %d, %v", n, err)
	}
	evs, err = audittest.Events(ctx, sdb, "case-p")
	if err != nil || len(evs) != 4 {
		t.Fatalf("sealed events of case-p: %d, %v", len(evs), err)
	}
	for i, e := range evs {
		if e.Seq != int64(4+i) || e.Hash == "" || string(e.Data) != fmt.Sprintf(`{"i":%d}`, i) {
			t.Errorf("event %d of case-p: seq %d data %s hash %q", i, e.Seq, e.Data, e.Hash)
		}
	}
	// Tampering with a sealed event is found as before.
	if _, err := sdb.ExecContext(ctx, `UPDATE audit_events SET data = '{"i":9}' WHERE seq = 5`); err != nil {
		t.Fatal(err)
	}
	if n, err := audittest.Verify(ctx, sdb); n != 5 {
		t.Fatalf("Verify after tampering: %d, %v; want 5", n, err)
	}
}

// TestAppendEach: AppendEach writes one event a case, with the same data,
// time and actor, as Append one by one would: at once, and in a deferred
// batch; the chain verifies.
func TestAppendEach(t *testing.T) {
	db := dbtest.Open(t).SQL()
	ctx := context.Background()
	ids := []string{"case-a", "case-b", "case-c"}
	e := audit.Event{At: t0, Actor: "hl1", Action: "case.read", CaseID: "ignored", Data: json.RawMessage(`{"what": "x", "via": "cli"}`)}
	for _, deferred := range []bool{false, true} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var b *audit.Batch
		if deferred {
			b = audit.Defer(tx)
		}
		if err := audit.AppendEach(ctx, tx, e, ids); err != nil {
			t.Fatal(err)
		}
		if b != nil {
			if err := b.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		evs, err := audit.Trail(ctx, db, `case_id = $1`, false, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 {
			t.Fatalf("%s: %d events, want 2", id, len(evs))
		}
		for _, ev := range evs {
			if ev.Actor != "hl1" || ev.Action != "case.read" || string(ev.Data) != `{"via":"cli","what":"x"}` || !ev.At.Equal(t0.Truncate(time.Microsecond)) {
				t.Errorf("%s: event %+v", id, ev)
			}
		}
	}
	if seq, err := verify(t, db); err != nil {
		t.Errorf("verify: broken at %d: %v", seq, err)
	}
	if seq, _, err := audit.Head(ctx, db); err != nil || seq != 6 {
		t.Errorf("Head = %d, %v; want 6", seq, err)
	}
	if err := audit.AppendEach(ctx, nil, e, nil); err != nil {
		t.Errorf("no cases: %v", err)
	}
}
