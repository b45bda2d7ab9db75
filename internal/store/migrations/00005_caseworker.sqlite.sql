-- The caseworker's side: the staff seen at login (for names in the history
-- and "assign to a colleague"), case assignments, four-eyes approvals of
-- decisions, and municipal configuration versions changed in the
-- administration pages. Instants are TEXT as in 00001; the PostgreSQL
-- variant is 00005_caseworker.postgres.sql; keep the two in step.

-- +goose Up
CREATE TABLE staff (
	subject        TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	roles          TEXT NOT NULL DEFAULT '[]',
	municipalities TEXT NOT NULL DEFAULT '[]',
	seen_at        TEXT NOT NULL
) STRICT;

-- Who works on a case now; the history of assignments is in the audit trail.
CREATE TABLE case_assignments (
	case_id     TEXT PRIMARY KEY REFERENCES cases (id),
	assignee    TEXT NOT NULL,
	assigned_by TEXT NOT NULL,
	assigned_at TEXT NOT NULL
) STRICT;
CREATE INDEX case_assignments_assignee ON case_assignments (assignee);

-- A decision prepared by one person that a second must sign (four eyes).
-- At most one pending approval per case.
CREATE TABLE case_approvals (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id),
	case_version INTEGER NOT NULL,
	outcome      TEXT NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	amount       INTEGER NOT NULL CHECK (amount >= 0),
	reasons      TEXT NOT NULL DEFAULT '[]',
	note_to_signer TEXT NOT NULL DEFAULT '',
	proposed_by  TEXT NOT NULL,
	proposed_at  TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'signed', 'returned')),
	decided_by   TEXT NOT NULL DEFAULT '',
	decided_at   TEXT,
	note         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX case_approvals_pending ON case_approvals (case_id) WHERE status = 'pending';

-- A version of a municipality's configuration (kind: guidelines, routing,
-- casework) made in the administration pages; body is the version's JSON.
-- It applies from from_month until the next version's, and over an embedded
-- version with the same from_month.
CREATE TABLE config_versions (
	id           TEXT PRIMARY KEY,
	municipality TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('guidelines', 'routing', 'casework')),
	version      TEXT NOT NULL,
	from_month   TEXT NOT NULL,
	body         TEXT NOT NULL,
	author       TEXT NOT NULL,
	reason       TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	UNIQUE (municipality, kind, version)
) STRICT;
CREATE INDEX config_versions_municipality ON config_versions (municipality, kind, from_month);
