package workflow_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"skalig"
	"skalig/internal/dbtest"
	"skalig/internal/demo"
	"skalig/internal/municipal"
	"skalig/internal/municipal/municipaltest"
	"skalig/internal/registry/sim"
	"skalig/internal/store"
	"skalig/internal/store/paramdb"
	"skalig/internal/workflow"
	"skalig/internal/workflow/casecheck"
	"skalig/internal/workflow/step"
)

// sickApplication is a plain monthly household of month whose applicant
// declares that illness keeps them from working.
func sickApplication(t *testing.T, mo skalig.Month) *skalig.Application {
	t.Helper()
	app := demo.GenerateScenario(3, "0821", mo, demo.Plain, 1)[0].App
	found := false
	for i := range app.Facts {
		if app.Facts[i].Kind == skalig.KindWorkSituation && app.Facts[i].PersonID == "p1" {
			app.Facts[i].Value, found = skalig.TextValue("sick"), true
		}
	}
	if !found {
		app.Facts = append(app.Facts, skalig.Fact{Kind: skalig.KindWorkSituation, PersonID: "p1", Period: mo,
			Value: skalig.TextValue("sick"), Source: skalig.SourceApplicant})
	}
	return app
}

// A person who declares illness without a doctor's certificate (from July
// 2026): the robot asks for the certificate and the case waits for the
// applicant with the named reason; the upload brings it to a person, who
// records the certificate's period; routed again, the certificate stop is
// gone and the robot does not ask a second time.
func TestIllnessWithoutCertificateAsksForItAndGoesToAPerson(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, _, err := e.wf.Submit(ctx, sickApplication(t, month))
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingApplicant || !slices.Contains(c.RoutingReasons, skalig.ReasonMedicalCertificateMissing) {
		t.Fatalf("State=%s Reasons=%v, want awaiting_applicant with %s", c.State, c.RoutingReasons, skalig.ReasonMedicalCertificateMissing)
	}
	reqs, err := e.cases.DocumentRequests(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 1 || reqs[0].RequestedBy != step.RobotRequester || reqs[0].Text != step.DocumentRequestTexts[skalig.ReasonMedicalCertificateMissing] {
		t.Fatalf("requests=%+v, want the robot's request for the certificate", reqs)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if _, err := e.wf.Upload(ctx, c.ID, reqs[0].ID, "applicant", "lakarintyg.pdf", "", pdf); err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("after the upload: %s", c.State)
	}
	bad := []skalig.Fact{{Kind: skalig.KindMedicalCertTo, PersonID: "p1", Value: skalig.TextValue("snart")}}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-1"), bad, "Läkarintyget."); skalig.ErrorCode(err) != skalig.EINVALID {
		t.Fatalf("a certificate date that is no date: %v, want EINVALID", err)
	}
	first, last := month.First(), skalig.Date{Y: int16(month.Year()), M: int8(month.Num()), D: int8(month.Days())}
	cert := []skalig.Fact{
		{Kind: skalig.KindMedicalCertFrom, PersonID: "p1", Value: skalig.TextValue(first.String())},
		{Kind: skalig.KindMedicalCertTo, PersonID: "p1", Value: skalig.TextValue(last.String())},
	}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-1"), cert, "Läkarintyget gäller hela månaden."); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if slices.Contains(c.RoutingReasons, skalig.ReasonMedicalCertificateMissing) {
		t.Fatalf("after the certificate: %s %v, want no %s", c.State, c.RoutingReasons, skalig.ReasonMedicalCertificateMissing)
	}
	if reqs, _ := e.cases.DocumentRequests(ctx, c.ID); len(reqs) != 1 {
		t.Fatalf("%d requests, want the one", len(reqs))
	}
}

