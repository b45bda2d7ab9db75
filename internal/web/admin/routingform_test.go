package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
	"skalig/internal/routing"
	"skalig/internal/web/webtest"
)

// routingForm is a valid routing form: two case groups (the second only
// for unchanged re-applications, deciding approvals and partial
// approvals), one empty group, a sample of 1 in 10, from December 2026.
func routingForm() url.Values {
	return url.Values{"version": {"2026-12"}, "from": {nextMonth().String()}, "source": {"Nämndens beslut 2026-11-20 § 7"},
		"groups":  {"3"},
		"d0_name": {"punkt 3.1"}, "d0_max_amount": {"20 000"}, "d0_approved": {"yes"}, "d0_unchanged": {"yes"},
		"d1_name": {"punkt 3.2"}, "d1_max_amount": {"12000"}, "d1_approved": {"yes"}, "d1_partly_approved": {"yes"},
		"sample_rate": {"1 av 10"}, "sample_seed": {"hogsby-2026-12-stickprov"}, "income_tolerance": {"100"}, "bank_limit": {"2000"},
		"rules": {"[]"}, "reason": {"Nämnden beslutade om fler stickprov."}, "action": {"save"}}
}

// TestRoutingFormMapping: the form's fields become the routing version's:
// the groups in order (an empty one left out, a removed one gone), the
// outcomes ticked, the limits in kronor, the sample rate as a share.
func TestRoutingFormMapping(t *testing.T) {
	e := newEnv(t)
	wilma := devidp.WilmaAdminsson
	res := e.Get(t, wilma, "/handlaggning/admin/routing")
	wantStatus(t, res, 200, "routing form")
	// The groups in force as fields, one empty group to add, the rules as advanced.
	mustContain(t, res.Body, `name="d0_name"`, `value="Delegationsordning för individ- och familjeomsorgsnämnden, punkt 3.1 (exempel)"`,
		`name="d1_max_amount"`, `value="12000"`, `name="d2_name"`, `name="groups" value="3"`, `<details class="cw-advanced"`,
		"belopp_kraftigt_okat", `href="/handlaggning/admin/regeltest?kommun=0821"`)

	form := routingForm()
	form.Set("d2_name", "punkt 3.3")
	form.Set("d2_max_amount", "5000")
	form.Set("d2_rejected", "yes")
	form.Set("d2_remove", "yes")
	res = e.Post(t, wilma, "/handlaggning/admin/routing", form)
	wantStatus(t, res, http.StatusSeeOther, "saved")
	inForce(t, e, res)
	rc, err := e.MC.Routing(context.Background(), "0821", nextMonth())
	if err != nil {
		t.Fatal(err)
	}
	s := rc.Spec()
	if len(s.Delegations) != 2 {
		t.Fatalf("Delegations=%+v, want 2", s.Delegations)
	}
	d0, d1 := s.Delegations[0], s.Delegations[1]
	if d0.Name != "punkt 3.1" || d0.MaxAmount != 20000 || !d0.UnchangedOnly || len(d0.Outcomes) != 1 || d0.Outcomes[0] != skalig.OutcomeApproved {
		t.Errorf("group 1 = %+v", d0)
	}
	if d1.Name != "punkt 3.2" || d1.MaxAmount != 12000 || d1.UnchangedOnly || len(d1.Outcomes) != 2 || d1.Outcomes[1] != skalig.OutcomePartlyApproved {
		t.Errorf("group 2 = %+v", d1)
	}
	if len(d0.Kinds) != 1 || d0.Kinds[0] != skalig.MonthlyApplication {
		t.Errorf("Kinds=%v, want monthly", d0.Kinds)
	}
	if s.SampleRate != 0.1 || s.IncomeTolerance != 100 || s.BankLimit != 2000 || s.Registers != nil {
		t.Errorf("SampleRate=%v IncomeTolerance=%v BankLimit=%v Registers=%v", s.SampleRate, s.IncomeTolerance, s.BankLimit, s.Registers)
	}

	// Adding a group shows one more empty group and saves nothing.
	form = routingForm()
	form.Set("version", "2027-01")
	form.Set("action", "add_group")
	res = e.Post(t, wilma, "/handlaggning/admin/routing", form)
	wantStatus(t, res, 200, "add a group")
	mustContain(t, res.Body, `name="groups" value="4"`, `name="d3_name"`)
	if vs, _ := e.MC.Versions(context.Background(), "0821", "routing"); len(vs) != 1 {
		t.Errorf("%d versions after adding a group, want 1", len(vs))
	}
}

