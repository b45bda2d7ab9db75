package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/jobs"
)

// CaseStore implements skalig.CaseStore.
type CaseStore struct {
	db *DB

	// FirstJob, if set, is the kind of job enqueued for each new case in
	// the transaction that stores the application and opens its case (the
	// workflow's fetch), so that no stored application is ever without one.
	FirstJob string
}

var (
	_ skalig.CaseStore   = (*CaseStore)(nil)
	_ skalig.CaseService = (*CaseStore)(nil)
)

// NewCaseStore returns the CaseStore of db.
func NewCaseStore(db *DB) *CaseStore { return &CaseStore{db: db} }

// Audit actions written by the CaseStore.
const (
	ActionSubmitted  = "application.submitted"
	ActionTransition = "case.transition"
)

// queryRower is a *sql.DB or *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SubmitApplication implements skalig.CaseStore: the application as the
// applicant submitted it (audited as "applicant").
func (s *CaseStore) SubmitApplication(ctx context.Context, app *skalig.Application) (*skalig.Case, bool, error) {
	return s.SubmitApplicationAs(ctx, app, "applicant")
}

// SubmitApplicationAs is SubmitApplication audited as actor: "applicant",
// or the API client that submitted it ("api:<client>").
func (s *CaseStore) SubmitApplicationAs(ctx context.Context, app *skalig.Application, actor string) (*skalig.Case, bool, error) {
	if actor == "" {
		return nil, false, fmt.Errorf("submit application: no actor")
	}
	if err := app.Validate(); err != nil {
		return nil, false, err
	}
	now := s.db.now()
	hash := app.ContentHash()
	members, err := json.Marshal(app.Members)
	if err != nil {
		return nil, false, fmt.Errorf("submit application: %w", err)
	}
	var c *skalig.Case
	var created bool
	var appID string
	var submittedAt timeValue
	year := now.In(stockholm).Year()
	var number string
	if s.db.dialect == Postgres {
		// Taken before the transaction, in one of its own (see
		// nextNumberAsync): a submission that then fails, or repeats an
		// earlier one, leaves a gap in the sequence, never a number given
		// twice.
		if number, err = s.nextNumberAsync(ctx, app.Municipality, year); err != nil {
			return nil, false, wrap("submit application", err)
		}
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		// ON CONFLICT DO NOTHING makes a racing second submission of the
		// same key wait for the first and then insert nothing; it then
		// reads the first's case, which has committed.
		err := tx.QueryRowContext(ctx, `
			INSERT INTO applications (id, municipality, idempotency_key, content_hash, kind, month, members, submitted_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (municipality, idempotency_key) DO NOTHING
			RETURNING id`,
			newID(now), app.Municipality, app.IdempotencyKey, hash, string(app.Kind), app.Month.String(),
			string(members), s.db.timeArg(now)).Scan(&appID)
		if isNoRows(err) {
			var firstHash, caseID string
			err := tx.QueryRowContext(ctx, `
				SELECT a.id, a.content_hash, a.submitted_at, c.id
				FROM applications a JOIN cases c ON c.application_id = a.id
				WHERE a.municipality = $1 AND a.idempotency_key = $2`,
				app.Municipality, app.IdempotencyKey).Scan(&appID, &firstHash, &submittedAt, &caseID)
			if err != nil {
				return fmt.Errorf("find first submission: %w", err)
			}
			if firstHash != hash {
				return skalig.Errorf(skalig.ECONFLICT, "Nyckeln har redan använts för en annan ansökan.")
			}
			c, err = findCase(ctx, tx, caseID)
			return err
		}
		if err != nil {
			return fmt.Errorf("insert application: %w", err)
		}
		submittedAt.t = now
		if s.db.dialect != Postgres {
			// SQLite writes one transaction at a time: the counter in
			// this one costs no waiting, and leaves no gap.
			if number, err = s.nextNumber(ctx, tx, app.Municipality, year); err != nil {
				return err
			}
		}

		c = &skalig.Case{
			ID: newID(now), ApplicationID: appID, Municipality: app.Municipality, Month: app.Month,
			Kind: app.Kind, State: skalig.StateSubmitted, CreatedAt: now, UpdatedAt: now, Version: 1,
			Number: number,
		}
		declared := slices.Clone(app.Facts)
		for i := range declared {
			if declared[i].At.IsZero() {
				declared[i].At = now
			}
		}
		// The case, its declared facts and its adults: one statement on
		// PostgreSQL (parts of one WITH; one round trip instead of
		// three), one each on SQLite.
		var q strings.Builder
		var args []any
		pg := s.db.dialect == Postgres && len(declared) <= 400
		if pg {
			q.WriteString("WITH c AS (")
		}
		q.WriteString(`INSERT INTO cases (id, application_id, municipality, month, kind, state, routing_reasons, version, created_at, updated_at, number) VALUES `)
		placeholders(&q, 0, 11)
		args = append(args, c.ID, appID, c.Municipality, c.Month.String(), string(c.Kind), string(c.State), "[]", c.Version,
			s.db.timeArg(now), s.db.timeArg(now), c.Number)
		if !pg {
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("insert case: %w", err)
			}
			if err := s.insertFacts(ctx, tx, c.ID, appID, declared); err != nil {
				return err
			}
			q.Reset()
			args = args[:0]
		} else {
			q.WriteString(")")
			if len(declared) > 0 {
				q.WriteString(", f AS (")
				s.factsInsert(&q, &args, c.ID, appID, declared)
				q.WriteString(")")
			}
			q.WriteString(" ")
		}
		// The adults and the words their names are found by
		// (skalig.NameWords), which refer to them: on PostgreSQL the
		// persons are one more part of the WITH.
		var persons, words strings.Builder
		var wordArgs []any
		for _, m := range app.Members {
			if m.Role == skalig.RoleChild {
				continue
			}
			if persons.Len() == 0 {
				persons.WriteString(`INSERT INTO case_persons (case_id, personal_number, role, name) VALUES `)
			} else {
				persons.WriteString(", ")
			}
			placeholders(&persons, len(args), 4)
			name := strings.TrimSpace(m.Name)
			pn := m.PersonalNumber.Canonical()
			args = append(args, c.ID, pn, string(m.Role), name)
			for _, w := range skalig.NameWords(name) {
				if words.Len() == 0 {
					words.WriteString(`INSERT INTO case_person_words (case_id, personal_number, municipality, word) VALUES `)
				} else {
					words.WriteString(", ")
				}
				wordArgs = append(wordArgs, c.ID, pn, c.Municipality, w)
				n := len(wordArgs)
				fmt.Fprintf(&words, "($%d, $%d, $%d, $%d)", n-3, n-2, n-1, n)
			}
		}
		switch {
		case !pg:
			for _, st := range []struct {
				sql  string
				args []any
			}{{persons.String(), args}, {words.String(), wordArgs}} {
				if st.sql == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
					return fmt.Errorf("insert case: %w", err)
				}
			}
		default:
			switch {
			case persons.Len() == 0:
				q.WriteString("SELECT 1")
			case words.Len() == 0:
				q.WriteString(persons.String())
			default:
				// The words' placeholders follow the statement's others.
				q.WriteString(", p AS (" + persons.String() + ") ")
				q.WriteString(renumber(words.String(), len(args)))
				args = append(args, wordArgs...)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("insert case: %w", err)
			}
		}
		if s.FirstJob != "" {
			if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: s.FirstJob, CaseID: c.ID}); err != nil {
				return err
			}
		}
		data, _ := json.Marshal(map[string]any{
			"application_id": appID, "municipality": app.Municipality, "kind": app.Kind,
			"month": app.Month.String(), "members": len(app.Members), "facts": len(app.Facts),
		})
		if _, err := audit.Append(ctx, tx, audit.Event{
			At: now, Actor: actor, Action: ActionSubmitted, CaseID: c.ID, Data: data,
		}); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return nil, false, wrap("submit application", err)
	}
	app.ID, app.SubmittedAt = appID, submittedAt.t
	for i := range app.Facts {
		if app.Facts[i].At.IsZero() {
			app.Facts[i].At = app.SubmittedAt
		}
		app.Facts[i].At = app.Facts[i].At.UTC().Truncate(time.Microsecond) // as stored
	}
	return c, created, nil
}

