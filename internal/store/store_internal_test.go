package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.SchemaUpToDate(ctx); !ok || err != nil {
		t.Errorf("SchemaUpToDate()=%v, %v", ok, err)
	}
	var fk int
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys=%d, %v; want 1", fk, err)
	}
}

func TestOpenSQLitePragmas(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+t.TempDir()+"/x.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var fk, busy int
	q := db.SQL()
	if err := q.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode=%q, %v; want wal", mode, err)
	}
	if err := q.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys=%d, %v; want 1", fk, err)
	}
	if err := q.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil || busy != 5000 {
		t.Errorf("busy_timeout=%d, %v; want 5000", busy, err)
	}
}

func TestNewID(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id := newID(t0.Add(time.Duration(i) * time.Millisecond))
		if len(id) != 26 || strings.Trim(id, "0123456789ABCDEFGHJKMNPQRSTVWXYZ") != "" {
			t.Fatalf("newID()=%q, want 26 Crockford base32 digits", id)
		}
		if seen[id] {
			t.Fatalf("newID() repeated %q", id)
		}
		seen[id] = true
		if id <= prev {
			t.Fatalf("newID()=%q not after %q of the millisecond before", id, prev)
		}
		prev = id
	}
	// The first ten digits are the time: equal within a millisecond.
	a, b := newID(t0), newID(t0)
	if a[:10] != b[:10] || a == b {
		t.Errorf("newID within one millisecond: %q %q", a, b)
	}
	if id := newID(time.UnixMilli(0)); id[:10] != "0000000000" {
		t.Errorf("newID(1970)=%q", id)
	}
}

func TestRenumber(t *testing.T) {
	for _, c := range []struct {
		q    string
		off  int
		want string
	}{
		{"INSERT INTO t (a, b) VALUES ($1, $2)", 0, "INSERT INTO t (a, b) VALUES ($1, $2)"},
		{"INSERT INTO t (a, b) VALUES ($1, $2)", 10, "INSERT INTO t (a, b) VALUES ($11, $12)"},
		{"UPDATE t SET a = $10 WHERE b = $9", 3, "UPDATE t SET a = $13 WHERE b = $12"},
		{"SELECT $", 2, "SELECT $"},
	} {
		if got := renumber(c.q, c.off); got != c.want {
			t.Errorf("renumber(%q, %d)=%q, want %q", c.q, c.off, got, c.want)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, c := range []struct {
		w, want string
		ok      bool
	}{
		{"goran", "gorao", true},
		{"öberg", "öberh", true},
		{"å", "æ", true},
		{"o'", "o(", true},
		{"a\uD7FF", "a\uE000", true},        // past the surrogates
		{"ab\U0010FFFF", "ac", true},        // the last character has no next one
		{"\U0010FFFF\U0010FFFF", "", false}, // nothing is after every string beginning so
		{"محمد", "محمذ", true},              // ARABIC LETTER DAL, THAL
	} {
		got, ok := prefixEnd(c.w)
		if got != c.want || ok != c.ok {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", c.w, got, ok, c.want, c.ok)
		}
		// Every string beginning with w is in [w, end) byte-wise, which
		// is the order of code points in UTF-8.
		for _, tail := range []string{"", "a", "\U0010FFFF", "zzz"} {
			s := c.w + tail
			if s < c.w || (ok && s >= got) {
				t.Errorf("%q is not in [%q, %q)", s, c.w, got)
			}
		}
	}
}
