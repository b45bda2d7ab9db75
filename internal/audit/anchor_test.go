package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
)

// testKey returns a fresh signing key, as a key file would hold it.
func testKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	p, err := audit.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	key, err := audit.ParsePrivateKey(p)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

func pubOf(key ed25519.PrivateKey) ed25519.PublicKey { return key.Public().(ed25519.PublicKey) }

func removePayloads(tb testing.TB, db *sql.DB, seqs ...int64) (int64, error) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	n, err := audit.RemovePayloads(ctx, tx, seqs)
	if err != nil {
		return n, err
	}
	return n, tx.Commit()
}

func verifyTrail(tb testing.TB, db *sql.DB, pub ed25519.PublicKey, srcs ...audit.CheckpointSource) (audit.Report, error) {
	tb.Helper()
	return audit.VerifyTrail(context.Background(), db, pub, srcs...)
}

// TestRemovePayloads removes the payloads of one case's events, as
// gallring will: the personal data is gone from the table, the chain still
// verifies and counts them, and what is left is still protected.
func TestRemovePayloads(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t).SQL()
	const n = 9
	fill(t, db, n)
	seqs, err := audittest.CaseEvents(ctx, db, "case-1")
	if err != nil || len(seqs) != 2 { // events 2 and 5 (8 has no case)
		t.Fatalf("CaseEvents(case-1)=%v, %v", seqs, err)
	}
	if got, err := removePayloads(t, db, seqs...); got != 2 || err != nil {
		t.Fatalf("RemovePayloads=%d, %v; want 2", got, err)
	}
	// Again: nothing more to remove; an unknown number is passed over.
	if got, err := removePayloads(t, db, append(seqs, 999)...); got != 0 || err != nil {
		t.Errorf("RemovePayloads again=%d, %v; want 0", got, err)
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE data IS NOT NULL AND case_id = 'case-1'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("payloads of case-1 left: %d, %v", left, err)
	}
	r, err := verifyTrail(t, db, nil)
	if err != nil || r.Removed != 2 || r.Head != n || r.V1 != 0 {
		t.Errorf("VerifyTrail=%+v, %v; want 2 removed of %d", r, err, n)
	}
	evs, err := audittest.Events(ctx, db, "case-1")
	if err != nil || len(evs) != 2 || evs[0].Data != nil || evs[0].Hash == "" {
		t.Errorf("Events(case-1)=%+v, %v; want two without data", evs, err)
	}

	for _, tt := range []struct {
		name string
		sql  string
		want int64
	}{
		// A payload put back (or changed) must be the one the digest names.
		{"payload put back", `UPDATE audit_events SET data = '{"n":1}' WHERE seq = 2`, 2},
		{"kept payload edited", `UPDATE audit_events SET data = '{"n":3}' WHERE seq = 3`, 3},
		{"removed event's actor edited", `UPDATE audit_events SET actor = 'x' WHERE seq = 5`, 5},
		{"digest edited", `UPDATE audit_events SET digest = '00' WHERE seq = 5`, 5},
		{"digest removed", `UPDATE audit_events SET digest = NULL WHERE seq = 5`, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, tt.sql); err != nil {
				t.Fatal(err)
			}
			_, err = audit.VerifyTrail(ctx, tx, nil)
			var be *audit.BrokenError
			if !errors.As(err, &be) || be.Seq != tt.want {
				t.Errorf("VerifyTrail: %v; want broken at %d", err, tt.want)
			}
		})
	}
}

// v1Hash is the first format's hash, as documented before the second.
func v1Hash(prev string, seq int64, at time.Time, actor, action, caseID, data string) string {
	p, _ := hex.DecodeString(prev)
	h := sha256.New()
	h.Write(p)
	fmt.Fprintf(h, `{"seq":%d,"at":%q,"actor":%q,"action":%q,"case_id":%q,"data":%s}`,
		seq, skalig.FormatTime(at), actor, action, caseID, data)
	return hex.EncodeToString(h.Sum(nil))
}

