-- The case workflow: applications, cases, facts, receipts, decisions and
-- the audit trail. Instants are TEXT in skalig.TimeFormat (UTC, six
-- decimals), months TEXT 'YYYY-MM', money INTEGER öre. The PostgreSQL
-- variant is 00001_init.postgres.sql; keep the two in step.

-- +goose Up
CREATE TABLE applications (
	id              TEXT PRIMARY KEY,
	municipality    TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	content_hash    TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('first', 'monthly')),
	month           TEXT NOT NULL,
	members         TEXT NOT NULL,
	submitted_at    TEXT NOT NULL,
	UNIQUE (municipality, idempotency_key)
) STRICT;

CREATE TABLE cases (
	id              TEXT PRIMARY KEY,
	application_id  TEXT NOT NULL UNIQUE REFERENCES applications (id),
	municipality    TEXT NOT NULL,
	month           TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('first', 'monthly')),
	state           TEXT NOT NULL CHECK (state IN ('submitted', 'fetching', 'calculated', 'auto_decided',
	                    'awaiting_caseworker', 'awaiting_applicant', 'sampled', 'decided', 'notified', 'paid',
	                    'closed', 'withdrawn')),
	routing_reasons TEXT NOT NULL DEFAULT '[]',
	version         INTEGER NOT NULL DEFAULT 1,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	decided_at      TEXT,
	closed_at       TEXT
) STRICT;
CREATE INDEX cases_state ON cases (state, id);
CREATE INDEX cases_municipality_state ON cases (municipality, state, id);

-- Facts with provenance. A declared fact has application_id set; facts from
-- registers, caseworkers and the system belong to the case only.
CREATE TABLE facts (
	id             INTEGER PRIMARY KEY,
	case_id        TEXT NOT NULL REFERENCES cases (id),
	application_id TEXT REFERENCES applications (id),
	kind           TEXT NOT NULL,
	person_id      TEXT NOT NULL DEFAULT '',
	period         TEXT NOT NULL,
	amount         INTEGER,
	text           TEXT,
	source         TEXT NOT NULL,
	at             TEXT NOT NULL,
	evidence       TEXT NOT NULL DEFAULT '',
	recorded_by    TEXT NOT NULL DEFAULT '',
	CHECK ((amount IS NULL) <> (text IS NULL))
) STRICT;
CREATE INDEX facts_case ON facts (case_id, id);

-- A receipt is stored as the canonical JSON its hash covers.
CREATE TABLE receipts (
	hash       TEXT PRIMARY KEY,
	case_id    TEXT NOT NULL REFERENCES cases (id),
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX receipts_case ON receipts (case_id);

-- One decision per case, never two: UNIQUE (case_id).
CREATE TABLE decisions (
	id                    TEXT PRIMARY KEY,
	case_id               TEXT NOT NULL UNIQUE REFERENCES cases (id),
	outcome               TEXT NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	month                 TEXT NOT NULL,
	amount                INTEGER NOT NULL CHECK (amount >= 0),
	reasons               TEXT NOT NULL DEFAULT '[]',
	decided_by_caseworker TEXT NOT NULL DEFAULT '',
	decided_by_delegation TEXT NOT NULL DEFAULT '',
	decided_at            TEXT NOT NULL,
	receipt_hash          TEXT NOT NULL REFERENCES receipts (hash),
	CHECK ((decided_by_caseworker = '') <> (decided_by_delegation = ''))
) STRICT;

-- The audit trail (internal/audit). seq is assigned from audit_head, whose
-- single row also serialises appends. case_id has no foreign key: the trail
-- outlives anything it mentions.
CREATE TABLE audit_events (
	seq     INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	case_id TEXT,
	data    TEXT NOT NULL,
	hash    TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_case ON audit_events (case_id, seq);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
