// Command stats measures the follow-up statistics on PostgreSQL: it fills a
// fresh schema with synthetic cases for one municipality and month (and
// others around them), by bulk SQL, then times what GET /api/v1/statistics
// and skalig stats do (statsdb.Store.MonthCases and stats.Month) and
// prints the times. The requirement (issue 14) is figures for a month with
// 100 000 cases in under a second on PostgreSQL.
//
//	go run ./bench/stats --database 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// It exits non-zero when the median time is above --max, or when the
// figures do not count the cases it inserted (nothing was measured).
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"skalig"
	"skalig/internal/stats"
	"skalig/internal/store"
	"skalig/internal/store/statsdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/stats:", err)
		os.Exit(1)
	}
}

func run() error {
	dsn := flag.String("database", os.Getenv("SKALIG_TEST_PG"), "PostgreSQL URL (a fresh schema is made in it)")
	n := flag.Int("cases", 100000, "cases in the month measured")
	other := flag.Int("other", 100000, "cases in other months and municipalities")
	month := flag.String("month", "2026-11", "the month measured, YYYY-MM")
	mun := flag.String("municipality", "0821", "the municipality measured")
	runs := flag.Int("runs", 5, "times the figures are computed")
	maxDur := flag.Duration("max", time.Second, "fail when the median time is above this")
	keep := flag.Bool("keep", false, "keep the schema")
	explain := flag.Bool("explain", false, "print the query plan")
	reuse := flag.String("reuse", "", "measure again in a schema kept by an earlier --keep run (no fill)")
	flag.Parse()
	if !strings.HasPrefix(*dsn, "postgres") {
		return fmt.Errorf("--database must be a PostgreSQL URL (or set SKALIG_TEST_PG)")
	}
	m, ok := skalig.ParseMonth(*month)
	if !ok {
		return fmt.Errorf("--month %q is not YYYY-MM", *month)
	}
	if *n < 1 || *other < 0 || *runs < 1 {
		return fmt.Errorf("--cases and --runs must be positive, --other not negative")
	}
	ctx := context.Background()

	schema := "bench_stats_" + strings.ToLower(rand.Text()[:8])
	admin, err := sql.Open("pgx", *dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	switch {
	case *reuse != "":
		if !strings.HasPrefix(*reuse, "bench_stats_") {
			return fmt.Errorf("--reuse names a schema bench_stats_… of an earlier --keep run")
		}
		schema = *reuse
	default:
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if *keep {
			fmt.Printf("schema %s is kept (--keep)\n", schema)
		} else {
			defer admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		}
	}
	u, err := url.Parse(*dsn)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}

	if *reuse == "" {
		start := time.Now()
		if err := fill(ctx, db.SQL(), *mun, m, *n, *other); err != nil {
			return err
		}
		fmt.Printf("filled %d cases of %s %s and %d others in %.1f s\n", *n, *mun, m, *other, time.Since(start).Seconds())
	}

	if *explain {
		qt, err := os.ReadFile("internal/store/statsdb/queries/StatsStore.cases.postgres.sql")
		if err == nil {
			rows, err := db.SQL().QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+string(qt), *mun, m.String(), m.String())
			if err != nil {
				return err
			}
			for rows.Next() {
				var line string
				rows.Scan(&line)
				fmt.Println("  " + line)
			}
			rows.Close()
		}
	}

	// One connection, so that the server process doing the work is known
	// and its CPU time can be read: on a busy machine the wall-clock time
	// grows with the load, the CPU time much less.
	db.SQL().SetMaxOpenConns(1)
	var backend int
	if err := db.SQL().QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return err
	}
	s := statsdb.New(db)
	var times, cpus []time.Duration
	var f *stats.Figures
	for i := range *runs {
		srv0, cli0 := processCPU(backend), processCPU(os.Getpid())
		t0 := time.Now()
		rows, err := s.MonthCases(ctx, *mun, m)
		if err != nil {
			return err
		}
		t1 := time.Now()
		if f, err = stats.Month(*mun, m, rows); err != nil {
			return err
		}
		t2 := time.Now()
		srv, cli := processCPU(backend)-srv0, processCPU(os.Getpid())-cli0
		times = append(times, t2.Sub(t0))
		cpus = append(cpus, srv+cli)
		fmt.Printf("run %d: %4.0f ms (query and scan %4.0f ms, figures %3.0f ms); CPU: server %4.0f ms, this program %3.0f ms\n", i+1,
			ms(t2.Sub(t0)), ms(t1.Sub(t0)), ms(t2.Sub(t1)), ms(srv), ms(cli))
	}
	slices.Sort(times)
	slices.Sort(cpus)
	med := times[len(times)/2]
	t := f.Total
	fmt.Printf("figures: %d applications, %d decided (automated %d, proposal %d, person %d), median time to decision %.1f h, %d stop reason codes, %d flagged by the bias watch\n",
		t.Applications, t.Decided, t.ByRoute[stats.RouteAutomated].Decided, t.ByRoute[stats.RouteProposal].Decided,
		t.ByRoute[stats.RoutePerson].Decided, t.ToDecision.Median.Hours(), len(f.Reasons), flagged(f))
	fmt.Printf("median of %d runs: %.0f ms (fastest %.0f ms, slowest %.0f ms); limit %v\n", len(times), ms(med),
		ms(times[0]), ms(times[len(times)-1]), *maxDur)
	fmt.Printf("median CPU time (server and this program): %.0f ms\n", ms(cpus[len(cpus)/2]))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		// The machine's load: on a shared machine the times above grow
		// with it; compare figures measured at similar loads.
		fmt.Printf("load average (1, 5, 15 min) %s on %d CPUs\n", strings.Join(strings.Fields(string(b))[:3], " "), runtime.NumCPU())
	}
	if t.Applications != *n {
		return fmt.Errorf("the figures count %d applications, %d were inserted: nothing was measured", t.Applications, *n)
	}
	// The figures come from stats_cases, which triggers maintain; count
	// the same from the tables themselves.
	var decided, payments, executed int
	var paid, executedPaid int64
	err = db.SQL().QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.municipality = $1 AND c.month = $2),
			count(*) FILTER (WHERE p.status <> 'rejected'), count(*) FILTER (WHERE p.status = 'executed'),
			coalesce(sum(p.amount) FILTER (WHERE p.status <> 'rejected'), 0), coalesce(sum(p.amount) FILTER (WHERE p.status = 'executed'), 0)
		FROM payments p JOIN cases c ON c.id = p.case_id WHERE c.municipality = $1 AND c.month = $2`, *mun, m.String()).
		Scan(&decided, &payments, &executed, &paid, &executedPaid)
	if err != nil {
		return err
	}
	fmt.Printf("payment orders %d (%s kr), executed %d (%s kr); counted from the tables: %d (%s kr), %d (%s kr)\n",
		t.Payments, t.Paid, t.Executed, t.ExecutedPaid, payments, skalig.Money(paid), executed, skalig.Money(executedPaid))
	if t.Decided != decided || t.Payments != payments || t.Executed != executed || t.Paid != skalig.Money(paid) || t.ExecutedPaid != skalig.Money(executedPaid) {
		return fmt.Errorf("the figures (decided %d, payments %d, executed %d) differ from the tables (%d, %d, %d)",
			t.Decided, t.Payments, t.Executed, decided, payments, executed)
	}
	// A changed decision counts with the decision in force.
	var changes int
	var granted int64
	err = db.SQL().QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM decision_changes x JOIN cases c ON c.id = x.case_id WHERE c.municipality = $1 AND c.month = $2),
			coalesce(sum(coalesce((SELECT y.amount FROM decision_changes y WHERE y.case_id = d.case_id ORDER BY y.id DESC LIMIT 1), d.amount)), 0)
		FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.municipality = $1 AND c.month = $2`, *mun, m.String()).Scan(&changes, &granted)
	if err != nil {
		return err
	}
	fmt.Printf("decision changes %d, granted %s kr; counted from the tables: %d, %s kr\n", t.Changes, t.Granted, changes, skalig.Money(granted))
	if t.Changes != changes || t.Granted != skalig.Money(granted) || changes == 0 {
		return fmt.Errorf("the figures (changes %d, granted %s) differ from the tables (%d, %s), or nothing was changed",
			t.Changes, t.Granted, changes, skalig.Money(granted))
	}
	if med > *maxDur {
		return fmt.Errorf("median %v is above the limit %v", med, *maxDur)
	}
	return nil
}