// writeV1 writes n events as the first format wrote them (a database from
// before the second), and the head.
func writeV1(tb testing.TB, db *sql.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	prev := ""
	for i := 1; i <= n; i++ {
		at := t0.Add(time.Duration(i) * time.Second).Truncate(time.Microsecond)
		data := fmt.Sprintf(`{"n":%d,"pnr":"19121212121%d"}`, i, i%10)
		caseID := fmt.Sprintf("old-%d", i%2)
		prev = v1Hash(prev, int64(i), at, "system", "case.transition", caseID, data)
		var atArg any = at
		if dbtest.Dialect() == "sqlite" {
			atArg = skalig.FormatTime(at)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO audit_events (seq, at, actor, action, case_id, data, hash)
			VALUES ($1, $2, 'system', 'case.transition', $3, $4, $5)`, i, atArg, caseID, data, prev); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2`, n, prev); err != nil {
		tb.Fatal(err)
	}
}

// TestFirstFormat: a trail begun before the second format keeps verifying,
// new events chain onto it, and once a manifest covers the old events
// their payloads can be removed too.
func TestFirstFormat(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t).SQL()
	writeV1(t, db, 6)
	fill(t, db, 4) // events 7-10 in the second format
	r, err := verifyTrail(t, db, nil)
	if err != nil || r.V1 != 6 || r.Head != 10 {
		t.Fatalf("VerifyTrail=%+v, %v; want 6 first-format events of 10", r, err)
	}
	// An old event changed in place is still caught.
	func() {
		tx, _ := db.BeginTx(ctx, nil)
		defer tx.Rollback()
		tx.ExecContext(ctx, `UPDATE audit_events SET data = '{"n":3}' WHERE seq = 3`)
		if _, err := audit.VerifyTrail(ctx, tx, nil); err == nil || !strings.Contains(err.Error(), "event 3") {
			t.Errorf("first-format event edited: %v", err)
		}
	}()
	// Not removable before a manifest covers them.
	if _, err := removePayloads(t, db, 2); err == nil {
		t.Error("RemovePayloads of an uncovered first-format event: no error")
	}
	covered, err := audit.CoverV1(ctx, db, t0.Add(time.Hour))
	if err != nil || covered != 6 {
		t.Fatalf("CoverV1=%d, %v; want 6", covered, err)
	}
	if again, err := audit.CoverV1(ctx, db, t0.Add(time.Hour)); again != 0 || err != nil {
		t.Errorf("CoverV1 again=%d, %v; want 0", again, err)
	}
	// The manifest is event 11, and its payload is not removable.
	if _, err := removePayloads(t, db, 11); err == nil {
		t.Error("RemovePayloads of the manifest: no error")
	}
	if n, err := removePayloads(t, db, 1, 2, 4, 8); n != 4 || err != nil {
		t.Fatalf("RemovePayloads=%d, %v; want 4", n, err)
	}
	r, err = verifyTrail(t, db, nil)
	if err != nil || r.Removed != 4 || r.V1 != 6 || r.Head != 11 {
		t.Fatalf("after removal VerifyTrail=%+v, %v", r, err)
	}
	var pnrs int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE data LIKE '%191212121211%'`).Scan(&pnrs)
	if pnrs != 0 {
		t.Errorf("the personnummer of event 1 is still in the trail")
	}
	for _, tt := range []struct {
		name string
		sql  string
		want int64
	}{
		// The hash of a removed first-format event cannot be recomputed:
		// the manifest vouches for what is left of it.
		{"removed old event's actor edited", `UPDATE audit_events SET actor = 'x' WHERE seq = 2`, 11},
		{"removed old event's hash edited", `UPDATE audit_events SET hash = '` + strings.Repeat("0", 64) + `' WHERE seq = 4`, 5},
		{"manifest payload edited", `UPDATE audit_events SET data = '{"count":6,"digest":"00"}' WHERE seq = 11`, 11},
		{"manifest payload removed", `UPDATE audit_events SET data = NULL WHERE seq = 11`, 11},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, tt.sql); err != nil {
				t.Fatal(err)
			}
			_, err = audit.VerifyTrail(ctx, tx, nil)
			var be *audit.BrokenError
			if !errors.As(err, &be) || be.Seq != tt.want {
				t.Errorf("VerifyTrail: %v; want broken at %d", err, tt.want)
			}
		})
	}
}

// rechain is the attack on an unanchored chain: from event from on, every
// hash is recomputed (second format, as documented) and the head set to
// the last, so that a change to event from verifies as a chain.
func rechain(tb testing.TB, db *sql.DB, from int64) {
	tb.Helper()
	ctx := context.Background()
	var prev string
	if from > 1 {
		if err := db.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE seq = $1`, from-1).Scan(&prev); err != nil {
			tb.Fatal(err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT seq, at, actor, action, COALESCE(case_id, ''), digest FROM audit_events WHERE seq >= $1 ORDER BY seq`, from)
	if err != nil {
		tb.Fatal(err)
	}
	type ev struct {
		seq                          int64
		at, actor, action, cid, dgst string
	}
	var evs []ev
	for rows.Next() {
		var e ev
		var at any
		if err := rows.Scan(&e.seq, &at, &e.actor, &e.action, &e.cid, &e.dgst); err != nil {
			tb.Fatal(err)
		}
		switch a := at.(type) {
		case time.Time:
			e.at = skalig.FormatTime(a)
		case string:
			e.at = a
		case []byte:
			e.at = string(a)
		}
		evs = append(evs, e)
	}
	rows.Close()
	for _, e := range evs {
		p, _ := hex.DecodeString(prev)
		h := sha256.New()
		h.Write(p)
		fmt.Fprintf(h, `{"v":2,"seq":%d,"at":%q,"actor":%q,"action":%q,"case_id":%q,"digest":%q}`, e.seq, e.at, e.actor, e.action, e.cid, e.dgst)
		prev = hex.EncodeToString(h.Sum(nil))
		if _, err := db.ExecContext(ctx, `UPDATE audit_events SET hash = $1 WHERE seq = $2`, prev, e.seq); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE audit_head SET hash = $1`, prev); err != nil {
		tb.Fatal(err)
	}
}

