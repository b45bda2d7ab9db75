package monthsim

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/workflow/casecalc"
)

// Done reports whether nothing more is owed in a case in state s: closed
// or withdrawn (the final states of skalig.CaseStates), or paid (the bank
// reported the decided amount paid out; its only move left is to closed,
// which owes nothing).
func Done(s skalig.CaseState) bool { return s.Final() || s == skalig.StatePaid }

// Stuck reasons: why a case has no way forward.
const (
	// StuckNoCalculation: with a person, but no calculation to decide on.
	// Since manual calculation (workflow.CalculateManually) a person can
	// always calculate such a case by hand; kept for reports of old runs.
	StuckNoCalculation = "no_calculation"
	StuckJobParked     = "job_parked"      // the robot's job failed for good
	StuckNoJob         = "no_job"          // in a robot state with no job
	StuckNoRequest     = "no_open_request" // waits for the applicant, who was asked nothing
	// StuckOverdueRequest: waits for the applicant past the due date of
	// every open request, and no caseworker action applies to a case in
	// awaiting_applicant (Decide and AdjustFacts refuse it; nothing moves
	// it back to a person at the due date).
	StuckOverdueRequest = "overdue_request_no_caseworker_action"
	StuckNotPaid        = "notified_no_pay" // notified, with no payment under way and none due
	// StuckDecidedNoPayment: decided, back with a person, with no
	// rejected payment to order again.
	StuckDecidedNoPayment = "decided_no_payment_to_reorder"
)

// WayForward reports whether case c, not Done, has an action some actor
// can take now, per the casework policy; when not, it names why (one of
// the Stuck* reasons, with the case's routing reasons for no_calculation).
// The actions that count:
//
//   - submitted, fetching, calculated, auto_decided, decided: the robot's
//     job for the case, not parked (due now or later: a wait for a
//     register ends at its deadline);
//   - awaiting_caseworker, sampled: a pending proposal that a second
//     caseworker can sign or return; else a calculation (calc.Output) on
//     which a caseworker can decide: approve the calculated aid or reject
//     (both always allowed by amountBounds), or, without one, a manual
//     calculation a caseworker enters (workflow.CalculateManually) and
//     decides on; a sampled case can also take
//     the applicant's documents. A case back with a person after its
//     decision (a payment the bank rejected) waits for a new payment order,
//     (payments.Service.Reorder of the rejected payment);
//   - awaiting_applicant: an open document request the applicant can
//     answer (Upload) whose due date has not passed. After the due date
//     the municipality must be able to go on without the answer (decide
//     on what it has); an applicant who never answers is no way forward;
//   - notified: a payment ordered, held for a second person or in a run
//     (the bank's answer or a release moves it), or a job for the case.
//
// The applicant's withdrawal does not count as a way forward: it ends a
// case without the municipality having decided it.
func (e *Env) WayForward(ctx context.Context, c *skalig.Case) (bool, string, error) {
	if Done(c.State) {
		return true, "", nil
	}
	switch c.State {
	case skalig.StateSubmitted, skalig.StateFetching, skalig.StateCalculated, skalig.StateAutoDecided, skalig.StateDecided:
		return e.robotWay(ctx, c.ID)
	case skalig.StateAwaitingCaseworker, skalig.StateSampled:
		if _, err := e.Desk.PendingApproval(ctx, c.ID); err == nil {
			return true, "", nil
		} else if skalig.ErrorCode(err) != skalig.ENOTFOUND {
			return false, "", err
		}
		var n int
		if err := e.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM decisions WHERE case_id = $1`, c.ID).Scan(&n); err != nil {
			return false, "", err
		}
		if n > 0 {
			// Decided, back with a person: a returned payment that can
			// be ordered again (payments.Service.Reorder).
			id, err := e.rejectedPayment(ctx, c.ID)
			if err != nil {
				return false, "", err
			}
			if id != "" {
				return true, "", nil
			}
			return false, StuckDecidedNoPayment, nil
		}
		var calc casecalc.Calculation
		if err := e.Cases.LatestRecord(ctx, c.ID, store.RecordCalculation, &calc); err != nil && skalig.ErrorCode(err) != skalig.ENOTFOUND {
			return false, "", err
		}
		// With a calculation a caseworker decides on it; without one
		// (parameters or rules missing) a caseworker calculates the case
		// by hand (workflow.CalculateManually) and decides on that.
		return true, "", nil
	case skalig.StateAwaitingApplicant:
		if slices.Contains(c.RoutingReasons, skalig.ReasonKommuniceringSent) {
			// Kommunicering: the applicant may answer until the deadline,
			// and the kommunicering_due job brings the case back after it.
			return e.robotWay(ctx, c.ID)
		}
		rs, err := e.Cases.DocumentRequests(ctx, c.ID)
		if err != nil {
			return false, "", err
		}
		today := skalig.DateOf(e.Clock.Now())
		open := 0
		for _, r := range rs {
			if r.AnsweredAt.IsZero() {
				open++
				if !r.Due.Before(today) {
					return true, "", nil
				}
			}
		}
		if open > 0 {
			return false, StuckOverdueRequest, nil
		}
		return false, StuckNoRequest, nil
	case skalig.StateNotified:
		var n int
		if err := e.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM payments WHERE case_id = $1 AND status IN ('ordered', 'held', 'in_run')`, c.ID).Scan(&n); err != nil {
			return false, "", err
		}
		if n > 0 {
			return true, "", nil
		}
		if ok, _, err := e.robotWay(ctx, c.ID); ok || err != nil {
			return ok, "", err
		}
		return false, StuckNotPaid, nil
	}
	return false, "unknown state " + string(c.State), nil
}

