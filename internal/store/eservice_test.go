package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"skalig"
	"skalig/internal/audit/audittest"
	"skalig/internal/store"
)

func TestDraftLifecycle(t *testing.T) {
	ctx := context.Background()
	db, cases := open(t)
	drafts := store.NewDraftStore(db)
	applicant := testPN(t, "19870914", 984)
	partner := testPN(t, "19860302", 993)
	month := skalig.MonthOf(2026, 11)

	t.Run("ErrInvalid", func(t *testing.T) {
		err := drafts.CreateDraft(ctx, &store.Draft{Municipality: "0821", Kind: skalig.FirstApplication, Month: month, Data: json.RawMessage(`{}`)})
		if skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("no applicant: %v, want EINVALID", err)
		}
	})

	d := &store.Draft{Municipality: "0821", Applicant: applicant, Kind: skalig.FirstApplication, Month: month, Data: json.RawMessage(`{"a":["1"]}`)}
	if err := drafts.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.ID == "" || d.State != store.DraftOpen || d.Version != 1 {
		t.Fatalf("created %+v", d)
	}
	d, err := drafts.SaveDraft(ctx, d.ID, d.Version, json.RawMessage(`{"a":["2"]}`), partner)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || d.Partner.Canonical() != partner.Canonical() {
		t.Errorf("saved: version %d partner %q", d.Version, d.Partner)
	}
	if _, err := drafts.SaveDraft(ctx, d.ID, 1, json.RawMessage(`{}`), ""); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("stale save: %v, want ECONFLICT", err)
	}
	for _, pn := range []skalig.PersonalNumber{applicant, partner} {
		ds, err := drafts.DraftsOfPerson(ctx, pn)
		if err != nil || len(ds) != 1 || ds[0].ID != d.ID || string(ds[0].Data) != `{"a":["2"]}` {
			t.Errorf("DraftsOfPerson(%s) = %v, %v", pn, ds, err)
		}
	}

	// The applicant signs: the draft waits for the partner and is closed.
	d, err = drafts.SignApplicant(ctx, d.ID, d.Version, "hash1")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != store.DraftAwaitingSignature || !d.Signed(applicant) || d.Signed(partner) {
		t.Fatalf("after the applicant signed: %+v", d)
	}
	if _, err := drafts.SaveDraft(ctx, d.ID, 0, json.RawMessage(`{}`), partner); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("save while awaiting the signature: %v, want ECONFLICT", err)
	}
	if _, err := drafts.MarkSubmitted(ctx, d.ID, "x"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("submitted before the partner signed: %v, want ECONFLICT", err)
	}
	if _, err := drafts.SignPartner(ctx, d.ID, d.Version, applicant, "hash1"); skalig.ErrorCode(err) != skalig.EFORBIDDEN {
		t.Errorf("the applicant signs as partner: %v, want EFORBIDDEN", err)
	}
	if _, err := drafts.SignPartner(ctx, d.ID, d.Version, partner, "other"); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("partner signs other content: %v, want ECONFLICT", err)
	}

	// Taken back for a change, then signed by both.
	if d, err = drafts.Reopen(ctx, d.ID, d.Version, skalig.RoleApplicant); err != nil || d.State != store.DraftOpen || len(d.Signatures) != 0 {
		t.Fatalf("reopen: %+v, %v", d, err)
	}
	if d, err = drafts.SignApplicant(ctx, d.ID, d.Version, "hash2"); err != nil {
		t.Fatal(err)
	}
	if d, err = drafts.SignPartner(ctx, d.ID, d.Version, partner, "hash2"); err != nil {
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
	if d, err = drafts.MarkSubmitted(ctx, d.ID, c.ID); err != nil || d.State != store.DraftSubmitted || d.CaseID != c.ID {
		t.Fatalf("MarkSubmitted: %+v, %v", d, err)
	}
	if d2, err := drafts.MarkSubmitted(ctx, d.ID, c.ID); err != nil || d2.Version != d.Version {
		t.Errorf("MarkSubmitted again: %v (version %d→%d)", err, d.Version, d2.Version)
	}
	if err := drafts.DeleteDraft(ctx, d.ID); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Errorf("delete a submitted draft: %v, want ECONFLICT", err)
	}
	evs, err := cases.AuditEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		found = found || e.Action == store.ActionDraftSubmitted
	}
	if !found {
		t.Errorf("no %s event on the case: %+v", store.ActionDraftSubmitted, evs)
	}
	if n, err := audittest.Verify(ctx, db.SQL()); err != nil {
		t.Errorf("audit chain (%d events): %v", n, err)
	}
}

func TestDeleteDrafts(t *testing.T) {
	ctx := context.Background()
	db, _ := open(t)
	drafts := store.NewDraftStore(db)
	pn := testPN(t, "19900412", 982)
	d := &store.Draft{Municipality: "0821", Applicant: pn, Kind: skalig.MonthlyApplication, Month: skalig.MonthOf(2026, 12), Data: json.RawMessage(`{}`)}
	if err := drafts.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := drafts.DeleteDraft(ctx, "nope"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("delete missing: %v, want ENOTFOUND", err)
	}
	if n, err := drafts.DeleteStaleDrafts(ctx, d.UpdatedAt); err != nil || n != 0 {
		t.Errorf("stale before it was made: %d, %v", n, err)
	}
	if err := drafts.DeleteDraft(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := drafts.Draft(ctx, d.ID); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Errorf("deleted draft: %v, want ENOTFOUND", err)
	}
}
