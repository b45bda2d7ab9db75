package recordsdb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/store"
	"skalig/internal/store/recordsdb"
)

// TestClaims: a claim is opened on a person, listed, closed once; the
// second close is a conflict and an unknown claim is not found.
func TestClaims(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	recs := recordsdb.New(db)
	const pn = skalig.PersonalNumber("198004129824") // synthetic, serial 98x as in the store's tests
	if err := pn.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := recs.OpenClaim(ctx, "0821", pn, "x", " "); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Errorf("OpenClaim without an actor: %v, want EINVALID", err)
	}
	c, err := recs.OpenClaim(ctx, "0821", pn, "  Återkrav enligt beslut.  ", "caseworker:hl-1")
	if err != nil || !c.Open() || c.Note != "Återkrav enligt beslut." {
		t.Fatalf("OpenClaim = %+v, %v", c, err)
	}
	cs, err := recs.Claims(ctx, pn)
	if err != nil || len(cs) != 1 || cs[0].ID != c.ID || cs[0].PersonalNumber != pn || !cs[0].Open() {
		t.Fatalf("Claims = %+v, %v", cs, err)
	}
	if got, err := recs.CloseClaim(ctx, c.ID, "caseworker:hl-2"); err != nil || got.Open() || got.ClosedBy != "caseworker:hl-2" {
		t.Fatalf("CloseClaim = %+v, %v", got, err)
	}
	if _, err := recs.CloseClaim(ctx, c.ID, "caseworker:hl-2"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("closing twice: %v, want ECONFLICT", err)
	}
	if _, err := recs.CloseClaim(ctx, "no-such", "caseworker:hl-2"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("closing no claim: %v, want ENOTFOUND", err)
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil || n != 0 {
		t.Fatalf("audit.Verify=%d, %v", n, err)
	}
}

// TestLogReadsAndArchive: the reads of many cases are one event a case;
// an archive package records when each case went into it.
func TestLogReadsAndArchive(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	recs := recordsdb.New(db)
	ids := []string{"case-a", "case-b"}
	if err := recs.LogReads(ctx, "cli:replay", ids, "cli", "replay"); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		evs, err := audittest.Events(ctx, db.SQL(), id)
		if err != nil || len(evs) != 1 || evs[0].Action != store.ActionRead {
			t.Errorf("events of %s: %+v, %v; want one read", id, evs, err)
		}
	}
	if err := recs.RecordArchive(ctx, "pkg-1", "0821", ids[:1], "sha", "cli:archive"); err != nil {
		t.Fatal(err)
	}
	at, err := recs.ArchivedAt(ctx, ids)
	if err != nil || len(at) != 1 || at["case-a"].IsZero() {
		t.Errorf("ArchivedAt = %v, %v; want case-a only", at, err)
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil || n != 0 {
		t.Fatalf("audit.Verify=%d, %v", n, err)
	}
}

// TestReadLog: pages given to a ReadLog are logged one event a case, each
// page's then runs after its cases are logged and in the order given, and
// Close waits for all of them; after an error Close returns it and no
// later then runs.
func TestReadLog(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	recs := recordsdb.New(db)
	l := recs.NewReadLog(ctx, "cli:replay", "cli", "replay")
	var order []int
	for p := range 20 {
		ids := []string{fmt.Sprintf("case-%d-a", p), fmt.Sprintf("case-%d-b", p)}
		l.Log(ids, func() {
			for _, id := range ids {
				if evs, err := audittest.Events(ctx, db.SQL(), id); err != nil || len(evs) != 1 {
					t.Errorf("page %d shown before %s's read was logged: %d events, %v", p, id, len(evs), err)
				}
			}
			order = append(order, p)
		})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if len(order) != 20 || !slices.IsSorted(order) {
		t.Errorf("pages run in the order %v, want 0…19", order)
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil || n != 0 {
		t.Fatalf("audit.Verify=%d, %v", n, err)
	}
	// A cancelled context: the log fails, Close says so, nothing more runs.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	l = recs.NewReadLog(cctx, "cli:replay", "cli", "replay")
	ran := false
	l.Log([]string{"case-x"}, func() { ran = true })
	l.Log([]string{"case-y"}, func() { ran = true })
	if err := l.Close(); err == nil || ran {
		t.Errorf("Close = %v, ran %v; want the context's error and nothing run", err, ran)
	}
}

// TestBackup: SQLite is copied to a new file; PostgreSQL is refused (its
// own tools back it up).
func TestBackup(t *testing.T) {
	db := dbtest.Open(t)
	err := recordsdb.New(db).Backup(context.Background(), filepath.Join(t.TempDir(), "copy.db"))
	if db.Dialect() == store.SQLite && err != nil {
		t.Errorf("Backup: %v", err)
	}
	if db.Dialect() == store.Postgres && err == nil {
		t.Errorf("Backup on PostgreSQL: no error")
	}
}
