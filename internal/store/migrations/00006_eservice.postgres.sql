-- The e-service: application drafts and the co-applicant's signature.
-- A draft holds what the applicant has filled in so far (data: the form's
-- values as JSON), for one household and month. It is "draft" while the
-- applicant fills it in, "awaiting_signature" when the applicant has signed
-- and a co-applicant (partner) must sign the same content, and "submitted"
-- once skalig's Submit has returned the case (case_id). Personal numbers are
-- canonical (YYYYMMDDNNNN). The SQLite variant is 00006_eservice.sqlite.sql;
-- keep the two in step.

-- +goose Up
CREATE TABLE drafts (
	id           text PRIMARY KEY,
	municipality text NOT NULL,
	applicant    text NOT NULL,
	partner      text NOT NULL DEFAULT '',
	kind         text NOT NULL,
	month        text NOT NULL,
	state        text NOT NULL CHECK (state IN ('draft', 'awaiting_signature', 'submitted')),
	data         text NOT NULL,
	content_hash text NOT NULL DEFAULT '',
	case_id      text REFERENCES cases (id),
	version      integer NOT NULL,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	submitted_at timestamptz
);
CREATE INDEX drafts_applicant ON drafts (applicant, id);
CREATE INDEX drafts_partner ON drafts (partner, id);

-- A signature: the person, their role in the household and the content
-- hash (skalig.Application.ContentHash) of the application they signed.
CREATE TABLE draft_signatures (
	draft_id        text NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
	personal_number text NOT NULL,
	role            text NOT NULL,
	content_hash    text NOT NULL,
	signed_at       timestamptz NOT NULL,
	PRIMARY KEY (draft_id, personal_number)
);