func (e *Env) robotWay(ctx context.Context, caseID string) (bool, string, error) {
	var live, parked int
	if err := e.DB.SQL().QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state <> 'parked' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'parked' THEN 1 ELSE 0 END), 0) FROM jobs WHERE case_id = $1`, caseID).Scan(&live, &parked); err != nil {
		return false, "", err
	}
	switch {
	case live > 0:
		return true, "", nil
	case parked > 0:
		return false, StuckJobParked, nil
	}
	return false, StuckNoJob, nil
}

// Report is what a check of every case found.
type Report struct {
	Cases    int
	ByState  map[skalig.CaseState]int
	ByReason map[string]int // routing reasons of the cases not done
	// Seen counts the cases by every reason they were ever stopped for
	// (the routing records), and Decisions the decisions by outcome and
	// by who made them (robot or person).
	Seen      map[string]int
	Decisions map[string]int
	// Stuck counts the cases with no way forward, by stuck reason, and
	// StuckKinds by stuck reason and demo scenario (when known).
	Stuck      map[string]int
	StuckCases []string
	Money      []string // violated money invariants, one line each
}

// Check runs WayForward over every case and the money invariants.
func (e *Env) Check(ctx context.Context) (*Report, error) {
	cs, err := e.AllCases(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{Cases: len(cs), ByState: map[skalig.CaseState]int{}, ByReason: map[string]int{}, Stuck: map[string]int{},
		Seen: map[string]int{}, Decisions: map[string]int{}}
	for _, c := range cs {
		r.ByState[c.State]++
		if !Done(c.State) {
			for _, why := range c.RoutingReasons {
				r.ByReason[why]++
			}
		}
		recs, err := e.Cases.Records(ctx, c.ID, store.RecordRouting)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, rec := range recs {
			var rr casecalc.RoutingRecord
			if err := json.Unmarshal(rec.Body, &rr); err != nil {
				return nil, err
			}
			for _, code := range rr.Outcome.Codes() {
				seen[code] = true
			}
		}
		for code := range seen {
			r.Seen[code]++
		}
		ok, why, err := e.WayForward(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		if !ok {
			r.Stuck[why]++
			r.StuckCases = append(r.StuckCases, c.ID+" "+c.Month.String()+" "+string(c.State)+": "+why)
		}
	}
	rows, err := e.DB.SQL().QueryContext(ctx, `SELECT month || ' ' || outcome, CASE WHEN decided_by_caseworker = '' THEN 'robot' ELSE 'person' END, COUNT(*)
		FROM decisions GROUP BY 1, 2`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var o, by string
		var k int
		if err := rows.Scan(&o, &by, &k); err != nil {
			rows.Close()
			return nil, err
		}
		r.Decisions[o+" by "+by] += k
	}
	rows.Close()
	if r.Money, err = e.Invariants(ctx); err != nil {
		return nil, err
	}
	sort.Strings(r.StuckCases)
	return r, nil
}

// Invariants checks the money rules over the whole database and returns
// each violation:
//
//   - at most one decision per case, and every case in decided, notified,
//     paid or closed has one (closed may also be a case with nothing to
//     pay);
//   - at most one payment per case and decision change that the bank has
//     not rejected, and at most one on its way per case;
//   - every payment's amount equals its decision's amount and the amount
//     of the decision's receipt, and its case is the decision's; the
//     difference payment of a changed decision pays what the decision in
//     force grants beyond what was paid before, and a change granting less
//     pays nothing;
//   - no payment, and no decision granting money, for a withdrawn case; no
//     payment for a rejected decision;
//   - every paid case has an executed payment.
func (e *Env) Invariants(ctx context.Context) ([]string, error) {
	var out []string
	q := func(query string, args ...any) ([][]string, error) {
		rows, err := e.DB.SQL().QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var res [][]string
		for rows.Next() {
			vals := make([]any, len(cols))
			strs := make([]string, len(cols))
			for i := range vals {
				vals[i] = new(any)
			}
			if err := rows.Scan(vals...); err != nil {
				return nil, err
			}
			for i, v := range vals {
				strs[i] = fmt.Sprint(*(v.(*any)))
			}
			res = append(res, strs)
		}
		return res, rows.Err()
	}
	checks := []struct{ name, sql string }{
		{"more than one decision", `SELECT case_id, COUNT(*) FROM decisions GROUP BY case_id HAVING COUNT(*) > 1`},
		{"decided without a decision", `SELECT c.id, c.state FROM cases c WHERE c.state IN ('decided', 'notified', 'paid')
			AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.case_id = c.id)`},
		{"more than one payment not rejected", `SELECT case_id, COALESCE(change_id, ''), COUNT(*) FROM payments WHERE status <> 'rejected'
			GROUP BY case_id, COALESCE(change_id, '') HAVING COUNT(*) > 1`},
		{"more than one payment on its way", `SELECT case_id, COUNT(*) FROM payments WHERE status IN ('held', 'ordered', 'in_run') GROUP BY case_id HAVING COUNT(*) > 1`},
		{"payment amount differs from the decision", `SELECT p.id, p.amount, d.amount FROM payments p JOIN decisions d ON d.id = p.decision_id
			WHERE p.change_id IS NULL AND (p.amount <> d.amount OR p.case_id <> d.case_id)`},
		{"payment for a rejected decision", `SELECT p.id, d.outcome FROM payments p JOIN decisions d ON d.id = p.decision_id WHERE d.outcome = 'rejected' AND p.change_id IS NULL`},
		{"difference payment of an unknown or rejected change", `SELECT p.id FROM payments p LEFT JOIN decision_changes x ON x.id = p.change_id
			WHERE p.change_id IS NOT NULL AND (x.id IS NULL OR x.outcome = 'rejected' OR x.case_id <> p.case_id OR x.original_id <> p.decision_id)`},
		{"decision change of a withdrawn case", `SELECT x.id FROM decision_changes x JOIN cases c ON c.id = x.case_id WHERE c.state = 'withdrawn'`},
		{"payment for a withdrawn case", `SELECT p.id FROM payments p JOIN cases c ON c.id = p.case_id WHERE c.state = 'withdrawn'`},
		{"decision for a withdrawn case", `SELECT d.id FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.state = 'withdrawn'`},
		{"paid without an executed payment", `SELECT c.id FROM cases c WHERE c.state = 'paid'
			AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.case_id = c.id AND p.status = 'executed')`},
		{"approved decision without a payment", `SELECT d.id, d.amount FROM decisions d JOIN cases c ON c.id = d.case_id
			WHERE d.amount > 0 AND c.state IN ('paid', 'closed') AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.decision_id = d.id AND p.status = 'executed')`},
	}
	for _, ch := range checks {
		rows, err := q(ch.sql)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ch.name, err)
		}
		for _, r := range rows {
			out = append(out, ch.name+": "+strings.Join(r, " "))
		}
	}
	// A changed decision: the money paid or on its way equals the amount of
	// the decision in force when that grants at least what was paid before
	// it, and the change then has its difference payment (when there is a
	// difference); it never exceeds what the case's decisions granted.
	changed, err := q(`SELECT x.case_id, x.id, x.amount,
		COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.case_id = x.case_id AND p.status <> 'rejected'), 0),
		COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.case_id = x.case_id AND p.status <> 'rejected'
			AND (p.change_id IS NULL OR p.change_id <> x.id)), 0)
		FROM decision_changes x WHERE NOT EXISTS (SELECT 1 FROM decision_changes y WHERE y.supersedes = x.id)`)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	for _, r := range changed {
		var amount, total, before int64
		fmt.Sscan(r[2], &amount)
		fmt.Sscan(r[3], &total)
		fmt.Sscan(r[4], &before)
		if (amount >= before && total != amount) || (amount < before && total != before) {
			out = append(out, fmt.Sprintf("payments differ from the changed decision: case %s change %s amount %d, paid or on its way %d (before the change %d)",
				r[0], r[1], amount, total, before))
		}
	}
	// The receipt's amount: each decision's receipt states the amount.
	rows, err := q(`SELECT d.id, d.amount, r.body FROM decisions d JOIN receipts r ON r.hash = d.receipt_hash
		UNION ALL SELECT x.id, x.amount, r.body FROM decision_changes x JOIN receipts r ON r.hash = x.receipt_hash`)
	if err != nil {
		return nil, fmt.Errorf("receipts: %w", err)
	}
	var decisions int
	if err := e.DB.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM decisions) + (SELECT COUNT(*) FROM decision_changes)`).Scan(&decisions); err != nil {
		return nil, err
	}
	if len(rows) != decisions {
		out = append(out, fmt.Sprintf("decisions without their receipt: %d of %d", decisions-len(rows), decisions))
	}
	for _, r := range rows {
		rc, err := skalig.ParseReceipt([]byte(r[2]))
		if err != nil {
			out = append(out, "receipt unreadable: "+r[0]+": "+err.Error())
			continue
		}
		if fmt.Sprint(int64(rc.Amount)) != r[1] {
			out = append(out, fmt.Sprintf("receipt amount differs from the decision: %s: %v vs %s", r[0], rc.Amount, r[1]))
		}
	}
	return out, nil
}
