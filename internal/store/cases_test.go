package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/audit/audittest"
	"skalig/internal/dbtest"
	"skalig/internal/store"
)

// The same tests run on SQLite and, with SKALIG_TEST_PG, on PostgreSQL.

// clock is a test clock that moves one millisecond each time it is read, so
// that IDs made from it sort in the order they were made.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// open returns a fresh database with a test clock and its CaseStore.
func open(tb testing.TB) (*store.DB, *store.CaseStore) {
	tb.Helper()
	db := dbtest.Open(tb)
	db.Now = newClock().Now
	return db, store.NewCaseStore(db)
}

// testPN returns a synthetic personal number for YYYYMMDD and a birth
// number, with the check digit computed.
func testPN(tb testing.TB, yyyymmdd string, serial int) skalig.PersonalNumber {
	tb.Helper()
	nine := yyyymmdd[2:] + fmt.Sprintf("%03d", serial)
	sum := 0
	for i, c := range nine {
		d := int(c - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	p := skalig.PersonalNumber(yyyymmdd + fmt.Sprintf("%03d%d", serial, (10-sum%10)%10))
	if err := p.Validate(); err != nil {
		tb.Fatalf("testPN(%s, %d): %v", yyyymmdd, serial, err)
	}
	return p
}

// testApp returns a valid monthly re-application with key key.
func testApp(tb testing.TB, key string) *skalig.Application {
	tb.Helper()
	return &skalig.Application{
		Municipality: "0821",
		Kind:         skalig.MonthlyApplication,
		Month:        skalig.MonthOf(2026, 4),
		Members: []skalig.Member{
			{ID: "p1", PersonalNumber: testPN(tb, "19900412", 982), Role: skalig.RoleApplicant},
			{ID: "c1", PersonalNumber: testPN(tb, "20180983", 983), Role: skalig.RoleChild},
		},
		Facts: []skalig.Fact{
			{Kind: "cost.housing", Period: skalig.MonthOf(2026, 4), Value: skalig.AmountValue(skalig.Kronor(7400) + 50), Source: skalig.SourceApplicant},
			{Kind: "flag.eviction_notice", Period: skalig.MonthOf(2026, 4), Value: skalig.TextValue("nej"), Source: skalig.SourceApplicant},
			{Kind: "income.child_allowance", PersonID: "c1", Period: skalig.MonthOf(2026, 3), Value: skalig.AmountValue(skalig.Kronor(1250)),
				Source: skalig.SourceApplicant, At: time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))},
		},
		IdempotencyKey: key,
	}
}

func mustSubmit(tb testing.TB, s *store.CaseStore, app *skalig.Application) *skalig.Case {
	tb.Helper()
	c, _, err := s.SubmitApplication(context.Background(), app)
	if err != nil {
		tb.Fatalf("SubmitApplication: %v", err)
	}
	return c
}

func mustTransition(tb testing.TB, s *store.CaseStore, c *skalig.Case, to skalig.CaseState, reason string) *skalig.Case {
	tb.Helper()
	n, err := s.TransitionCase(context.Background(), skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: to, Reason: reason, Actor: "system"})
	if err != nil {
		tb.Fatalf("TransitionCase(%s → %s): %v", c.State, to, err)
	}
	return n
}

// mustVerify fails tb unless the audit chain of db verifies.
func mustVerify(tb testing.TB, db *store.DB) {
	tb.Helper()
	if n, err := audittest.Verify(context.Background(), db.SQL()); err != nil || n != 0 {
		tb.Fatalf("audit.Verify=%d, %v", n, err)
	}
}

