package workflow

import (
	"context"

	"skalig"
	"skalig/internal/jobs"
	"skalig/internal/store"
	"skalig/internal/workflow/step"
)

// JobDocumentsDue is the job that brings a case whose document request is
// unanswered past its last day back to a caseworker (step.JobDocumentsDue).
const JobDocumentsDue = step.JobDocumentsDue

// documentsDue moves a case waiting for the applicant back to a caseworker
// when one of its document requests is unanswered past its last day. A case
// that moved on (answered, withdrawn, decided) is left alone.
func (w *Workflow) documentsDue(ctx context.Context, j *jobs.Job) error {
	c, err := w.cases.Case(ctx, j.CaseID)
	if err != nil {
		if skalig.ErrorCode(err) == skalig.ENOTFOUND {
			return jobs.Permanent(err)
		}
		return err
	}
	if c.State != skalig.StateAwaitingApplicant {
		return nil
	}
	reqs, err := w.cases.DocumentRequests(ctx, c.ID)
	if err != nil {
		return err
	}
	today := skalig.DateOf(w.db.Clock())
	overdue := false
	for _, r := range reqs {
		if r.AnsweredAt.IsZero() && r.Due.Before(today) {
			overdue = true
		}
	}
	if !overdue {
		return nil // a later request is still open: its own job looks again
	}
	_, err = w.cases.Complete(ctx, j, c, func(m *store.Moves) error {
		return w.move(ctx, m, skalig.StateAwaitingCaseworker, "worker:"+JobDocumentsDue, skalig.ReasonDocumentsOverdue)
	})
	return err
}
