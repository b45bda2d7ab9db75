package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/dbtest"
	"skalig/internal/jobs"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/routing"
	"skalig/internal/store/paramdb"
	"skalig/internal/store/whatifdb"
	"skalig/internal/web"
	"skalig/internal/web/admin"
	"skalig/internal/web/caseworker"
	"skalig/internal/web/webtest"
	"skalig/internal/whatif"
)

// newEnv is the staff's pages, desk and administration, over one demo
// household.
func newEnv(t *testing.T) *webtest.StaffEnv { return newEnvN(t, 1) }

// newEnvN is newEnv over n demo households.
func newEnvN(t *testing.T, n int) *webtest.StaffEnv {
	t.Helper()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	return webtest.NewStaffEnv(t, n, mun, func(s *web.Server, e *webtest.StaffEnv) error {
		d, err := caseworker.Mount(s, caseworker.Deps{Workflow: e.WF, Casework: e.Desk, Config: e.MC})
		if err != nil {
			return err
		}
		runner := whatIfRunner(t, e)
		return admin.Mount(s, d, admin.WithParamVersions(paramdb.New(e.DB)), admin.WithWhatIf(runner), admin.WithProposals(e.MC, runner))
	})
}

// whatIfRunner is the what-if runner of e's database.
func whatIfRunner(t *testing.T, e *webtest.StaffEnv) *whatif.Runner {
	t.Helper()
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &whatif.Runner{Cases: whatifdb.New(e.DB), Live: whatif.Live{Params: p, Municipal: e.MC.Lookup()}}
}

// nextMonth is the month after the one in force: the earliest a change of
// the rules can apply from.
func nextMonth() skalig.Month { return skalig.DateOf(time.Now()).Month() + 1 }

// inForce puts the proposal res was redirected to in force the way the
// proposal's path wants it: tried in a what-if run by the proposer
// (Wilma), put in force by a second person (Viktor).
func inForce(t *testing.T, e *webtest.StaffEnv, res webtest.Response) {
	t.Helper()
	ctx := context.Background()
	m := regexp.MustCompile(`/admin/forslag/([0-9A-Z]+)\?`).FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("not a proposal: %q", res.Header.Get("Location"))
	}
	p, err := e.MC.Proposal(ctx, m[1])
	if err != nil {
		t.Fatal(err)
	}
	kind, name, data, err := e.MC.Candidate(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	cand, err := whatif.NewCandidate(whatif.Kind(kind), name, data)
	if err != nil {
		t.Fatal(err)
	}
	run, err := whatIfRunner(t, e).Start(ctx, "staff:"+devidp.WilmaAdminsson, cand, whatif.Selection{Municipality: p.Municipality}, 0)
	if err != nil {
		t.Fatal(err)
	}
	runWhatIfJobs(t, e)
	if _, err := e.MC.PutInForce(ctx, p.ID, devidp.ViktorChefsson, run); err != nil {
		t.Fatal(err)
	}
}

// runWhatIfJobs runs the what-if jobs until none is due, as a server's
// workers do.
func runWhatIfJobs(t *testing.T, e *webtest.StaffEnv) {
	t.Helper()
	q := e.DB.Queue(jobs.Config{Workers: 1})
	whatIfRunner(t, e).Handle(q)
	dbtest.RunJobs(t, e.DB, q.Run)
}

var (
	mustContain    = webtest.MustContain
	mustNotContain = webtest.MustNotContain
	wantStatus     = webtest.WantStatus
)