// processCPU returns the CPU time (user and system) process pid has used,
// from /proc (Linux, the server on this machine); 0 when it cannot be read.
func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name in parentheses: utime and stime
	// are the 12th and 13th, in clock ticks (100 a second on Linux).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func flagged(f *stats.Figures) int {
	n := 0
	for _, b := range f.Bias {
		if b.Flagged {
			n++
		}
	}
	return n
}

// fill inserts n cases of municipality mun and month m, and other cases
// spread over the twelve months before m and three other municipalities,
// with bulk SQL (generate_series). Of the cases of the month, by g % 100:
// 0-59 automated approvals, 60-74 proposals a caseworker decided (every
// third partly approved), 75-89 exceptions a caseworker decided (every
// fifth rejected), 90-91 sample controls (decided, with a result), 92-95
// waiting for a caseworker, 96-97 withdrawn, 98-99 fetching. Households,
// by g % 20: 0-9 single, 10-13 couple, 14-18 one or two children, 19
// three children; every tenth is a first application (which goes to a
// person). The rows are synthetic: no personal number is real or valid.
func fill(ctx context.Context, db *sql.DB, mun string, m skalig.Month, n, other int) error {
	base := time.Date(m.Year(), time.Month(m.Num()), 1, 6, 0, 0, 0, time.UTC)
	members := `CASE
		WHEN g % 20 < 10 THEN '[{"id":"p1","personal_number":"000000000000","role":"applicant"}]'
		WHEN g % 20 < 14 THEN '[{"id":"p1","personal_number":"000000000000","role":"applicant"},{"id":"p2","personal_number":"000000000001","role":"partner"}]'
		WHEN g % 20 < 16 THEN '[{"id":"p1","personal_number":"000000000000","role":"applicant"},{"id":"c1","personal_number":"000000000002","role":"child"}]'
		WHEN g % 20 < 19 THEN '[{"id":"p1","personal_number":"000000000000","role":"applicant"},{"id":"p2","personal_number":"000000000001","role":"partner"},{"id":"c1","personal_number":"000000000002","role":"child"},{"id":"c2","personal_number":"000000000003","role":"child"}]'
		ELSE '[{"id":"p1","personal_number":"000000000000","role":"applicant"},{"id":"p2","personal_number":"000000000001","role":"partner"},{"id":"c1","personal_number":"000000000002","role":"child"},{"id":"c2","personal_number":"000000000003","role":"child"},{"id":"c3","personal_number":"000000000004","role":"child"}]'
		END::jsonb`
	kind := `CASE WHEN g % 10 = 0 THEN 'first' ELSE 'monthly' END`
	// codes is a JSON list of reason codes as an SQL literal.
	codes := func(c ...string) string {
		b, _ := json.Marshal(c)
		return "'" + string(b) + "'"
	}
	// The route, by r = g % 100 (a first application is never automated).
	route := `CASE WHEN g % 100 < 60 AND g % 10 <> 0 THEN 'auto'
		WHEN g % 100 < 75 AND g % 10 <> 0 THEN 'proposal'
		WHEN g % 100 < 90 OR (g % 100 < 75 AND g % 10 = 0) THEN 'exception'
		WHEN g % 100 < 92 THEN 'sample'
		WHEN g % 100 < 96 THEN 'open'
		WHEN g % 100 < 98 THEN 'withdrawn'
		ELSE 'fetching' END`
	steps := []struct{ what, sql string }{
		{"applications", `INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at)
			SELECT 'A' || g, $1, 'k' || g, 'h', ` + kind + `, $2, ` + members + `, $3::timestamptz + g * interval '20 ms'
			FROM generate_series(1, $4::int) g`},
		{"cases", `INSERT INTO cases (id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at, decided_at)
			SELECT 'C' || g, 'A' || g, $1, $2, ` + kind + `,
				CASE route WHEN 'open' THEN 'awaiting_caseworker' WHEN 'withdrawn' THEN 'withdrawn' WHEN 'fetching' THEN 'fetching' ELSE 'paid' END,
				CASE route WHEN 'proposal' THEN ` + codes(skalig.ReasonNoDelegation) + `
					WHEN 'exception' THEN CASE WHEN g % 10 = 0 THEN ` + codes(skalig.ReasonFirstApplication) + ` WHEN g % 3 = 0 THEN ` + codes(skalig.ReasonIncomeDiffers, skalig.ReasonHousingAboveGuideline) + ` ELSE ` + codes(skalig.ReasonIncomeDiffers) + ` END
					WHEN 'sample' THEN ` + codes(skalig.ReasonSample) + ` WHEN 'open' THEN ` + codes(skalig.ReasonAssetsOrVehicle) + ` ELSE '[]' END::jsonb,
				5, $3::timestamptz + g * interval '20 ms', $3::timestamptz + g * interval '20 ms',
				CASE WHEN route IN ('auto', 'proposal', 'exception', 'sample') THEN $3::timestamptz + g * interval '20 ms' + (g % 97) * interval '1 hour' END
			FROM (SELECT g, ` + route + ` AS route FROM generate_series(1, $4::int) g) x`},
		{"receipts", `INSERT INTO receipts (hash, case_id, body, created_at)
			SELECT 'R' || substr(id, 2), id, '{}', decided_at FROM cases WHERE decided_at IS NOT NULL AND municipality = $1 AND month = $2
			AND $3::timestamptz IS NOT NULL AND $4::int > 0`},
		{"decisions", `INSERT INTO decisions (id, case_id, outcome, month, amount, reasons, decided_by_caseworker, decided_by_delegation, decided_at, receipt_hash)
			SELECT 'D' || g, 'C' || g, outcome, $2, CASE outcome WHEN 'rejected' THEN 0 WHEN 'partly_approved' THEN 500000 ELSE 800000 + g % 500 * 100 END,
				'[]', CASE WHEN route = 'auto' THEN '' ELSE 'hl' || g % 25 END, CASE WHEN route = 'auto' THEN 'AMN 2026-01-15 § 4, punkt 3.2' ELSE '' END,
				$3::timestamptz + g * interval '20 ms' + (g % 97) * interval '1 hour', 'R' || g
			FROM (SELECT g, route, CASE WHEN route = 'proposal' AND g % 3 = 0 THEN 'partly_approved'
					WHEN route = 'exception' AND g % 5 = 0 THEN 'rejected' ELSE 'approved' END AS outcome
				FROM (SELECT g, ` + route + ` AS route FROM generate_series(1, $4::int) g) x
				WHERE route IN ('auto', 'proposal', 'exception', 'sample') AND $1 <> '') y`},
		{"payments", `INSERT INTO payments (id, decision_id, case_id, amount, account, pay_on, created_at)
			SELECT 'P' || substr(id, 2), id, case_id, amount, '8327-9,123456789', $2 || '-25', decided_at FROM decisions
			WHERE amount > 0 AND month = $2 AND $1 <> '' AND $3::timestamptz IS NOT NULL AND $4::int > 0`},
		// The bank's answers: of the payments, by g % 10: 0-7 executed,
		// 8 rejected and ordered again (a second, live row), 9 still in a
		// run.
		{"bank answers", `UPDATE payments SET status = CASE WHEN substr(id, 2)::int % 10 < 8 THEN 'executed' ELSE 'in_run' END
			WHERE id LIKE 'P%' AND $1 <> '' AND $2 <> '' AND $3::timestamptz IS NOT NULL AND $4::int > 0`},
		{"rejected payments", `INSERT INTO payments (id, decision_id, case_id, amount, account, pay_on, created_at, status, bank_code, bank_text)
			SELECT 'X' || substr(id, 2), decision_id, case_id, amount, account, pay_on, created_at, 'rejected', 'AC04', 'Kontot är avslutat.'
			FROM payments WHERE id LIKE 'P%' AND substr(id, 2)::int % 10 = 8 AND $1 <> '' AND $2 <> '' AND $3::timestamptz IS NOT NULL AND $4::int > 0`},
		// Decisions changed on omprövning (migration 00021): of the
		// decisions, by g % 50 = 1, lowered to a partial approval of
		// 6 000 kr; the figures count them with the new outcome and
		// amount (migration 00032).
		{"change receipts", `INSERT INTO receipts (hash, case_id, body, created_at)
			SELECT 'RX' || substr(id, 2), case_id, '{"change":true}', decided_at FROM decisions
			WHERE month = $2 AND substr(id, 2)::int % 50 = 1 AND $1 <> '' AND $3::timestamptz IS NOT NULL AND $4::int > 0`},
		{"decision changes", `INSERT INTO decision_changes (id, case_id, original_id, supersedes, request_id, outcome, month, amount, reasons,
				decided_by_caseworker, decided_at, receipt_hash)
			SELECT 'DX' || substr(id, 2), case_id, id, id, '', 'partly_approved', month, 600000, '["Ändrat efter omprövning."]', 'hl1',
				decided_at + interval '1 day', 'RX' || substr(id, 2)
			FROM decisions WHERE month = $2 AND substr(id, 2)::int % 50 = 1 AND $1 <> '' AND $3::timestamptz IS NOT NULL AND $4::int > 0`},
		{"sample results", `INSERT INTO sample_results (case_id, caseworker, confirmed, declared, verified, note, created_at)
			SELECT 'C' || g, 'hl1', g % 4 <> 0, 700000, CASE WHEN g % 4 = 0 THEN 650000 ELSE 700000 END, '', $3::timestamptz
			FROM generate_series(1, $4::int) g WHERE g % 100 IN (90, 91) AND $1 <> '' AND $2 <> ''`},
	}
	for _, st := range steps {
		if _, err := db.ExecContext(ctx, st.sql, mun, m.String(), base, n); err != nil {
			return fmt.Errorf("insert %s: %w", st.what, err)
		}
	}
	// Other months and municipalities: applications and cases only, so
	// that the cases measured are a part of the table, found by index.
	muns := []string{"0180", "1280", "1480"}
	if other > 0 {
		_, err := db.ExecContext(ctx, `INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at)
			SELECT 'OA' || g, CASE WHEN g % 4 = 0 THEN $1 ELSE ($2::text[])[1 + g % 3] END, 'ok' || g, 'h', 'monthly',
				to_char(($3::date - (1 + g % 12) * interval '1 month'), 'YYYY-MM'),
				'[{"id":"p1","personal_number":"000000000000","role":"applicant"}]'::jsonb, $3::timestamptz
			FROM generate_series(1, $4::int) g`, mun, "{"+strings.Join(muns, ",")+"}", base, other)
		if err != nil {
			return fmt.Errorf("insert other applications: %w", err)
		}
		_, err = db.ExecContext(ctx, `INSERT INTO cases (id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at)
			SELECT 'OC' || substr(id, 3), id, municipality, month, kind, 'closed', '[]', 5, submitted_at, submitted_at FROM applications WHERE id LIKE 'OA%'`)
		if err != nil {
			return fmt.Errorf("insert other cases: %w", err)
		}
	}
	_, err := db.ExecContext(ctx, `ANALYZE`)
	return err
}