// TestRoutingFormValidation: bad input gets a Swedish message that names
// the field, on that field, never a 500; the messages are the
// configuration's (internal/municipal through routing.Check).
func TestRoutingFormValidation(t *testing.T) {
	e := newEnv(t)
	wilma := devidp.WilmaAdminsson
	for name, tc := range map[string]struct {
		set      map[string]string
		field    string
		contains string
	}{
		"ErrAmountText":      {map[string]string{"d1_max_amount": "tolv tusen"}, "d1_max_amount", "Ärendegrupp 2, högsta belopp"},
		"ErrAmountZero":      {map[string]string{"d0_max_amount": "0"}, "d0_max_amount", "Ärendegrupp 1 (punkt 3.1), högsta belopp: ange ett belopp från 1\u00a0kr till 1\u00a0000\u00a0000\u00a0kr."},
		"ErrNoOutcome":       {map[string]string{"d0_approved": ""}, "d0_approved", "Ärendegrupp 1, utfall: välj minst ett utfall"},
		"ErrNoName":          {map[string]string{"d1_name": ""}, "d1_name", "Ärendegrupp 2, namn: skriv vilken punkt i delegationsordningen"},
		"ErrSameName":        {map[string]string{"d1_name": "punkt 3.1"}, "d1_name", "en annan ärendegrupp har redan namnet"},
		"ErrSampleRateText":  {map[string]string{"sample_rate": "ofta"}, "sample_rate", "Andel stickprov: skriv en procent från 0 till 100"},
		"ErrSampleRate":      {map[string]string{"sample_rate": "150 %"}, "sample_rate", "Andel stickprov: ange en andel mellan 0 och 100 procent."},
		"ErrSampleOneInNone": {map[string]string{"sample_rate": "1 av 0"}, "sample_rate", "Andel stickprov: skriv en procent"},
		"ErrSeed":            {map[string]string{"sample_seed": "kort"}, "sample_seed", "Nyckel för stickprov"},
		"ErrRegister":        {map[string]string{"registers": "fk, ssbtek"}, "registers", "Register: ”ssbtek” är inte ett register"},
		"ErrRuleJSON":        {map[string]string{"rules": "[{"}, "rules", "Texten kunde inte läsas som JSON"},
		"ErrRuleType":        {map[string]string{"rules": `[{"name": "x", "expression": "calc.aid * 2 > 100", "reason": "r"}]`}, "rules", "Regel 1 (x), villkor: * kan inte användas med ett decimaltal (double) och ett heltal (int)"},
		"ErrSource":          {map[string]string{"source": " "}, "source", "Nämndens beslut: du behöver fylla i det här."},
	} {
		t.Run(name, func(t *testing.T) {
			form := routingForm()
			for k, v := range tc.set {
				form.Set(k, v)
			}
			for _, action := range []string{"save", "preview"} {
				form.Set("action", action)
				res := e.Post(t, wilma, "/handlaggning/admin/routing", form)
				wantStatus(t, res, 422, action)
				mustContain(t, res.Body, `href="#f-`+tc.field+`"`, `id="f-`+tc.field+`-error"`, tc.contains)
			}
		})
	}
	// A rule's problem is said in the page's language (the other fields'
	// messages are Swedish only).
	for lang, want := range map[string]string{
		"en": "Rule 1 (x), condition: * cannot be used with a decimal number (double) and a whole number (int) (line 1, character 10). Amounts are decimal numbers: write for example 2.0 instead of 2. Technical detail from the rule engine: 1:10: found no matching overload for &#39;_*_&#39; applied to &#39;(double, int)&#39;",
		"ar": "القاعدة ⁨1⁩ (⁨x⁩)، الشرط: لا يمكن استخدام ⁨*⁩ مع عدد عشري (double) وعدد صحيح (int) (السطر ⁨1⁩، الحرف ⁨10⁩). المبالغ أعداد عشرية: اكتب مثلًا 2.0 بدلًا من 2.",
	} {
		form := routingForm()
		form.Set("rules", `[{"name": "x", "expression": "calc.aid * 2 > 100", "reason": "r"}]`)
		res := e.Post(t, wilma, "/handlaggning/admin/routing?lang="+lang, form)
		wantStatus(t, res, 422, "a bad rule in "+lang)
		mustContain(t, res.Body, `href="#f-rules"`, want)
		mustNotContain(t, res.Body, "villkor:")
	}
	if vs, _ := e.MC.Versions(context.Background(), "0821", "routing"); len(vs) != 0 {
		t.Errorf("%d versions stored from bad forms", len(vs))
	}
}