func TestAdministration(t *testing.T) {
	e := newEnv(t)
	wilma := devidp.WilmaAdminsson
	res := e.Get(t, wilma, "/handlaggning/admin")
	wantStatus(t, res, 200, "admin")
	mustContain(t, res.Body, "exempel 1", "Följer med programmet", "gäller nu", "belopp_kraftigt_okat")
	res = e.Get(t, wilma, "/handlaggning/admin/routing")
	wantStatus(t, res, 200, "routing form")
	mustContain(t, res.Body, "belopp_kraftigt_okat", "punkt 3.1 (exempel)")
	form := routingForm()
	form.Set("rules", `[{"name": "trasig", "expression": "household.nope > 1", "reason": "x"}]`)
	res = e.Post(t, wilma, "/handlaggning/admin/routing", form)
	wantStatus(t, res, 422, "a rule that does not compile")
	mustContain(t, res.Body, "Regel 1 (trasig), villkor: fältet household.nope finns inte", `href="#f-rules"`)
	form.Set("rules", `[{"name": "stort_hushall", "expression": "household.size >= 6", "reason": "Sex personer eller fler."}]`)
	form.Set("from", "2025-01")
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/routing", form), 422, "from a month gone by")
	// A change of the rules applies from next month at the earliest, and
	// is a proposal until a second person puts it in force with a what-if
	// run of it.
	cur := skalig.DateOf(time.Now()).Month()
	next := cur + 1
	form.Set("from", cur.String())
	res = e.Post(t, wilma, "/handlaggning/admin/routing", form)
	wantStatus(t, res, 422, "from the month in force")
	mustContain(t, res.Body, `href="#f-from"`)
	form.Set("from", next.String())
	form.Set("version", "fler stickprov")
	res = e.Post(t, wilma, "/handlaggning/admin/routing", form)
	wantStatus(t, res, http.StatusSeeOther, "routing proposed")
	proposal := res.Header.Get("Location")
	if !strings.HasPrefix(proposal, "/handlaggning/admin/forslag/") || !strings.Contains(proposal, "klart=forslag-sparat") {
		t.Fatalf("after proposing: %q", proposal)
	}
	if rc, _ := e.MC.Routing(context.Background(), "0821", next); rc.Version() == "fler stickprov" {
		t.Fatal("a proposal is in force")
	}
	res = e.Get(t, wilma, proposal)
	wantStatus(t, res, 200, "the proposal")
	mustContain(t, res.Body, "Förslaget är sparat.", "Förslag: fler stickprov", "Det finns ingen klar provkörning av förslaget ännu.")
	res = e.Get(t, wilma, "/handlaggning/admin")
	mustContain(t, res.Body, `<a href="`+strings.ReplaceAll(strings.Split(proposal, "&")[0], "&", "&amp;"), "Väntar på att sättas i kraft")
	// Putting it in force without a run is refused, naming the field.
	action := strings.Split(proposal, "&")[0]
	res = e.Post(t, devidp.ViktorChefsson, action, url.Values{})
	wantStatus(t, res, 422, "no run")
	mustContain(t, res.Body, `href="#f-provkorning"`)
	// Wilma tries it; the run is a job.
	base := strings.Split(action, "?")[0]
	res = e.Post(t, wilma, base+"/provkor?kommun=0821", url.Values{})
	wantStatus(t, res, http.StatusSeeOther, "try the proposal")
	if !strings.HasPrefix(res.Header.Get("Location"), "/handlaggning/provkorning/") {
		t.Fatalf("the run: %q", res.Header.Get("Location"))
	}
	runWhatIfJobs(t, e)
	res = e.Get(t, wilma, action)
	mustContain(t, res.Body, `name="provkorning"`, "Wilma Adminsson: Klar")
	// Wilma proposed it and ran it: she may not put it in force.
	runID := regexp.MustCompile(`name="provkorning" value="([0-9A-Z]+)"`).FindStringSubmatch(res.Body)
	if runID == nil {
		t.Fatalf("no run to choose: %s", res.Body)
	}
	res = e.Post(t, wilma, action, url.Values{"provkorning": {runID[1]}})
	wantStatus(t, res, 422, "the proposer puts it in force")
	mustContain(t, res.Body, "En annan person än den som föreslog ändringen eller startade provkörningen måste sätta den i kraft")
	res = e.Post(t, devidp.ViktorChefsson, action, url.Values{"provkorning": {runID[1]}})
	wantStatus(t, res, http.StatusSeeOther, "a second person puts it in force")
	rc, err := e.MC.Routing(context.Background(), "0821", next)
	if err != nil || rc.Version() != "fler stickprov" || rc.Spec().SampleRate != 0.10 {
		t.Fatalf("next month's routing: %v %v", rc.Version(), err)
	}
	if rc, _ := e.MC.Routing(context.Background(), "0821", cur); rc.Version() == "fler stickprov" {
		t.Fatal("in force this month")
	}
	res = e.Get(t, wilma, "/handlaggning/admin?klart=i-kraft")
	mustContain(t, res.Body, "Ändringen är satt i kraft", "Nämnden beslutade om fler stickprov.", "Viktor Chefsson")
	res = e.Get(t, wilma, action)
	mustContain(t, res.Body, "I kraft (Viktor Chefsson)")
	mustNotContain(t, res.Body, "Sätt förslaget i kraft")

	res = e.Get(t, wilma, "/handlaggning/admin/riktlinjer")
	wantStatus(t, res, 200, "guidelines form")
	mustContain(t, res.Body, `name="h1_0" type="text" inputmode="numeric" autocomplete="off" value="4474"`, `name="h2_5"`, `value="9255"`)
	// A proposal applies from next month at the earliest, and says so; a
	// month left empty (or one the browser did not take) is named, not
	// made next month without a word.
	mustContain(t, res.Body, "Den nya versionen kan gälla från "+web.Swedish.Month(next)+" eller senare.")
	mustNotContain(t, res.Body, `type="month"`)
	g := guidelinesForm()
	g.Set("version", "utan månad")
	g.Set("from", "")
	res = e.Post(t, wilma, "/handlaggning/admin/riktlinjer", g)
	wantStatus(t, res, 422, "guidelines without a month")
	mustContain(t, res.Body, `<a href="#f-from">Gäller från: du behöver fylla i det här.</a>`)
	g.Set("from", cur.String())
	res = e.Post(t, wilma, "/handlaggning/admin/riktlinjer", g)
	wantStatus(t, res, 422, "guidelines from this month")
	mustContain(t, res.Body, "Den nya versionen kan gälla från "+next.String()+" eller senare.")
	mustNotContain(t, res.Body, "redan har varit")
	g.Set("version", "nya hyror")
	g.Set("from", (next + 1).String())
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/riktlinjer", g), http.StatusSeeOther, "guidelines proposed")
	g.Set("version", "nya hyror b")
	g.Set("h1_1", "sex")
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/riktlinjer", g), 422, "guidelines, not amounts")

	res = e.Get(t, wilma, "/handlaggning/admin/handlaggning")
	wantStatus(t, res, 200, "casework form")
	cw := url.Values{"version": {"fyra ögon"}, "from": {next.String()}, "four_eyes_override": {"yes"}, "overdue_days": {"0"}, "reason": {"Beslut."}}
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/handlaggning", cw), 422, "casework, 0 days")
	cw.Set("overdue_days", "3")
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/handlaggning", cw), http.StatusSeeOther, "casework saved")
	res = e.Get(t, wilma, "/handlaggning/admin?klart=konfiguration")
	mustContain(t, res.Body, "Den nya versionen är sparad")

	res = e.Get(t, wilma, "/handlaggning/parametrar")
	wantStatus(t, res, 200, "parameters")
	mustContain(t, res.Body, "riksnorm-2026", "Svagaste status")
	for _, l := range web.Languages {
		for _, p := range []string{"/handlaggning/admin", "/handlaggning/parametrar", "/handlaggning/admin/routing", "/handlaggning/admin/regeltest", "/handlaggning/admin/riktlinjer"} {
			res := e.Get(t, wilma, p+"?lang="+l.Code)
			wantStatus(t, res, 200, p)
			mustNotContain(t, res.Body, "[cw.")
		}
	}
}

