package conn

import "testing"

func TestParseDSN(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		const p = "?" + SQLitePragmas
		for _, tt := range []struct {
			in, driver, source string
			dialect            string
		}{
			{"postgres://u@h:5432/db?sslmode=disable", "pgx", "postgres://u@h:5432/db?sslmode=disable", "postgres"},
			{"postgresql://u@h/db", "pgx", "postgresql://u@h/db", "postgres"},
			{"sqlite:/var/lib/skalig/skalig.db", "sqlite", "file:/var/lib/skalig/skalig.db" + p, "sqlite"},
			{"sqlite:data/skalig.db", "sqlite", "file:data/skalig.db" + p, "sqlite"},
			{"/tmp/a b/x.db", "sqlite", "file:/tmp/a b/x.db" + p, "sqlite"},
			{"./odd?#%.db", "sqlite", "file:./odd%3f%23%25.db" + p, "sqlite"},
			{"sqlite::memory:", "sqlite", "file::memory:" + p, "sqlite"},
			{"file:x.db", "sqlite", "file:x.db" + p, "sqlite"},
			{"file:x.db?mode=ro", "sqlite", "file:x.db?mode=ro&" + SQLitePragmas, "sqlite"},
			{"file:x.db?_pragma=busy_timeout(20000)", "sqlite",
				"file:x.db?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate", "sqlite"},
			{"file:x.db?" + SQLitePragmas, "sqlite", "file:x.db?" + SQLitePragmas, "sqlite"},
		} {
			driver, source, dialect, err := ParseDSN(tt.in)
			if err != nil || driver != tt.driver || source != tt.source || dialect != tt.dialect {
				t.Errorf("ParseDSN(%q)=%q, %q, %q, %v\nwant %q, %q, %q", tt.in, driver, source, dialect, err, tt.driver, tt.source, tt.dialect)
			}
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, in := range []string{"", "sqlite:", "mysql://u@h/db", "sqlite:mysql://x"} {
			if _, _, _, err := ParseDSN(in); err == nil {
				t.Errorf("ParseDSN(%q): no error", in)
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
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q)=%q, want %q", in, got, want)
		}
	}
}