func TestSubmitApplication(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, s := open(t)
		app := testApp(t, "k1")
		c, created, err := s.SubmitApplication(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		if !created {
			t.Errorf("created=false for a new key")
		}
		if c.ID == "" || c.ApplicationID != app.ID || app.ID == "" {
			t.Errorf("ID=%q ApplicationID=%q app.ID=%q", c.ID, c.ApplicationID, app.ID)
		}
		if c.State != skalig.StateSubmitted || c.Version != 1 || c.Municipality != "0821" ||
			c.Month != skalig.MonthOf(2026, 4) || c.Kind != skalig.MonthlyApplication {
			t.Errorf("case %+v", c)
		}
		if c.CreatedAt.IsZero() || !c.CreatedAt.Equal(c.UpdatedAt) || !c.CreatedAt.Equal(app.SubmittedAt) {
			t.Errorf("CreatedAt=%v UpdatedAt=%v SubmittedAt=%v", c.CreatedAt, c.UpdatedAt, app.SubmittedAt)
		}
		if !app.Facts[0].At.Equal(app.SubmittedAt) || app.Facts[2].At != time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC) {
			t.Errorf("fact times %v, %v; want the submission time, and the time given", app.Facts[0].At, app.Facts[2].At)
		}
		got, err := s.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("Case()=%+v\nwant %+v", got, c)
		}
		evs, err := audittest.Events(ctx, db.SQL(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Action != store.ActionSubmitted || evs[0].Actor != "applicant" || !evs[0].At.Equal(c.CreatedAt) {
			t.Errorf("audit events %+v, want one %s", evs, store.ActionSubmitted)
		}
		mustVerify(t, db)
	})

	t.Run("Idempotent", func(t *testing.T) {
		db, s := open(t)
		first := mustSubmit(t, s, testApp(t, "k1"))
		again := testApp(t, "k1")
		again.Facts[0].At = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a retry may stamp facts anew
		c, created, err := s.SubmitApplication(ctx, again)
		if err != nil {
			t.Fatal(err)
		}
		if created || !reflect.DeepEqual(c, first) {
			t.Errorf("repeated key: created=%v case %+v, want the first %+v", created, c, first)
		}
		if again.ID != first.ApplicationID {
			t.Errorf("repeated key: app.ID=%q, want the first %q", again.ID, first.ApplicationID)
		}
		// The same key in another municipality is another application.
		other := testApp(t, "k1")
		other.Municipality = "0880"
		c2, created, err := s.SubmitApplication(ctx, other)
		if err != nil || !created || c2.ID == first.ID {
			t.Errorf("same key, other municipality: %+v, %v, %v", c2, created, err)
		}
		all, err := s.Cases(ctx, skalig.CaseFilter{})
		if err != nil || len(all) != 2 {
			t.Errorf("Cases()=%d cases, %v; want 2", len(all), err)
		}
		evs, _ := audittest.Events(ctx, db.SQL(), first.ID)
		if len(evs) != 1 {
			t.Errorf("%d audit events for the first case, want 1", len(evs))
		}
		mustVerify(t, db)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		_, s := open(t)
		mustSubmit(t, s, testApp(t, "k1"))
		changed := testApp(t, "k1")
		changed.Facts[0].Value = skalig.AmountValue(skalig.Kronor(9000))
		_, _, err := s.SubmitApplication(ctx, changed)
		if skalig.ErrorCode(err) != skalig.ECONFLICT {
			t.Errorf("same key, other content: err=%v, want ECONFLICT", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		db, s := open(t)
		app := testApp(t, "k1")
		app.Members[0].PersonalNumber = "199004129821"
		_, _, err := s.SubmitApplication(ctx, app)
		if skalig.ErrorCode(err) != skalig.EINVALID {
			t.Errorf("err=%v, want EINVALID", err)
		}
		if all, _ := s.Cases(ctx, skalig.CaseFilter{}); len(all) != 0 {
			t.Errorf("an invalid application made %d cases", len(all))
		}
		if n, _, _ := audit.Head(ctx, db.SQL()); n != 0 {
			t.Errorf("an invalid application made %d audit events", n)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Racing submissions of one key give one case; of different keys,
		// one case each.
		db, s := open(t)
		const n = 12
		var wg sync.WaitGroup
		ids := make([]string, n)
		created := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := "same"
				if i%2 == 1 {
					key = fmt.Sprintf("own-%d", i)
				}
				c, cr, err := s.SubmitApplication(ctx, testApp(t, key))
				if err == nil {
					ids[i], created[i] = c.ID, cr
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		nCreated := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("submission %d: %v", i, errs[i])
			}
			if i%2 == 0 && ids[i] != ids[0] {
				t.Errorf("submission %d of the same key got case %s, want %s", i, ids[i], ids[0])
			}
			if created[i] {
				nCreated++
			}
		}
		if want := 1 + n/2; nCreated != want {
			t.Errorf("%d created, want %d", nCreated, want)
		}
		all, err := s.Cases(ctx, skalig.CaseFilter{})
		if err != nil || len(all) != 1+n/2 {
			t.Errorf("Cases()=%d, %v; want %d", len(all), err, 1+n/2)
		}
		mustVerify(t, db)
	})
}

func TestCase(t *testing.T) {
	_, s := open(t)
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Case(context.Background(), "01JQ0000000000000000000000")
		if skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Errorf("err=%v, want ENOTFOUND", err)
		}
	})
}

