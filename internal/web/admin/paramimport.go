package admin

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"skalig"
	"skalig/internal/auth"
	"skalig/internal/params"
	"skalig/internal/store/paramdb"
	"skalig/internal/web"
)

// Loading a year's parameters without a release (docs/parameters.md): an
// administrator uploads the year's file (the TSV shape of
// internal/params/data), which is validated as the embedded tables are
// and stored as a pending version; a second administrator approves it
// (four eyes, paramdb.Store.Approve). The parameter page lists the
// versions and the years and values still missing.

// ParamVersions are the loaded parameter versions
// (paramdb.Store): validated import, four-eyes approval, the list, and
// the parameters in force with them.
type ParamVersions interface {
	Import(ctx context.Context, name string, data []byte, by string) (*paramdb.Version, error)
	Approve(ctx context.Context, id int64, by string) (*paramdb.Version, error)
	Versions(ctx context.Context) ([]paramdb.Version, error)
	Effective(ctx context.Context) (*params.Params, int64, error)
}

// maxParamFile bounds an uploaded parameter file.
const maxParamFile = 256 << 10

// cwParamVersion is a row of the versions table.
type cwParamVersion struct {
	ID                   int64
	Year                 int
	File, Status         string
	Provisional          int
	LoadedBy, LoadedAt   string
	ApprovedBy, Approved string
	Pending, Mine        bool
}

// paramImportView is what the parameter page shows of loaded versions.
type paramImportView struct {
	Versions []cwParamVersion
	Missing  []string
	CanEdit  bool
}

// paramImport reads the versions and what is missing this year and next.
func (c *admin) paramImport(r *http.Request, p *auth.Principal, mo skalig.Month) (paramImportView, error) {
	v := paramImportView{CanEdit: c.pv != nil && p.HasAnyRole(auth.RoleAdministrator)}
	if c.pv == nil {
		return v, nil
	}
	ps := c.pv
	vs, err := ps.Versions(r.Context())
	if err != nil {
		return v, err
	}
	l := web.LangFrom(r.Context())
	for _, x := range vs {
		row := cwParamVersion{ID: x.ID, Year: x.Year, File: x.FileName, Status: l.T("cw.params.version." + x.Status), Provisional: x.Provisional,
			LoadedBy: c.Names(r.Context())[x.LoadedBy], LoadedAt: l.Date(x.LoadedAt), Pending: x.Status == "pending", Mine: x.LoadedBy == p.Subject}
		if row.LoadedBy == "" {
			row.LoadedBy = x.LoadedBy
		}
		if !x.ApprovedAt.IsZero() {
			row.ApprovedBy, row.Approved = c.Names(r.Context())[x.ApprovedBy], l.Date(x.ApprovedAt)
			if row.ApprovedBy == "" {
				row.ApprovedBy = x.ApprovedBy
			}
		}
		v.Versions = append(v.Versions, row)
	}
	eff, _, err := ps.Effective(r.Context())
	if err != nil {
		return v, err
	}
	for _, y := range []int{mo.Year(), mo.Year() + 1} {
		for _, d := range eff.MissingDetails(y) {
			v.Missing = append(v.Missing, l.Details([]skalig.Detail{d}))
		}
	}
	return v, nil
}

// handleParamImport takes an uploaded parameter file: validated and stored
// as a pending version, or the page again with the file's errors (line and
// field, in Swedish).
func (c *admin) handleParamImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	if c.pv == nil {
		c.s.NotFound(w, r)
		return
	}
	l := web.LangFrom(r.Context())
	f := web.NewForm(l, nil)
	r.Body = http.MaxBytesReader(w, r.Body, maxParamFile+(64<<10))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		f.FailKey("file", "cw.params.import.unreadable", maxParamFile>>10)
		c.paramsPage(w, r, p, http.StatusUnprocessableEntity, f)
		return
	}
	defer r.MultipartForm.RemoveAll()
	f.Values = url.Values(r.MultipartForm.Value)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.FailKey("file", "cw.params.import.choose")
		c.paramsPage(w, r, p, http.StatusUnprocessableEntity, f)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxParamFile+1))
	if err != nil {
		c.s.Error(w, r, err)
		return
	}
	if len(data) > maxParamFile || web.HasControl(hdr.Filename) {
		f.FailKey("file", "cw.params.import.unreadable", maxParamFile>>10)
		c.paramsPage(w, r, p, http.StatusUnprocessableEntity, f)
		return
	}
	if _, err := c.pv.Import(r.Context(), hdr.Filename, data, p.Subject); err != nil {
		if se, ok := err.(*skalig.Error); ok && se.Code == skalig.EINVALID {
			f.Fail("file", se.Message)
			c.paramsPage(w, r, p, http.StatusUnprocessableEntity, f)
			return
		}
		c.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/handlaggning/parametrar?klart=parametrar_inlasta#versions-heading", http.StatusSeeOther)
}

// handleParamApprove approves the pending version of the form as a second
// administrator (four eyes: the one who loaded it may not).
func (c *admin) handleParamApprove(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	if c.pv == nil {
		c.s.NotFound(w, r)
		return
	}
	l := web.LangFrom(r.Context())
	f := web.NewForm(l, r.PostForm)
	id, err := strconv.ParseInt(f.Value("version"), 10, 64)
	if err != nil || id <= 0 {
		f.FailKey("version", "cw.params.approve.choose")
		c.paramsPage(w, r, p, http.StatusUnprocessableEntity, f)
		return
	}
	if _, err := c.pv.Approve(r.Context(), id, p.Subject); err != nil {
		switch skalig.ErrorCode(err) {
		case skalig.EFORBIDDEN, skalig.ECONFLICT, skalig.ENOTFOUND, skalig.EINVALID:
			f.Fail("version", skalig.ErrorMessage(err))
			c.paramsPage(w, r, p, http.StatusUnprocessableEntity, f)
			return
		}
		c.s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/handlaggning/parametrar?klart=parametrar_godkanda#versions-heading", http.StatusSeeOther)
}
