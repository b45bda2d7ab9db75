// Package configdb keeps the versions of the municipal configuration that
// administrators make (internal/municipal checks and merges them) in the
// store's database, and serves the configuration in force through a short
// cache: MunicipalConfig implements municipal.Configuration.
package configdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"skalig"
	"skalig/internal/audit"
	"skalig/internal/municipal"
	"skalig/internal/routing"
	"skalig/internal/rules"
	"skalig/internal/store"
	"sync"
	"time"
)

// Store keeps the configuration versions of one database.
type Store struct{ db *store.DB }

// NewStore returns the Store of db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

var _ municipal.Configuration = (*MunicipalConfig)(nil)

// Versions returns the stored versions of kind ("" for all) for the
// municipality, by From and then by when they were made.
func (s *Store) Versions(ctx context.Context, municipality, kind string) ([]municipal.Change, error) {
	q := `SELECT id, municipality, kind, version, from_month, body, author, reason, created_at FROM config_versions WHERE municipality = $1`
	args := []any{municipality}
	if kind != "" {
		q += ` AND kind = $2`
		args = append(args, kind)
	}
	rows, err := s.db.SQL().QueryContext(ctx, q+` ORDER BY from_month, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("config versions: %w", err)
	}
	defer rows.Close()
	var out []municipal.Change
	for rows.Next() {
		var v municipal.Change
		var from store.MonthValue
		var body string
		var at store.TimeValue
		if err := rows.Scan(&v.ID, &v.Municipality, &v.Kind, &v.Version, &from, &body, &v.Author, &v.Reason, &at); err != nil {
			return nil, fmt.Errorf("config versions: %w", err)
		}
		v.From, v.Body, v.At = from.Month(), json.RawMessage(body), at.Time()
		out = append(out, v)
	}
	return out, rows.Err()
}

// addVersion stores v with its audit event (who and why). It sets ID
// and At.
func (s *Store) addVersion(ctx context.Context, v *municipal.Change) error {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error { return s.insertVersion(ctx, tx, v, s.db.Clock()) })
	return store.Wrap("add config version", err)
}

// insertVersion stores v in tx with its audit event, made at now. It sets
// ID and At.
func (s *Store) insertVersion(ctx context.Context, tx *sql.Tx, v *municipal.Change, now time.Time) error {
	v.ID, v.At = store.NewID(now), now
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO config_versions (id, municipality, kind, version, from_month, body, author, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		v.ID, v.Municipality, v.Kind, v.Version, v.From.String(), string(v.Body), v.Author, v.Reason, s.db.TimeArg(now)); err != nil {
		if store.IsUniqueViolation(err) {
			return &skalig.Error{Code: skalig.ECONFLICT, Message: "Det finns redan en version med det namnet.",
				Fields: []skalig.FieldError{{Field: "version", Message: "Det finns redan en version med det namnet. Välj ett annat."}}}
		}
		return fmt.Errorf("insert config version: %w", err)
	}
	data, _ := json.Marshal(map[string]string{
		"municipality": v.Municipality, "kind": v.Kind, "version": v.Version, "from": v.From.String(),
		"reason": v.Reason, "config_version_id": v.ID,
	})
	_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: "staff:" + v.Author, Action: store.ActionConfigChanged, Data: data})
	return err
}

// ConfigChanges returns the audit events of configuration changes of the
// municipality, newest first.
func (s *Store) Changes(ctx context.Context, municipality string) ([]audit.Event, error) {
	evs, err := audit.Trail(ctx, s.db.SQL(), `action = $1 AND case_id IS NULL`, true, store.ActionConfigChanged)
	if err != nil {
		return nil, fmt.Errorf("config changes: %w", err)
	}
	out := evs[:0]
	for _, e := range evs {
		var d struct {
			Municipality string `json:"municipality"`
		}
		if json.Unmarshal(e.Data, &d) == nil && d.Municipality == municipality {
			out = append(out, e)
		}
	}
	return out, nil
}

// MunicipalConfig is the municipal configuration in force: the embedded
// files of internal/municipal with the versions stored in config_versions
// (made in the administration pages) laid over them. A stored version
// applies from its From month until the next version, and replaces an
// embedded version with the same From. Lookups are cached for a few
// seconds; a change made through this MunicipalConfig is seen at once in
// this process, and within TTL in others.
//
// The workflow plugs it in where it reads municipal.Set:
//
//	rc, err := mc.Routing(ctx, c.Municipality, c.Month) // instead of w.mun.Routing(...)
//	g, err := mc.Guidelines(ctx, c.Municipality, c.Month)
type MunicipalConfig struct {
	store *Store
	base  *municipal.Set
	// TTL is how long a lookup is cached; default 5 s.
	TTL time.Duration

	mu    sync.Mutex
	cache map[string]*configEntry
}

type configEntry struct {
	set      *municipal.Set // nil: the municipality is not in base
	err      error
	casework []municipal.Change
	at       time.Time
}

// NewMunicipalConfig returns the configuration of base with the versions
// stored in db over it.
func NewMunicipalConfig(db *store.DB, base *municipal.Set) *MunicipalConfig {
	return &MunicipalConfig{store: NewStore(db), base: base, TTL: 5 * time.Second, cache: map[string]*configEntry{}}
}

// Base returns the embedded configuration.
func (m *MunicipalConfig) Base() *municipal.Set { return m.base }

func (m *MunicipalConfig) entry(ctx context.Context, code string) (*configEntry, error) {
	m.mu.Lock()
	e := m.cache[code]
	m.mu.Unlock()
	if e != nil && time.Since(e.at) < m.TTL {
		return e, e.err
	}
	vs, err := m.store.Versions(ctx, code, "")
	if err != nil {
		return nil, err
	}
	e = &configEntry{at: time.Now()}
	var gl, rt []municipal.Change
	for _, v := range vs {
		switch v.Kind {
		case municipal.KindGuidelines:
			gl = append(gl, v)
		case municipal.KindRouting:
			rt = append(rt, v)
		case municipal.KindCasework:
			e.casework = append(e.casework, v)
		}
	}
	e.set, e.err = municipal.Merge(m.base, code, gl, rt)
	m.mu.Lock()
	m.cache[code] = e
	m.mu.Unlock()
	return e, e.err
}

// invalidate drops the cached lookups of code.
func (m *MunicipalConfig) invalidate(code string) {
	m.mu.Lock()
	delete(m.cache, code)
	m.mu.Unlock()
}

// Set returns the configuration of municipality code in force: its
// embedded file with the stored versions over it.
//
// Errors: ENOTFOUND (a municipality Skälig does not know); EINVALID (the
// stored versions do not validate, which AddVersion prevents).
func (m *MunicipalConfig) Set(ctx context.Context, code string) (*municipal.Set, error) {
	e, err := m.entry(ctx, code)
	if err != nil {
		return nil, err
	}
	return e.set, nil
}

// Routing returns the routing configuration of municipality code in force
// in month mo, preferring stored versions; errors as municipal.Set.Routing.
func (m *MunicipalConfig) Routing(ctx context.Context, code string, mo skalig.Month) (*routing.Config, error) {
	set, err := m.Set(ctx, code)
	if err != nil {
		return nil, err
	}
	return set.Routing(code, mo)
}

// Guidelines returns the guidelines of municipality code in force in month
// mo, preferring stored versions; errors as municipal.Set.Guidelines.
func (m *MunicipalConfig) Guidelines(ctx context.Context, code string, mo skalig.Month) (*rules.Guidelines, error) {
	set, err := m.Set(ctx, code)
	if err != nil {
		return nil, err
	}
	return set.Guidelines(code, mo)
}

// Lookup returns the configuration in force with the two lookups of
// municipal.Set (same signatures, no context), so that code written for a
// *municipal.Set can take either through a small interface:
//
//	type Municipal interface {
//		Routing(code string, mo skalig.Month) (*routing.Config, error)
//		Guidelines(code string, mo skalig.Month) (*rules.Guidelines, error)
//	}
func (m *MunicipalConfig) Lookup() MunicipalLookup { return MunicipalLookup{m} }

// MunicipalLookup is MunicipalConfig with municipal.Set's method set. Its
// lookups read the database (cached) with a background context bounded to
// five seconds.
type MunicipalLookup struct{ m *MunicipalConfig }

// Routing is MunicipalConfig.Routing.
func (l MunicipalLookup) Routing(code string, mo skalig.Month) (*routing.Config, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return l.m.Routing(ctx, code, mo)
}

// Guidelines is MunicipalConfig.Guidelines.
func (l MunicipalLookup) Guidelines(code string, mo skalig.Month) (*rules.Guidelines, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return l.m.Guidelines(ctx, code, mo)
}

// Casework returns the casework settings of municipality code in force in
// month mo: the latest stored version from mo or before, else
// municipal.DefaultCaseworkSettings. A municipality Skälig does not know has the
// defaults.
func (m *MunicipalConfig) Casework(ctx context.Context, code string, mo skalig.Month) (municipal.CaseworkSettings, error) {
	e, err := m.entry(ctx, code)
	if e == nil {
		return municipal.DefaultCaseworkSettings, err
	}
	return municipal.CaseworkIn(e.casework, mo)
}

// Casework is MunicipalConfig.Casework read from the database now, never
// cached: the settings a decision is made under.
func (s *Store) Casework(ctx context.Context, code string, mo skalig.Month) (municipal.CaseworkSettings, error) {
	vs, err := s.Versions(ctx, code, municipal.KindCasework)
	if err != nil {
		return municipal.DefaultCaseworkSettings, err
	}
	return municipal.CaseworkIn(vs, mo)
}

// Versions returns the stored versions of the municipality.
func (m *MunicipalConfig) Versions(ctx context.Context, code, kind string) ([]municipal.Change, error) {
	return m.store.Versions(ctx, code, kind)
}

// AddVersion checks v, casework settings, against the settings stored
// before (municipal.Check) and stores it, audited with its author and
// reason. v.From must not be before earliest (the month in force). A
// routing or guidelines version is never stored this way: it is proposed
// (Propose) and put in force by a second person with a what-if run of it
// (PutInForce), the one path of a change of the rules.
//
// Errors: EINVALID (naming the field: "kind", "body", "from", "version",
// "reason"); ECONFLICT (the version name is taken); ENOTFOUND (unknown
// municipality).
func (m *MunicipalConfig) AddVersion(ctx context.Context, v *municipal.Change, earliest skalig.Month) error {
	if v.Kind == municipal.KindRouting || v.Kind == municipal.KindGuidelines {
		return &skalig.Error{Code: skalig.EINVALID, Message: "En ändring av routning eller riktlinjer föreslås och sätts i kraft av en annan person, med en provkörning.",
			Fields: []skalig.FieldError{{Field: "kind", Message: "Föreslå ändringen i stället."}}}
	}
	stored, err := m.store.Versions(ctx, v.Municipality, v.Kind)
	if err != nil {
		return err
	}
	var others []municipal.Change
	switch v.Kind {
	case municipal.KindRouting:
		others, err = m.store.Versions(ctx, v.Municipality, municipal.KindGuidelines)
	case municipal.KindGuidelines:
		others, err = m.store.Versions(ctx, v.Municipality, municipal.KindRouting)
	}
	if err != nil {
		return err
	}
	if err := municipal.Check(m.base, v, stored, others, earliest); err != nil {
		return err
	}
	if err := m.store.addVersion(ctx, v); err != nil {
		return err
	}
	m.invalidate(v.Municipality)
	return nil
}

// Changes returns the audit events of the municipality's configuration
// changes, newest first.
func (m *MunicipalConfig) Changes(ctx context.Context, municipality string) ([]skalig.AuditEvent, error) {
	return m.store.Changes(ctx, municipality)
}
