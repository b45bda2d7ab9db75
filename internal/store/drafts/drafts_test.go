package drafts_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/store"
	"skalig/internal/store/drafts"
	"skalig/internal/store/storetest"
)

func TestDraftLifecycle(t *testing.T) {
	ctx := context.Background()
	db, cases := open(t)
	ds := drafts.New(db)
	applicant := storetest.PN("19870914", 984)
	partner := storetest.PN("19860302", 993)
	month := skalig.MonthOf(2026, 11)

	t.Run("ErrInvalid", func(t *testing.T) {
		err := ds.CreateDraft(ctx, &skalig.Draft{Municipality: "0821", Kind: skalig.FirstApplication, Month: month, Data: json.RawMessage(`{}`)})
		if skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("no applicant: %v, want EINVALID", err)
		}
	})

	d := &skalig.Draft{Municipality: "0821", Applicant: applicant, Kind: skalig.FirstApplication, Month: month, Data: json.RawMessage(`{"a":["1"]}`)}
	if err := ds.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.ID == "" || d.State != skalig.DraftOpen || d.Version != 1 {
		t.Fatalf("created %+v", d)
	}
	d, err := ds.SaveDraft(ctx, d.ID, d.Version, json.RawMessage(`{"a":["2"]}`), partner)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || d.Partner.Canonical() != partner.Canonical() {
		t.Errorf("saved: version %d partner %q", d.Version, d.Partner)
	}
	if _, err := ds.SaveDraft(ctx, d.ID, 1, json.RawMessage(`{}`), ""); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("stale save: %v, want ECONFLICT", err)
	}
	for _, pn := range []skalig.PersonalNumber{applicant, partner} {
		ds, err := ds.DraftsOfPerson(ctx, pn)
		if err != nil || len(ds) != 1 || ds[0].ID != d.ID || string(ds[0].Data) != `{"a":["2"]}` {
			t.Errorf("DraftsOfPerson(%s) = %v, %v", pn, ds, err)
		}
	}

	// The applicant signs: the draft waits for the partner and is closed.
	d, err = ds.SignApplicant(ctx, d.ID, d.Version, "hash1", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != skalig.DraftAwaitingSignature || !d.Signed(applicant) || d.Signed(partner) {
		t.Fatalf("after the applicant signed: %+v", d)
	}
	if _, err := ds.SaveDraft(ctx, d.ID, 0, json.RawMessage(`{}`), partner); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("save while awaiting the signature: %v, want ECONFLICT", err)
	}
	if _, err := ds.MarkSubmitted(ctx, d.ID, "x"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("submitted before the partner signed: %v, want ECONFLICT", err)
	}
	if _, err := ds.SignPartner(ctx, d.ID, d.Version, applicant, "hash1", ""); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Errorf("the applicant signs as partner: %v, want EFORBIDDEN", err)
	}
	if _, err := ds.SignPartner(ctx, d.ID, d.Version, partner, "other", ""); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("partner signs other content: %v, want ECONFLICT", err)
	}

	// Taken back for a change, then signed by both.
	if d, err = ds.Reopen(ctx, d.ID, d.Version, skalig.RoleApplicant); err != nil || d.State != skalig.DraftOpen || len(d.Signatures) != 0 {
		t.Fatalf("reopen: %+v, %v", d, err)
	}
	if d, err = ds.SignApplicant(ctx, d.ID, d.Version, "hash2", ""); err != nil {
		t.Fatal(err)
	}
	if d, err = ds.SignPartner(ctx, d.ID, d.Version, partner, "hash2", ""); err != nil {
		t.Fatal(err)
	}
	if !d.Signed(partner) || !d.Signed(applicant) {
		t.Fatalf("signatures %+v", d.Signatures)
	}

	app := &skalig.Application{Municipality: "0821", Kind: skalig.FirstApplication, Month: month, IdempotencyKey: "eservice-" + d.ID,
		Members: []skalig.Member{{ID: "p1", PersonalNumber: applicant, Role: skalig.RoleApplicant}, {ID: "p2", PersonalNumber: partner, Role: skalig.RolePartner}}}
	c, _, err := cases.SubmitApplication(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = ds.MarkSubmitted(ctx, d.ID, c.ID); err != nil || d.State != skalig.DraftSubmitted || d.CaseID != c.ID {
		t.Fatalf("MarkSubmitted: %+v, %v", d, err)
	}
	if d2, err := ds.MarkSubmitted(ctx, d.ID, c.ID); err != nil || d2.Version != d.Version {
		t.Errorf("MarkSubmitted again: %v (version %d→%d)", err, d.Version, d2.Version)
	}
	if err := ds.DeleteDraft(ctx, d.ID); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("delete a submitted draft: %v, want ECONFLICT", err)
	}
	evs, err := cases.AuditEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		found = found || e.Action == drafts.ActionDraftSubmitted
	}
	if !found {
		t.Errorf("no %s event on the case: %+v", drafts.ActionDraftSubmitted, evs)
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil {
		t.Errorf("audit chain (%d events): %v", n, err)
	}
}

func TestDeleteDrafts(t *testing.T) {
	ctx := context.Background()
	db, _ := open(t)
	ds := drafts.New(db)
	pn := storetest.PN("19900412", 982)
	d := &skalig.Draft{Municipality: "0821", Applicant: pn, Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2026, 12), Data: json.RawMessage(`{}`)}
	if err := ds.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := ds.DeleteDraft(ctx, "nope"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("delete missing: %v, want ENOTFOUND", err)
	}
	if n, err := ds.DeleteStaleDrafts(ctx, d.UpdatedAt); err != nil || n != 0 {
		t.Errorf("stale before it was made: %d, %v", n, err)
	}
	if err := ds.DeleteDraft(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Draft(ctx, d.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("deleted draft: %v, want ENOTFOUND", err)
	}
}

// open returns a fresh database with a clock that moves on a millisecond
// at each reading, and its CaseStore.
func open(tb testing.TB) (*store.DB, *store.CaseStore) {
	tb.Helper()
	db := dbtest.Open(tb)
	var mu sync.Mutex
	t := time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)
	db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Millisecond)
		return t
	}
	return db, store.NewCaseStore(db)
}
