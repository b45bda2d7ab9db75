-- A change of a decision that waits for a second person: see the SQLite
-- variant for the model; keep the two in step.
-- +goose Up
CREATE TABLE change_proposals (
	id             text PRIMARY KEY,
	case_id        text NOT NULL REFERENCES cases (id),
	supersedes     text NOT NULL,
	request_id     text NOT NULL DEFAULT '',
	case_version   integer NOT NULL,
	outcome        text NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	amount         bigint NOT NULL CHECK (amount >= 0),
	body           jsonb NOT NULL,
	note_to_signer text NOT NULL DEFAULT '',
	proposed_by    text NOT NULL,
	proposed_at    timestamptz NOT NULL,
	status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'signed', 'returned')),
	decided_by     text NOT NULL DEFAULT '',
	decided_at     timestamptz,
	note           text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX change_proposals_pending ON change_proposals (case_id) WHERE status = 'pending';
CREATE INDEX change_proposals_open ON change_proposals (status, id);
