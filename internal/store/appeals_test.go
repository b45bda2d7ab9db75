package store_test

import (
	"context"
	"testing"
	"time"

	"skalig"
	"skalig/internal/store"
)

func TestReviewRequests(t *testing.T) {
	db, s := open(t)
	ctx := context.Background()
	c := mustSubmit(t, s, testApp(t, "rr-1"))
	add := func(r *store.ReviewRequest) {
		t.Helper()
		if _, err := s.Update(ctx, r.CaseID, func(m *store.Moves) error { return m.AddReviewRequest(ctx, r) }); err != nil {
			t.Fatal(err)
		}
	}
	review := &store.ReviewRequest{CaseID: c.ID, Municipality: "0821", Kind: store.ReviewKindReview, DecisionID: "d1",
		Text: "Pröva igen.", RequestedBy: "applicant"}
	add(review)
	notified := db.Now().Add(-time.Hour)
	appeal := &store.ReviewRequest{CaseID: c.ID, Municipality: "0821", Kind: store.ReviewKindAppeal, DecisionID: "d1",
		Text: "Jag överklagar.", RequestedBy: "api:sys", NotifiedAt: notified, Late: true}
	add(appeal)
	add(&store.ReviewRequest{CaseID: c.ID, Municipality: "0880", Kind: store.ReviewKindReview, DecisionID: "d1", Text: "x", RequestedBy: "applicant"})
	if _, err := s.Update(ctx, c.ID, func(m *store.Moves) error {
		return m.AddReviewRequest(ctx, &store.ReviewRequest{CaseID: c.ID, Municipality: "0821", Kind: "complaint"})
	}); err == nil {
		t.Fatal("an unknown kind was stored")
	}

	rs, err := s.ReviewRequests(ctx, "0821")
	if err != nil || len(rs) != 2 {
		t.Fatalf("queue: %v %+v", err, rs)
	}
	if rs[0].ID != review.ID || rs[1].ID != appeal.ID || !rs[1].Late || rs[0].Late || !rs[1].NotifiedAt.Equal(notified.UTC().Truncate(time.Microsecond)) ||
		!rs[0].NotifiedAt.IsZero() || rs[1].Text != "Jag överklagar." || !rs[0].Open() {
		t.Fatalf("queue %+v", rs)
	}
	if n, err := s.ReviewRequestCount(ctx, "0821"); err != nil || n != 2 {
		t.Fatalf("count %d %v", n, err)
	}
	resolve := func(id, res string) error {
		_, err := s.Update(ctx, c.ID, func(m *store.Moves) error { return m.ResolveReviewRequest(ctx, id, res, "caseworker:hl-1", "Rätt.") })
		return err
	}
	if err := resolve(review.ID, store.ResolutionKept); err != nil {
		t.Fatal(err)
	}
	if err := resolve(review.ID, store.ResolutionKept); skalig.ErrorCode(err) != skalig.ECONFLICT {
		t.Fatalf("resolve twice: %v", err)
	}
	if err := resolve("nope", store.ResolutionKept); skalig.ErrorCode(err) != skalig.ENOTFOUND {
		t.Fatalf("resolve unknown: %v", err)
	}
	if n, _ := s.ReviewRequestCount(ctx, "0821"); n != 1 {
		t.Fatalf("count after resolving %d", n)
	}
	got, err := s.ReviewRequest(ctx, review.ID)
	if err != nil || got.Resolution != store.ResolutionKept || got.ResolvedBy != "caseworker:hl-1" || got.ResolvedAt.IsZero() || got.Note != "Rätt." {
		t.Fatalf("resolved %+v %v", got, err)
	}
	all, _ := s.CaseReviewRequests(ctx, c.ID)
	if len(all) != 3 {
		t.Fatalf("case requests %d", len(all))
	}
	evs, _ := s.AuditEvents(ctx, c.ID)
	var actions []string
	for _, e := range evs {
		switch e.Action {
		case store.ActionReviewRequested, store.ActionAppealReceived, store.ActionReviewResolved:
			actions = append(actions, e.Action+" "+e.Actor)
		}
	}
	want := []string{"review.requested applicant", "appeal.received api:sys", "review.requested applicant", "review.resolved caseworker:hl-1"}
	if len(actions) != len(want) {
		t.Fatalf("audit %v", actions)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("audit %v, want %v", actions, want)
		}
	}
}
