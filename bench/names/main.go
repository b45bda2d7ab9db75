// Command names measures the caseworker's search by name
// (skalig.CaseService.CasesByName) before and after migration 00043 on
// SQLite or PostgreSQL. It fills a fresh database at migration 00042 with
// synthetic cases by bulk SQL (Nordic, German and other names, with and
// without diacritics; one or two named adults per case), times the search
// as session 7 ran it (LIKE '%word%' on case_persons.name_key and
// name_fold, no index), migrates to the newest (00043 makes the words of
// every name: the time of the backfill is printed), and times
// CasesByName, which matches the beginning of a word through the index of
// case_person_words. It prints the median and slowest of -runs times per
// search, the CPU time of a run (this program's and PostgreSQL's) and the
// number of cases found (at most 50, as the search page).
//
//	go run ./bench/names                                   # SQLite in a temporary directory
//	go run ./bench/names -db "$SKALIG_TEST_PG"             # PostgreSQL, in a fresh schema
//	go run ./bench/names -cases 50000 -runs 20 -explain    # and the query plans
//
// It exits non-zero when a search after the migration finds fewer cases
// than the same search before it (for a search both match the same way).
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"flag"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"skalig"
	"skalig/internal/store"
	"skalig/internal/store/migrations"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/names:", err)
		os.Exit(1)
	}
}

// limit is the most cases one search shows (the search page's).
const limit = 50

// search is one search measured: q as typed; same says that the search
// before and after the migration find the same cases (a prefix of a word
// without the spelled-out forms).
type search struct {
	q    string
	same bool
}

var searches = []search{
	{"göran öberg", true},
	{"goran oberg", true},
	{"eriksson", true},
	{"häkkinen", true},
	{"ylva qvarnström-testsson", true}, // one case
	{"zacharias", true},                // none
	{"a", false},                       // every name with an a in it, before; the words beginning with a, after
	{"goeran oeberg", false},           // spelled out: none before
	{"aasa", false},
}

func run() error {
	dsn := flag.String("db", "", "database (sqlite:FILE or postgres://...); default SQLite in a temporary directory")
	n := flag.Int("cases", 50000, "cases of the municipality searched (and a fifth as many of another)")
	runs := flag.Int("runs", 15, "times each search is run")
	explain := flag.Bool("explain", false, "print the query plans")
	flag.Parse()
	if *n < 1 || *runs < 1 {
		return fmt.Errorf("-cases and -runs must be positive")
	}
	ctx := context.Background()
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "bench-names-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = "sqlite:" + filepath.Join(dir, "skalig.db")
	}
	if strings.HasPrefix(*dsn, "postgres") {
		schema := "bench_names_" + strings.ToLower(rand.Text()[:8])
		admin, err := sql.Open("pgx", *dsn)
		if err != nil {
			return err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		defer admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		u, err := url.Parse(*dsn)
		if err != nil {
			return err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		*dsn = u.String()
	}
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := migrations.Provider(ctx, db.SQL(), string(db.Dialect()))
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, 42); err != nil {
		return err
	}
	start := time.Now()
	persons, err := fill(ctx, db, *n)
	if err != nil {
		return err
	}
	fmt.Printf("%s: filled %d cases of 0821 and %d of 0180 (%d named persons) in %.1f s\n", db.Dialect(), *n, *n/5, persons,
		time.Since(start).Seconds())
	analyze(ctx, db)
	pool := db.SQL().Stats().MaxOpenConnections
	if err := pin(ctx, db); err != nil {
		return err
	}

	before := map[string]int{}
	fmt.Printf("\nbefore (00042: LIKE '%%word%%' on name_key / name_fold, no index), %d runs each:\n", *runs)
	for _, s := range searches {
		q, args := likeQuery(s.q)
		found, err := measure(ctx, *runs, s.q, func() (int, error) { return count(ctx, db, q, args...) })
		if err != nil {
			return err
		}
		before[s.q] = found
		if *explain {
			plan(ctx, db, q, args...)
		}
	}

	db.SQL().SetMaxOpenConns(pool) // goose's lock holds a connection of its own
	start = time.Now()
	if _, err := p.Up(ctx); err != nil {
		return err
	}
	var words int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_person_words`).Scan(&words); err != nil {
		return err
	}
	fmt.Printf("\nmigration 00043: %d words of %d persons in %.1f s\n", words, persons, time.Since(start).Seconds())
	analyze(ctx, db)
	if err := pin(ctx, db); err != nil {
		return err
	}

	fmt.Printf("\nafter (00043: the beginning of a word of case_person_words, indexed), %d runs each:\n", *runs)
	cases := store.NewCaseStore(db)
	var missing []string
	for _, s := range searches {
		found, err := measure(ctx, *runs, s.q, func() (int, error) {
			cs, err := cases.CasesByName(ctx, "0821", s.q, limit)
			return len(cs), err
		})
		if err != nil {
			return err
		}
		if s.same && found != before[s.q] {
			missing = append(missing, fmt.Sprintf("%q: %d before, %d after", s.q, before[s.q], found))
		}
	}
	if *explain {
		fmt.Println("\nthe plan of CasesByName for \"goeran oeberg\" (the query as the store builds it):")
		plan(ctx, db, `SELECT c.id FROM cases c WHERE c.municipality = $1 AND c.id IN (SELECT w0.case_id FROM case_person_words w0
			JOIN case_person_words w1 ON w1.case_id = w0.case_id AND w1.personal_number = w0.personal_number AND w1.word >= $4 AND w1.word < $5
			WHERE w0.municipality = $1 AND w0.word >= $2 AND w0.word < $3) ORDER BY c.id DESC LIMIT 50`, "0821", "goeran", "goerao", "oeberg", "oeberh")
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		// On a shared machine the times grow with its load.
		fmt.Printf("\nload average (1, 5, 15 min) %s on %d CPUs\n", strings.Join(strings.Fields(string(b))[:3], " "), runtime.NumCPU())
	}
	if len(missing) > 0 {
		return fmt.Errorf("the search after the migration finds other cases: %s", strings.Join(missing, "; "))
	}
	return nil
}

// likeQuery is the search as CasesByName ran it at 00042 (session 7),
// returning the cases' ids.
func likeQuery(name string) (string, []any) {
	words := strings.Fields(skalig.NameKey(name))
	var q strings.Builder
	args := []any{"0821"}
	q.WriteString(`SELECT c.id FROM cases c WHERE c.municipality = $1
		AND EXISTS (SELECT 1 FROM case_persons p WHERE p.case_id = c.id`)
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	for _, w := range words {
		col := "p.name_key"
		if skalig.NameFold(w) == w {
			col = "p.name_fold"
		}
		args = append(args, "%"+esc.Replace(w)+"%")
		fmt.Fprintf(&q, ` AND %s LIKE $%d ESCAPE '\'`, col, len(args))
	}
	fmt.Fprintf(&q, `) ORDER BY c.id DESC LIMIT %d`, limit)
	return q.String(), args
}

