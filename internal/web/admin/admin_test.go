package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
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
		p, err := params.Default()
		if err != nil {
			return err
		}
		runner := &whatif.Runner{Cases: whatifdb.New(e.DB), Live: whatif.Live{Params: p, Municipal: e.MC.Lookup()}}
		return admin.Mount(s, d, admin.WithParamVersions(paramdb.New(e.DB)), admin.WithWhatIf(runner))
	})
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
	form.Set("from", "2026-12")
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/routing", form), http.StatusSeeOther, "routing saved")
	rc, err := e.MC.Routing(context.Background(), "0821", skalig.MonthOf(2026, 12))
	if err != nil || rc.Version() != "2026-12" || rc.Spec().SampleRate != 0.10 {
		t.Fatalf("December routing: %v %v", rc.Version(), err)
	}
	res = e.Get(t, wilma, "/handlaggning/admin?klart=konfiguration")
	mustContain(t, res.Body, "Den nya versionen är sparad", "Nämnden beslutade om fler stickprov.", "Wilma Adminsson")

	res = e.Get(t, wilma, "/handlaggning/admin/riktlinjer")
	wantStatus(t, res, 200, "guidelines form")
	mustContain(t, res.Body, `name="h1_0" type="text" inputmode="numeric" autocomplete="off" value="4474"`, `name="h2_5"`, `value="9255"`)
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/riktlinjer", guidelinesForm()), http.StatusSeeOther, "guidelines saved")
	g := guidelinesForm()
	g.Set("version", "2027-b")
	g.Set("h1_1", "sex")
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/riktlinjer", g), 422, "guidelines, not amounts")

	res = e.Get(t, wilma, "/handlaggning/admin/handlaggning")
	wantStatus(t, res, 200, "casework form")
	cw := url.Values{"version": {"fyra ögon"}, "from": {"2026-12"}, "four_eyes_override": {"yes"}, "overdue_days": {"0"}, "reason": {"Beslut."}}
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/handlaggning", cw), 422, "casework, 0 days")
	cw.Set("overdue_days", "3")
	wantStatus(t, e.Post(t, wilma, "/handlaggning/admin/handlaggning", cw), http.StatusSeeOther, "casework saved")

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
