// Package paramdb keeps the parameter versions administrators load and
// approve (under four eyes) in the store's database, and gives the
// workflow the parameters in force (Source).
package paramdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/jobs"
	"skalig/internal/params"
	"skalig/internal/store"
)

// Audit actions of parameter versions.
const (
	ActionParamsLoaded   = "params.loaded"
	ActionParamsApproved = "params.approved"
)

// JobParamsApproved is the job an approval enqueues, in its transaction:
// the workflow calculates again the cases of the year that wait for
// parameters (workflow.recalculate). Its case_id is "params:YEAR:VERSION".
const JobParamsApproved = "params_approved"

// Statuses of a parameter version.
const (
	ParamsPending  = "pending"
	ParamsApproved = "approved"
)

// Version is one year's riksnorm and prisbasbelopp as loaded by an
// administrator (params.Year), with who loaded and who approved it.
type Version struct {
	ID          int64
	Year        int
	FileName    string
	SHA256      string
	Provisional int // values with status provisional
	Status      string
	LoadedBy    string
	LoadedAt    time.Time
	ApprovedBy  string
	ApprovedAt  time.Time
	Body        []byte
}

// Store keeps the parameter versions. Four eyes: a version loaded by
// one person is in force only when another has approved it.
type Store struct{ db *store.DB }

// NewParamStore returns the parameter versions of db.
func New(db *store.DB) *Store { return &Store{db: db} }

// Import validates a year's file (params.ParseYear: every row and the
// year complete over the embedded tables) and stores it as a pending
// version, audited, loaded by by. Nothing is stored when the file is bad.
//
// Errors: EINVALID (the file, in Swedish naming line and field; no user).
func (s *Store) Import(ctx context.Context, name string, data []byte, by string) (*Version, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Ange vem som läser in parametrarna.",
			Fields: []skalig.FieldError{{Field: "by", Message: "Ange vem som läser in parametrarna."}}}
	}
	y, err := params.ParseYear(name, data)
	if err != nil {
		var le *params.LoadError
		if errors.As(err, &le) {
			field := "file"
			if le.Field != "" {
				field = le.Field
			}
			return nil, &skalig.Error{Code: skalig.EINVALID, Message: strings.TrimPrefix(err.Error(), "parametrar: "),
				Fields: []skalig.FieldError{{Field: field, Message: le.Msg}}}
		}
		return nil, err
	}
	sum := sha256.Sum256(data)
	v := &Version{Year: y.Year, FileName: name, SHA256: hex.EncodeToString(sum[:]), Provisional: provisionalCount(y),
		Status: ParamsPending, LoadedBy: by, Body: data}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		v.LoadedAt = s.db.Clock()
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO param_versions (year, file_name, body, sha256, provisional, status, loaded_by, loaded_at)
			VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING id`,
			v.Year, v.FileName, string(data), v.SHA256, v.Provisional, v.LoadedBy, s.db.TimeArg(v.LoadedAt)).Scan(&v.ID); err != nil {
			return fmt.Errorf("insert param version: %w", err)
		}
		d, _ := json.Marshal(map[string]any{"version": v.ID, "year": v.Year, "file": v.FileName, "sha256": v.SHA256, "provisional": v.Provisional})
		_, err := audit.Append(ctx, tx, audit.Event{At: v.LoadedAt, Actor: "staff:" + by, Action: ActionParamsLoaded, Data: d})
		return err
	})
	if err != nil {
		return nil, store.Wrap("import params", err)
	}
	return v, nil
}

func provisionalCount(y *params.Year) int {
	p, err := params.Compose([]*params.Year{y})
	if err != nil {
		return 0
	}
	n := 0
	for _, v := range p.Values(y.Year) {
		if v.Status == params.Provisional && (strings.HasPrefix(v.ID, fmt.Sprintf("riksnorm.%d.", y.Year)) || strings.HasPrefix(v.ID, "prisbasbelopp.")) {
			n++
		}
	}
	return n
}

// Approve puts the pending version id in force, approved by by, who must
// not be the person who loaded it (four eyes). In the same transaction it
// enqueues JobParamsApproved: the workflow calculates again the cases of
// the year that wait for parameters.
//
// Errors: ENOTFOUND; EFORBIDDEN (the same person); ECONFLICT (already
// approved); EINVALID (no user).
func (s *Store) Approve(ctx context.Context, id int64, by string) (*Version, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Ange vem som godkänner parametrarna.",
			Fields: []skalig.FieldError{{Field: "by", Message: "Ange vem som godkänner parametrarna."}}}
	}
	var v *Version
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if v, err = s.version(ctx, tx, id); err != nil {
			return err
		}
		switch {
		case v.Status != ParamsPending:
			return skalig.Errorf(skalig.ECONFLICT, "Version %d är redan godkänd (av %s).", id, v.ApprovedBy)
		case v.LoadedBy == by:
			return skalig.Errorf(skalig.EFORBIDDEN, "Version %d lästes in av %s. En annan person måste godkänna den (fyra ögon).", id, by)
		}
		now := s.db.Clock()
		res, err := tx.ExecContext(ctx, `UPDATE param_versions SET status = 'approved', approved_by = $1, approved_at = $2 WHERE id = $3 AND status = 'pending'`,
			by, s.db.TimeArg(now), id)
		if err != nil {
			return fmt.Errorf("approve param version: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return skalig.Errorf(skalig.ECONFLICT, "Version %d har redan godkänts.", id)
		}
		v.Status, v.ApprovedBy, v.ApprovedAt = ParamsApproved, by, now
		d, _ := json.Marshal(map[string]any{"version": v.ID, "year": v.Year, "sha256": v.SHA256, "loaded_by": v.LoadedBy})
		if _, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: "staff:" + by, Action: ActionParamsApproved, Data: d}); err != nil {
			return err
		}
		_, err = jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobParamsApproved, CaseID: fmt.Sprintf("params:%d:%d", v.Year, v.ID)})
		return err
	})
	if err != nil {
		return nil, store.Wrap("approve params", err)
	}
	return v, nil
}

// ParseParamsJob returns the year and version of a JobParamsApproved
// job's case_id.
func ParseParamsJob(caseID string) (year int, version int64, ok bool) {
	f := strings.Split(caseID, ":")
	if len(f) != 3 || f[0] != "params" {
		return 0, 0, false
	}
	y, err1 := strconv.Atoi(f[1])
	id, err2 := strconv.ParseInt(f[2], 10, 64)
	return y, id, err1 == nil && err2 == nil
}

const paramVersionColumns = `id, year, file_name, sha256, provisional, status, loaded_by, loaded_at, approved_by, approved_at`

func scanParamVersion(scan func(...any) error) (*Version, error) {
	var v Version
	var loaded, approved store.TimeValue
	if err := scan(&v.ID, &v.Year, &v.FileName, &v.SHA256, &v.Provisional, &v.Status, &v.LoadedBy, &loaded, &v.ApprovedBy, &approved); err != nil {
		return nil, err
	}
	v.LoadedAt, v.ApprovedAt = loaded.Time(), approved.Time()
	return &v, nil
}

func (s *Store) version(ctx context.Context, tx *sql.Tx, id int64) (*Version, error) {
	v, err := scanParamVersion(tx.QueryRowContext(ctx, `SELECT `+paramVersionColumns+` FROM param_versions WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Det finns ingen parameterversion %d.", id)
	}
	return v, err
}

