package statsdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/stats"
	"skalig/internal/store"
	"skalig/internal/store/statsdb"
	"skalig/internal/store/storetest"
)

// setClock is a clock that tests set; each read moves it a microsecond,
// so that IDs made from it sort in the order they were made.
type setClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *setClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Microsecond)
	return c.t
}

func (c *setClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// statsCase describes one case of a fixture and how it went.
type statsCase struct {
	mun      string
	month    skalig.Month
	kind     skalig.ApplicationKind
	adults   int
	children int
	// route: "auto" (automated decision), "proposal", "exception",
	// "sample" (decided after a sample control), "open" (waits for a
	// caseworker), "open-sample" (sampled, undecided), "withdrawn".
	route   string
	reasons []string // the stop reasons of exception and open
	outcome skalig.Outcome
	amount  int64         // kronor
	after   time.Duration // from submission to decision
	sample  *stats.SampleResult
}

// statsFixture inserts the cases through the store as the workflow would
// (submission, transitions with their reasons, decisions with sealed
// receipts, payment orders, sample results), each submitted an hour after
// the previous from base.
type statsFixture struct {
	tb    testing.TB
	db    *store.DB
	cases *store.CaseStore
	clock *setClock
	base  time.Time
	n     int
}

func newStatsFixture(tb testing.TB) *statsFixture {
	db := dbtest.Open(tb)
	clock := &setClock{t: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}
	db.Now = clock.Now
	return &statsFixture{tb: tb, db: db, cases: store.NewCaseStore(db), clock: clock, base: clock.t}
}

func (f *statsFixture) add(sc statsCase) {
	tb := f.tb
	tb.Helper()
	ctx := context.Background()
	f.n++
	if sc.mun == "" {
		sc.mun = "0821"
	}
	if sc.month == 0 {
		sc.month = skalig.MonthOf(2026, 11)
	}
	if sc.kind == "" {
		sc.kind = skalig.MonthlyApplication
	}
	app := &skalig.Application{Municipality: sc.mun, Kind: sc.kind, Month: sc.month, IdempotencyKey: fmt.Sprintf("stats-%d", f.n)}
	serial := 100 + f.n*10
	for i := range sc.adults + sc.children {
		m := skalig.Member{ID: fmt.Sprintf("p%d", i+1), Role: skalig.RoleApplicant}
		born := "19800101"
		switch {
		case i == 1 && sc.adults == 2:
			m.Role = skalig.RolePartner
		case i >= sc.adults:
			m.Role, born = skalig.RoleChild, "20150101"
		}
		m.PersonalNumber = storetest.PN(born, serial+i)
		app.Members = append(app.Members, m)
	}
	submitted := f.base.Add(time.Duration(f.n) * time.Hour)
	f.clock.set(submitted.Add(-time.Microsecond)) // the next read is submitted
	c := mustSubmit(tb, f.cases, app)
	move := func(to skalig.CaseState, reasons ...string) {
		tb.Helper()
		t := skalig.CaseTransition{CaseID: c.ID, Version: c.Version, To: to, Actor: "system"}
		if len(reasons) > 0 {
			t.Reason, t.Reasons = reasons[0], reasons[1:]
		}
		var err error
		if c, err = f.cases.TransitionCase(ctx, t); err != nil {
			tb.Fatalf("case %d: TransitionCase(%s → %s): %v", f.n, c.State, to, err)
		}
	}
	if sc.route == "withdrawn" {
		move(skalig.StateWithdrawn, "withdrawn_by_applicant")
		return
	}
	move(skalig.StateFetching)
	move(skalig.StateCalculated)
	var decider skalig.Decider
	switch sc.route {
	case "auto":
		move(skalig.StateAutoDecided)
		decider = skalig.Automated("AMN 2026-01-15 § 4, punkt 3.2")
	case "proposal":
		move(skalig.StateAwaitingCaseworker, "no_delegation")
		decider = skalig.Caseworker("hl1")
	case "exception", "open":
		move(skalig.StateAwaitingCaseworker, sc.reasons...)
		decider = skalig.Caseworker("hl2")
	case "sample", "open-sample":
		move(skalig.StateSampled, "sample")
		decider = skalig.Caseworker("hl3")
	default:
		tb.Fatalf("unknown route %q", sc.route)
	}
	if sc.sample != nil {
		_, err := f.cases.Update(ctx, c.ID, func(m *store.Moves) error {
			return m.SetSampleResult(ctx, &store.SampleResult{CaseID: c.ID, Caseworker: "hl3",
				Confirmed: sc.sample.Confirmed, Declared: sc.sample.Declared, Verified: sc.sample.Verified, Note: "kontrollerat"})
		})
		if err != nil {
			tb.Fatalf("case %d: SetSampleResultTx: %v", f.n, err)
		}
	}
	if sc.route == "open" || sc.route == "open-sample" {
		return
	}
	f.clock.set(submitted.Add(sc.after))
	amount := skalig.Kronor(sc.amount)
	r := &skalig.Receipt{CaseID: c.ID, Month: sc.month, CalculatedOn: skalig.DateOf(submitted), Members: app.Members,
		ParamSet: "riksnorm-2026", ParamStatus: "official", EngineVersion: "rules/test",
		Result: json.RawMessage(`{}`), Trace: json.RawMessage(`[]`), Outcome: sc.outcome, Amount: amount, DecidedBy: decider}
	if err := r.Seal(); err != nil {
		tb.Fatalf("case %d: Seal: %v", f.n, err)
	}
	d := &skalig.Decision{CaseID: c.ID, Outcome: sc.outcome, Month: sc.month, Amount: amount, DecidedBy: decider,
		DecidedAt: submitted.Add(sc.after)}
	if sc.outcome != skalig.OutcomeApproved {
		d.Reasons = []string{"Skäl."}
	}
	_, err := f.cases.Update(ctx, c.ID, func(m *store.Moves) error {
		if err := m.RecordDecision(ctx, d, r); err != nil {
			return err
		}
		if err := m.To(ctx, skalig.CaseTransition{To: skalig.StateDecided, Actor: "system"}); err != nil || amount == 0 {
			return err
		}
		return m.CreatePayment(ctx, &store.Payment{DecisionID: d.ID, CaseID: c.ID, Amount: amount,
			Account: "8327-9,123456789", PayOn: skalig.DateOf(submitted.Add(sc.after))}, "worker:pay")
	})
	if err != nil {
		tb.Fatalf("case %d: decide: %v", f.n, err)
	}
}

// TestStatsMonth checks the figures of a month against counts made by
// hand from the fixture below.
func TestStatsMonth(t *testing.T) {
	f := newStatsFixture(t)
	ok, partly, rej := skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected
	for _, sc := range []statsCase{
		// 1-2: single, automated approvals, 1 h and 2 h.
		{adults: 1, route: "auto", outcome: ok, amount: 8000, after: time.Hour},
		{adults: 1, route: "auto", outcome: ok, amount: 6000, after: 2 * time.Hour},
		// 3: couple, a proposal a caseworker approved, 24 h.
		{adults: 2, route: "proposal", outcome: ok, amount: 10000, after: 24 * time.Hour},
		// 4: one adult and a child, an exception, partly approved, 48 h.
		{adults: 1, children: 1, route: "exception", reasons: []string{"income_differs"}, outcome: partly, amount: 5000, after: 48 * time.Hour},
		// 5: a large household's first application, rejected, 72 h.
		{adults: 2, children: 3, kind: skalig.FirstApplication, route: "exception", reasons: []string{"first_application"}, outcome: rej, after: 72 * time.Hour},
		// 6: single, sampled, a discrepancy found, partly approved, 96 h.
		{adults: 1, route: "sample", sample: &stats.SampleResult{Declared: skalig.Kronor(7000), Verified: skalig.Kronor(6500)},
			outcome: partly, amount: 6500, after: 96 * time.Hour},
		// 7: a couple's first application waiting for a caseworker.
		{adults: 2, kind: skalig.FirstApplication, route: "open", reasons: []string{"first_application", "assets_or_vehicle"}},
		// 8: one adult and two children, withdrawn.
		{adults: 1, children: 2, route: "withdrawn"},
		// 9: single, sampled and confirmed, not yet decided.
		{adults: 1, route: "open-sample", sample: &stats.SampleResult{Confirmed: true, Declared: skalig.Kronor(100), Verified: skalig.Kronor(100)}},
		// Other months and municipalities are not counted.
		{adults: 1, month: skalig.MonthOf(2026, 10), route: "auto", outcome: ok, amount: 1, after: time.Hour},
		{adults: 1, mun: "1280", route: "auto", outcome: ok, amount: 1, after: time.Hour},
	} {
		f.add(sc)
	}
	s := statsdb.New(f.db)
	rows, err := s.MonthCases(context.Background(), "0821", skalig.MonthOf(2026, 11))
	if err != nil {
		t.Fatal(err)
	}
	fig, err := stats.Month("0821", skalig.MonthOf(2026, 11), rows)
	if err != nil {
		t.Fatal(err)
	}
	tot := fig.Total
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"Applications", tot.Applications, 9}, {"First", tot.First, 2}, {"Monthly", tot.Monthly, 7},
		{"Decided", tot.Decided, 6}, {"Withdrawn", tot.Withdrawn, 1}, {"Open", tot.Open, 2},
		{"Routed", tot.Routed, 8}, {"ToPerson", tot.ToPerson, 6}, {"Payments", tot.Payments, 5},
	} {
		if c.got != c.want {
			t.Errorf("Total.%s=%d, want %d", c.name, c.got, c.want)
		}
	}
	wantRoutes := map[stats.Route]stats.RouteCounts{
		stats.RouteAutomated: {Decided: 2, OutcomeCounts: stats.OutcomeCounts{Approved: 2}},
		stats.RouteProposal:  {Decided: 1, OutcomeCounts: stats.OutcomeCounts{Approved: 1}},
		stats.RoutePerson:    {Decided: 3, OutcomeCounts: stats.OutcomeCounts{PartlyApproved: 2, Rejected: 1}},
	}
	if !reflect.DeepEqual(tot.ByRoute, wantRoutes) {
		t.Errorf("Total.ByRoute=%+v, want %+v", tot.ByRoute, wantRoutes)
	}
	if want := (stats.OutcomeCounts{Approved: 3, PartlyApproved: 2, Rejected: 1}); tot.ByOutcome != want {
		t.Errorf("Total.ByOutcome=%+v, want %+v", tot.ByOutcome, want)
	}
	// 1, 2, 24, 48, 72, 96 h: the median is (24+48)/2, the 90th
	// percentile the 6th of 6 (nearest rank ceil(5.4)).
	if want := (stats.Durations{Count: 6, Median: 36 * time.Hour, P90: 96 * time.Hour}); tot.ToDecision != want {
		t.Errorf("Total.ToDecision=%+v, want %+v", tot.ToDecision, want)
	}
	if want := skalig.Kronor(35500); tot.Granted != want || tot.Paid != want {
		t.Errorf("Granted, Paid=%v, %v, want %v", tot.Granted, tot.Paid, want)
	}
	wantReasons := []stats.ReasonCount{{Code: "first_application", Cases: 2}, {Code: "sample", Cases: 2},
		{Code: "assets_or_vehicle", Cases: 1}, {Code: "income_differs", Cases: 1}, {Code: "no_delegation", Cases: 1}}
	if !reflect.DeepEqual(fig.Reasons, wantReasons) {
		t.Errorf("Reasons=%+v, want %+v", fig.Reasons, wantReasons)
	}
	wantSamples := stats.Samples{Drawn: 2, Recorded: 2, Confirmed: 1, Discrepancies: 1, Declared: skalig.Kronor(7000), Verified: skalig.Kronor(6500)}
	if fig.Samples != wantSamples {
		t.Errorf("Samples=%+v, want %+v", fig.Samples, wantSamples)
	}
	// The household groups: single 1, 2, 6, 9; couple 3, 7; children 4,
	// 8; large 5; first applications 5, 7.
	type g struct{ apps, decided, auto, open, withdrawn int }
	want := map[stats.Group]g{
		stats.GroupSingle:   {4, 3, 2, 1, 0},
		stats.GroupCouple:   {2, 1, 0, 1, 0},
		stats.GroupChildren: {2, 1, 0, 0, 1},
		stats.GroupLarge:    {1, 1, 0, 0, 0},
		stats.GroupFirst:    {2, 1, 0, 1, 0},
	}
	if len(fig.Groups) != len(stats.Groups) {
		t.Fatalf("len(Groups)=%d, want %d", len(fig.Groups), len(stats.Groups))
	}
	for _, gf := range fig.Groups {
		c := gf.Counts
		got := g{c.Applications, c.Decided, c.ByRoute[stats.RouteAutomated].Decided, c.Open, c.Withdrawn}
		if got != want[gf.Group] {
			t.Errorf("group %s: (applications, decided, automated, open, withdrawn)=%v, want %v", gf.Group, got, want[gf.Group])
		}
	}
	if c := fig.Groups[3].Counts; c.ByOutcome.Rejected != 1 || c.ToDecision.Median != 72*time.Hour {
		t.Errorf("large: rejected %d, median %v; want 1, 72h", c.ByOutcome.Rejected, c.ToDecision.Median)
	}
	for _, b := range fig.Bias {
		if b.Tested || b.Flagged {
			t.Errorf("bias %s/%s: Tested=%v Flagged=%v with %d and %d cases, want neither", b.Group, b.Measure, b.Tested, b.Flagged, b.GroupCases, b.RestCases)
		}
	}

	// The board's report over October and November: the October case is
	// in it, the other municipality's is not.
	rows, err = s.PeriodCases(context.Background(), "0821", skalig.MonthOf(2026, 10), skalig.MonthOf(2026, 11))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := stats.Delegation("0821", skalig.MonthOf(2026, 10), skalig.MonthOf(2026, 11), rows)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 10 || len(rep.Automated) != 1 {
		t.Fatalf("report: Cases=%d, len(Automated)=%d, want 10, 1", rep.Cases, len(rep.Automated))
	}
	p := rep.Automated[0]
	if p.Delegation != "AMN 2026-01-15 § 4, punkt 3.2" || p.Decided != 3 || p.Outcomes.Approved != 3 {
		t.Errorf("report: automated %+v, want 3 approved under AMN 2026-01-15 § 4, punkt 3.2", p)
	}
	if p.ByGroup[0].Group != stats.GroupSingle || p.ByGroup[0].Decided != 3 {
		t.Errorf("report: automated by group %+v, want 3 single", p.ByGroup)
	}
	if rep.Proposal.Decided != 1 || rep.Person.Decided != 3 || rep.Person.Rejected != 1 || rep.Samples.Drawn != 2 {
		t.Errorf("report: proposal %+v, person %+v, samples %+v", rep.Proposal, rep.Person, rep.Samples)
	}
}