func TestCaseApplication(t *testing.T) {
	ctx := context.Background()
	_, s := open(t)
	app := testApp(t, "k1")
	c := mustSubmit(t, s, app)
	t.Run("OK", func(t *testing.T) {
		got, err := s.CaseApplication(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, app) {
			t.Errorf("CaseApplication()=%+v\nwant %+v", got, app)
		}
		if got.ContentHash() != app.ContentHash() {
			t.Errorf("the stored application hashes differently")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.CaseApplication(ctx, "nope"); skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Errorf("err=%v, want ENOTFOUND", err)
		}
	})
}

func TestCases(t *testing.T) {
	ctx := context.Background()
	_, s := open(t)
	var cases []*skalig.Case
	for i := range 7 {
		app := testApp(t, fmt.Sprintf("k%d", i))
		if i >= 5 {
			app.Municipality = "0880"
		}
		cases = append(cases, mustSubmit(t, s, app))
	}
	cases[1] = mustTransition(t, s, cases[1], skalig.StateFetching, "")
	cases[3] = mustTransition(t, s, cases[3], skalig.StateFetching, "")
	cases[6] = mustTransition(t, s, cases[6], skalig.StateFetching, "")
	ids := func(cs []*skalig.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}

	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			f    skalig.CaseFilter
			want []*skalig.Case
		}{
			{"all", skalig.CaseFilter{}, cases},
			{"by state", skalig.CaseFilter{State: skalig.StateFetching}, []*skalig.Case{cases[1], cases[3], cases[6]}},
			{"by municipality and state", skalig.CaseFilter{Municipality: "0821", State: skalig.StateFetching}, []*skalig.Case{cases[1], cases[3]}},
			{"by municipality", skalig.CaseFilter{Municipality: "0880"}, cases[5:]},
			{"none", skalig.CaseFilter{State: skalig.StateDecided}, nil},
			{"first page", skalig.CaseFilter{Limit: 3}, cases[:3]},
			{"next page", skalig.CaseFilter{Limit: 3, After: cases[2].ID}, cases[3:6]},
			{"last page", skalig.CaseFilter{Limit: 3, After: cases[5].ID}, cases[6:]},
			{"state, after", skalig.CaseFilter{State: skalig.StateSubmitted, After: cases[2].ID}, []*skalig.Case{cases[4], cases[5]}},
		} {
			got, err := s.Cases(ctx, tt.f)
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if !slices.Equal(ids(got), ids(tt.want)) {
				t.Errorf("%s: %q, want %q", tt.name, ids(got), ids(tt.want))
				continue
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Errorf("%s: case %d=%+v, want %+v", tt.name, i, got[i], tt.want[i])
				}
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, f := range []skalig.CaseFilter{{State: "approved"}, {Limit: -1}, {Limit: 1001}} {
			if _, err := s.Cases(ctx, f); skalig.ErrorCode(err) != skalig.EINVALID {
				t.Errorf("Cases(%+v): err=%v, want EINVALID", f, err)
			}
		}
	})
}

