package workflow

import (
	"context"
	"errors"
	"strings"

	"skalig"
	"skalig/internal/workflow/casecheck"
)

// What a caseworker may adjust (AdjustFacts), and the conditions
// (villkor) a caseworker records after reading a document or making an
// inquiry (RecordCondition). The rules themselves, pure checks of the
// input, are in package casecheck; the web's pages (Justera, Registrera
// villkor) and the API (POST /api/v1/cases/{id}/adjustments and
// .../conditions) go through these; the handlers only translate the
// request.

// RecordCondition records what a caseworker found out about a condition
// (Condition.Facts) as caseworker facts with reason, through AdjustFacts:
// the case is calculated and routed again with them.
//
// Errors: as AdjustFacts; EINVALID naming the Condition's field.
func (w *Workflow) RecordCondition(ctx context.Context, caseID string, version int, actor skalig.Actor, cond casecheck.Condition, reason string) (*skalig.Case, error) {
	facts, err := cond.Facts()
	if err != nil {
		return nil, err
	}
	c, err := w.AdjustFacts(ctx, caseID, version, actor, facts, reason)
	if se := (*skalig.Error)(nil); errors.As(err, &se) && se.Code == skalig.EINVALID {
		// The facts' fields are the condition's: facts[0].person is person.
		for i := range se.Fields {
			if _, name, ok := strings.Cut(se.Fields[i].Field, "]."); ok && strings.HasPrefix(se.Fields[i].Field, "facts[") {
				se.Fields[i].Field = casecheck.ConditionField(cond.What, name)
			}
		}
	}
	return c, err
}
