package store

import (
	"context"
	"database/sql"
	"fmt"

	"skalig"
	"skalig/internal/stats"
)

// StatsStore reads what the follow-up statistics and the board's report are
// computed from (package stats). It only reads.
type StatsStore struct {
	db *DB
}

// NewStatsStore returns the statistics reader of db.
func NewStatsStore(db *DB) *StatsStore { return &StatsStore{db: db} }

// MonthCases returns the cases of municipality mun for month m (the month
// applied for), for stats.Month. An empty result is not an error.
func (s *StatsStore) MonthCases(ctx context.Context, mun string, m skalig.Month) ([]*stats.Case, error) {
	return s.cases(ctx, mun, m, m)
}

// PeriodCases returns the cases of municipality mun for the months from to
// to, for stats.Delegation. An empty result is not an error.
func (s *StatsStore) PeriodCases(ctx context.Context, mun string, from, to skalig.Month) ([]*stats.Case, error) {
	return s.cases(ctx, mun, from, to)
}

// cases runs queries/StatsStore.cases.*.sql.
func (s *StatsStore) cases(ctx context.Context, mun string, from, to skalig.Month) ([]*stats.Case, error) {
	q, err := queryText(s.db.dialect, "StatsStore.cases")
	if err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, q, mun, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	defer rows.Close()
	var out []*stats.Case
	for rows.Next() {
		var (
			c                    stats.Case
			kind, state          string
			reasons              jsonValue
			submitted, decidedAt timeValue
			members, children    int
			outcome, delegation  sql.NullString
			amount, paid         sql.NullInt64
			confirmed            sql.NullBool
			declared, verified   sql.NullInt64
		)
		if err := rows.Scan(&kind, &state, &reasons, &submitted, &members, &children,
			&outcome, &amount, &delegation, &decidedAt, &paid, &confirmed, &declared, &verified); err != nil {
			return nil, fmt.Errorf("statistics: %w", err)
		}
		if c.Reasons, err = codeList(reasons.b); err != nil {
			return nil, fmt.Errorf("statistics: routing reasons: %w", err)
		}
		c.Kind, c.State, c.SubmittedAt = skalig.ApplicationKind(kind), skalig.CaseState(state), submitted.t
		c.Children, c.Adults = children, members-children
		if outcome.Valid {
			c.Decided, c.Outcome, c.Amount = true, skalig.Outcome(outcome.String), skalig.Money(amount.Int64)
			c.Delegation, c.DecidedAt = delegation.String, decidedAt.t
		}
		c.Payment = skalig.Money(paid.Int64)
		if confirmed.Valid {
			c.SampleResult = &stats.SampleResult{Confirmed: confirmed.Bool,
				Declared: skalig.Money(declared.Int64), Verified: skalig.Money(verified.Int64)}
		}
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	return out, nil
}