// TestStatsEmpty: a month without cases is ENOTFOUND naming the month.
func TestStatsEmpty(t *testing.T) {
	f := newStatsFixture(t)
	f.add(statsCase{adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 100, after: time.Hour})
	s := statsdb.New(f.db)
	rows, err := s.MonthCases(context.Background(), "0821", skalig.MonthOf(2026, 12))
	if err != nil || len(rows) != 0 {
		t.Fatalf("MonthCases(2026-12)=%d rows, %v; want 0, nil", len(rows), err)
	}
	_, err = stats.Month("0821", skalig.MonthOf(2026, 12), rows)
	var se *skalig.Error
	if !errors.As(err, &se) || se.Code != skalig.ENOTFOUND || len(se.Fields) != 1 || se.Fields[0].Field != "month" {
		t.Errorf("Month of an empty month: %v, want ENOTFOUND naming month", err)
	}
}

// TestStatsBias: continued applications of households with children go
// to a person far more often than single people's: the watch flags the
// group, and not the singles, whose rate is lower.
func TestStatsBias(t *testing.T) {
	f := newStatsFixture(t)
	ok := skalig.OutcomeApproved
	for i := range 40 {
		f.add(statsCase{adults: 1, route: "auto", outcome: ok, amount: 100, after: time.Hour})
		sc := statsCase{adults: 1, children: 1, route: "auto", outcome: ok, amount: 100, after: time.Hour}
		if i < 30 {
			sc.route, sc.reasons = "exception", []string{"income_differs"}
		}
		f.add(sc)
	}
	rows, err := statsdb.New(f.db).MonthCases(context.Background(), "0821", skalig.MonthOf(2026, 11))
	if err != nil {
		t.Fatal(err)
	}
	fig, err := stats.Month("0821", skalig.MonthOf(2026, 11), rows)
	if err != nil {
		t.Fatal(err)
	}
	var flagged []string
	for _, b := range fig.Bias {
		if b.Flagged {
			flagged = append(flagged, string(b.Group)+"/"+string(b.Measure))
		}
		switch {
		case b.Group == stats.GroupChildren && b.Measure == stats.MeasureToPerson:
			if b.GroupCases != 40 || b.GroupHits != 30 || b.RestCases != 40 || b.RestHits != 0 || !math.IsInf(b.RiskRatio, 1) || b.Z < 6 {
				t.Errorf("children/to_person=%+v, want 30 of 40 against 0 of 40", b)
			}
		case b.Group == stats.GroupSingle && b.Measure == stats.MeasureToPerson:
			if !b.Tested || b.GroupHits != 0 || b.RestHits != 30 {
				t.Errorf("single/to_person=%+v, want tested, 0 of 40 against 30 of 40", b)
			}
		}
	}
	if want := []string{"children/to_person"}; !reflect.DeepEqual(flagged, want) {
		t.Errorf("flagged %v, want %v", flagged, want)
	}
}

