-- The caseworker's side: the staff seen at login (for names in the history
-- and "assign to a colleague"), case assignments, four-eyes approvals of
-- decisions, and municipal configuration versions changed in the
-- administration pages. The SQLite variant is 00005_caseworker.sqlite.sql;
-- keep the two in step.

-- +goose Up
CREATE TABLE staff (
	subject        text PRIMARY KEY,
	name           text NOT NULL,
	roles          text NOT NULL DEFAULT '[]',
	municipalities text NOT NULL DEFAULT '[]',
	seen_at        timestamptz NOT NULL
);

-- Who works on a case now; the history of assignments is in the audit trail.
CREATE TABLE case_assignments (
	case_id     text PRIMARY KEY REFERENCES cases (id),
	assignee    text NOT NULL,
	assigned_by text NOT NULL,
	assigned_at timestamptz NOT NULL
);
CREATE INDEX case_assignments_assignee ON case_assignments (assignee);

-- A decision prepared by one person that a second must sign (four eyes).
-- At most one pending approval per case.
CREATE TABLE case_approvals (
	id           text PRIMARY KEY,
	case_id      text NOT NULL REFERENCES cases (id),
	case_version integer NOT NULL,
	outcome      text NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	amount       bigint NOT NULL CHECK (amount >= 0),
	reasons      text NOT NULL DEFAULT '[]',
	note_to_signer text NOT NULL DEFAULT '',
	proposed_by  text NOT NULL,
	proposed_at  timestamptz NOT NULL,
	status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'signed', 'returned')),
	decided_by   text NOT NULL DEFAULT '',
	decided_at   timestamptz,
	note         text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX case_approvals_pending ON case_approvals (case_id) WHERE status = 'pending';

-- A version of a municipality's configuration (kind: guidelines, routing,
-- casework) made in the administration pages; body is the version's JSON.
-- It applies from from_month until the next version's, and over an embedded
-- version with the same from_month.
CREATE TABLE config_versions (
	id           text PRIMARY KEY,
	municipality text NOT NULL,
	kind         text NOT NULL CHECK (kind IN ('guidelines', 'routing', 'casework')),
	version      text NOT NULL,
	from_month   text NOT NULL,
	body         text NOT NULL,
	author       text NOT NULL,
	reason       text NOT NULL,
	created_at   timestamptz NOT NULL,
	UNIQUE (municipality, kind, version)
);
CREATE INDEX config_versions_municipality ON config_versions (municipality, kind, from_month);
