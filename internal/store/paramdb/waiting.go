package paramdb

import (
	"context"
	"fmt"
	"skalig"
	"skalig/internal/store"
	"strings"
)

// WaitingForParams returns the cases of year that wait with a person
// because their parameters were missing when they were calculated: routed
// with one of codes (workflow's parameters_missing, and
// calculation_failed of cases routed before that reason existed). A case
// with a decision waiting for a second person's signature is left to the
// people handling it.
func (s *Store) WaitingForParams(ctx context.Context, year int, codes ...string) ([]string, error) {
	var conds []string
	args := []any{string(skalig.StateAwaitingCaseworker), fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year)}
	for _, c := range codes {
		args = append(args, `%"`+c+`"%`)
		conds = append(conds, fmt.Sprintf(`CAST(routing_reasons AS TEXT) LIKE $%d`, len(args)))
	}
	if len(conds) == 0 {
		return nil, nil
	}
	ids, err := store.QueryStrings(ctx, s.db.SQL(), `SELECT id FROM cases WHERE state = $1 AND month >= $2 AND month <= $3 AND (`+
		strings.Join(conds, " OR ")+`)
		AND NOT EXISTS (SELECT 1 FROM case_approvals a WHERE a.case_id = cases.id AND a.status = 'pending')
		ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("waiting for params: %w", err)
	}
	return ids, nil
}
