package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/municipal"
	"skalig/internal/web"
)

// The guidelines form: the highest housing cost as a table of amounts, one
// row for one adult and one for two, one column per number of children
// (the last for that many or more); the highest household electricity by
// number of persons; the monthly pass for work travel. Each amount is one
// field. The form maps them to a guidelines version; municipal.Check
// validates it and its Swedish messages are shown on the cell they name.
// "Förhandsgranska" recalculates the recent decided cases with the new
// amounts (preview.go).

// defaultColumns is the number of columns of an empty table: 0-5 children,
// 1-6 persons.
const defaultColumns = 6

// maxColumns bounds the columns a form takes.
const maxColumns = 12

// guidelinesFormView is the data of the guidelines form.
type guidelinesFormView struct {
	*cwConfigForm
	// Children and Persons are the column headings of the housing table
	// and the electricity row; Rows the housing table's rows.
	Children, Persons []string
	Rows              []guidelinesRow
	Electricity       []guidelinesCell
	Preview           *previewView
}

type guidelinesRow struct {
	Label string
	Cells []guidelinesCell
}

// guidelinesCell is one amount: its field name and its label for a screen
// reader ("Två vuxna, 2 barn").
type guidelinesCell struct {
	Name, Label string
}

// guidelinesBody is the file form of a guidelines version (as in
// internal/municipal/data/CODE.json).
type guidelinesBody struct {
	Source     string `json:"source"`
	MaxHousing *struct {
		OneAdult  []int64 `json:"one_adult"`
		TwoAdults []int64 `json:"two_adults"`
	} `json:"max_housing,omitempty"`
	MaxElectricity []int64 `json:"max_electricity,omitempty"`
	WorkTravelPass int64   `json:"work_travel_pass,omitempty"`
	Note           string  `json:"note,omitempty"`
}

// housingRows are the rows of the housing table: field prefix and label key.
var housingRows = []struct{ prefix, key string }{{"h1_", "cw.admin.guidelines.one_adult"}, {"h2_", "cw.admin.guidelines.two_adults"}}

func columns(f *web.Form, name string) int {
	n, err := strconv.Atoi(f.Value(name))
	if err != nil || n < 1 {
		return defaultColumns
	}
	return min(n, maxColumns)
}

// guidelinesTable fills the view's table of fields.
func guidelinesTable(l *web.Lang, f *web.Form, v *guidelinesFormView) {
	n, m := columns(f, "cols"), columns(f, "el_cols")
	v.Children, v.Persons, v.Rows, v.Electricity = nil, nil, nil, nil
	for ch := range n {
		key := "transparency.guidelines.children"
		if ch == n-1 {
			key = "transparency.guidelines.children_more"
		}
		v.Children = append(v.Children, l.T(key, ch))
	}
	for _, r := range housingRows {
		row := guidelinesRow{Label: l.T(r.key)}
		for ch := range n {
			row.Cells = append(row.Cells, guidelinesCell{Name: r.prefix + strconv.Itoa(ch), Label: row.Label + ", " + v.Children[ch]})
		}
		v.Rows = append(v.Rows, row)
	}
	for p := range m {
		key := "cw.admin.guidelines.persons"
		if p == m-1 {
			key = "cw.admin.guidelines.persons_more"
		}
		v.Persons = append(v.Persons, l.T(key, p+1))
		v.Electricity = append(v.Electricity, guidelinesCell{Name: "el_" + strconv.Itoa(p),
			Label: l.T("cw.admin.guidelines.electricity") + ", " + v.Persons[p]})
	}
}

// fillGuidelinesForm writes the version g into the form's fields.
func fillGuidelinesForm(f *web.Form, g *municipal.Version) {
	cols, elCols := defaultColumns, defaultColumns
	if g == nil {
		f.Set("cols", strconv.Itoa(cols))
		f.Set("el_cols", strconv.Itoa(elCols))
		return
	}
	f.Set("source", g.Source)
	if h := g.MaxHousing; h != nil {
		cols = max(len(h.OneAdult), len(h.TwoAdults), 1)
		for i, x := range h.OneAdult {
			f.Set("h1_"+strconv.Itoa(i), strconv.FormatInt(x, 10))
		}
		for i, x := range h.TwoAdults {
			f.Set("h2_"+strconv.Itoa(i), strconv.FormatInt(x, 10))
		}
	}
	if len(g.MaxElectricity) > 0 {
		elCols = len(g.MaxElectricity)
	}
	for i, x := range g.MaxElectricity {
		f.Set("el_"+strconv.Itoa(i), strconv.FormatInt(x, 10))
	}
	if g.WorkTravelPass > 0 {
		f.Set("work_travel", strconv.FormatInt(g.WorkTravelPass, 10))
	}
	f.Set("note", g.Note)
	f.Set("cols", strconv.Itoa(cols))
	f.Set("el_cols", strconv.Itoa(elCols))
}

// amountRow reads the cells of a row up to the last one filled in; an
// empty cell before it is 0, which the configuration refuses by its place.
func amountRow(f *web.Form, cells []guidelinesCell) []int64 {
	last := -1
	for i, c := range cells {
		if f.Value(c.Name) != "" {
			last = i
		}
	}
	var out []int64
	for _, c := range cells[:last+1] {
		out = append(out, kronorField(f, c.Name, c.Label))
	}
	return out
}