// TestAdministrationRoles: managers see the configuration but do not
// change it; caseworkers do not see it; applicants and nobody are refused.
func TestAdministrationRoles(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, e.Get(t, devidp.ViktorChefsson, "/handlaggning/admin/routing"), 200, "manager sees the configuration")
	wantStatus(t, e.Post(t, devidp.ViktorChefsson, "/handlaggning/admin/routing", url.Values{}), 403, "manager edits")
	wantStatus(t, e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/admin"), 403, "caseworker, admin")
	wantStatus(t, e.Get(t, devidp.SaraHandlaggarsson, "/handlaggning/parametrar"), 200, "caseworker, parameters")
	wantStatus(t, e.Get(t, devidp.AlvaTestsson, "/handlaggning/admin"), 403, "applicant, admin")
	wantStatus(t, e.Get(t, "", "/handlaggning/admin"), 401, "anonymous, admin")
}

// TestAdministrationDynamicKeys checks the message keys built at run time.
func TestAdministrationDynamicKeys(t *testing.T) {
	var keys []string
	for _, k := range []string{"routing", "guidelines", "casework"} {
		keys = append(keys, "cw.admin.kind."+k)
	}
	for _, r := range []routing.Route{routing.RouteDecide, routing.RoutePropose, routing.RouteException, routing.RouteSample} {
		keys = append(keys, "cw.admin.preview.route."+string(r))
	}
	for _, o := range []skalig.Outcome{skalig.OutcomeApproved, skalig.OutcomePartlyApproved, skalig.OutcomeRejected} {
		keys = append(keys, "cw.admin.routing.group.outcome."+string(o))
	}
	for _, key := range keys {
		for _, l := range web.Languages {
			if !l.Has(key) {
				t.Errorf("%s: key %q missing", l.Code, key)
			}
		}
	}
}

// TestMountNeedsDesk: the administration is mounted on a desk.
func TestMountNeedsDesk(t *testing.T) {
	s, err := web.New(webtest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Mount(s, nil); err == nil {
		t.Error("Mount without a desk")
	}
}
