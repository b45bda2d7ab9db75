package workflow

import (
	"context"
	"skalig/internal/workflow/step"
	"slices"

	"skalig"
)

// certificateShown returns, when an upload answers the robot's request for
// a doctor's certificate (requestID), the läkarintyg periods the applicant
// declared in the e-service for the case's month, as applicant facts to be
// stored with the upload as their evidence (Fact.Evidence "upload:<id>",
// set by the caller): the period then counts as shown (routing's
// evidenced), as skalig.KindMedicalCertFrom describes. Only the latest
// declared period of each person is kept; nothing for any other upload.
// The case still goes to a person, who reads the certificate (Upload).
func (w *Workflow) certificateShown(ctx context.Context, c *skalig.Case, requestID string) ([]skalig.Fact, error) {
	if requestID == "" {
		return nil, nil
	}
	reqs, err := w.cases.DocumentRequests(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(reqs, func(r skalig.DocumentRequest) bool { return r.ID == requestID })
	if i < 0 || reqs[i].RequestedBy != step.RobotRequester || reqs[i].Text != step.DocumentRequestTexts[skalig.ReasonMedicalCertificateMissing] {
		return nil, nil
	}
	facts, err := w.cases.Facts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	type key struct{ kind, person string }
	latest := map[key]skalig.Fact{}
	var order []key
	for _, f := range facts {
		if f.Source != skalig.SourceApplicant || f.Evidence != "" || f.Period != c.Month || !f.Value.IsText ||
			(f.Kind != skalig.KindMedicalCertFrom && f.Kind != skalig.KindMedicalCertTo) {
			continue
		}
		k := key{f.Kind, f.PersonID}
		if _, ok := latest[k]; !ok {
			order = append(order, k)
		}
		latest[k] = f
	}
	var out []skalig.Fact
	for _, k := range order {
		f := latest[k]
		if _, from := latest[key{skalig.KindMedicalCertFrom, k.person}]; !from {
			continue
		}
		if _, to := latest[key{skalig.KindMedicalCertTo, k.person}]; !to {
			continue
		}
		out = append(out, skalig.Fact{Kind: f.Kind, PersonID: f.PersonID, Period: f.Period, Value: f.Value, Source: skalig.SourceApplicant})
	}
	return out, nil
}
