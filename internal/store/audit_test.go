package store_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
)

// TestAuditAcrossGallring takes a database whose trail was begun before
// payloads could be removed (chain format 1) through the migration, adds a
// case, lets the store sign checkpoints, and removes the personal content
// of every event: the trail verifies throughout, against the checkpoints,
// and the personnummer is gone from it.
func TestAuditAcrossGallring(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.DSN(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.MigrateTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	// Three events as the first format wrote them, with a personnummer.
	const pnr = "199004129824"
	at := time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	prev := ""
	for i := int64(1); i <= 3; i++ {
		data := fmt.Sprintf(`{"n":%d,"pnr":%q}`, i, pnr)
		p, _ := hex.DecodeString(prev)
		h := sha256.New()
		h.Write(p)
		fmt.Fprintf(h, `{"seq":%d,"at":%q,"actor":"applicant","action":"application.submitted","case_id":"old","data":%s}`, i, skalig.FormatTime(at), data)
		prev = hex.EncodeToString(h.Sum(nil))
		var atArg any = at
		if db.Dialect() == store.SQLite {
			atArg = skalig.FormatTime(at)
		}
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO audit_events (seq, at, actor, action, case_id, data, hash)
			VALUES ($1, $2, 'applicant', 'application.submitted', 'old', $3, $4)`, i, atArg, data, prev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_head SET seq = 3, hash = $1`, prev); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := audit.VerifyTrail(ctx, db.SQL(), nil)
	if err != nil || r.V1 != 3 || r.Head != 3 {
		t.Fatalf("after the migration: %+v, %v", r, err)
	}

	s := store.NewCaseStore(db)
	c := mustSubmit(t, s, testApp(t, "k1"))
	if _, err := db.SealAudit(ctx); err != nil {
		t.Fatal(err)
	}
	pemKey, err := audit.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := audit.ParsePrivateKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(ed25519.PublicKey)
	db.StartCheckpoints(key, 10*time.Millisecond)
	var cps []audit.Checkpoint
	for deadline := time.Now().Add(5 * time.Second); len(cps) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cps, err = audit.Checkpoints(ctx, db.SQL()); err != nil {
			t.Fatal(err)
		}
	}
	if len(cps) == 0 {
		t.Fatal("no checkpoint written by the store")
	}

	seqs, err := audittest.CaseEvents(ctx, db.SQL(), c.ID)
	if err != nil || len(seqs) == 0 {
		t.Fatalf("CaseEvents=%v, %v", seqs, err)
	}
	seqs = append(seqs, 1, 2, 3)
	n, err := recordsdb.New(db).RemoveAuditPayloads(ctx, seqs)
	if err != nil || n != int64(len(seqs)) {
		t.Fatalf("RemoveAuditPayloads=%d, %v; want %d", n, err, len(seqs))
	}
	if _, _, err := recordsdb.New(db).AuditCheckpoint(ctx, key); err != nil {
		t.Fatal(err)
	}
	cps, err = audit.Checkpoints(ctx, db.SQL())
	if err != nil {
		t.Fatal(err)
	}
	r, err = audit.VerifyTrail(ctx, db.SQL(), pub, audit.CheckpointSource{Name: "the database", Checkpoints: cps})
	if err != nil || r.Removed != int64(len(seqs)) || r.V1 != 3 || r.Checkpoints < 2 || r.LastCheckpoint != r.Head {
		t.Fatalf("after removal: %+v, %v", r, err)
	}
	var left int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_trail WHERE data LIKE $1 OR data LIKE $2`,
		"%"+pnr+"%", "%"+string(testApp(t, "k1").Members[0].PersonalNumber)+"%").Scan(&left); err != nil || left != 0 {
		t.Errorf("%d events still hold a personnummer (%v)", left, err)
	}
}
