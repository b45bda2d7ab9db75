package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"skalig"
)

// The store's sub-packages (gallringdb, …) keep their use cases on the
// same database with these: the form of an instant as a query argument,
// the scanner of an instant column, and new ids. They are not for other
// packages.

// TimeArg is t as a query argument of db's dialect.
func (db *DB) TimeArg(t time.Time) any { return db.timeArg(t) }

// TimeValue scans an instant column of either database (NULL: the zero
// time); Time returns it.
type TimeValue = timeValue

// Time returns the instant scanned.
func (v timeValue) Time() time.Time { return v.t }

// NewID returns a new id that sorts by t.
func NewID(t time.Time) string { return newID(t) }

// MonthValue scans a month column ("YYYY-MM"); Month returns it.
type MonthValue = monthValue

// Month returns the month scanned.
func (v monthValue) Month() skalig.Month { return v.m }

// NotFound is the ENOTFOUND of what ("Utkastet"): "… finns inte.".
func NotFound(what string) error { return notFound(what) }

// Wrap adds context op to an unexpected error and passes a *skalig.Error
// through unchanged, so that its code and Swedish message reach the user.
func Wrap(op string, err error) error { return wrap(op, err) }

// CodeList reads a JSON array of reason codes as the cases table keeps
// them (routing_reasons).
func CodeList(b []byte) ([]string, error) { return codeList(b) }

// FactColumns are the columns of a fact, in the order ScanFact reads them.
const FactColumns = factColumns

// ScanFact reads a fact of FactColumns.
func ScanFact(scan func(...any) error) (skalig.Fact, error) { return scanFact(scan) }

// IsUniqueViolation reports whether err is a unique constraint's, on
// either database.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// stringList returns "$first, $first+1, …" for vals and the values as args.
func stringList(vals []string, first int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(vals))
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
		args[i] = v
	}
	return b.String(), args
}

// StringList is stringList: "$first, $first+1, …" for vals, with vals as
// the arguments.
func StringList(vals []string, first int) (string, []any) { return stringList(vals, first) }

// QueryPayments reads the payments matching where (SQL after WHERE, with
// args), through q: for store/paymentdb.
func QueryPayments(ctx context.Context, q Querier, where string, args ...any) ([]*Payment, error) {
	return queryPayments(ctx, q, where, args...)
}

// JSONValue scans a JSON column of either database (text on SQLite,
// jsonb on PostgreSQL); Bytes returns it.
type JSONValue = jsonValue

// Bytes returns the JSON scanned.
func (v jsonValue) Bytes() []byte { return v.b }

// FindCase reads the case with id through q (the pool or a transaction).
//
// Errors: ENOTFOUND.
func FindCase(ctx context.Context, q Querier, id string) (*skalig.Case, error) {
	return findCase(ctx, q, id)
}

// QueryStrings runs q, whose rows are one text column, and returns the
// column's values in order.
func QueryStrings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
