package stmtcache

import "testing"

func TestPositional(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`, `INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`},
		{`SELECT * FROM t WHERE a = $1 AND b = '$2' AND c = $2`, `SELECT * FROM t WHERE a = ? AND b = '$2' AND c = ?`},
		{`SELECT * FROM t WHERE a = $1 OR b = $1`, `SELECT * FROM t WHERE a = $1 OR b = $1`},   // reused
		{`SELECT * FROM t WHERE a = $2 AND b = $1`, `SELECT * FROM t WHERE a = $2 AND b = $1`}, // out of order
		{`SELECT * FROM t WHERE a = $1 AND b = ?`, `SELECT * FROM t WHERE a = $1 AND b = ?`},   // mixed
		{`SELECT * FROM t WHERE a = $1 -- $2`, `SELECT * FROM t WHERE a = $1 -- $2`},           // comment
		{`SELECT a::text FROM t WHERE a = $1`, `SELECT a::text FROM t WHERE a = $1`},           // a cast
		{`SELECT "x$1" FROM t WHERE a = $1 AND b = 'it''s'`, `SELECT "x$1" FROM t WHERE a = ? AND b = 'it''s'`},
		{`SELECT $`, `SELECT $`},
		{`SELECT 'open $1`, `SELECT 'open $1`},
	} {
		if got := Positional(tc.in); got != tc.want {
			t.Errorf("Positional(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