// An expired certificate counts as missing; a certificate stop that the
// robot asked for once and that is still not met goes to a person without
// a second request.
func TestExpiredCertificateAsksOnce(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	app := sickApplication(t, month)
	c, _, err := e.wf.Submit(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	reqs, _ := e.cases.DocumentRequests(ctx, c.ID)
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	if _, err := e.wf.Upload(ctx, c.ID, reqs[0].ID, "applicant", "intyg.pdf", "", pdf); err != nil {
		t.Fatal(err)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	expired := []skalig.Fact{
		{Kind: skalig.KindMedicalCertFrom, PersonID: "p1", Value: skalig.TextValue("2026-05-01")},
		{Kind: skalig.KindMedicalCertTo, PersonID: "p1", Value: skalig.TextValue("2026-08-31")},
	}
	if _, err := e.wf.AdjustFacts(ctx, c.ID, c.Version, caseworker("hl-1"), expired, "Intyget gick ut i augusti."); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonMedicalCertificateMissing) {
		t.Fatalf("State=%s Reasons=%v, want a person with %s", c.State, c.RoutingReasons, skalig.ReasonMedicalCertificateMissing)
	}
	if reqs, _ := e.cases.DocumentRequests(ctx, c.ID); len(reqs) != 1 {
		t.Fatalf("%d requests, want no second request", len(reqs))
	}
}

// Before July 2026 illness needs no certificate: the rule is dated.
func TestIllnessBeforeJuly2026NeedsNoCertificate(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	c, _, err := e.wf.Submit(ctx, sickApplication(t, skalig.MonthOf(2026, 6)))
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if slices.Contains(c.RoutingReasons, skalig.ReasonMedicalCertificateMissing) {
		t.Fatalf("June 2026: %s %v", c.State, c.RoutingReasons)
	}
	if reqs, _ := e.cases.DocumentRequests(ctx, c.ID); len(reqs) != 0 {
		t.Fatalf("June 2026: %d requests", len(reqs))
	}
}

// From January 2027 lawful residence is a condition for every member:
// Migrationsverket and the population register are asked about the
// children too (and only they); before, children are not asked at all.
func TestResidenceRegistersAskedAboutChildrenFrom2027(t *testing.T) {
	for _, tc := range []struct {
		month skalig.Month
		asked bool
	}{{skalig.MonthOf(2026, 12), false}, {skalig.MonthOf(2027, 1), true}} {
		e := setup(t, sim.Config{Seed: 1}, time.Minute)
		ctx := context.Background()
		app := demo.GenerateScenario(1, "0821", tc.month, demo.Family, 1)[0].App
		c, _, err := e.wf.Submit(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		facts, err := e.cases.Facts(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		sources := map[string]bool{}
		for _, f := range facts {
			if f.PersonID == "c1" && f.Source == skalig.SourceSystem {
				sources[f.Kind] = true
			}
		}
		migr := sources[skalig.RegisterStatusKind(skalig.RegisterMigration)]
		folk := sources[skalig.RegisterStatusKind(skalig.RegisterPopulation)]
		if migr != tc.asked || folk != tc.asked || sources[skalig.RegisterStatusKind(skalig.RegisterFK)] {
			t.Errorf("%s: the child's register answers %v, want Migrationsverket and the population register %v and nothing else", tc.month, sources, tc.asked)
		}
	}
}

// setup2027 is setup with the 2027 TEST DATA parameter table loaded and
// approved, so that a January 2027 case is calculated and routed.
func setup2027(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t)
	cases := store.NewCaseStore(db)
	ps := paramdb.New(db)
	v, err := ps.Import(ctx, "riksnorm-2027.tsv", testYear2027(t, "official"), "admin-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Approve(ctx, v.ID, "admin-b"); err != nil {
		t.Fatal(err)
	}
	src, err := ps.Source(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Config{Seed: 1})
	wf, err := workflow.New(workflow.Config{Cases: cases, ParamSource: src, Municipal: mun, Registers: s,
		RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, cases: cases, wf: wf, sim: s}
}

// residenceReasons returns the lawful-residence reasons among codes.
func residenceReasons(codes []string) []string {
	var out []string
	for _, r := range codes {
		switch r {
		case skalig.ReasonResidenceUnknown, skalig.ReasonResidenceUnregistered, skalig.ReasonResidenceNotLawful:
			out = append(out, r)
		}
	}
	return out
}

// A January 2027 family of Swedish citizens whom Migrationsverket does not
// know: the population register shows them citizens, so lawful residence
// stops nobody (before the population register, every such family went to
// a person with residence_unknown), and the register's name of each member
// is a fact of the case.
func TestSwedishCitizensResideLawfullyByPopulationRegister(t *testing.T) {
	jan := skalig.MonthOf(2027, 1)
	e := setup2027(t)
	ctx := context.Background()
	// The first generated family whom the simulator's population register
	// holds as Swedish citizens, and Migrationsverket does not know.
	var app *skalig.Application
	for seed := uint64(1); seed < 50 && app == nil; seed++ {
		a := demo.GenerateScenario(seed, "0821", jan, demo.Family, 1)[0].App
		citizens := true
		for _, m := range a.Members {
			p := sim.ProfileOf(1, m.PersonalNumber, jan)
			citizens = citizens && slices.Contains(p.Unknown, skalig.RegisterMigration) && slices.ContainsFunc(p.Facts, func(f skalig.Fact) bool {
				return f.Kind == skalig.KindCitizenship && f.Value.Text == "SE"
			})
		}
		if citizens {
			app = a
		}
	}
	if app == nil {
		t.Fatal("no generated family of Swedish citizens unknown to Migrationsverket in 50 seeds")
	}
	c, _, err := e.wf.Submit(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if slices.Contains(c.RoutingReasons, skalig.ReasonParametersMissing) || len(c.RoutingReasons) == 0 && c.State == skalig.StateAwaitingCaseworker {
		t.Fatalf("State=%s Reasons=%v: the case was not routed on the 2027 table", c.State, c.RoutingReasons)
	}
	t.Logf("January 2027 family of citizens: %s %v", c.State, c.RoutingReasons)
	if r := residenceReasons(c.RoutingReasons); len(r) > 0 {
		t.Errorf("State=%s Reasons=%v: lawful residence stops Swedish citizens (%v)", c.State, c.RoutingReasons, r)
	}
	facts, err := e.cases.Facts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, f := range facts {
		if f.Kind == skalig.KindPersonName && f.Source == skalig.RegisterSource(skalig.RegisterPopulation) {
			names[f.PersonID] = f.Value.Text
		}
	}
	for _, m := range app.Members {
		if names[m.ID] == "" {
			t.Errorf("%s: no person.name from the population register (names %v)", m.ID, names)
		}
	}
}

// A January 2027 applicant whom neither Migrationsverket nor the
// population register knows (a samordningsnummer) goes to a person with
// the reason of its own, never decided as lawfully resident.
func TestApplicantKnownToNeitherRegisterGoesToAPerson(t *testing.T) {
	jan := skalig.MonthOf(2027, 1)
	var pn skalig.PersonalNumber
	for i := range 2000 {
		p := sim.ProfileOf(1, sim.TestPersonnummer(i), jan)
		if slices.Contains(p.Unknown, skalig.RegisterMigration) && slices.Contains(p.Unknown, skalig.RegisterPopulation) {
			pn = p.Person
			break
		}
	}
	if pn == "" {
		t.Fatal("the simulator has nobody known to neither register")
	}
	e := setup2027(t)
	ctx := context.Background()
	app := demo.GenerateScenario(3, "0821", jan, demo.Plain, 1)[0].App
	app.Members[0].PersonalNumber = pn
	c, _, err := e.wf.Submit(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonResidenceUnregistered) {
		t.Fatalf("State=%s Reasons=%v, want awaiting_caseworker with %s", c.State, c.RoutingReasons, skalig.ReasonResidenceUnregistered)
	}
}

// The läkarintyg period the applicant declared in the e-service counts as
// shown once the certificate is uploaded for the robot's request: the
// upload is the evidence of the declared period (Fact.Evidence
// "upload:<id>"), the case goes to a person who reads it, and routed again
// the certificate stop is gone without the caseworker entering the dates.
func TestDeclaredCertificateShownByTheUpload(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	ctx := context.Background()
	app := sickApplication(t, month)
	first, last := month.First(), skalig.Date{Y: int16(month.Year()), M: int8(month.Num()), D: int8(month.Days())}
	app.Facts = append(app.Facts,
		skalig.Fact{Kind: skalig.KindMedicalCertFrom, PersonID: "p1", Period: month, Value: skalig.TextValue(first.String()), Source: skalig.SourceApplicant},
		skalig.Fact{Kind: skalig.KindMedicalCertTo, PersonID: "p1", Period: month, Value: skalig.TextValue(last.String()), Source: skalig.SourceApplicant})
	c, _, err := e.wf.Submit(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingApplicant || !slices.Contains(c.RoutingReasons, skalig.ReasonMedicalCertificateMissing) {
		t.Fatalf("declared, not shown: State=%s Reasons=%v, want awaiting_applicant with %s", c.State, c.RoutingReasons, skalig.ReasonMedicalCertificateMissing)
	}
	reqs, err := e.cases.DocumentRequests(ctx, c.ID)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %+v, %v", reqs, err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	if _, err := e.wf.Upload(ctx, c.ID, "", "applicant", "annat.pdf", "", pdf); err != nil {
		t.Fatal(err)
	}
	d, err := e.wf.Upload(ctx, c.ID, reqs[0].ID, "applicant", "lakarintyg.pdf", "", pdf)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := e.cases.Facts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, f := range facts {
		if f.Evidence != "" && (f.Kind == skalig.KindMedicalCertFrom || f.Kind == skalig.KindMedicalCertTo) {
			if f.Evidence != "upload:"+d.ID || f.Source != skalig.SourceApplicant || f.PersonID != "p1" {
				t.Errorf("shown fact %+v, want the applicant's with the upload %s as evidence", f, d.ID)
			}
			shown = append(shown, f.Kind+"="+f.Value.Text)
		}
	}
	if want := []string{skalig.KindMedicalCertFrom + "=" + first.String(), skalig.KindMedicalCertTo + "=" + last.String()}; !slices.Equal(shown, want) {
		t.Fatalf("facts shown by the upload %v, want %v (once, for the request's upload only)", shown, want)
	}
	c, _ = e.cases.Case(ctx, c.ID)
	if c.State != skalig.StateAwaitingCaseworker {
		t.Fatalf("after the upload: %s, want a person to read it", c.State)
	}
	// Routed again (any adjustment), the declared and shown period counts.
	if _, err := e.wf.RecordCondition(ctx, c.ID, c.Version, caseworker("hl-1"), casecheck.Condition{What: "residence", Person: "p1", Answer: "yes"}, "Medborgare."); err != nil {
		t.Fatal(err)
	}
	e.run(t)
	c, _ = e.cases.Case(ctx, c.ID)
	if slices.Contains(c.RoutingReasons, skalig.ReasonMedicalCertificateMissing) {
		t.Errorf("routed again after the upload: %v still has %s", c.RoutingReasons, skalig.ReasonMedicalCertificateMissing)
	}
}

// An uploaded läkarintyg that no person has opened is not evidence for
// the robot: routed again without anyone reading it, the case goes to a
// person with upload_unread; once a caseworker has opened the document
// (the read is in the audit trail) the robot may decide on it.
func TestUnreadCertificateIsNoEvidenceForTheRobot(t *testing.T) {
	e := setup(t, sim.Config{Seed: 1}, time.Minute)
	// No sample draw: routed again, the case must reach the robot's
	// decision (a draw is by case id, so a drawn case failed by chance).
	wf, err := workflow.New(workflow.Config{Cases: e.cases, Params: e.params, Municipal: municipaltest.Unsampled{Set: e.mun},
		Registers: e.sim, RegisterDeadline: time.Minute, RegisterTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.wf = wf
	ctx := context.Background()
	first, last := month.First(), skalig.Date{Y: int16(month.Year()), M: int8(month.Num()), D: int8(month.Days())}
	var c *skalig.Case
	var d *store.Document
	for _, h := range demo.GenerateScenario(1, "0821", month, demo.Plain, 12) {
		app := h.App
		for i := range app.Facts {
			if app.Facts[i].Kind == skalig.KindWorkSituation && app.Facts[i].PersonID == "p1" {
				app.Facts[i].Value = skalig.TextValue("sick")
			}
		}
		app.Facts = append(app.Facts,
			skalig.Fact{Kind: skalig.KindMedicalCertFrom, PersonID: "p1", Period: month, Value: skalig.TextValue(first.String()), Source: skalig.SourceApplicant},
			skalig.Fact{Kind: skalig.KindMedicalCertTo, PersonID: "p1", Period: month, Value: skalig.TextValue(last.String()), Source: skalig.SourceApplicant})
		x, _, err := e.wf.Submit(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t)
		x, _ = e.cases.Case(ctx, x.ID)
		if x.State != skalig.StateAwaitingApplicant || !slices.Equal(x.RoutingReasons, []string{skalig.ReasonMedicalCertificateMissing}) {
			continue // another stop as well: no use here
		}
		reqs, err := e.cases.DocumentRequests(ctx, x.ID)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("requests %+v, %v", reqs, err)
		}
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		if d, err = e.wf.Upload(ctx, x.ID, reqs[0].ID, "applicant", "lakarintyg.pdf", "", pdf); err != nil {
			t.Fatal(err)
		}
		c = x
		break
	}
	if c == nil {
		t.Fatal("no household whose only stop is the certificate")
	}
	// Routed again without a person, as an approval of parameters sends a
	// waiting case back (recalculate): to fetching, and the calculate job.
	reroute := func() *skalig.Case {
		t.Helper()
		if _, err := e.cases.Update(ctx, c.ID, func(m *store.Moves) error {
			if err := m.To(ctx, skalig.CaseTransition{CaseID: c.ID, To: skalig.StateFetching, Actor: "worker:params:1"}); err != nil {
				return err
			}
			return m.Enqueue(ctx, workflow.JobCalculate, time.Time{})
		}); err != nil {
			t.Fatal(err)
		}
		e.run(t)
		c, _ := e.cases.Case(ctx, c.ID)
		return c
	}
	if c = reroute(); c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonUploadUnread) {
		t.Fatalf("routed again with the certificate unread: %s %v, want awaiting_caseworker with %s", c.State, c.RoutingReasons, skalig.ReasonUploadUnread)
	}
	if err := e.cases.LogRead(ctx, "staff:hl-1", c.ID, "web", "document:"+d.ID); err != nil {
		t.Fatal(err)
	}
	if c = reroute(); slices.Contains(c.RoutingReasons, skalig.ReasonUploadUnread) || c.DecidedAt.IsZero() {
		t.Fatalf("routed again with the certificate read: %s %v, want it decided", c.State, c.RoutingReasons)
	}
}
