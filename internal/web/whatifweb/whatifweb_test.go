package whatifweb_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"skalig/internal/auth/devidp"
	"skalig/internal/municipal"
	"skalig/internal/params"
	"skalig/internal/web"
	"skalig/internal/web/caseworker"
	"skalig/internal/web/webtest"
	"skalig/internal/web/whatifweb"
	"skalig/internal/whatif"
)

var (
	mustContain = webtest.MustContain
	wantStatus  = webtest.WantStatus
)

func newEnv(t *testing.T, n int) *webtest.StaffEnv {
	t.Helper()
	mun, err := municipal.Default()
	if err != nil {
		t.Fatal(err)
	}
	p, err := params.Default()
	if err != nil {
		t.Fatal(err)
	}
	return webtest.NewStaffEnv(t, n, mun, func(s *web.Server, e *webtest.StaffEnv) error {
		d, err := caseworker.Mount(s, caseworker.Deps{Workflow: e.WF, Casework: e.Desk, Config: e.MC})
		if err != nil {
			return err
		}
		return whatifweb.Mount(s, d, &whatif.Runner{Cases: e.Cases, Live: whatif.Live{Params: p, Municipal: e.MC.Lookup()}})
	})
}

var runPath = regexp.MustCompile(`^/handlaggning/provkorning/([0-9A-Z]+)\?kommun=0821$`)

func TestStartAndReadRun(t *testing.T) {
	e := newEnv(t, 16)
	viktor := devidp.ViktorChefsson
	res := e.Get(t, viktor, "/handlaggning/provkorning")
	wantStatus(t, res, 200, "form")
	res = e.Post(t, viktor, "/handlaggning/provkorning?kommun=0821", url.Values{"kandidat": {"exempel-delegation"}})
	wantStatus(t, res, 303, "start")
	loc := res.Header.Get("Location")
	if !runPath.MatchString(loc) {
		t.Fatalf("redirect to %q", loc)
	}
	if _, err := whatif.Load(context.Background(), e.Cases, runPath.FindStringSubmatch(loc)[1]); err != nil {
		t.Fatal(err)
	}
	res = e.Get(t, viktor, loc)
	wantStatus(t, res, 200, "result")
	mustContain(t, res.Body, "routing-8000.json")
	t.Log(res.Body[strings.Index(res.Body, "<main"):])
}