// TestCheckpointsCatchRewrite is the attack of the security review: an old
// event rewritten and every later hash and the head recomputed passes as a
// chain, but not against the checkpoints signed before; nor when the
// attacker also rewrites the checkpoint table, against the exported file.
func TestCheckpointsCatchRewrite(t *testing.T) {
	ctx := context.Background()
	key := testKey(t)
	pub := pubOf(key)
	setup := func(t *testing.T) (*sql.DB, []audit.Checkpoint) {
		db := dbtest.Open(t).SQL()
		if _, wrote, err := audit.WriteCheckpoint(ctx, db, key, t0); wrote || err != nil {
			t.Fatalf("checkpoint of an empty trail: %v, %v", wrote, err)
		}
		fill(t, db, 8)
		if c, wrote, err := audit.WriteCheckpoint(ctx, db, key, t0.Add(time.Minute)); !wrote || err != nil || c.Seq != 8 {
			t.Fatalf("WriteCheckpoint=%+v, %v, %v", c, wrote, err)
		}
		if _, wrote, err := audit.WriteCheckpoint(ctx, db, key, t0.Add(2*time.Minute)); wrote || err != nil {
			t.Fatalf("checkpoint at the same head: wrote %v, %v", wrote, err)
		}
		for i := range 6 {
			appendOne(t, db, audit.Event{At: t0.Add(time.Hour + time.Duration(i)*time.Second), Actor: "system", Action: "case.read",
				CaseID: "case-9", Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))})
		}
		if c, wrote, err := audit.WriteCheckpoint(ctx, db, key, t0.Add(2*time.Hour)); !wrote || err != nil || c.Seq != 14 {
			t.Fatalf("WriteCheckpoint=%+v, %v, %v", c, wrote, err)
		}
		fill(t, db, 3)
		cps, err := audit.Checkpoints(ctx, db)
		if err != nil || len(cps) != 2 {
			t.Fatalf("Checkpoints=%+v, %v", cps, err)
		}
		// Exported, and read back as a second system would.
		var file bytes.Buffer
		if err := audit.WriteCheckpoints(&file, cps); err != nil {
			t.Fatal(err)
		}
		exported, err := audit.ReadCheckpoints(&file)
		if err != nil || len(exported) != 2 {
			t.Fatalf("ReadCheckpoints=%+v, %v", exported, err)
		}
		r, err := verifyTrail(t, db, pub, audit.CheckpointSource{Name: "the database", Checkpoints: cps},
			audit.CheckpointSource{Name: "export.jsonl", Checkpoints: exported})
		if err != nil || r.Checkpoints != 4 || r.LastCheckpoint != 14 || r.Head != 17 {
			t.Fatalf("before the attack: VerifyTrail=%+v, %v", r, err)
		}
		return db, exported
	}
	fromDB := func(t *testing.T, db *sql.DB) audit.CheckpointSource {
		cps, err := audit.Checkpoints(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return audit.CheckpointSource{Name: "the database", Checkpoints: cps}
	}
	// attack rewrites event 5's payload (a decision's amount, say) and
	// digest, and rechains from it.
	attack := func(t *testing.T, db *sql.DB) {
		data := `{"amount":999999}`
		d, err := audit.Digest(json.RawMessage(data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE audit_events SET data = $1, digest = $2 WHERE seq = 5`, data, d); err != nil {
			t.Fatal(err)
		}
		rechain(t, db, 5)
		if n, err := verify(t, db); n != 0 || err != nil {
			t.Fatalf("the rewritten chain should verify as a chain: %d, %v", n, err)
		}
	}
	wantFail := func(t *testing.T, err error, source string, seq int64, reason string) {
		t.Helper()
		var ce *audit.CheckpointError
		if !errors.As(err, &ce) || ce.Source != source || ce.Seq != seq || !strings.Contains(ce.Reason, reason) {
			t.Errorf("VerifyTrail: %v; want checkpoint %d of %s failing: %s", err, seq, source, reason)
		}
	}

	t.Run("rewritten", func(t *testing.T) {
		db, _ := setup(t)
		attack(t, db)
		_, err := verifyTrail(t, db, pub, fromDB(t, db))
		wantFail(t, err, "the database", 8, "rewritten")
	})
	t.Run("checkpoints rewritten too", func(t *testing.T) {
		db, exported := setup(t)
		attack(t, db)
		// The attacker puts the new hashes in the table, but cannot sign them.
		if _, err := db.ExecContext(ctx, `UPDATE audit_checkpoints SET hash = (SELECT hash FROM audit_events WHERE seq = audit_checkpoints.seq)`); err != nil {
			t.Fatal(err)
		}
		_, err := verifyTrail(t, db, pub, fromDB(t, db))
		wantFail(t, err, "the database", 8, "signature")
		_, err = verifyTrail(t, db, pub, audit.CheckpointSource{Name: "export.jsonl", Checkpoints: exported})
		wantFail(t, err, "export.jsonl", 8, "rewritten")
	})
	t.Run("checkpoints deleted", func(t *testing.T) {
		db, exported := setup(t)
		attack(t, db)
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_checkpoints`); err != nil {
			t.Fatal(err)
		}
		if r, err := verifyTrail(t, db, pub, fromDB(t, db)); err != nil || r.Checkpoints != 0 {
			t.Fatalf("no checkpoints left: %+v, %v", r, err)
		}
		_, err := verifyTrail(t, db, pub, fromDB(t, db), audit.CheckpointSource{Name: "export.jsonl", Checkpoints: exported})
		wantFail(t, err, "export.jsonl", 8, "rewritten")
	})
	t.Run("re-signed with another key", func(t *testing.T) {
		db, _ := setup(t)
		attack(t, db)
		other := testKey(t)
		if _, err := db.ExecContext(ctx, `DELETE FROM audit_checkpoints`); err != nil {
			t.Fatal(err)
		}
		if _, _, err := audit.WriteCheckpoint(ctx, db, other, t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		_, err := verifyTrail(t, db, pub, fromDB(t, db))
		wantFail(t, err, "the database", 17, "signed with key")
	})
	t.Run("truncated", func(t *testing.T) {
		// The last events deleted and the head set back to event 12: the
		// checkpoint at 14 names the loss.
		db, exported := setup(t)
		var h string
		db.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE seq = 12`).Scan(&h)
		db.ExecContext(ctx, `DELETE FROM audit_events WHERE seq > 12`)
		db.ExecContext(ctx, `UPDATE audit_head SET seq = 12, hash = $1`, h)
		db.ExecContext(ctx, `DELETE FROM audit_checkpoints WHERE seq > 12`)
		if n, err := verify(t, db); n != 0 || err != nil {
			t.Fatalf("the truncated chain should verify as a chain: %d, %v", n, err)
		}
		_, err := verifyTrail(t, db, pub, fromDB(t, db), audit.CheckpointSource{Name: "export.jsonl", Checkpoints: exported})
		wantFail(t, err, "export.jsonl", 14, "ends at event 12")
	})
	t.Run("no key", func(t *testing.T) {
		db, _ := setup(t)
		_, err := verifyTrail(t, db, nil, fromDB(t, db))
		wantFail(t, err, "the database", 8, "no public key")
	})
	t.Run("payloads removed", func(t *testing.T) {
		// Gallring after the checkpoints: they still verify.
		db, exported := setup(t)
		if n, err := removePayloads(t, db, 1, 2, 3, 4, 9, 10); n != 6 || err != nil {
			t.Fatalf("RemovePayloads=%d, %v", n, err)
		}
		r, err := verifyTrail(t, db, pub, fromDB(t, db), audit.CheckpointSource{Name: "export.jsonl", Checkpoints: exported})
		if err != nil || r.Removed != 6 || r.Checkpoints != 4 {
			t.Errorf("after removal: %+v, %v", r, err)
		}
	})
}

func TestKeys(t *testing.T) {
	p, err := audit.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := audit.ParsePrivateKey(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"private": p, "public": audit.PublicKeyPEM(pubOf(key))} {
		pub, err := audit.ParsePublicKey(b)
		if err != nil || !pub.Equal(pubOf(key)) {
			t.Errorf("ParsePublicKey(%s)=%v, %v", name, pub, err)
		}
	}
	for _, bad := range []string{"", "not pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := audit.ParsePrivateKey([]byte(bad)); err == nil {
			t.Errorf("ParsePrivateKey(%q): no error", bad)
		}
		if _, err := audit.ParsePublicKey([]byte(bad)); err == nil {
			t.Errorf("ParsePublicKey(%q): no error", bad)
		}
	}
	if _, err := audit.ReadCheckpoints(strings.NewReader("{\"seq\":1}\nnot json\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("ReadCheckpoints of a bad file: %v", err)
	}
}