// Versions returns every version, oldest first, without the files.
func (s *Store) Versions(ctx context.Context) ([]Version, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT `+paramVersionColumns+` FROM param_versions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("param versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		v, err := scanParamVersion(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("param versions: %w", err)
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// Effective returns the parameters in force: the embedded tables with the
// approved versions laid over them, in the order they were approved (of
// two approved versions of one year, the later approved is in force), and
// a mark that changes with every approval.
func (s *Store) Effective(ctx context.Context) (*params.Params, int64, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT id, year, file_name, body FROM param_versions WHERE status = 'approved' ORDER BY approved_at, id`)
	if err != nil {
		return nil, 0, fmt.Errorf("effective params: %w", err)
	}
	defer rows.Close()
	var years []*params.Year
	for rows.Next() {
		y := &params.Year{}
		var body string
		var id int64
		if err := rows.Scan(&id, &y.Year, &y.Name, &body); err != nil {
			return nil, 0, fmt.Errorf("effective params: %w", err)
		}
		y.Version = "v" + strconv.FormatInt(id, 10)
		y.Data = []byte(body)
		years = append(years, y)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	p, err := params.Compose(years)
	return p, int64(len(years)), err
}

// mark is the number of approved versions: approvals only add, so it
// changes exactly when the parameters in force do.
func (s *Store) mark(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM param_versions WHERE status = 'approved'`).Scan(&n)
	return n, err
}

// Source is the parameters in force for the workflow, asked per
// calculation: the effective set is cached, and the database is asked
// only whether an approval has happened (one count), at most every
// Refresh on the usual path, and at once when a month is missing (so a
// case is never routed as missing parameters that another process has
// just approved). Reload reads them at once (after an approval in this
// process).
type Source struct {
	store *Store
	// Refresh is how often the source checks for new approvals; default 5 s.
	Refresh time.Duration

	cur     atomic.Pointer[params.Params]
	checked atomic.Int64 // unix nanoseconds of the last check
	mu      sync.Mutex   // one reload at a time
	mark    int64
}

// Source returns the parameters in force, read now.
func (s *Store) Source(ctx context.Context) (*Source, error) {
	ps := &Source{store: s, Refresh: 5 * time.Second}
	if err := ps.Reload(ctx); err != nil {
		return nil, err
	}
	return ps, nil
}

// Reload reads the parameters in force now.
func (ps *Source) Reload(ctx context.Context) error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p, mark, err := ps.store.Effective(ctx)
	if err != nil {
		return err
	}
	ps.cur.Store(p)
	ps.mark = mark
	ps.checked.Store(time.Now().UnixNano())
	return nil
}

// check reloads when an approval has happened since the last read.
func (ps *Source) check() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ps.checked.Store(time.Now().UnixNano())
	mark, err := ps.store.mark(ctx)
	ps.mu.Lock()
	same := err != nil || mark == ps.mark
	ps.mu.Unlock()
	if !same {
		_ = ps.Reload(ctx) // on an error the set read before stays in force
	}
}

// Mark is the number of approved versions in the parameters this source
// holds now.
func (ps *Source) Mark() int64 {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.mark
}

// Params returns the parameters in force, checking for approvals when
// Refresh has passed.
func (ps *Source) Params() *params.Params {
	last := ps.checked.Load()
	if time.Since(time.Unix(0, last)) >= ps.Refresh && ps.checked.CompareAndSwap(last, time.Now().UnixNano()) {
		ps.check()
	}
	return ps.cur.Load()
}

// At returns the parameters in force in month m (params.Params.At); a
// missing month is checked against the database before it is reported.
func (ps *Source) At(m skalig.Month) (*params.Set, error) {
	s, err := ps.Params().At(m)
	if err != nil {
		ps.check()
		s, err = ps.cur.Load().At(m)
	}
	return s, err
}