const nextNumberSQL = `INSERT INTO case_numbers (municipality, year, last) VALUES ($1, $2, 1)
	ON CONFLICT (municipality, year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last`

// nextNumber takes the next case number of municipality in year in tx.
func (s *CaseStore) nextNumber(ctx context.Context, tx *sql.Tx, municipality string, year int) (string, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, nextNumberSQL, municipality, year).Scan(&seq); err != nil {
		return "", fmt.Errorf("case number: %w", err)
	}
	return skalig.NewCaseNumber(year, municipality, seq), nil
}

// nextNumberAsync takes the next case number of municipality in year on
// PostgreSQL from a sequence of that municipality and year
// (case_number_<municipality>_<year>), made on first use and started after
// the last number the counter table gave (case_numbers, migration 00025).
// nextval takes no row lock and is not rolled back: concurrent submissions
// never queue behind each other for a number (with a counter row they did,
// behind each other's round trips, and under load the queue held the pool's
// connections from the robot's jobs), and a submission that then fails, or
// repeats an earlier one, leaves a gap, never a number given twice. A
// sequence is crash-safe the same way: after a crash it continues past
// every number it may have given.
func (s *CaseStore) nextNumberAsync(ctx context.Context, municipality string, year int) (string, error) {
	if len(municipality) != 4 || strings.Trim(municipality, "0123456789") != "" {
		return "", skalig.Errorf(skalig.EINVALID, "Kommun: %q är ingen kommunkod med fyra siffror.", municipality)
	}
	seqName := fmt.Sprintf("case_number_%s_%d", municipality, year)
	var seq int64
	for attempt := 0; ; attempt++ {
		err := s.db.db.QueryRowContext(ctx, `SELECT nextval($1::regclass)`, seqName).Scan(&seq)
		if err == nil {
			break
		}
		if attempt > 0 || !strings.Contains(err.Error(), "42P01") {
			return "", fmt.Errorf("case number: %w", err)
		}
		// The first number of the municipality and year: make the
		// sequence, after what the counter table gave before it. Two
		// submissions that race here both try; the loser's error is
		// ignored and its nextval above finds the winner's sequence.
		var last int64
		if err := s.db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(last), 0) FROM case_numbers WHERE municipality = $1 AND year = $2`,
			municipality, year).Scan(&last); err != nil {
			return "", fmt.Errorf("case number: %w", err)
		}
		_, _ = s.db.db.ExecContext(ctx, fmt.Sprintf(`CREATE SEQUENCE IF NOT EXISTS %s START WITH %d`, seqName, last+1))
	}
	return skalig.NewCaseNumber(year, municipality, seq), nil
}

// CaseByNumber returns the case with the case number (NewCaseNumber), or
// ENOTFOUND. The caller logs the read as it logs any other.
func (s *CaseStore) CaseByNumber(ctx context.Context, number string) (*skalig.Case, error) {
	number = strings.TrimSpace(number)
	if !skalig.LooksLikeCaseNumber(number) {
		return nil, notFound("Ärendet")
	}
	c, err := scanCase(s.db.db.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE number = $1`, number).Scan)
	if isNoRows(err) {
		return nil, notFound("Ärendet")
	}
	if err != nil {
		return nil, fmt.Errorf("find case number %s: %w", number, err)
	}
	return c, nil
}

