package statsdb

import (
	"context"
	"skalig"
)

// CountByState counts the cases by state, for a municipality or all ("").
func (s *Store) CountByState(ctx context.Context, municipality string) (map[skalig.CaseState]int, error) {
	q := `SELECT state, COUNT(*) FROM cases`
	var args []any
	if municipality != "" {
		q += ` WHERE municipality = $1`
		args = append(args, municipality)
	}
	rows, err := s.db.SQL().QueryContext(ctx, q+` GROUP BY state`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[skalig.CaseState]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[skalig.CaseState(st)] = n
	}
	return out, rows.Err()
}