// TestStatsRejectedPaymentNotCounted follows one case's payment through the
// bank: ordered, rejected by the bank, ordered again (a second row in
// payments), executed. The case is one application with one live payment
// order throughout (none while only the rejected one exists), and it counts
// as paid out once the bank has executed the new order. On PostgreSQL this
// also checks that the maintained table follows each change of status.
func TestStatsRejectedPaymentNotCounted(t *testing.T) {
	f := newStatsFixture(t)
	f.add(statsCase{adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 8000, after: time.Hour})
	ctx := context.Background()
	check := func(step string, payments int, paid skalig.Money, executed int, executedPaid skalig.Money) {
		t.Helper()
		rows, err := statsdb.New(f.db).MonthCases(ctx, "0821", skalig.MonthOf(2026, 11))
		if err != nil {
			t.Fatal(err)
		}
		fig, err := stats.Month("0821", skalig.MonthOf(2026, 11), rows)
		if err != nil {
			t.Fatal(err)
		}
		tot := fig.Total
		if tot.Applications != 1 || tot.Payments != payments || tot.Paid != paid || tot.Executed != executed || tot.ExecutedPaid != executedPaid {
			t.Errorf("%s: Applications=%d Payments=%d Paid=%v Executed=%d ExecutedPaid=%v, want 1, %d, %v, %d, %v", step,
				tot.Applications, tot.Payments, tot.Paid, tot.Executed, tot.ExecutedPaid, payments, paid, executed, executedPaid)
		}
	}
	exec := func(q string) {
		t.Helper()
		if _, err := f.db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	kr := skalig.Kronor(8000)
	check("ordered", 1, kr, 0, 0)
	exec(`UPDATE payments SET status = 'in_run'`)
	check("in a run", 1, kr, 0, 0)
	exec(`UPDATE payments SET status = 'rejected', bank_code = 'AC04', bank_text = 'Kontot är avslutat.'`)
	check("rejected", 0, 0, 0, 0)
	exec(`INSERT INTO payments (id, decision_id, case_id, amount, account, pay_on, created_at, status)
		SELECT id || '-2', decision_id, case_id, amount, account, pay_on, created_at, 'ordered' FROM payments`)
	check("ordered again", 1, kr, 0, 0)
	exec(`UPDATE payments SET status = 'executed' WHERE status = 'ordered'`)
	check("executed", 1, kr, 1, kr)
}

// TestStatsMonths: the months with applications of a municipality, the
// latest first, without the months of other municipalities.
func TestStatsMonths(t *testing.T) {
	f := newStatsFixture(t)
	for _, sc := range []statsCase{
		{adults: 1, month: skalig.MonthOf(2026, 9), route: "withdrawn"},
		{adults: 1, month: skalig.MonthOf(2026, 11), route: "withdrawn"},
		{adults: 1, month: skalig.MonthOf(2026, 11), route: "withdrawn"},
		{adults: 1, month: skalig.MonthOf(2026, 12), route: "withdrawn"},
		{adults: 1, month: skalig.MonthOf(2027, 1), mun: "1280", route: "withdrawn"},
	} {
		f.add(sc)
	}
	s := statsdb.New(f.db)
	got, err := s.Months(context.Background(), "0821", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []skalig.Month{skalig.MonthOf(2026, 12), skalig.MonthOf(2026, 11), skalig.MonthOf(2026, 9)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Months=%v, want %v", got, want)
	}
	if got, _ := s.Months(context.Background(), "0821", 2); len(got) != 2 {
		t.Errorf("Months(limit 2)=%v", got)
	}
	if got, err := s.Months(context.Background(), "0180", 10); err != nil || len(got) != 0 {
		t.Errorf("Months(no cases)=%v, %v; want none", got, err)
	}
}

// TestStatsCasesInStep (PostgreSQL): after cases were submitted, moved,
// decided, paid, rejected by the bank and ordered again, sampled and
// withdrawn through the store's own methods and plain updates, every row
// of stats_cases (migration 00024) is what a fresh computation from the
// tables gives, and no case is missing or left over: the triggers fired for
// every change.
func TestStatsCasesInStep(t *testing.T) {
	f := newStatsFixture(t)
	if f.db.Dialect() != store.Postgres {
		t.Skip("stats_cases is PostgreSQL's (set SKALIG_TEST_PG)")
	}
	ok, partly := skalig.OutcomeApproved, skalig.OutcomePartlyApproved
	for _, sc := range []statsCase{
		{adults: 1, route: "auto", outcome: ok, amount: 8000, after: time.Hour},
		{adults: 2, children: 1, route: "proposal", outcome: ok, amount: 10000, after: 24 * time.Hour},
		{adults: 1, route: "sample", sample: &stats.SampleResult{Declared: skalig.Kronor(7000), Verified: skalig.Kronor(6500)},
			outcome: partly, amount: 6500, after: 96 * time.Hour},
		{adults: 2, kind: skalig.FirstApplication, route: "open", reasons: []string{"first_application"}},
		{adults: 1, children: 3, route: "withdrawn"},
		{adults: 1, month: skalig.MonthOf(2026, 10), mun: "1280", route: "auto", outcome: ok, amount: 1, after: time.Hour},
	} {
		f.add(sc)
	}
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE payments SET status = 'executed' WHERE amount = 800000`,
		`UPDATE payments SET status = 'rejected', bank_code = 'AC04' WHERE amount = 1000000`,
		`INSERT INTO payments (id, decision_id, case_id, amount, account, pay_on, created_at, status)
			SELECT id || '-2', decision_id, case_id, amount, account, pay_on, created_at, 'ordered' FROM payments WHERE status = 'rejected'`,
		`UPDATE cases SET routing_reasons = '["first_application","assets_or_vehicle"]' WHERE state = 'awaiting_caseworker'`,
		`UPDATE sample_results SET confirmed = true`,
	} {
		if _, err := f.db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	fresh := `SELECT c.id, c.municipality, c.month, c.kind, c.state, c.routing_reasons,
			jsonb_array_length(a.members), CASE WHEN a.members @> '[{"role": "partner"}]' THEN 1 ELSE 0 END,
			d.outcome, d.decided_by_delegation, d.amount, round(extract(epoch FROM d.decided_at - c.created_at) * 1000)::bigint,
			(SELECT count(*) FROM payments p WHERE p.case_id = c.id AND p.status <> 'rejected')::int,
			(SELECT coalesce(sum(amount), 0) FROM payments p WHERE p.case_id = c.id AND p.status <> 'rejected')::bigint,
			(SELECT count(*) FROM payments p WHERE p.case_id = c.id AND p.status = 'executed')::int,
			(SELECT coalesce(sum(amount), 0) FROM payments p WHERE p.case_id = c.id AND p.status = 'executed')::bigint,
			s.confirmed, s.declared, s.verified
		FROM cases c JOIN applications a ON a.id = c.application_id
		LEFT JOIN decisions d ON d.case_id = c.id LEFT JOIN sample_results s ON s.case_id = c.id`
	kept := `SELECT case_id, municipality, month, kind, state, reasons, members, partner, outcome, delegation, amount, ms,
			payments, paid, executed, executed_paid, confirmed, declared, verified FROM stats_cases`
	var n, differ int
	if err := f.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM stats_cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM ((`+fresh+` EXCEPT `+kept+`) UNION ALL (`+kept+` EXCEPT `+fresh+`)) x`).Scan(&differ); err != nil {
		t.Fatal(err)
	}
	if n != 6 || differ != 0 {
		t.Errorf("stats_cases has %d rows (want 6), %d differ from the tables", n, differ)
	}
	// The figures follow: one executed payment (8 000 kr), the rejected
	// one ordered again counted once.
	rows, err := statsdb.New(f.db).MonthCases(ctx, "0821", skalig.MonthOf(2026, 11))
	if err != nil {
		t.Fatal(err)
	}
	fig, err := stats.Month("0821", skalig.MonthOf(2026, 11), rows)
	if err != nil {
		t.Fatal(err)
	}
	if tot := fig.Total; tot.Applications != 5 || tot.Payments != 3 || tot.Executed != 1 || tot.ExecutedPaid != skalig.Kronor(8000) ||
		fig.Samples.Confirmed != 1 {
		t.Errorf("Applications=%d Payments=%d Executed=%d ExecutedPaid=%v Confirmed=%d, want 5, 3, 1, 8 000 kr, 1",
			tot.Applications, tot.Payments, tot.Executed, tot.ExecutedPaid, fig.Samples.Confirmed)
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

// TestStatsPeriodReviews: the board's report counts the review requests
// and appeals of the period's decisions by kind, resolution and the
// decision's delegation; another municipality's and another period's are
// left out.
func TestStatsPeriodReviews(t *testing.T) {
	f := newStatsFixture(t)
	f.add(statsCase{adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 100, after: time.Hour})
	f.add(statsCase{adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 200, after: time.Hour})
	f.add(statsCase{adults: 1, route: "exception", reasons: []string{"income_differs"}, outcome: skalig.OutcomeRejected, after: time.Hour})
	f.add(statsCase{adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 300, after: time.Hour, month: skalig.MonthOf(2026, 9)})
	f.add(statsCase{mun: "0880", adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 400, after: time.Hour})
	ctx := context.Background()
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT d.id, d.case_id, c.municipality FROM decisions d JOIN cases c ON c.id = d.case_id ORDER BY d.case_id`)
	if err != nil {
		t.Fatal(err)
	}
	type dec struct{ id, caseID, mun string }
	var ds []dec
	for rows.Next() {
		var d dec
		if err := rows.Scan(&d.id, &d.caseID, &d.mun); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	rows.Close()
	if len(ds) != 5 {
		t.Fatalf("%d decisions, want 5", len(ds))
	}
	// ds is in the order the cases were added (ids grow with time).
	add := func(d dec, kind, resolution string) {
		t.Helper()
		_, err := f.cases.Update(ctx, d.caseID, func(m *store.Moves) error {
			r := &store.ReviewRequest{CaseID: d.caseID, Municipality: d.mun, Kind: kind, DecisionID: d.id, Text: "Ompröva.", RequestedBy: "applicant"}
			if err := m.AddReviewRequest(ctx, r); err != nil || resolution == "" {
				return err
			}
			return m.ResolveReviewRequest(ctx, r.ID, resolution, "caseworker:hl1", "Står fast.")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(ds[0], store.ReviewKindReview, store.ResolutionKept)
	add(ds[1], store.ReviewKindReview, "")
	add(ds[0], store.ReviewKindAppeal, store.ResolutionRejectedLate)
	add(ds[2], store.ReviewKindAppeal, "")
	add(ds[3], store.ReviewKindReview, "") // September: outside the period
	add(ds[4], store.ReviewKindReview, "") // Kalmar
	got, err := statsdb.New(f.db).PeriodReviews(ctx, "0821", skalig.MonthOf(2026, 10), skalig.MonthOf(2026, 11))
	if err != nil {
		t.Fatal(err)
	}
	const point = "AMN 2026-01-15 § 4, punkt 3.2"
	want := []stats.ReviewRow{
		{Kind: "appeal", Resolution: "", Delegation: "", Count: 1},
		{Kind: "appeal", Resolution: "rejected_late", Delegation: point, Count: 1},
		{Kind: "review", Resolution: "", Delegation: point, Count: 1},
		{Kind: "review", Resolution: "kept", Delegation: point, Count: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PeriodReviews=%v, want %v", got, want)
	}
}

// TestStatsChangedDecision: a decision changed on omprövning counts with
// its new outcome and amount, once per case, with the changes counted and
// the difference payment among the payments; on PostgreSQL through the
// triggers of stats_cases (migration 00032), on SQLite in the query.
func TestStatsChangedDecision(t *testing.T) {
	f := newStatsFixture(t)
	f.add(statsCase{adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 8000, after: time.Hour})
	f.add(statsCase{adults: 1, route: "auto", outcome: skalig.OutcomeApproved, amount: 5000, after: time.Hour})
	ctx := context.Background()
	var id string
	if err := f.db.SQL().QueryRowContext(ctx, `SELECT case_id FROM decisions WHERE amount = 800000`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	change := func(o skalig.Outcome, kr int64, diff int64) {
		t.Helper()
		old, err := f.cases.CaseDecision(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := f.cases.DecisionHistory(ctx, id)
		app, err := f.cases.CaseApplication(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		amount := skalig.Kronor(kr)
		r := &skalig.Receipt{CaseID: id, Month: old.Month, Members: app.Members, CalculatedOn: skalig.DateOf(f.clock.Now()), ParamSet: "riksnorm-2026",
			ParamStatus: "official", EngineVersion: "rules/test", Result: json.RawMessage(`{}`), Trace: json.RawMessage(`[]`),
			Outcome: o, Amount: amount, DecidedBy: skalig.Caseworker("hl1")}
		if err := r.Seal(); err != nil {
			t.Fatal(err)
		}
		d := &skalig.Decision{CaseID: id, Outcome: o, Month: old.Month, Amount: amount, DecidedBy: skalig.Caseworker("hl1"), Reasons: []string{"Ändrat."}}
		if _, err := f.cases.Update(ctx, id, func(m *store.Moves) error {
			if err := m.ChangeDecision(ctx, old, d, r, ""); err != nil {
				return err
			}
			if diff <= 0 {
				return nil
			}
			return m.CreatePayment(ctx, &store.Payment{DecisionID: first[0].ID, ChangeID: d.ID, CaseID: id, Amount: skalig.Kronor(diff),
				Account: "8327-9,123456789", PayOn: skalig.DateOf(f.clock.Now())}, "caseworker:hl1")
		}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string, approved, partly, changes, payments int, granted, paid int64) {
		t.Helper()
		rows, err := statsdb.New(f.db).MonthCases(ctx, "0821", skalig.MonthOf(2026, 11))
		if err != nil {
			t.Fatal(err)
		}
		fig, err := stats.Month("0821", skalig.MonthOf(2026, 11), rows)
		if err != nil {
			t.Fatal(err)
		}
		tot := fig.Total
		if tot.Applications != 2 || tot.Decided != 2 || tot.ByOutcome.Approved != approved || tot.ByOutcome.PartlyApproved != partly ||
			tot.Changes != changes || tot.Payments != payments || tot.Granted != skalig.Kronor(granted) || tot.Paid != skalig.Kronor(paid) ||
			tot.ToDecision.Count != 2 || tot.ByRoute[stats.RouteAutomated].Decided != 2 {
			t.Errorf("%s: %+v", step, tot)
		}
	}
	check("decided", 2, 0, 0, 2, 13000, 13000)
	change(skalig.OutcomePartlyApproved, 6000, 0)
	check("lowered", 1, 1, 1, 2, 11000, 13000)
	change(skalig.OutcomeApproved, 9000, 1000)
	check("raised with a difference paid", 2, 0, 2, 3, 14000, 14000)
	// An appeal of the changed decision counts with the original
	// decision's delegation in the delegation report.
	cur, err := f.cases.CaseDecision(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.cases.Update(ctx, id, func(m *store.Moves) error {
		return m.AddReviewRequest(ctx, &store.ReviewRequest{Municipality: "0821", Kind: store.ReviewKindAppeal, DecisionID: cur.ID,
			Text: "Överklagar.", RequestedBy: "applicant"})
	}); err != nil {
		t.Fatal(err)
	}
	got, err := statsdb.New(f.db).PeriodReviews(ctx, "0821", skalig.MonthOf(2026, 11), skalig.MonthOf(2026, 11))
	if err != nil {
		t.Fatal(err)
	}
	if want := []stats.ReviewRow{{Kind: "appeal", Delegation: "AMN 2026-01-15 § 4, punkt 3.2", Count: 1}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PeriodReviews=%v, want %v", got, want)
	}
}
