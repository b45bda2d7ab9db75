package applicant

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/web"
	"skalig/internal/workflow/step"
)

func reformValues() url.Values {
	return url.Values{"partner": {"no"}, "children": {"0"},
		"housing": {"rental"}, "rent": {"6 500"}, "sublet": {"yes"}, "sublet_consent": {"yes"},
		"bank": {"0"}, "vehicle": {"no"}, "assets_other": {"no"},
		"work.p1": {"sick"}, "af.p1": {"no"}, "work.p1.cert_from": {"2026-11-01"}, "work.p1.cert_to": {"2027-01-31"},
		"clearing": {"8327-9"}, "account": {"12 345"}}
}

// The e-service asks about illness with the läkarintyg's period and about a
// sublet with the landlord's consent; the answers become the facts routing
// checks, and a monthly re-application keeps them.
func TestReformQuestionsBecomeFacts(t *testing.T) {
	today := skalig.DateOf(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	me := skalig.PersonalNumber("198709149846")
	v := reformValues()
	f := web.NewForm(web.Swedish, v)
	if bad := (&formCheck{f: f, today: today, self: me}).checkAll(); len(bad) > 0 {
		t.Fatalf("steps %v: %v", bad, f.Errors())
	}
	app, err := buildApplication(v, me, "0821", skalig.MonthlyApplication, skalig.MonthOf(2027, 1), "k", today)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range app.Facts {
		got = append(got, f.Kind+"/"+f.PersonID+"="+f.Value.String())
	}
	for _, want := range []string{"housing.sublet/=yes", "housing.sublet_consent/=yes",
		"medical_certificate.from/p1=2026-11-01", "medical_certificate.to/p1=2027-01-31"} {
		if !slices.Contains(got, want) {
			t.Errorf("facts %v, want %s", got, want)
		}
	}
	pv := prefill(app, me)
	for _, k := range []string{"sublet", "sublet_consent", "work.p1.cert_from", "work.p1.cert_to"} {
		if pv.Get(k) != v.Get(k) {
			t.Errorf("prefill %s=%q, want %q", k, pv.Get(k), v.Get(k))
		}
	}
	// Not sick: no certificate facts; not rented: no sublet facts.
	v.Set("work.p1", "unemployed")
	v.Set("housing", "owned")
	app, err = buildApplication(v, me, "0821", skalig.MonthlyApplication, skalig.MonthOf(2027, 1), "k", today)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range app.Facts {
		if strings.HasPrefix(f.Kind, "medical_certificate.") || strings.HasPrefix(f.Kind, "housing.sublet") {
			t.Errorf("fact %s without illness or a rented home", f.Kind)
		}
	}
}

// Bad answers get a Swedish message naming the field.
func TestReformQuestionsBadInput(t *testing.T) {
	today := skalig.DateOf(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	me := skalig.PersonalNumber("198709149846")
	for _, tc := range []struct {
		name, field string
		set         map[string]string
		msg         string
	}{
		{"DateNotADate", "work.p1.cert_from", map[string]string{"work.p1.cert_from": "1 dec"}, "Intyget gäller från: skriv datumet som ÅÅÅÅ-MM-DD."},
		{"OnlyOneDate", "work.p1.cert_from", map[string]string{"work.p1.cert_from": ""}, "Intyget gäller från"},
		{"EndBeforeStart", "work.p1.cert_to", map[string]string{"work.p1.cert_to": "2026-10-31"}, "Intyget gäller till och med: datumet kan inte vara före"},
		{"SubletNotYesNo", "sublet", map[string]string{"sublet": "kanske"}, "andra hand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := reformValues()
			for k, x := range tc.set {
				v.Set(k, x)
			}
			f := web.NewForm(web.Swedish, v)
			(&formCheck{f: f, today: today, self: me}).checkAll()
			if msg := f.Error(tc.field); !strings.Contains(msg, tc.msg) {
				t.Errorf("error of %s = %q, want it to contain %q (all: %v)", tc.field, msg, tc.msg, f.Errors())
			}
		})
	}
}

// The robot's document requests are shown in the reader's language; the
// Swedish catalogue text is the one the workflow stores.
func TestRobotRequestTexts(t *testing.T) {
	for code, sv := range step.DocumentRequestTexts {
		for _, l := range web.Languages {
			if !l.Has("request.auto." + code) {
				t.Errorf("request.auto.%s is missing in %s", code, l.Code)
			}
		}
		if got := web.Swedish.T("request.auto." + code); got != sv {
			t.Errorf("request.auto.%s = %q, want the workflow's text %q", code, got, sv)
		}
		rq := store.DocumentRequest{Text: sv, RequestedBy: step.RobotRequester}
		for _, l := range web.Languages {
			if got := requestText(l, rq); got != l.T("request.auto."+code) {
				t.Errorf("%s: requestText = %q", l.Code, got)
			}
		}
		rq.RequestedBy = "caseworker:hl-1"
		if got := requestText(web.Languages[len(web.Languages)-1], rq); got != sv {
			t.Errorf("a caseworker's request is shown as written: %q", got)
		}
	}
}
