package stmtcache

import (
	"database/sql"
	"testing"

	"modernc.org/sqlite"
)

func TestPositional(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`, `INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`},
		{`SELECT * FROM t WHERE a = $1 AND b = '$2' AND c = $2`, `SELECT * FROM t WHERE a = ? AND b = '$2' AND c = ?`},
		{`SELECT * FROM t WHERE a = $1 OR b = $1`, `SELECT * FROM t WHERE a = ? OR b = ?1`},    // reused
		{`VALUES ($1, $2, $3), ($4, $2, $3, $5)`, `VALUES (?, ?, ?), (?, ?2, ?3, ?)`},          // reused, then new
		{`SELECT * FROM t WHERE a = $01`, `SELECT * FROM t WHERE a = $01`},                     // a leading zero
		{`SELECT * FROM t WHERE a = $1 OR b = $3`, `SELECT * FROM t WHERE a = $1 OR b = $3`},   // a gap
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

// TestPositionalBinds: a statement written by Positional binds each value
// to the placeholder of its number in SQLite, also where a number is used
// again (?N) between new ones (?).
func TestPositionalBinds(t *testing.T) {
	connector, err := sqlite.NewConnector("file::memory:")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(New(connector))
	defer db.Close()
	db.SetMaxOpenConns(1)
	q := `SELECT $1, $2, $1 || $3, $2 + $4, $3`
	if Positional(q) == q {
		t.Fatalf("%q is not rewritten", q)
	}
	var a, b, c, e string
	var d int64
	if err := db.QueryRow(q, "x", 2, "y", 40).Scan(&a, &b, &c, &d, &e); err != nil {
		t.Fatal(err)
	}
	if a != "x" || b != "2" || c != "xy" || d != 42 || e != "y" {
		t.Errorf("got %q %q %q %d %q, want x 2 xy 42 y", a, b, c, d, e)
	}
}
