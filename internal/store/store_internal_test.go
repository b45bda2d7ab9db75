package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseDSN(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		const p = "?" + sqlitePragmas
		for _, tt := range []struct {
			in, driver, source string
			dialect            Dialect
		}{
			{"postgres://u@h:5432/db?sslmode=disable", "pgx", "postgres://u@h:5432/db?sslmode=disable", Postgres},
			{"postgresql://u@h/db", "pgx", "postgresql://u@h/db", Postgres},
			{"sqlite:/var/lib/skalig/skalig.db", "sqlite", "file:/var/lib/skalig/skalig.db" + p, SQLite},
			{"sqlite:data/skalig.db", "sqlite", "file:data/skalig.db" + p, SQLite},
			{"/tmp/a b/x.db", "sqlite", "file:/tmp/a b/x.db" + p, SQLite},
			{"./odd?#%.db", "sqlite", "file:./odd%3f%23%25.db" + p, SQLite},
			{"sqlite::memory:", "sqlite", "file::memory:" + p, SQLite},
			{"file:x.db", "sqlite", "file:x.db" + p, SQLite},
			{"file:x.db?mode=ro", "sqlite", "file:x.db?mode=ro&" + sqlitePragmas, SQLite},
			{"file:x.db?_pragma=busy_timeout(20000)", "sqlite",
				"file:x.db?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate", SQLite},
			{"file:x.db?" + sqlitePragmas, "sqlite", "file:x.db?" + sqlitePragmas, SQLite},
		} {
			driver, source, dialect, err := parseDSN(tt.in)
			if err != nil || driver != tt.driver || source != tt.source || dialect != tt.dialect {
				t.Errorf("parseDSN(%q)=%q, %q, %q, %v\nwant %q, %q, %q", tt.in, driver, source, dialect, err, tt.driver, tt.source, tt.dialect)
			}
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, in := range []string{"", "sqlite:", "mysql://u@h/db", "sqlite:mysql://x"} {
			if _, _, _, err := parseDSN(in); err == nil {
				t.Errorf("parseDSN(%q): no error", in)
			}
		}
	})
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h/db?sslmode=disable": "postgres://u:xxxxx@h/db?sslmode=disable",
		"postgres://u@h/db":                        "postgres://u@h/db",
		"/var/lib/skalig.db":                       "/var/lib/skalig.db",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q)=%q, want %q", in, got, want)
		}
	}
}

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
