-- The e-service: application drafts and the co-applicant's signature.
-- A draft holds what the applicant has filled in so far (data: the form's
-- values as JSON), for one household and month. It is "draft" while the
-- applicant fills it in, "awaiting_signature" when the applicant has signed
-- and a co-applicant (partner) must sign the same content, and "submitted"
-- once skalig's Submit has returned the case (case_id). Personal numbers are
-- canonical (YYYYMMDDNNNN). Instants are TEXT as in 00001; the PostgreSQL
-- variant is 00006_eservice.postgres.sql; keep the two in step.

-- +goose Up
CREATE TABLE drafts (
	id           TEXT PRIMARY KEY,
	municipality TEXT NOT NULL,
	applicant    TEXT NOT NULL,
	partner      TEXT NOT NULL DEFAULT '',
	kind         TEXT NOT NULL,
	month        TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('draft', 'awaiting_signature', 'submitted')),
	data         TEXT NOT NULL,
	content_hash TEXT NOT NULL DEFAULT '',
	case_id      TEXT REFERENCES cases (id),
	version      INTEGER NOT NULL,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	submitted_at TEXT
) STRICT;
CREATE INDEX drafts_applicant ON drafts (applicant, id);
CREATE INDEX drafts_partner ON drafts (partner, id);

-- A signature: the person, their role in the household and the content
-- hash (skalig.Application.ContentHash) of the application they signed.
CREATE TABLE draft_signatures (
	draft_id        TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
	personal_number TEXT NOT NULL,
	role            TEXT NOT NULL,
	content_hash    TEXT NOT NULL,
	signed_at       TEXT NOT NULL,
	PRIMARY KEY (draft_id, personal_number)
) STRICT;
