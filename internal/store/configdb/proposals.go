package configdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"skalig"
	"skalig/internal/audit"
	"skalig/internal/municipal"
	"skalig/internal/store"
	"skalig/internal/store/whatifdb"
)

// Audit actions of proposals: one proposed, one put in force (with the
// what-if run attached).
const (
	ActionConfigProposed   = "config.proposed"
	ActionConfigPutInForce = "config.put_in_force"
)

// Proposal statuses.
const (
	ProposalProposed = "proposed"
	ProposalInForce  = "in_force"
)

// Proposal is a proposed routing or guidelines version (its Author
// proposed it), and, once in force, who put it in force with which
// what-if run.
type Proposal struct {
	municipal.Change
	Status string
	RunID  string
	PutBy  string
	PutAt  time.Time
}

// monthNow is the month in force by the store's clock, in Swedish time.
func (m *MunicipalConfig) monthNow() skalig.Month {
	return skalig.DateOf(m.store.db.Clock()).Month()
}

// others returns the stored versions of v's kind and of the other kind of
// guidelines and routing: what municipal.Check checks v against.
func (m *MunicipalConfig) others(ctx context.Context, v *municipal.Change) (stored, others []municipal.Change, err error) {
	if stored, err = m.store.Versions(ctx, v.Municipality, v.Kind); err != nil {
		return nil, nil, err
	}
	other := municipal.KindRouting
	if v.Kind == municipal.KindRouting {
		other = municipal.KindGuidelines
	}
	others, err = m.store.Versions(ctx, v.Municipality, other)
	return stored, others, err
}