// TestRoutingPreview: before saving, the form shows what the change would
// route differently among the recent decided cases, with the what-if
// engine; every case in the table is logged as read; nothing is saved.
func TestRoutingPreview(t *testing.T) {
	e := newEnvN(t, 16)
	var decided int
	if err := e.DB.SQL().QueryRow(`SELECT COUNT(*) FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.municipality = '0821' AND d.decided_by_delegation <> ''`).Scan(&decided); err != nil {
		t.Fatal(err)
	}
	if decided == 0 {
		t.Fatal("the demo's robot decided nothing")
	}
	wilma := devidp.WilmaAdminsson
	form := routingForm()
	form.Set("d0_max_amount", "1")
	form.Set("d1_max_amount", "1")
	form.Set("action", "preview")
	form.Del("version")
	form.Del("reason")
	res := e.Post(t, wilma, "/handlaggning/admin/routing", form)
	wantStatus(t, res, 200, "preview")
	mustContain(t, res.Body, `id="preview-heading"`, "Skulle gå en annan väg", "Skälig beslutar → <strong>förslag till handläggare</strong>", `id="preview-caption"`)
	mustNotContain(t, res.Body, `href="/handlaggning/arenden/`) // an administrator does not open cases
	// The fields keep what was typed, ready to save.
	mustContain(t, res.Body, `name="d0_max_amount" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" value="1"`)
	ids := previewCases(t, e, res.Body)
	if len(ids) == 0 || len(ids) > decided {
		t.Fatalf("%d cases in the table, %d decided by the robot", len(ids), decided)
	}
	for _, id := range ids {
		if n := e.Reads(t, id, "staff:"+wilma); n != 1 {
			t.Errorf("case %s shown, %d reads logged", id, n)
		}
	}
	if vs, _ := e.MC.Versions(context.Background(), "0821", "routing"); len(vs) != 0 {
		t.Errorf("a preview stored %d versions", len(vs))
	}
}

var previewRow = regexp.MustCompile(`<tr><th scope="row">([^<]+)</th><td>`)

// previewCases returns the ids of the cases of the preview's table (by
// their case numbers: an administrator who does not work with cases gets
// no link to them).
func previewCases(t *testing.T, e *webtest.StaffEnv, body string) []string {
	t.Helper()
	var out []string
	for _, m := range previewRow.FindAllStringSubmatch(body, -1) {
		cs, err := e.Cases.CaseByNumber(context.Background(), m[1])
		if err != nil {
			t.Fatalf("case %s of the preview: %v", m[1], err)
		}
		out = append(out, cs.ID)
	}
	return out
}