func TestTransitionCase(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db, s := open(t)
		c := mustSubmit(t, s, testApp(t, "k1"))
		created := c.CreatedAt
		for _, step := range []struct {
			to     skalig.CaseState
			reason string
		}{
			{skalig.StateFetching, ""},
			{skalig.StateCalculated, ""},
			{skalig.StateAwaitingCaseworker, "declared_register_differ"},
			{skalig.StateDecided, "Handläggaren beslutade."},
			{skalig.StateNotified, ""},
			{skalig.StatePaid, ""},
			{skalig.StateClosed, ""},
		} {
			before := c.Version
			c = mustTransition(t, s, c, step.to, step.reason)
			if c.State != step.to || c.Version != before+1 {
				t.Fatalf("→ %s: State=%s Version=%d, want %s %d", step.to, c.State, c.Version, step.to, before+1)
			}
			got, err := s.Case(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Fatalf("→ %s: stored %+v\nreturned %+v", step.to, got, c)
			}
		}
		if !c.CreatedAt.Equal(created) || c.DecidedAt.IsZero() || c.ClosedAt.IsZero() || !c.ClosedAt.After(c.DecidedAt) {
			t.Errorf("timestamps: %+v", c)
		}
		if want := []string{"declared_register_differ"}; !slices.Equal(c.RoutingReasons, want) {
			t.Errorf("RoutingReasons=%q, want %q", c.RoutingReasons, want)
		}
		evs, err := audittest.Events(ctx, db.SQL(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 8 {
			t.Fatalf("%d audit events, want 8 (submission and 7 transitions)", len(evs))
		}
		if e := evs[3]; e.Action != store.ActionTransition || e.Actor != "system" ||
			string(e.Data) != `{"from":"calculated","reason":"declared_register_differ","to":"awaiting_caseworker","version":4}` {
			t.Errorf("audit event %+v data %s", e, e.Data)
		}
		mustVerify(t, db)
	})

	t.Run("ErrConflict", func(t *testing.T) {
		db, s := open(t)
		c := mustSubmit(t, s, testApp(t, "k1"))
		// Illegal in the state table.
		_, err := s.TransitionCase(ctx, skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: skalig.StateDecided, Actor: "system"})
		if skalig.ErrorCode(err) != skalig.ECONFLICT {
			t.Errorf("submitted → decided: err=%v, want ECONFLICT", err)
		}
		// A stale version.
		c2 := mustTransition(t, s, c, skalig.StateFetching, "")
		_, err = s.TransitionCase(ctx, skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: skalig.StateWithdrawn, Reason: "x", Actor: "applicant"})
		if skalig.ErrorCode(err) != skalig.ECONFLICT {
			t.Errorf("stale version: err=%v, want ECONFLICT", err)
		}
		got, _ := s.Case(ctx, c.ID)
		if !reflect.DeepEqual(got, c2) {
			t.Errorf("a refused transition changed the case: %+v", got)
		}
		if evs, _ := audittest.Events(ctx, db.SQL(), c.ID); len(evs) != 2 {
			t.Errorf("%d audit events, want 2: refused transitions are not audited as changes", len(evs))
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, s := open(t)
		_, err := s.TransitionCase(ctx, skalig.CaseTransition{CaseID: "nope", Version: 1, To: skalig.StateFetching, Actor: "system"})
		if skalig.ErrorCode(err) != skalig.ENOTFOUND {
			t.Errorf("err=%v, want ENOTFOUND", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		_, s := open(t)
		c := mustSubmit(t, s, testApp(t, "k1"))
		for _, tr := range []skalig.CaseTransition{
			{CaseID: c.ID, Version: c.Version, To: skalig.StateFetching},                            // no actor
			{CaseID: c.ID, Version: c.Version, To: skalig.StateWithdrawn, Actor: "applicant"},       // no reason
			{CaseID: c.ID, Version: c.Version, To: "approved", Actor: "system"},                     // no such state
			{CaseID: c.ID, Version: c.Version, To: skalig.StateAwaitingCaseworker, Actor: "system"}, // no reason
		} {
			if _, err := s.TransitionCase(ctx, tr); skalig.ErrorCode(err) != skalig.EINVALID {
				t.Errorf("TransitionCase(%+v): err=%v, want EINVALID", tr, err)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Of several transitions from the same version, exactly one wins;
		// the others get ECONFLICT and change nothing.
		db, s := open(t)
		c := mustSubmit(t, s, testApp(t, "k1"))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to, reason := skalig.StateFetching, ""
				if i%2 == 1 {
					to, reason = skalig.StateWithdrawn, "Återtagen."
				}
				_, errs[i] = s.TransitionCase(ctx, skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: to, Reason: reason, Actor: fmt.Sprintf("worker:%d", i)})
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch skalig.ErrorCode(err) {
			case "":
				won++
			case skalig.ECONFLICT:
			default:
				t.Errorf("transition %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d transitions won, want 1", won)
		}
		got, _ := s.Case(ctx, c.ID)
		if got.Version != 2 {
			t.Errorf("Version=%d, want 2", got.Version)
		}
		if evs, _ := audittest.Events(ctx, db.SQL(), c.ID); len(evs) != 2 {
			t.Errorf("%d audit events, want 2", len(evs))
		}
		mustVerify(t, db)
	})
}
