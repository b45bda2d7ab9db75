-- A change of a decision (omprövning, appeal or the decider's own
-- initiative, FL 37-39 §§) that the municipality's four-eyes rule makes a
-- proposal: a second caseworker signs it, and the change and the signature
-- commit together (workflow.ChangeDecision, SignChange). It is kept apart
-- from case_approvals, whose proposals are first decisions: a change
-- supersedes the decision in force (supersedes) and may rest on a new
-- calculation by hand, so body keeps the whole change as JSON (reasons,
-- note, lines, grounds). request_id is the review request or appeal it
-- resolves, '' on the decider's own initiative. At most one pending change
-- per case. Instants are TEXT as in 00001; keep the PostgreSQL variant in
-- step.
-- +goose Up
CREATE TABLE change_proposals (
	id             TEXT PRIMARY KEY,
	case_id        TEXT NOT NULL REFERENCES cases (id),
	supersedes     TEXT NOT NULL,
	request_id     TEXT NOT NULL DEFAULT '',
	case_version   INTEGER NOT NULL,
	outcome        TEXT NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	amount         INTEGER NOT NULL CHECK (amount >= 0),
	body           TEXT NOT NULL,
	note_to_signer TEXT NOT NULL DEFAULT '',
	proposed_by    TEXT NOT NULL,
	proposed_at    TEXT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'signed', 'returned')),
	decided_by     TEXT NOT NULL DEFAULT '',
	decided_at     TEXT,
	note           TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX change_proposals_pending ON change_proposals (case_id) WHERE status = 'pending';
CREATE INDEX change_proposals_open ON change_proposals (status, id);