// TestRuleTester: a rule tried on a case by its case number says whether
// it matched and what it read; the read is logged; a rule that does not
// compile gets a Swedish message naming the field; an unknown case
// number is a field error, not a 500.
func TestRuleTester(t *testing.T) {
	e := newEnvN(t, 4)
	var id, number string
	if err := e.DB.SQL().QueryRow(`SELECT c.id, c.number FROM decisions d JOIN cases c ON c.id = d.case_id ORDER BY c.id LIMIT 1`).Scan(&id, &number); err != nil {
		t.Fatal(err)
	}
	wilma := devidp.WilmaAdminsson
	wantStatus(t, e.Get(t, wilma, "/handlaggning/admin/regeltest"), 200, "tester")
	res := e.Post(t, wilma, "/handlaggning/admin/regeltest", url.Values{"arende": {number}, "expression": {"household.size >= 1 && calc.aid >= 0.0"}})
	wantStatus(t, res, 200, "matched")
	mustContain(t, res.Body, "Regeln gäller", "<code dir=\"ltr\">household.size</code>", "<code dir=\"ltr\">calc.aid</code>", "Resultat för ärende "+number)
	if n := e.Reads(t, id, "staff:"+wilma); n != 1 {
		t.Errorf("%d reads logged, want 1", n)
	}
	mustNotContain(t, res.Body, `href="/handlaggning/arenden/`+id+`"`) // an administrator does not open cases
	// A manager, who works with cases, gets a link to it; the read is logged.
	res = e.Post(t, devidp.ViktorChefsson, "/handlaggning/admin/regeltest", url.Values{"arende": {number}, "expression": {"true"}})
	wantStatus(t, res, 200, "manager")
	mustContain(t, res.Body, `href="/handlaggning/arenden/`+id+`"`)
	if n := e.Reads(t, id, "staff:"+devidp.ViktorChefsson); n != 1 {
		t.Errorf("%d reads logged for the manager, want 1", n)
	}
	res = e.Post(t, wilma, "/handlaggning/admin/regeltest", url.Values{"arende": {number}, "expression": {"household.size > 99"}})
	wantStatus(t, res, 200, "not matched")
	mustContain(t, res.Body, "Regeln gäller inte")
	res = e.Post(t, wilma, "/handlaggning/admin/regeltest", url.Values{"arende": {number}, "expression": {"household.persons > 2"}})
	wantStatus(t, res, 422, "does not compile")
	mustContain(t, res.Body, `href="#f-expression"`, "Villkor (CEL): fältet household.persons finns inte", "household.size")
	// In the page's language, with the compiler's words as the appendix.
	for lang, want := range map[string]string{
		"sv": "Villkor (CEL): fältet household.persons finns inte (rad 1, tecken 1). Fält som finns: household.size, household.adults, household.children. Teknisk uppgift från regelmotorn: 1:1: undeclared reference to &#39;household&#39;",
		"en": "the field household.persons does not exist (line 1, character 1). Fields that exist: household.size, household.adults, household.children. Technical detail from the rule engine: 1:1: undeclared reference to &#39;household&#39;",
		"ar": "الحقل ⁨household.persons⁩ غير موجود (السطر ⁨1⁩، الحرف ⁨1⁩). الحقول الموجودة: ⁨household.size⁩، ⁨household.adults⁩، ⁨household.children⁩. تفاصيل تقنية من محرك القواعد: ⁨1:1: undeclared reference to &#39;household&#39;",
	} {
		res = e.Post(t, wilma, "/handlaggning/admin/regeltest?lang="+lang, url.Values{"arende": {number}, "expression": {"household.persons > 2"}})
		wantStatus(t, res, 422, "does not compile, "+lang)
		mustContain(t, res.Body, `href="#f-expression"`, want)
	}
	res = e.Post(t, wilma, "/handlaggning/admin/regeltest", url.Values{"arende": {"2026-0821-999999"}, "expression": {"true"}})
	wantStatus(t, res, 422, "unknown case")
	mustContain(t, res.Body, `href="#f-arende"`, "det finns inget ärende med det numret")
	res = e.Post(t, wilma, "/handlaggning/admin/regeltest?kommun=0821", url.Values{})
	wantStatus(t, res, 422, "nothing given")
	if _, err := routing.New(routing.Spec{}); err == nil {
		t.Fatal("routing.New accepts an empty version")
	}
}

// TestConfigFormsNever500: odd input in any field of the routing and
// guidelines forms is a 422 with messages or a 200/303, never a 500.
func TestConfigFormsNever500(t *testing.T) {
	e := newEnv(t)
	odd := []string{"", " ", "-1", "1e309", "99999999999999999999", "NaN", "1 av -3", "0 av 0", "\x00", "%", strings.Repeat("9", 400), "[", `{"a":1}`}
	for _, tc := range []struct {
		path string
		form func() url.Values
	}{{"/handlaggning/admin/routing", routingForm}, {"/handlaggning/admin/riktlinjer", guidelinesForm}} {
		for field := range tc.form() {
			for _, v := range odd {
				actions := []string{"save", "preview"}
				if field == "groups" {
					actions = append(actions, "add_group")
				}
				for _, action := range actions {
					form := tc.form()
					form.Set(field, v)
					form.Set("action", action)
					if field == "action" {
						form.Set("action", v)
					}
					res := e.Post(t, devidp.WilmaAdminsson, tc.path, form)
					if res.StatusCode >= 500 {
						t.Fatalf("%s %s=%q (%s): status %d", tc.path, field, v, action, res.StatusCode)
					}
				}
			}
		}
	}
}