func count(ctx context.Context, db *store.DB, q string, args ...any) (int, error) {
	rows, err := db.SQL().QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// measure runs fn runs times and prints the median and the slowest time,
// the CPU time a run took on average (this program and, on PostgreSQL,
// the server process of the one connection: steadier than the wall clock
// on a shared machine) and what it found.
func measure(ctx context.Context, runs int, label string, fn func() (int, error)) (int, error) {
	var times []time.Duration
	found := 0
	cpu0 := cpuTime()
	for range runs {
		t0 := time.Now()
		n, err := fn()
		if err != nil {
			return 0, fmt.Errorf("%q: %w", label, err)
		}
		times = append(times, time.Since(t0))
		found = n
	}
	cpu := (cpuTime() - cpu0) / time.Duration(runs)
	slices.Sort(times)
	fmt.Printf("  %-28q %3d cases  median %8.2f ms  slowest %8.2f ms  CPU %8.2f ms\n", label, found, ms(times[len(times)/2]),
		ms(times[len(times)-1]), ms(cpu))
	return found, nil
}

// pin makes db use one connection on PostgreSQL, and notes its server
// process in backend.
func pin(ctx context.Context, db *store.DB) error {
	if db.Dialect() != store.Postgres {
		return nil
	}
	db.SQL().SetMaxOpenConns(1)
	return db.SQL().QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&backend)
}

// backend is the PostgreSQL server process of the one connection (0 on
// SQLite).
var backend int

