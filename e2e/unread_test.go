package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/demo"
	"skalig/internal/store"
	"skalig/internal/workflow"
)

// TestCaseworkerReadsUploadedCertificate: a läkarintyg uploaded for the
// robot's request is no evidence for an automated decision until a person
// has opened it. Routed again without a person (as a parameter approval
// does), the case goes to a person, and the case page names the reason
// ("Inlämnad handling inte läst"); the caseworker opens the document from
// the case page, and routed again the robot may decide.
func TestCaseworkerReadsUploadedCertificate(t *testing.T) {
	s := startCaseworker(t, 0, nil)
	ctx0 := context.Background()
	month := skalig.DateOf(time.Now()).Month()
	first, last := month.First(), skalig.Date{Y: int16(month.Year()), M: int8(month.Num()), D: int8(month.Days())}
	var c *skalig.Case
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
		x, _, err := s.wf.Submit(ctx0, app)
		if err != nil {
			t.Fatal(err)
		}
		s.settle(t)
		if x = s.reload(t, x.ID); x.State == skalig.StateAwaitingApplicant && slices.Equal(x.RoutingReasons, []string{skalig.ReasonMedicalCertificateMissing}) {
			c = x
			break
		}
	}
	if c == nil {
		t.Fatal("no household whose only stop is the certificate")
	}
	reqs, err := s.cases.DocumentRequests(ctx0, c.ID)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %+v, %v", reqs, err)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	d, err := s.wf.Upload(ctx0, c.ID, reqs[0].ID, "applicant", "lakarintyg.pdf", "", pdf)
	if err != nil {
		t.Fatal(err)
	}
	reroute := func() *skalig.Case {
		t.Helper()
		if _, err := s.cases.Update(ctx0, c.ID, func(m *store.Moves) error {
			if err := m.To(ctx0, skalig.CaseTransition{CaseID: c.ID, To: skalig.StateFetching, Actor: "worker:params:1"}); err != nil {
				return err
			}
			return m.Enqueue(ctx0, workflow.JobCalculate, time.Time{})
		}); err != nil {
			t.Fatal(err)
		}
		s.settle(t)
		return s.reload(t, c.ID)
	}
	if c = reroute(); c.State != skalig.StateAwaitingCaseworker || !slices.Contains(c.RoutingReasons, skalig.ReasonUploadUnread) {
		t.Fatalf("routed again with the certificate unread: %s %v", c.State, c.RoutingReasons)
	}

	ctx := newTab(t)
	base := s.URL + "/handlaggning/arenden/" + c.ID
	s.login(t, ctx, devidp.SaraHandlaggarsson, "/handlaggning/arenden/"+c.ID)
	if txt := cwText(t, ctx, "#glance-reasons"); !strings.Contains(txt, "Inlämnad handling inte läst") {
		t.Errorf("the summary's reasons %q do not name the unread document", txt)
	}
	cwCheckA11yLangs(t, ctx, base)
	// The caseworker opens the certificate from the case page.
	href := eval[string](t, ctx, `document.querySelector('#documents a').getAttribute('href')`)
	if !strings.HasSuffix(href, d.ID) {
		t.Fatalf("document link %q, want the upload %s", href, d.ID)
	}
	if st := cwEvalAwait[int](t, ctx, `fetch(`+cwJsString(href)+`).then(r => r.status)`); st != 200 {
		t.Fatalf("open the document: status %d", st)
	}
	if c = reroute(); c.DecidedAt.IsZero() || slices.Contains(c.RoutingReasons, skalig.ReasonUploadUnread) {
		t.Fatalf("routed again after the caseworker read it: %s %v, want it decided", c.State, c.RoutingReasons)
	}
}
