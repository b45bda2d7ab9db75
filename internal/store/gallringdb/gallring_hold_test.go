package gallringdb_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/gallring"
	"skalig/internal/store"
	"skalig/internal/store/gallringdb"
	"skalig/internal/store/recordsdb"
)

// verdictOf returns the verdict of pn in p.
func verdictOf(t *testing.T, p gallring.Plan, pn skalig.PersonalNumber) gallring.Verdict {
	t.Helper()
	for _, v := range p.Verdicts {
		if v.PN == pn {
			return v
		}
	}
	t.Fatalf("no verdict for %s", pn.Masked())
	return gallring.Verdict{}
}

// TestGallringHolds: an open appeal, an appeal forwarded to the court and
// an open claim (återkrav) keep the akt, with the reason; a resolved
// appeal and a closed claim do not.
func TestGallringHolds(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	f := newGallringFixture(t, db, 4)
	on := skalig.Date{Y: 2026, M: 6, D: 1}
	r := gallring.Default("0821")
	plan, err := gallringdb.New(db).GallringPlan(ctx, r, on)
	if err != nil {
		t.Fatal(err)
	}
	caseOf := func(pn skalig.PersonalNumber) string {
		v := verdictOf(t, plan, pn)
		if len(v.Cases) != 1 {
			t.Fatalf("%s: cases %v", pn.Masked(), v.Cases)
		}
		return v.Cases[0]
	}
	appealed, forwarded, resolved := f.gone[0], f.gone[1], f.gone[2]
	claimed := f.gone[len(f.gone)-1]
	reqs := map[string]*store.ReviewRequest{}
	change := func(id string, fn func(m *store.Moves) error) {
		t.Helper()
		c, err := f.s.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Change(ctx, c, fn); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []person{appealed, forwarded, resolved} {
		id := caseOf(p.pn)
		change(id, func(m *store.Moves) error {
			rq := &store.ReviewRequest{CaseID: id, Municipality: "0821", Kind: store.ReviewKindAppeal, DecisionID: "d-" + id,
				Text: "Jag överklagar.", RequestedBy: "applicant"}
			reqs[string(p.pn)] = rq
			return m.AddReviewRequest(ctx, rq)
		})
	}
	change(caseOf(forwarded.pn), func(m *store.Moves) error {
		return m.ForwardAppeal(ctx, reqs[string(forwarded.pn)].ID, "caseworker:hl-1", "", []byte(`{}`))
	})
	change(caseOf(resolved.pn), func(m *store.Moves) error {
		return m.ResolveReviewRequest(ctx, reqs[string(resolved.pn)].ID, "kept", "caseworker:hl-1", "")
	})
	// A claim: bad input is refused, naming the field, and records nothing.
	var e *skalig.Error
	if _, err := recordsdb.New(db).OpenClaim(ctx, "0821", "19800412-0000", "", "caseworker:hl-1"); !errors.As(err, &e) || !strings.HasPrefix(e.Message, "Personnummer:") {
		t.Fatalf("bad personnummer: %v", err)
	}
	if _, err := recordsdb.New(db).OpenClaim(ctx, "82", claimed.pn, "", "caseworker:hl-1"); !errors.As(err, &e) || !strings.HasPrefix(e.Message, "Kommun:") {
		t.Fatalf("bad municipality: %v", err)
	}
	if cs, err := recordsdb.New(db).Claims(ctx, claimed.pn); err != nil || len(cs) != 0 {
		t.Fatalf("refused claims recorded: %v, %v", cs, err)
	}
	claim, err := recordsdb.New(db).OpenClaim(ctx, "0821", claimed.pn, "Återkrav enligt beslut 2020-03.", "caseworker:hl-1")
	if err != nil {
		t.Fatal(err)
	}
	plan, err = gallringdb.New(db).GallringPlan(ctx, r, on)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[person]string{
		appealed:  "behålls: ett ärende är överklagat eller under omprövning",
		forwarded: "behålls: ett ärende är överklagat eller under omprövning",
		claimed:   "behålls: ett öppet återkrav på personen",
	} {
		if v := verdictOf(t, plan, p.pn); v.Gallras || v.Reasons[0] != want {
			t.Errorf("%s: %+v, want %q", p.name, v, want)
		}
	}
	if v := verdictOf(t, plan, resolved.pn); !v.Gallras {
		t.Errorf("a resolved appeal holds the akt: %+v", v)
	}
	if _, err := recordsdb.New(db).CloseClaim(ctx, claim.ID, "caseworker:hl-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := recordsdb.New(db).CloseClaim(ctx, claim.ID, "caseworker:hl-2"); !errors.As(err, &e) || e.Code != skalig.ECONFLICT {
		t.Fatalf("closing twice: %v", err)
	}
	plan, err = gallringdb.New(db).GallringPlan(ctx, r, on)
	if err != nil {
		t.Fatal(err)
	}
	if v := verdictOf(t, plan, claimed.pn); !v.Gallras {
		t.Errorf("a closed claim holds the akt: %+v", v)
	}
	// The closed claim goes with the person, and so does the record of a
	// registerutdrag the person downloaded (an event without a case).
	if err := recordsdb.New(db).LogRegisterutdrag(ctx, "applicant", "web", "mina_sidor", claimed.pn, []string{caseOf(claimed.pn)}, "pdf"); err != nil {
		t.Fatal(err)
	}
	if hits := searchDB(t, db, []string{string(claimed.pn)}); len(hits) < 3 {
		t.Fatalf("before: %v", hits)
	}
	run, err := gallringdb.New(db).ProposeGallring(ctx, plan, "staff:anna")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:bo"); err != nil {
		t.Fatal(err)
	}
	if _, err := gallringdb.New(db).RunGallring(ctx, run.ID, nil); err != nil {
		t.Fatal(err)
	}
	if cs, err := recordsdb.New(db).Claims(ctx, claimed.pn); err != nil || len(cs) != 0 {
		t.Errorf("the gallrad person's claims are left: %v, %v", cs, err)
	}
	if hits := searchDB(t, db, []string{string(claimed.pn), claimed.name}); len(hits) > 0 {
		t.Errorf("the gallrad claimed person is left: %v", hits)
	}
}

