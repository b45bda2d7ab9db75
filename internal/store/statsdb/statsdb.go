// Package statsdb reads what the follow-up statistics and the board's
// report are computed from (internal/stats) out of the store's database.
// Its SQL lives in queries/, one file per method and dialect where they
// differ.
package statsdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"skalig"
	"skalig/internal/stats"
	"skalig/internal/store"
)

// Store reads what the follow-up statistics and the board's report are
// computed from (package stats). It only reads.
type Store struct {
	db *store.DB
}

// New returns the statistics reader of db.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ stats.Source = (*Store)(nil)

// MonthCases returns the cases of municipality mun for month m (the month
// applied for) as rows for stats.Month. An empty result is not an error.
func (s *Store) MonthCases(ctx context.Context, mun string, m skalig.Month) ([]*stats.Row, error) {
	return s.cases(ctx, mun, m, m)
}

// PeriodCases returns the cases of municipality mun for the months from to
// to as rows for stats.Delegation. An empty result is not an error.
func (s *Store) PeriodCases(ctx context.Context, mun string, from, to skalig.Month) ([]*stats.Row, error) {
	return s.cases(ctx, mun, from, to)
}

// PeriodReviews returns the requests for review and the appeals of the
// decisions of municipality mun's cases for the months from to to, counted
// by kind, resolution and the decision's delegation, for
// stats.DelegationReport.AddReviews. A request of a changed decision
// (decision_changes) counts with the delegation of the case's original
// decision.
func (s *Store) PeriodReviews(ctx context.Context, mun string, from, to skalig.Month) ([]stats.ReviewRow, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `
		SELECT r.kind, r.resolution, d.decided_by_delegation, count(*)
		FROM review_requests r
		JOIN cases c ON c.id = r.case_id
		LEFT JOIN decision_changes x ON x.id = r.decision_id
		JOIN decisions d ON d.id = coalesce(x.original_id, r.decision_id)
		WHERE c.municipality = $1 AND c.month >= $2 AND c.month <= $3
		GROUP BY r.kind, r.resolution, d.decided_by_delegation
		ORDER BY r.kind, r.resolution, d.decided_by_delegation`, mun, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("statistics: reviews: %w", err)
	}
	defer rows.Close()
	var out []stats.ReviewRow
	for rows.Next() {
		var r stats.ReviewRow
		if err := rows.Scan(&r.Kind, &r.Resolution, &r.Delegation, &r.Count); err != nil {
			return nil, fmt.Errorf("statistics: reviews: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// cases runs queries/StatsStore.cases.*.sql.
func (s *Store) cases(ctx context.Context, mun string, from, to skalig.Month) ([]*stats.Row, error) {
	q, err := queryText(s.db.Dialect(), "StatsStore.cases")
	if err != nil {
		return nil, err
	}
	// On PostgreSQL the query (over the maintained table stats_cases,
	// migration 00024) runs in a read-only transaction of its own with
	// enough work memory to group a month's cases in memory, without JIT
	// compilation, which costs more than it saves on a query that runs
	// once, and without parallel workers, which cost more to start than
	// the grouping of one narrow table takes.
	var qr store.Querier = s.db.SQL()
	if s.db.Dialect() == store.Postgres {
		tx, err := s.db.SQL().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("statistics: %w", err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
			return nil, fmt.Errorf("statistics: %w", err)
		}
		qr = tx
	}
	rows, err := qr.QueryContext(ctx, q, mun, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	defer rows.Close()
	var out []*stats.Row
	for rows.Next() {
		var (
			r                      stats.Row
			kind, state, durations string
			reasons                []byte
			outcome, delegation    sql.NullString
			granted, paid          int64
			executedPaid           int64
			confirmed              sql.NullBool
			declared, verified     int64
			changes                int64
		)
		if err := rows.Scan(&r.Count, &kind, &state, &reasons, &r.Adults, &r.Children, &outcome, &delegation,
			&granted, &durations, &r.Payments, &paid, &r.Executed, &executedPaid, &confirmed, &declared, &verified, &changes); err != nil {
			return nil, fmt.Errorf("statistics: %w", err)
		}
		if r.Reasons, err = store.CodeList(reasons); err != nil {
			return nil, fmt.Errorf("statistics: routing reasons: %w", err)
		}
		r.Kind, r.State = skalig.ApplicationKind(kind), skalig.CaseState(state)
		if outcome.Valid {
			r.Decided, r.Outcome, r.Delegation = true, skalig.Outcome(outcome.String), delegation.String
			r.Granted = skalig.Money(granted)
			if r.ToDecision, err = millisecondList(durations); err != nil {
				return nil, fmt.Errorf("statistics: times to decision: %w", err)
			}
		}
		r.Paid, r.ExecutedPaid, r.Changes = skalig.Money(paid), skalig.Money(executedPaid), int(changes)
		if confirmed.Valid {
			r.SampleResult = &stats.SampleResult{Confirmed: confirmed.Bool,
				Declared: skalig.Money(declared), Verified: skalig.Money(verified)}
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	return out, nil
}

// millisecondList reads "1500,3600000" as durations.
func millisecondList(s string) ([]time.Duration, error) {
	if s == "" {
		return nil, nil
	}
	out := make([]time.Duration, 0, strings.Count(s, ",")+1)
	for len(s) > 0 {
		part, rest, _ := strings.Cut(s, ",")
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, time.Duration(n)*time.Millisecond)
		s = rest
	}
	return out, nil
}

// Months returns the months (applied for) in which municipality mun has
// applications, the latest first, at most limit of them. Each month is
// found by one look-up in the index cases_municipality_month (a loose index
// scan), however many cases a month has.
func (s *Store) Months(ctx context.Context, mun string, limit int) ([]skalig.Month, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `
		WITH RECURSIVE m (month) AS (
			SELECT max(month) FROM cases WHERE municipality = $1
			UNION ALL
			SELECT (SELECT max(c.month) FROM cases c WHERE c.municipality = $1 AND c.month < m.month)
			FROM m WHERE m.month IS NOT NULL
		)
		SELECT month FROM m WHERE month IS NOT NULL LIMIT $2`, mun, limit)
	if err != nil {
		return nil, fmt.Errorf("statistics: months: %w", err)
	}
	defer rows.Close()
	var out []skalig.Month
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("statistics: months: %w", err)
		}
		if m, ok := skalig.ParseMonth(s); ok {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statistics: months: %w", err)
	}
	return out, nil
}
