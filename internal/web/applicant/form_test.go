package applicant

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"skalig"
	"skalig/internal/web"
)

// TestApplicantDynamicKeys checks the message keys the applicant's pages
// build at run time.
func TestApplicantDynamicKeys(t *testing.T) {
	var keys []string
	for _, s := range append(applySteps[:len(applySteps):len(applySteps)], reviewStep) {
		keys = append(keys, "apply.step."+s)
	}
	for _, s := range applySteps {
		keys = append(keys, "apply.intro."+s)
	}
	for _, k := range incomeKinds {
		keys = append(keys, "income.kind."+k, "income.hint."+k)
	}
	for _, k := range []string{"housing", "electricity", "home_insurance", "work_travel", "union_fee", "unemployment_fund_fee", "other"} {
		keys = append(keys, "cost.kind."+k)
	}
	for _, k := range extraCosts {
		keys = append(keys, "cost.hint."+k)
	}
	for _, h := range housingKinds {
		keys = append(keys, "apply.housing."+h)
	}
	for _, w := range workSituations {
		keys = append(keys, "apply.work."+w)
	}
	for _, s := range signalKinds {
		keys = append(keys, "apply.signal."+s)
	}
	for _, id := range []string{"p1", "p2"} {
		keys = append(keys, "apply.work.label."+id, "apply.af.label."+id, "review.who."+id, "apply.incomes.legend."+id, "apply.cert.legend."+id)
	}
	for _, s := range skalig.CaseStates {
		keys = append(keys, "case.state."+string(s), "case.state."+string(s)+".text")
	}
	for _, it := range explainItems {
		keys = append(keys, "explain.item."+it)
	}
	for _, k := range overviewNotices {
		keys = append(keys, k)
	}
	for _, k := range caseNotices {
		keys = append(keys, k)
	}
	for _, k := range []string{"received", "fetching", "refetching", "registers", "calculated", "caseworker", "waiting_for_you",
		"sampled", "decided", "paid", "closed", "withdrawn", "documents_requested", "document_uploaded", "message_in",
		"message_out", "review_requested", "payment_held", "payment_sent", "payment_rejected"} {
		keys = append(keys, "timeline."+k)
	}
	for _, k := range keys {
		for _, l := range web.Languages {
			if !l.Has(k) {
				t.Errorf("key %q is missing in %s", k, l.Code)
			}
		}
	}
}

// TestPrefillRoundTrip: a monthly re-application made from an application
// declares the same facts, but for the one-month needs, signals and
// messages.
func TestPrefillRoundTrip(t *testing.T) {
	today := skalig.DateOf(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	me := skalig.PersonalNumber("198709149846")
	v := url.Values{"partner": {"yes"}, "partner_pn": {"19860302-9938"}, "children": {"1"},
		"child.1.pn": {testPN("20220601", 990)}, "child.1.preschool": {"yes"}, "child.1.days": {"15"},
		"housing": {"lodger"}, "rent": {"3 000"}, "dwelling_size": {"5"}, "electricity": {"250"}, "insurance": {"120,50"},
		"income.p1.salary_net": {"8 000"}, "income.p2.sickness_benefit": {"9000"}, "cost.union_fee": {"300"},
		"need.1.text": {"Glasögon"}, "need.1.amount": {"1450"}, "bank": {"100"}, "vehicle": {"yes"}, "vehicle_text": {"ABC123 Volvo 2004"},
		"assets_other": {"no"}, "work.p1": {"employed"}, "af.p1": {"no"}, "work.p2": {"sick"}, "af.p2": {"no"},
		"clearing": {"8327-9"}, "account": {"12 345"}, "signal.eviction": {"yes"}, "message": {"Hej"}}
	f := web.NewForm(web.Swedish, v)
	if bad := (&formCheck{f: f, today: today, self: me}).checkAll(); len(bad) > 0 {
		t.Fatalf("steps %v: %v", bad, f.Errors())
	}
	app, err := buildApplication(v, me, "0821", skalig.FirstApplication, skalig.MonthOf(2026, 11), "k", today)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Validate(); err != nil {
		t.Fatal(err)
	}
	pv := prefill(app, me)
	f2 := web.NewForm(web.Swedish, pv)
	if bad := (&formCheck{f: f2, today: today, self: me}).checkAll(); len(bad) > 0 {
		t.Fatalf("prefilled steps %v: %v", bad, f2.Errors())
	}
	app2, err := buildApplication(pv, me, "0821", skalig.MonthlyApplication, skalig.MonthOf(2026, 11), "k", today)
	if err != nil {
		t.Fatal(err)
	}
	oneMonth := func(kind string) bool {
		return strings.HasPrefix(kind, "need.") || strings.HasPrefix(kind, "signal.") || kind == skalig.KindMessage
	}
	var want, got []string
	for _, f := range app.Facts {
		if !oneMonth(f.Kind) {
			want = append(want, f.Kind+"/"+f.PersonID+"="+f.Value.String())
		}
	}
	for _, f := range app2.Facts {
		got = append(got, f.Kind+"/"+f.PersonID+"="+f.Value.String())
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("prefilled facts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The co-applicant applying next month becomes the applicant.
	david := skalig.PersonalNumber("198603029938")
	dv := prefill(app, david)
	if dv.Get("partner_pn") != "19870914-9846" || dv.Get("income.p1.sickness_benefit") != "9 000" || dv.Get("income.p2.salary_net") != "8 000" {
		t.Errorf("swapped roles: %v", dv)
	}
}

func TestMergeStep(t *testing.T) {
	draft := url.Values{"signal.eviction": {"yes"}, "message": {"a"}, "rent": {"1"}}
	posted := url.Values{"message": {" b "}, "rent": {"99"}, "action": {"next"}}
	got := mergeStep(draft, posted, "ovrigt")
	if got.Get("signal.eviction") != "" || got.Get("message") != "b" || got.Get("rent") != "1" || got.Has("action") {
		t.Errorf("mergeStep = %v", got)
	}
}

// The co-applicant is told who applied by the name the applicant's login
// gave when signing, else when starting the draft, and only in a draft
// from before names were kept by the masked personnummer.
func TestOwnerName(t *testing.T) {
	pn := skalig.PersonalNumber("198709149846")
	signed := &skalig.Draft{Applicant: pn, Signatures: []skalig.Signature{{PersonalNumber: pn, Name: "Cecilia Demosson"}}}
	unsigned := &skalig.Draft{Applicant: pn}
	started := url.Values{ownerNameKey: {"Cecilia D."}}
	for _, tc := range []struct {
		name string
		v    url.Values
		d    *skalig.Draft
		want string
	}{
		{"Signed", started, signed, "Cecilia Demosson"},
		{"Started", started, unsigned, "Cecilia D."},
		{"Old", url.Values{}, unsigned, "19870914-****"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ownerName(tc.v, tc.d); got != tc.want {
				t.Errorf("ownerName = %q, want %q", got, tc.want)
			}
		})
	}
}
