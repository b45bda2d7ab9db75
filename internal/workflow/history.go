package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"skalig/internal/workflow/casecheck"
	"slices"

	"skalig"
)

// ImportAidHistory reads data (casecheck.ParseAidHistory) and stores it, audited
// with actor and the file's SHA-256. It returns the number of persons.
// Months with aid that the history gives count for jobbstimulans from the
// next calculation of each person's cases (docs/history.md).
func (w *Workflow) ImportAidHistory(ctx context.Context, actor string, data []byte) (int, error) {
	rows, err := casecheck.ParseAidHistory(data, skalig.DateOf(w.db.Clock()))
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(data)
	if err := w.cases.ImportAidHistory(ctx, actor, "sha256:"+hex.EncodeToString(sum[:]), rows); err != nil {
		return 0, err
	}
	return len(rows), nil
}

// ImportAidHistoryAs is ImportAidHistory for actor, a person (or a client
// acting for one) who is a caseworker or an administrator: the months
// decide jobbstimulans, so importing them is casework. The audit names the
// actor as it really acted ("api:<client> for caseworker:<subject>").
//
// Errors: EFORBIDDEN (no person, a client without the decide and
// act_for_person actions, a person neither caseworker nor administrator);
// EINVALID (casecheck.ParseAidHistory).
func (w *Workflow) ImportAidHistoryAs(ctx context.Context, actor skalig.Actor, data []byte) (int, error) {
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
	return w.ImportAidHistory(ctx, a.String(), data)
}

var errMayNotImport = skalig.Errorf(skalig.EFORBIDDEN, "Bara en handläggare eller administratör i kommunen kan läsa in månader med försörjningsstöd.")