// insertFacts writes facts for case caseID, in their order, 400 to a
// statement; appID is set for declared facts.
func (s *CaseStore) insertFacts(ctx context.Context, tx *sql.Tx, caseID, appID string, facts []skalig.Fact) error {
	for len(facts) > 0 {
		chunk := facts[:min(len(facts), 400)]
		facts = facts[len(chunk):]
		var q strings.Builder
		var args []any
		s.factsInsert(&q, &args, caseID, appID, chunk)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert facts %s…: %w", chunk[0].Kind, err)
		}
	}
	return nil
}

const factsInsertColumns = `INSERT INTO facts (case_id, application_id, kind, person_id, period, amount, text, source, at, evidence, recorded_by) VALUES `

// factsInsert writes to q the insert of facts, its parameters numbered
// after those already in args, and appends their values to args.
func (s *CaseStore) factsInsert(q *strings.Builder, args *[]any, caseID, appID string, facts []skalig.Fact) {
	var app any
	if appID != "" {
		app = appID
	}
	q.WriteString(factsInsertColumns)
	for i, f := range facts {
		if i > 0 {
			q.WriteString(", ")
		}
		placeholders(q, len(*args), 11)
		var amount, text any
		if f.Value.IsText {
			text = f.Value.Text
		} else {
			amount = int64(f.Value.Amount)
		}
		*args = append(*args, caseID, app, f.Kind, f.PersonID, f.Period.String(), amount, text, string(f.Source),
			s.db.timeArg(f.At), f.Evidence, f.RecordedBy)
	}
}

