package recordsdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/store"
)

// Claims (återkrav): a minimal model, so that gallring can keep the akt of
// a person the municipality has an open claim on (docs/gallring.md). A
// caseworker records that a claim is open, and closes it when it is
// settled; Skälig does not compute, decide or follow up claims.

// Audit actions of claims. Their payloads name the person; gallring
// removes them with the rest of the person's data.
const (
	ActionClaimOpened = "claim.opened"
	ActionClaimClosed = "claim.closed"
)

// Claim is an återkrav recorded on a person.
type Claim struct {
	ID             string
	Municipality   string
	PersonalNumber skalig.PersonalNumber
	Note           string
	OpenedBy       string
	OpenedAt       time.Time
	ClosedBy       string
	ClosedAt       time.Time
}

// Open reports whether the claim is still open.
func (c *Claim) Open() bool { return c.ClosedBy == "" }

// MaxClaimNote is the longest note of a claim, in characters.
const MaxClaimNote = 500

// OpenClaim records an open claim of municipality on pn, by actor.
//
// Errors: EINVALID (a personnummer, municipality or note that is wrong,
// naming the field).
func (s *Store) OpenClaim(ctx context.Context, municipality string, pn skalig.PersonalNumber, note, actor string) (*Claim, error) {
	if err := pn.Validate(); err != nil {
		return nil, skalig.Errorf(skalig.EINVALID, "Personnummer: %q är inget giltigt personnummer.", string(pn))
	}
	if len(municipality) != 4 || strings.Trim(municipality, "0123456789") != "" {
		return nil, skalig.Errorf(skalig.EINVALID, "Kommun: %q är ingen kommunkod med fyra siffror.", municipality)
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxClaimNote {
		return nil, skalig.Errorf(skalig.EINVALID, "Anteckning: högst %d tecken.", MaxClaimNote)
	}
	if strings.TrimSpace(actor) == "" {
		return nil, skalig.Errorf(skalig.EINVALID, "Ange vem som registrerar återkravet.")
	}
	now := s.db.Clock()
	c := &Claim{ID: store.NewID(now), Municipality: municipality, PersonalNumber: pn, Note: note, OpenedBy: actor, OpenedAt: now}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO claims (id, municipality, personal_number, note, opened_by, opened_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.Municipality, string(pn), note, actor, s.db.TimeArg(now)); err != nil {
			return err
		}
		return claimEvent(ctx, tx, now, actor, ActionClaimOpened, c)
	})
	if err != nil {
		return nil, fmt.Errorf("open claim: %w", err)
	}
	return c, nil
}

func claimEvent(ctx context.Context, tx *sql.Tx, now time.Time, actor, action string, c *Claim) error {
	data, err := json.Marshal(map[string]any{"claim": c.ID, "municipality": c.Municipality, "personal_number": string(c.PersonalNumber)})
	if err != nil {
		return err
	}
	_, err = audit.Append(ctx, tx, audit.Event{At: now, Actor: actor, Action: action, Data: data})
	return err
}

// CloseClaim records that claim id is settled, by actor.
//
// Errors: ENOTFOUND, ECONFLICT (already closed).
func (s *Store) CloseClaim(ctx context.Context, id, actor string) (*Claim, error) {
	if strings.TrimSpace(actor) == "" {
		return nil, skalig.Errorf(skalig.EINVALID, "Ange vem som avslutar återkravet.")
	}
	var c *Claim
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = claim(ctx, tx, id); err != nil {
			return err
		}
		if !c.Open() {
			return skalig.Errorf(skalig.ECONFLICT, "Återkrav %s avslutades redan %s av %s.", id, c.ClosedAt.Format("2006-01-02"), c.ClosedBy)
		}
		now := s.db.Clock()
		if _, err := tx.ExecContext(ctx, `UPDATE claims SET closed_by = $1, closed_at = $2 WHERE id = $3 AND closed_by = ''`,
			actor, s.db.TimeArg(now), id); err != nil {
			return err
		}
		c.ClosedBy, c.ClosedAt = actor, now
		return claimEvent(ctx, tx, now, actor, ActionClaimClosed, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

const claimColumns = `id, municipality, personal_number, note, opened_by, opened_at, closed_by, closed_at`

func scanClaim(scan func(...any) error) (*Claim, error) {
	var c Claim
	var pn string
	var oa, ca store.TimeValue
	if err := scan(&c.ID, &c.Municipality, &pn, &c.Note, &c.OpenedBy, &oa, &c.ClosedBy, &ca); err != nil {
		return nil, err
	}
	c.PersonalNumber, c.OpenedAt, c.ClosedAt = skalig.PersonalNumber(pn), oa.Time(), ca.Time()
	return &c, nil
}

func claim(ctx context.Context, q store.Querier, id string) (*Claim, error) {
	c, err := scanClaim(q.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, skalig.Errorf(skalig.ENOTFOUND, "Det finns inget återkrav %s.", id)
	}
	return c, err
}

// Claims returns the claims recorded on pn, oldest first.
func (s *Store) Claims(ctx context.Context, pn skalig.PersonalNumber) ([]*Claim, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE personal_number = $1 ORDER BY id`, string(pn))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Claim
	for rows.Next() {
		c, err := scanClaim(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
