package admin

import (
	"net/http"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/params"
	"skalig/internal/web"
)

// The parameter page: the parameter sets (riksnorm and other amounts) by
// month, with their status.

// cwParamsView is the data of the parameter page.
type cwParamsView struct {
	Month   skalig.Month
	Sets    []cwParamSet
	Missing string
	Years   []cwParamYear
	Import  paramImportView // loaded versions and what is missing (paramimport.go)
}

type cwParamSet struct {
	Month       skalig.Month
	Name        string
	Groups      []web.ParamGroup
	Provisional int
}

type cwParamYear struct {
	Year        int
	Name        string
	Status      string
	Provisional int
	Current     bool
}

// handleParams shows the parameter sets in use: the one in force this month
// and next month's when it differs, every value with its status and source,
// provisional values flagged; and a line per year Skälig has.
func (c *admin) handleParams(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	c.paramsPage(w, r, p, http.StatusOK, nil)
}

// paramsPage renders the parameter page with status and the form f of a
// failed upload or approval (nil: none).
func (c *admin) paramsPage(w http.ResponseWriter, r *http.Request, p *auth.Principal, status int, f *web.Form) {
	l := web.LangFrom(r.Context())
	mo := c.s.MonthInForce()
	v := &cwParamsView{Month: mo}
	ps := c.s.Config().Params
	for _, m := range []skalig.Month{mo, mo + 1} {
		set, err := ps.At(m)
		if err != nil {
			if m == mo {
				v.Missing = l.T("transparency.params.missing", m.Year())
			}
			continue
		}
		if len(v.Sets) > 0 && v.Sets[len(v.Sets)-1].Name == set.Name {
			continue
		}
		s := cwParamSet{Month: m, Name: set.Name, Groups: web.ParamGroups(l, set)}
		for _, g := range s.Groups {
			for _, row := range g.Rows {
				if row.Provisional {
					s.Provisional++
				}
			}
		}
		v.Sets = append(v.Sets, s)
	}
	for _, y := range ps.Years() {
		set, err := ps.At(skalig.MonthOf(y, 1))
		if err != nil {
			continue
		}
		weakest := params.Official
		n := 0
		for _, val := range ps.Values(y) {
			weakest = weakest.Weaker(val.Status)
			if val.Status == params.Provisional {
				n++
			}
		}
		v.Years = append(v.Years, cwParamYear{Year: y, Name: set.Name, Status: l.T("param.status." + weakest.String()),
			Provisional: n, Current: y == mo.Year()})
	}
	var err error
	if v.Import, err = c.paramImport(r, p, mo); err != nil {
		c.s.Error(w, r, err)
		return
	}
	pg := c.Page(r, p, l.T("cw.params.title"), v)
	if f == nil {
		f = web.NewForm(l, nil)
	}
	pg.Form = f
	c.s.Render(w, r, status, "cw-params", pg)
}