// TestGallringScheduled: the yearly job prepares one run per municipality
// and year however often and from however many processes it is called; the
// run needs two persons, neither "schedule", before it runs.
func TestGallringScheduled(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t)
	f := newGallringFixture(t, db, 3)
	on := skalig.Date{Y: 2027, M: 1, D: 15}
	r := gallring.Default("0821")
	var wg sync.WaitGroup
	ids := make([]string, 4)
	made := make([]bool, 4)
	errs := make([]error, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, m, err := gallringdb.New(db).ScheduleGallring(ctx, r, on)
			if run != nil {
				ids[i] = run.ID
			}
			made[i], errs[i] = m, err
		}()
	}
	wg.Wait()
	n := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if made[i] {
			n++
		}
		if ids[i] != ids[0] || ids[i] == "" {
			t.Fatalf("runs %v", ids)
		}
	}
	if n != 1 {
		t.Fatalf("%d calls made the run", n)
	}
	run, madeAgain, err := gallringdb.New(db).ScheduleGallring(ctx, r, skalig.Date{Y: 2027, M: 3, D: 1})
	if err != nil || madeAgain || run.ID != ids[0] || run.ScheduledYear != 2027 || run.ProposedBy != gallringdb.GallringScheduler || run.State != "proposed" {
		t.Fatalf("again: %+v, %v, %v", run, madeAgain, err)
	}
	if run.PlannedPersons != int64(len(f.gone)) {
		t.Errorf("planned %d persons, want %d", run.PlannedPersons, len(f.gone))
	}
	var count int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM gallring_runs`).Scan(&count); err != nil || count != 1 {
		t.Fatalf("%d runs, %v", count, err)
	}
	var e *skalig.Error
	if _, err := gallringdb.New(db).ProposeGallring(ctx, gallring.Plan{Rules: r, On: on}, gallringdb.GallringScheduler); !errors.As(err, &e) || e.Code != skalig.EINVALID {
		t.Errorf("a person named schedule: %v", err)
	}
	// The first person.
	run, err = gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:anna")
	if err != nil || run.State != "proposed" || run.CheckedBy != "staff:anna" {
		t.Fatalf("first approval: %+v, %v", run, err)
	}
	if _, err := gallringdb.New(db).RunGallring(ctx, run.ID, nil); !errors.As(err, &e) || e.Code != skalig.ECONFLICT {
		t.Fatalf("run after one person: %v", err)
	}
	if _, err := gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:anna"); !errors.As(err, &e) || e.Code != skalig.EFORBIDDEN || !strings.Contains(e.Message, "fyraögonsprincipen") {
		t.Fatalf("the same person twice: %v", err)
	}
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&count); err != nil || count != 7 {
		t.Fatalf("the refusals changed something: %d cases, %v", count, err)
	}
	run, err = gallringdb.New(db).ApproveGallring(ctx, run.ID, "staff:bo")
	if err != nil || run.State != "approved" {
		t.Fatalf("second approval: %+v, %v", run, err)
	}
	run, err = gallringdb.New(db).RunGallring(ctx, run.ID, nil)
	if err != nil || run.State != "done" || run.RemovedCases != 3 {
		t.Fatalf("run: %+v, %v", run, err)
	}
	// Next year's job makes next year's run.
	if next, m, err := gallringdb.New(db).ScheduleGallring(ctx, r, skalig.Date{Y: 2028, M: 1, D: 15}); err != nil || !m || next.ScheduledYear != 2028 || next.PlannedCases != 0 {
		t.Fatalf("2028: %+v, %v, %v", next, m, err)
	}
}
