package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"skalig/internal/store/recordsdb"
	"skalig/internal/workflow/casecheck"
	"slices"
	"strings"

	"skalig"
)

// ImportAidHistory reads data (casecheck.ParseAidHistory) and stores it as
// municipality's history (a kommunkod, four digits), audited with actor
// and the file's SHA-256. It returns the number of persons. Months with aid
// that the history gives count for jobbstimulans from the next calculation
// of each person's cases in municipality (docs/history.md); another
// municipality's import of the same person is kept apart.
//
// Errors: EINVALID (municipality, casecheck.ParseAidHistory).
func (w *Workflow) ImportAidHistory(ctx context.Context, actor, municipality string, data []byte) (int, error) {
	if !validMunicipality(municipality) {
		return 0, &skalig.Error{Code: skalig.EINVALID, Message: "Ange kommunen vars historik läses in.",
			Fields: []skalig.FieldError{{Field: "municipality", Message: "Ange kommunens kommunkod, fyra siffror (t.ex. 0821)."}}}
	}
	rows, err := casecheck.ParseAidHistory(data, skalig.DateOf(w.db.Clock()))
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(data)
	if err := recordsdb.New(w.db).ImportAidHistory(ctx, actor, "sha256:"+hex.EncodeToString(sum[:]), municipality, rows); err != nil {
		return 0, err
	}
	return len(rows), nil
}

// ImportAidHistoryAs is ImportAidHistory for actor, a person (or a client
// acting for one) who is a caseworker or an administrator of municipality:
// the months decide jobbstimulans, so importing them is casework. An empty
// municipality is the actor's one municipality. The audit names the actor
// as it really acted ("api:<client> for caseworker:<subject>").
//
// Errors: EFORBIDDEN (no person, a client without the decide and
// act_for_person actions, a person neither caseworker nor administrator,
// a municipality the actor does not work for); EINVALID (no municipality
// given by an actor of several, casecheck.ParseAidHistory).
func (w *Workflow) ImportAidHistoryAs(ctx context.Context, actor skalig.Actor, municipality string, data []byte) (int, error) {
	a, err := w.person(ctx, actor, skalig.ClientDecide)
	if err != nil {
		return 0, err
	}
	muns := slices.Clone(a.Person.Municipalities)
	if a.Client != nil {
		muns = append(muns, a.Client.Municipalities...)
	}
	if !slices.ContainsFunc(muns, a.InMunicipality) {
		return 0, errMayNotImport // the person works for none of the client's municipalities
	}
	if !a.Person.HasRole(skalig.StaffCaseworker) && !a.Person.HasRole(skalig.StaffAdministrator) {
		return 0, errMayNotImport
	}
	if municipality = strings.TrimSpace(municipality); municipality == "" {
		var own []string
		for _, m := range muns {
			if m != "*" && a.InMunicipality(m) && !slices.Contains(own, m) {
				own = append(own, m)
			}
		}
		if len(own) != 1 {
			return 0, &skalig.Error{Code: skalig.EINVALID, Message: "Ange kommunen vars historik läses in.",
				Fields: []skalig.FieldError{{Field: "municipality", Message: "Ange kommunkoden för den kommun vars historik läses in (du arbetar för flera kommuner)."}}}
		}
		municipality = own[0]
	}
	if validMunicipality(municipality) && !a.InMunicipality(municipality) {
		return 0, errMayNotImport
	}
	return w.ImportAidHistory(ctx, a.String(), municipality, data)
}

// validMunicipality reports whether s is a kommunkod: four digits.
func validMunicipality(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var errMayNotImport = skalig.Errorf(skalig.EFORBIDDEN, "Bara en handläggare eller administratör i kommunen kan läsa in månader med försörjningsstöd.")