// renumber returns query with its parameters $1, $2 … numbered from
// $off+1 on (the queries renumbered are the store's own, with no $ in their
// text otherwise).
func renumber(query string, off int) string {
	if off == 0 {
		return query
	}
	var b strings.Builder
	for i := 0; i < len(query); i++ {
		if query[i] != '$' {
			b.WriteByte(query[i])
			continue
		}
		j := i + 1
		for j < len(query) && query[j] >= '0' && query[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(query[i+1 : j])
		if err != nil {
			b.WriteByte('$')
			continue
		}
		b.WriteString("$" + strconv.Itoa(n+off))
		i = j - 1
	}
	return b.String()
}

// placeholders writes "($n+1, …, $n+k)" to q.
func placeholders(q *strings.Builder, n, k int) {
	q.WriteString("(")
	for i := range k {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("$" + strconv.Itoa(n+i+1))
	}
	q.WriteString(")")
}

const caseColumns = `id, application_id, municipality, month, kind, state, routing_reasons, version,
	created_at, updated_at, decided_at, closed_at, number`

// caseColumnsOf is caseColumns with each column qualified by table alias t.
func caseColumnsOf(t string) string {
	cols := strings.Split(caseColumns, ",")
	for i, c := range cols {
		cols[i] = t + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// scanCase reads a row of caseColumns.
func scanCase(scan func(...any) error) (*skalig.Case, error) {
	var c skalig.Case
	var month monthValue
	var kind, state string
	var reasons jsonValue
	var created, updated, decided, closed timeValue
	var number sql.NullString
	if err := scan(&c.ID, &c.ApplicationID, &c.Municipality, &month, &kind, &state, &reasons, &c.Version,
		&created, &updated, &decided, &closed, &number); err != nil {
		return nil, err
	}
	c.Number = number.String
	c.Month, c.Kind, c.State = month.m, skalig.ApplicationKind(kind), skalig.CaseState(state)
	c.CreatedAt, c.UpdatedAt, c.DecidedAt, c.ClosedAt = created.t, updated.t, decided.t, closed.t
	if err := json.Unmarshal(reasons.b, &c.RoutingReasons); err != nil {
		return nil, fmt.Errorf("case %s routing reasons: %w", c.ID, err)
	}
	if len(c.RoutingReasons) == 0 {
		c.RoutingReasons = nil
	}
	return &c, nil
}

// findCase returns the case with id, or ENOTFOUND.
func findCase(ctx context.Context, q queryRower, id string) (*skalig.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id).Scan)
	if isNoRows(err) {
		return nil, notFound("Ärendet")
	}
	if err != nil {
		return nil, fmt.Errorf("find case %s: %w", id, err)
	}
	return c, nil
}

// Case implements skalig.CaseStore.
func (s *CaseStore) Case(ctx context.Context, id string) (*skalig.Case, error) {
	return findCase(ctx, s.db.db, id)
}

// CaseApplication implements skalig.CaseStore.
func (s *CaseStore) CaseApplication(ctx context.Context, caseID string) (*skalig.Application, error) {
	var a skalig.Application
	var kind string
	var month monthValue
	var members jsonValue
	var submitted timeValue
	err := s.db.db.QueryRowContext(ctx, `
		SELECT a.id, a.municipality, a.idempotency_key, a.kind, a.month, a.members, a.submitted_at
		FROM applications a JOIN cases c ON c.application_id = a.id
		WHERE c.id = $1`, caseID).Scan(&a.ID, &a.Municipality, &a.IdempotencyKey, &kind, &month, &members, &submitted)
	if isNoRows(err) {
		return nil, notFound("Ärendet")
	}
	if err != nil {
		return nil, fmt.Errorf("application of case %s: %w", caseID, err)
	}
	a.Kind, a.Month, a.SubmittedAt = skalig.ApplicationKind(kind), month.m, submitted.t
	if err := json.Unmarshal(members.b, &a.Members); err != nil {
		return nil, fmt.Errorf("application %s members: %w", a.ID, err)
	}
	if err := s.memberNames(ctx, caseID, a.Members); err != nil {
		return nil, err
	}
	// The declared facts are stored under the case too: reading them by
	// case_id uses the facts_case index (there is none on application_id,
	// and a scan of every fact on each step made the workflow quadratic).
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+factColumns+` FROM facts WHERE case_id = $1 AND application_id = $2 ORDER BY id`, caseID, a.ID)
	if err != nil {
		return nil, fmt.Errorf("facts of application %s: %w", a.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFact(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("facts of application %s: %w", a.ID, err)
		}
		a.Facts = append(a.Facts, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facts of application %s: %w", a.ID, err)
	}
	return &a, nil
}

const factColumns = `kind, person_id, period, amount, text, source, at, evidence, recorded_by`

func scanFact(scan func(...any) error) (skalig.Fact, error) {
	var f skalig.Fact
	var period monthValue
	var amount sql.NullInt64
	var text sql.NullString
	var source string
	var at timeValue
	if err := scan(&f.Kind, &f.PersonID, &period, &amount, &text, &source, &at, &f.Evidence, &f.RecordedBy); err != nil {
		return f, err
	}
	f.Period, f.Source, f.At = period.m, skalig.FactSource(source), at.t
	if text.Valid {
		f.Value = skalig.TextValue(text.String)
	} else {
		f.Value = skalig.AmountValue(skalig.Money(amount.Int64))
	}
	return f, nil
}

// Cases implements skalig.CaseStore.
func (s *CaseStore) Cases(ctx context.Context, f skalig.CaseFilter) ([]*skalig.Case, error) {
	var fe []skalig.FieldError
	if f.State != "" && !f.State.Valid() {
		fe = append(fe, skalig.FieldError{Field: "state", Message: "Okänd ärendestatus."})
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 1000 {
		fe = append(fe, skalig.FieldError{Field: "limit", Message: "Ange 1-1000."})
	}
	if len(fe) > 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Sökningen är inte giltig.", Fields: fe}
	}
	var where []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Municipality != "" {
		add("municipality = ?", f.Municipality)
	}
	if f.State != "" {
		add("state = ?", string(f.State))
	}
	if f.After != "" {
		add("id > ?", f.After)
	}
	q := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	q += ` ORDER BY id LIMIT $` + strconv.Itoa(len(args))
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var out []*skalig.Case
	for rows.Next() {
		c, err := scanCase(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out, nil
}

// errStale is the ECONFLICT of an optimistic lock that lost.
func errStale() error {
	return skalig.Errorf(skalig.ECONFLICT, "Ärendet har ändrats sedan du läste det. Läs in det igen och försök på nytt.")
}

// TransitionCase implements skalig.CaseStore.
func (s *CaseStore) TransitionCase(ctx context.Context, t skalig.CaseTransition) (*skalig.Case, error) {
	if err := checkActor(t); err != nil {
		return nil, err
	}
	c, err := s.Update(ctx, t.CaseID, func(m *Moves) error {
		if m.Case().Version != t.Version {
			return errStale()
		}
		return m.To(ctx, t)
	})
	if err != nil {
		return nil, wrap("transition case", err)
	}
	return c, nil
}

func checkActor(t skalig.CaseTransition) error {
	if t.Actor == "" {
		return &skalig.Error{Code: skalig.EINVALID, Message: "Det saknas uppgift om vem som ändrar ärendet.",
			Fields: []skalig.FieldError{{Field: "actor", Message: "Ange vem eller vad som ändrar ärendet."}}}
	}
	return nil
}

// jsonValue scans a JSON column: text on SQLite, jsonb on PostgreSQL.
type jsonValue struct{ b []byte }

func (v *jsonValue) Scan(src any) error {
	switch x := src.(type) {
	case string:
		v.b = []byte(x)
	case []byte:
		v.b = append([]byte(nil), x...)
	default:
		return fmt.Errorf("cannot scan %T as JSON", src)
	}
	return nil
}

// wrap adds context to an unexpected error and passes a *skalig.Error
// through unchanged, so that its code and Swedish message reach the user.
func wrap(op string, err error) error {
	if skalig.ErrorCode(err) != skalig.EINTERNAL {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// stockholm is Swedish time, for the year of a case number; UTC if the zone
// data is missing.
var stockholm = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return loc
	}
	return time.UTC
}()

// memberNames sets the Name of each member of the case's application from
// case_persons, where the submission kept it (Member.Name is not in the
// application's JSON).
func (s *CaseStore) memberNames(ctx context.Context, caseID string, members []skalig.Member) error {
	rows, err := s.db.db.QueryContext(ctx, `SELECT personal_number, name FROM case_persons WHERE case_id = $1 AND name <> ''`, caseID)
	if err != nil {
		return fmt.Errorf("names of case %s: %w", caseID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var pn, name string
		if err := rows.Scan(&pn, &name); err != nil {
			return fmt.Errorf("names of case %s: %w", caseID, err)
		}
		for i := range members {
			if members[i].PersonalNumber.Canonical() == pn {
				members[i].Name = name
			}
		}
	}
	return rows.Err()
}

// CasesByName implements skalig.CaseService: every word of name must begin
// one of the words of the applicant's or the co-applicant's name that
// skalig.NameWords made when the case was submitted (case_person_words).
// Those are each word as written, without diacritics and spelled without
// the Nordic and German letters, so that "goran" finds Goran and Göran,
// "goeran" Göran, and "göran" only Göran: a word typed with diacritics
// can only begin a word written with them. The beginning of a word is a
// range of the index case_person_words_word (the municipality's words
// with word >= w AND word < the next string after every string that
// begins with w, in code points: the column compares so on both
// databases), for one word of the search the longest; the other words are
// looked up for the persons it found.
func (s *CaseStore) CasesByName(ctx context.Context, municipality, name string, limit int) ([]*skalig.Case, error) {
	words := strings.Fields(skalig.NameKey(name))
	if len(words) == 0 {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Ange ett namn att söka på.",
			Fields: []skalig.FieldError{{Field: "name", Message: "Ange minst ett ord av namnet."}}}
	}
	if limit < 1 || limit > 1000 {
		return nil, skalig.Errorf(skalig.EINVALID, "Antalet ärenden ska vara 1-1000.")
	}
	if len(words) > 10 {
		words = words[:10]
	}
	// The longest word first: it likely begins the fewest words.
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
	var from, where strings.Builder
	args := []any{municipality}
	for i, w := range words {
		args = append(args, w)
		cond := fmt.Sprintf("w%d.word >= $%d", i, len(args))
		if end, ok := prefixEnd(w); ok {
			args = append(args, end)
			cond += fmt.Sprintf(" AND w%d.word < $%d", i, len(args))
		}
		if i == 0 {
			fmt.Fprintf(&from, "case_person_words w0")
			where.WriteString("w0.municipality = $1 AND " + cond)
			continue
		}
		fmt.Fprintf(&from, " JOIN case_person_words w%d ON w%d.case_id = w0.case_id AND w%d.personal_number = w0.personal_number AND %s",
			i, i, i, cond)
	}
	q := `SELECT ` + prefixed("c.", caseColumns) + ` FROM cases c WHERE c.municipality = $1
		AND c.id IN (SELECT w0.case_id FROM ` + from.String() + ` WHERE ` + where.String() + `)
		ORDER BY c.id DESC LIMIT ` + strconv.Itoa(limit)
	return s.casesOfPerson(ctx, q, args...)
}

// prefixEnd returns the least string after every string that begins with
// w, in the order of code points: w with its last character replaced by
// the next one (false when there is none: w is all U+10FFFF).
func prefixEnd(w string) (string, bool) {
	r := []rune(w)
	for len(r) > 0 {
		last := r[len(r)-1]
		switch {
		case last == utf8.MaxRune:
			r = r[:len(r)-1]
			continue
		case last == 0xD7FF: // the surrogates are not characters
			r[len(r)-1] = 0xE000
		default:
			r[len(r)-1] = last + 1
		}
		return string(r), true
	}
	return "", false
}