// cpuTime is the CPU time (user and system) this process and the backend
// have used: getrusage for this one, /proc (clock ticks of 10 ms) for the
// backend, which is why a search is run many times.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if backend == 0 {
		return t
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", backend))
	if err != nil {
		return t
	}
	// utime and stime are the 12th and 13th fields after the command name.
	f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+1:])
	if len(f) < 13 {
		return t
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return t + time.Duration(u+k)*10*time.Millisecond
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// analyze gathers the planner's statistics (and on PostgreSQL marks the
// pages all-visible, for index-only scans), as autovacuum and PRAGMA
// optimize would in time.
func analyze(ctx context.Context, db *store.DB) {
	q := `ANALYZE`
	if db.Dialect() == store.Postgres {
		q = `VACUUM ANALYZE`
	}
	if _, err := db.SQL().ExecContext(ctx, q); err != nil {
		fmt.Println("  analyze:", err)
	}
}

func plan(ctx context.Context, db *store.DB, q string, args ...any) {
	pre := "EXPLAIN ANALYZE "
	if db.Dialect() == store.SQLite {
		pre = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.SQL().QueryContext(ctx, pre+q, args...)
	if err != nil {
		fmt.Println("  plan:", err)
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return
		}
		fmt.Printf("    %v\n", vals[len(vals)-1])
	}
}

var (
	first = []string{"Göran", "Åsa", "Anna", "Erik", "Lars", "Karin", "Maria", "Björn", "Märta", "Sören", "Jöns", "Ingrid",
		"Mohammed", "Fatima", "Ali", "Amina", "José", "Zoë", "Jürgen", "Søren", "Ærling", "Mika", "Päivi", "Aino", "Olle",
		"Sara", "Johan", "Elin", "Hanna", "Per", "Nils", "Ebba", "Tove", "Kåre", "Ylva", "Åke", "Örjan", "Rut", "Ulla", "Bo"}
	last = []string{"Öberg", "Åström", "Eriksson", "Andersson", "Johansson", "Karlsson", "Nilsson", "Lindqvist", "Nyström",
		"Häkkinen", "Mäkinen", "Müller", "Schröder", "Hansen", "Sørensen", "Ahmed", "Hassan", "Núñez", "García", "Berg",
		"Lind-Öhman", "Ek", "Holm", "Sjögren", "Wästberg", "Björklund", "Fältskog", "Dahl", "Persson", "Olsson"}
)

// fill inserts n cases of 0821 and n/5 of 0180, each with an applicant
// and, in every third, a co-applicant, named at random (the seed is fixed);
// the one case of "Ylva Qvarnström-Testsson" is among them. It returns the
// number of persons.
func fill(ctx context.Context, db *store.DB, n int) (int, error) {
	rnd := mrand.New(mrand.NewPCG(1, 2))
	at := db.TimeArg(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
	total := n + n/5
	persons := 0
	for from := 0; from < total; from += 500 {
		to := min(from+500, total)
		var apps, cases, ps strings.Builder
		var aargs, cargs, pargs []any
		for i := from; i < to; i++ {
			mun := "0821"
			if i >= n {
				mun = "0180"
			}
			id := fmt.Sprintf("01KBENCH%018d", i)
			sep := func(b *strings.Builder) {
				if b.Len() > 0 {
					b.WriteString(", ")
				}
			}
			sep(&apps)
			fmt.Fprintf(&apps, "($%d, $%d, $%d, 'h', 'monthly', '2026-11', '[]', $%d)", len(aargs)+1, len(aargs)+2, len(aargs)+3, len(aargs)+4)
			aargs = append(aargs, "a"+id, mun, "k"+id, at)
			sep(&cases)
			fmt.Fprintf(&cases, "($%d, $%d, $%d, '2026-11', 'monthly', 'closed', '[]', 1, $%d, $%d)",
				len(cargs)+1, len(cargs)+2, len(cargs)+3, len(cargs)+4, len(cargs)+4)
			cargs = append(cargs, id, "a"+id, mun, at)
			adults := 1
			if i%3 == 0 {
				adults = 2
			}
			for k := range adults {
				name := first[rnd.IntN(len(first))] + " " + last[rnd.IntN(len(last))]
				if i == n/2 && k == 0 {
					name = "Ylva Qvarnström-Testsson"
				}
				role := "applicant"
				if k == 1 {
					role = "partner"
				}
				sep(&ps)
				b := len(pargs)
				fmt.Fprintf(&ps, "($%d, $%d, $%d, $%d, $%d, $%d)", b+1, b+2, b+3, b+4, b+5, b+6)
				pargs = append(pargs, id, "19800101"+strconv.Itoa(1000+k)+strconv.Itoa(i), role, name, skalig.NameKey(name), skalig.NameFold(name))
				persons++
			}
		}
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			for _, st := range []struct {
				q    string
				args []any
			}{
				{`INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at) VALUES ` + apps.String(), aargs},
				{`INSERT INTO cases (id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at) VALUES ` + cases.String(), cargs},
				{`INSERT INTO case_persons (case_id, personal_number, role, name, name_key, name_fold) VALUES ` + ps.String(), pargs},
			} {
				if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("fill: %w", err)
		}
	}
	return persons, nil
}