// Propose checks v, a routing or guidelines version (municipal.Check; it
// can apply from next month at the earliest) and keeps it as a proposal,
// audited with its author and reason. Nothing is in force until a second
// person puts it in force (PutInForce). It sets v.ID and v.At.
//
// Errors: EINVALID (naming the field: "kind", "body", "from", "version",
// "reason"); ENOTFOUND (unknown municipality).
func (m *MunicipalConfig) Propose(ctx context.Context, v *municipal.Change) error {
	if v.Kind != municipal.KindRouting && v.Kind != municipal.KindGuidelines {
		return &skalig.Error{Code: skalig.EINVALID, Message: "Bara routning och riktlinjer föreslås.",
			Fields: []skalig.FieldError{{Field: "kind", Message: "Välj routning eller riktlinjer."}}}
	}
	stored, others, err := m.others(ctx, v)
	if err != nil {
		return err
	}
	if err := municipal.Check(m.base, v, stored, others, m.monthNow()+1); err != nil {
		return err
	}
	db := m.store.db
	return store.Wrap("propose config version", db.InTx(ctx, func(tx *sql.Tx) error {
		now := db.Clock()
		v.ID, v.At = store.NewID(now), now
		if _, err := tx.ExecContext(ctx, `INSERT INTO config_proposals (id, municipality, kind, version, from_month, body, proposed_by, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			v.ID, v.Municipality, v.Kind, v.Version, v.From.String(), string(v.Body), v.Author, v.Reason, db.TimeArg(now)); err != nil {
			return fmt.Errorf("insert config proposal: %w", err)
		}
		data, _ := json.Marshal(map[string]string{"proposal_id": v.ID, "municipality": v.Municipality, "kind": v.Kind,
			"version": v.Version, "from": v.From.String(), "reason": v.Reason})
		_, err := audit.Append(ctx, tx, audit.Event{At: now, Actor: "staff:" + v.Author, Action: ActionConfigProposed, Data: data})
		return err
	}))
}

const proposalColumns = `id, municipality, kind, version, from_month, body, proposed_by, reason, created_at, status, run_id, put_by, put_at`

func scanProposal(scan func(...any) error) (*Proposal, error) {
	var p Proposal
	var from store.MonthValue
	var body string
	var at, put store.TimeValue
	if err := scan(&p.ID, &p.Municipality, &p.Kind, &p.Version, &from, &body, &p.Author, &p.Reason, &at, &p.Status, &p.RunID, &p.PutBy, &put); err != nil {
		return nil, err
	}
	p.From, p.Body, p.At, p.PutAt = from.Month(), json.RawMessage(body), at.Time(), put.Time()
	return &p, nil
}

// Proposals returns the proposals of the municipality, those still
// proposed first, the latest first.
func (m *MunicipalConfig) Proposals(ctx context.Context, code string) ([]Proposal, error) {
	rows, err := m.store.db.SQL().QueryContext(ctx, `SELECT `+proposalColumns+` FROM config_proposals WHERE municipality = $1
		ORDER BY CASE status WHEN 'proposed' THEN 0 ELSE 1 END, created_at DESC, id DESC`, code)
	if err != nil {
		return nil, fmt.Errorf("config proposals: %w", err)
	}
	defer rows.Close()
	var out []Proposal
	for rows.Next() {
		p, err := scanProposal(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("config proposals: %w", err)
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// Proposal returns the proposal id.
//
// Errors: ENOTFOUND.
func (m *MunicipalConfig) Proposal(ctx context.Context, id string) (*Proposal, error) {
	p, err := scanProposal(m.store.db.SQL().QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM config_proposals WHERE id = $1`, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.NotFound("Förslaget")
	}
	if err != nil {
		return nil, fmt.Errorf("config proposal %s: %w", id, err)
	}
	return p, nil
}

// Candidate returns the proposal p as a what-if candidate
// (internal/whatif) as it would be put in force now: a routing version as
// proposed (kind "routing"), or the municipality's file with the
// guidelines version laid over the versions in force (kind "municipal"),
// with a name for the record. Its SHA-256 is what PutInForce requires of
// the attached run.
func (m *MunicipalConfig) Candidate(ctx context.Context, p *Proposal) (kind, name string, data []byte, err error) {
	if p.Kind == municipal.KindRouting {
		return "routing", "förslag " + p.Version + ".json", p.Body, nil
	}
	stored, others, err := m.others(ctx, &p.Change)
	if err != nil {
		return "", "", nil, err
	}
	data, err = municipal.MergeFile(m.base, p.Municipality, append(stored, p.Change), others)
	return "municipal", "förslag " + p.Version + " (" + p.Municipality + ").json", data, err
}

// PutInForce puts the proposal id in force, by by (a staff subject), with
// the what-if run runID attached: skalig.InForce.Check is the rule (a
// second person, a later month than the one in force, a finished run of
// this very change). The version is checked again against the versions
// in force and written into config_versions, the proposal marked in force
// and both audit events (config.changed and config.put_in_force with the
// run's id and totals) appended, in one transaction.
//
// Errors: ENOTFOUND (the proposal); ECONFLICT (in force already, or the
// version name is taken); EINVALID (naming "by", "from", "run", or the
// version's field); EFORBIDDEN (the proposer or the run's starter).
func (m *MunicipalConfig) PutInForce(ctx context.Context, id, by, runID string) (*Proposal, error) {
	p, err := m.Proposal(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != ProposalProposed {
		return nil, skalig.Errorf(skalig.ECONFLICT, "Förslaget är redan i kraft (satt av %s).", p.PutBy)
	}
	rule := skalig.InForce{Kind: p.Kind, Municipality: p.Municipality, Version: p.Version, From: p.From, ProposedBy: p.Author, By: by}
	_, _, data, err := m.Candidate(ctx, p)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	rule.Digest = hex.EncodeToString(sum[:])
	if runID != "" {
		run, err := whatifdb.New(m.store.db).RunByID(ctx, runID)
		switch {
		case skalig.ErrorCode(err) == skalig.ENOTFOUND:
			return nil, &skalig.Error{Code: skalig.EINVALID, Message: "Provkörningen finns inte.",
				Fields: []skalig.FieldError{{Field: "run", Message: "Provkörning " + runID + " finns inte."}}}
		case err != nil:
			return nil, err
		}
		rule.Run = &skalig.InForceRun{ID: run.ID, Actor: run.Actor, Status: run.Status, Municipality: run.Municipality,
			Digest: run.CandidateDigest, Cases: run.Cases, Changed: run.Changed}
	}
	now := m.monthNow()
	if err := rule.Check(now); err != nil {
		return nil, err
	}
	v := p.Change
	stored, others, err := m.others(ctx, &v)
	if err != nil {
		return nil, err
	}
	if err := municipal.Check(m.base, &v, stored, others, now+1); err != nil {
		return nil, err
	}
	db := m.store.db
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		at := db.Clock()
		res, err := tx.ExecContext(ctx, `UPDATE config_proposals SET status = 'in_force', run_id = $1, put_by = $2, put_at = $3
			WHERE id = $4 AND status = 'proposed'`, runID, by, db.TimeArg(at), id)
		if err != nil {
			return fmt.Errorf("put config proposal in force: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return skalig.Errorf(skalig.ECONFLICT, "Förslaget har redan satts i kraft.")
		}
		cv := v
		cv.Author = by
		if err := m.store.insertVersion(ctx, tx, &cv, at); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{
			"proposal_id": id, "config_version_id": cv.ID, "municipality": v.Municipality, "kind": v.Kind, "version": v.Version,
			"from": v.From.String(), "proposed_by": p.Author, "reason": v.Reason,
			"whatif_run": map[string]any{"run_id": rule.Run.ID, "cases": rule.Run.Cases, "changed": rule.Run.Changed,
				"candidate_digest": rule.Run.Digest, "started_by": rule.Run.Actor},
		})
		_, err = audit.Append(ctx, tx, audit.Event{At: at, Actor: "staff:" + by, Action: ActionConfigPutInForce, Data: data})
		return err
	})
	if err != nil {
		return nil, store.Wrap("put config proposal in force", err)
	}
	m.invalidate(p.Municipality)
	p.Status, p.RunID, p.PutBy = ProposalInForce, runID, by
	return p, nil
}