// readGuidelinesForm maps the form's fields to a guidelines version.
func readGuidelinesForm(l *web.Lang, f *web.Form, v *guidelinesFormView) guidelinesBody {
	var b guidelinesBody
	b.Source, _ = f.Required("source", l.T("cw.admin.guidelines.source"))
	one, two := amountRow(f, v.Rows[0].Cells), amountRow(f, v.Rows[1].Cells)
	if len(one) > 0 || len(two) > 0 {
		b.MaxHousing = &struct {
			OneAdult  []int64 `json:"one_adult"`
			TwoAdults []int64 `json:"two_adults"`
		}{one, two}
	}
	b.MaxElectricity = amountRow(f, v.Electricity)
	b.WorkTravelPass = kronorField(f, "work_travel", l.T("cw.admin.guidelines.work_travel"))
	b.Note, _ = f.Text("note", l.T("cw.admin.note"))
	return b
}

var reGuidelineFe = regexp.MustCompile(`^(max_housing\.one_adult|max_housing\.two_adults|max_electricity)(?:\[(\d+)\])?$`)

// guidelinesFieldOf is the form field of a guidelines field's path
// ("max_housing.two_adults[2]" is "h2_2").
func guidelinesFieldOf(path string) string {
	if m := reGuidelineFe.FindStringSubmatch(path); m != nil {
		prefix := map[string]string{"max_housing.one_adult": "h1_", "max_housing.two_adults": "h2_", "max_electricity": "el_"}[m[1]]
		i := m[2]
		if i == "" {
			i = "0"
		}
		return prefix + i
	}
	switch path {
	case "work_travel_pass":
		return "work_travel"
	case "version", "from", "reason", "source", "note":
		return path
	}
	return ""
}

// addGuidelinesError shows municipal's error on the fields it names.
func addGuidelinesError(f *web.Form, err error) error {
	var e *skalig.Error
	if !errors.As(err, &e) || e.Code == skalig.EINTERNAL {
		return err
	}
	if len(e.Fields) == 0 {
		f.General = append(f.General, e.Message)
	}
	for _, fe := range e.Fields {
		if name := guidelinesFieldOf(fe.Field); name != "" {
			f.Fail(name, fe.Message)
		} else {
			f.General = append(f.General, fe.Message)
		}
	}
	return nil
}

// handleAdminGuidelines shows the guidelines in force as a form for a new
// version, previews it on recent cases, and saves it.
func (c *admin) handleAdminGuidelines(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	code, ok := c.Municipality(w, r, p)
	if !ok {
		return
	}
	ctx := r.Context()
	l := web.LangFrom(ctx)
	if _, err := c.s.Config().Municipalities.Get(code); err != nil {
		c.s.NotFound(w, r)
		return
	}
	v := &guidelinesFormView{cwConfigForm: c.configForm(r, p, code, "/admin/riktlinjer")}
	v.Earliest++ // a proposal applies from next month at the earliest (configdb.MunicipalConfig.Propose)
	var cur *municipal.Version
	var set *municipal.Set
	if s, err := c.mc.Set(ctx, code); err == nil {
		set = s
		if m, err := set.Get(code); err == nil {
			mo := c.s.MonthInForce()
			for i := range m.Guidelines {
				if fm, ok := skalig.ParseMonth(m.Guidelines[i].From); ok && fm <= mo {
					cur = &m.Guidelines[i]
				}
			}
		}
	}
	if cur != nil {
		v.Current = cur.Version
	}
	pg := c.Page(r, p, l.T("cw.admin.guidelines.title"), v)
	if r.Method == http.MethodGet {
		f := c.newVersionForm(l, nil)
		fillGuidelinesForm(f, cur)
		guidelinesTable(l, f, v)
		pg.Form = f
		c.s.Render(w, r, http.StatusOK, "cw-admin-guidelines", pg)
		return
	}
	f := c.newVersionForm(l, r.PostForm)
	guidelinesTable(l, f, v)
	action := f.Value("action")
	var version, reason string
	var from skalig.Month
	if action != "preview" {
		version, from, reason = c.readVersion(l, f)
	}
	body := readGuidelinesForm(l, f, v)
	b, _ := json.Marshal(body)
	change := &municipal.Change{Municipality: code, Kind: municipal.KindGuidelines, Version: version, From: from, Body: b,
		Reason: reason, Author: p.Subject}
	// Checked even when the version's own fields have errors, so that
	// every mistake shows at once.
	check := *change
	check.Version, check.From, check.Reason = strings.TrimSpace(check.Version), max(check.From, c.s.MonthInForce()), "förhandsgranskning"
	if check.Version == "" {
		check.Version = "förhandsgranskning"
	}
	if err := c.checkVersion(r, &check); err != nil {
		if e := addGuidelinesError(f, err); e != nil {
			c.s.Error(w, r, e)
			return
		}
	}
	if f.HasErrors() {
		c.FormError(w, r, pg, "cw-admin-guidelines", f, nil)
		return
	}
	if action == "preview" {
		pv, err := c.previewGuidelines(r, p, code, set, check.Body)
		if err != nil {
			if e := f.AddError(err); e != nil {
				c.s.Error(w, r, e)
				return
			}
			c.FormError(w, r, pg, "cw-admin-guidelines", f, nil)
			return
		}
		v.Preview = pv
		pg.Form = f
		c.s.Render(w, r, http.StatusOK, "cw-admin-guidelines", pg)
		return
	}
	done, err := c.proposeRuleChange(ctx, change)
	if err != nil {
		if e := addGuidelinesError(f, err); e != nil {
			c.s.Error(w, r, e)
			return
		}
		c.FormError(w, r, pg, "cw-admin-guidelines", f, nil)
		return
	}
	http.Redirect(w, r, done, http.StatusSeeOther)
}
