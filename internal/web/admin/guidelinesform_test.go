package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"skalig"
	"skalig/internal/auth/devidp"
)

// guidelinesForm is a valid guidelines form from January 2027: housing
// for 0-5 children, electricity for 1-3 persons, a monthly pass.
func guidelinesForm() url.Values {
	f := url.Values{"version": {"2027"}, "from": {(nextMonth() + 1).String()}, "source": {"Nämndens beslut"}, "cols": {"6"}, "el_cols": {"6"},
		"el_0": {"600"}, "el_1": {"800"}, "el_2": {"1 000"}, "work_travel": {"950"}, "reason": {"Nya hyror."}, "action": {"save"}}
	for i, x := range []int{4600, 6300, 7500, 8100, 8700, 9300} {
		f.Set("h1_"+strconv.Itoa(i), strconv.Itoa(x))
		f.Set("h2_"+strconv.Itoa(i), strconv.Itoa(x+1100*btoi(i == 0)))
	}
	return f
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestGuidelinesFormMapping: each cell of the tables becomes its amount;
// the empty cells after the last filled in are left out.
func TestGuidelinesFormMapping(t *testing.T) {
	e := newEnv(t)
	res := e.Post(t, devidp.WilmaAdminsson, "/handlaggning/admin/riktlinjer", guidelinesForm())
	wantStatus(t, res, http.StatusSeeOther, "saved")
	inForce(t, e, res)
	g, err := e.MC.Guidelines(context.Background(), "0821", nextMonth()+1)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.MaxHousing[0]; len(got) != 6 || got[0] != skalig.Kronor(4600) || got[5] != skalig.Kronor(9300) {
		t.Errorf("one adult %v", got)
	}
	if got := g.MaxHousing[1]; len(got) != 6 || got[0] != skalig.Kronor(5700) {
		t.Errorf("two adults %v", got)
	}
	if got := g.MaxElectricity; !slices.Equal(got, []skalig.Money{skalig.Kronor(600), skalig.Kronor(800), skalig.Kronor(1000)}) {
		t.Errorf("electricity %v", got)
	}
	if g.WorkTravel != skalig.Kronor(950) {
		t.Errorf("work travel %v", g.WorkTravel)
	}
}

// TestGuidelinesFormValidation: bad input gets a Swedish message naming
// the row and the cell, on that cell, never a 500.
func TestGuidelinesFormValidation(t *testing.T) {
	e := newEnv(t)
	for name, tc := range map[string]struct {
		set      map[string]string
		field    string
		contains string
	}{
		"ErrText":       {map[string]string{"h2_2": "sju tusen"}, "h2_2", "Högsta boendekostnad, två vuxna, 2 barn"},
		"ErrTooLarge":   {map[string]string{"h1_3": "2 000 000"}, "h1_3", "Högsta boendekostnad, en vuxen, belopp 4: ange ett belopp från 1\u00a0kr till 1\u00a0000\u00a0000\u00a0kr."},
		"ErrHole":       {map[string]string{"el_1": ""}, "el_1", "Högsta kostnad för hushållsel, belopp 2"},
		"ErrOneRowOnly": {map[string]string{"h2_0": "", "h2_1": "", "h2_2": "", "h2_3": "", "h2_4": "", "h2_5": ""}, "h2_0", "Högsta boendekostnad, två vuxna: fyll i beloppen"},
		"ErrTravel":     {map[string]string{"work_travel": "200 000"}, "work_travel", "Månadskort för resor till arbetet: ange 0–100\u00a0000\u00a0kr."},
		"ErrSource":     {map[string]string{"source": ""}, "source", "Källa: du behöver fylla i det här."},
	} {
		t.Run(name, func(t *testing.T) {
			form := guidelinesForm()
			for k, v := range tc.set {
				form.Set(k, v)
			}
			for _, action := range []string{"save", "preview"} {
				form.Set("action", action)
				res := e.Post(t, devidp.WilmaAdminsson, "/handlaggning/admin/riktlinjer", form)
				wantStatus(t, res, 422, action)
				mustContain(t, res.Body, `href="#f-`+tc.field+`"`, `id="f-`+tc.field+`-error"`, tc.contains)
			}
		})
	}
}

// TestGuidelinesPreview: a higher maximum housing cost, previewed on the
// recent decided cases, shows the amounts it would change; each case shown
// is logged as read; nothing is saved.
func TestGuidelinesPreview(t *testing.T) {
	e := newEnvN(t, 16)
	wilma := devidp.WilmaAdminsson
	form := url.Values{"source": {"Förslag"}, "cols": {"6"}, "el_cols": {"6"}, "action": {"preview"}}
	for i := range 6 {
		form.Set("h1_"+strconv.Itoa(i), "3000")
		form.Set("h2_"+strconv.Itoa(i), "3000")
	}
	res := e.Post(t, wilma, "/handlaggning/admin/riktlinjer", form)
	wantStatus(t, res, 200, "preview")
	mustContain(t, res.Body, `id="preview-heading"`, `id="preview-caption"`, " → <strong>")
	ids := previewCases(t, e, res.Body)
	if len(ids) == 0 {
		t.Fatal("a housing limit of 3 000 kr changes no case")
	}
	for _, id := range ids {
		if n := e.Reads(t, id, "staff:"+wilma); n != 1 {
			t.Errorf("case %s shown, %d reads logged", id, n)
		}
	}
	if vs, _ := e.MC.Versions(context.Background(), "0821", "guidelines"); len(vs) != 0 {
		t.Errorf("a preview stored %d versions", len(vs))
	}
}
