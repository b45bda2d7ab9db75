-- The case workflow: applications, cases, facts, receipts, decisions and
-- the audit trail. Instants are timestamptz, months text 'YYYY-MM', money
-- bigint öre. The SQLite variant is 00001_init.sqlite.sql; keep the two in
-- step.

-- +goose Up
CREATE TABLE applications (
	id              text PRIMARY KEY,
	municipality    text NOT NULL,
	idempotency_key text NOT NULL,
	content_hash    text NOT NULL,
	kind            text NOT NULL CHECK (kind IN ('first', 'monthly')),
	month           text NOT NULL,
	members         jsonb NOT NULL,
	submitted_at    timestamptz NOT NULL,
	UNIQUE (municipality, idempotency_key)
);

CREATE TABLE cases (
	id              text PRIMARY KEY,
	application_id  text NOT NULL UNIQUE REFERENCES applications (id),
	municipality    text NOT NULL,
	month           text NOT NULL,
	kind            text NOT NULL CHECK (kind IN ('first', 'monthly')),
	state           text NOT NULL CHECK (state IN ('submitted', 'fetching', 'calculated', 'auto_decided',
	                    'awaiting_caseworker', 'awaiting_applicant', 'sampled', 'decided', 'notified', 'paid',
	                    'closed', 'withdrawn')),
	routing_reasons jsonb NOT NULL DEFAULT '[]',
	version         integer NOT NULL DEFAULT 1,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL,
	decided_at      timestamptz,
	closed_at       timestamptz
);
CREATE INDEX cases_state ON cases (state, id);
CREATE INDEX cases_municipality_state ON cases (municipality, state, id);

-- Facts with provenance. A declared fact has application_id set; facts from
-- registers, caseworkers and the system belong to the case only.
CREATE TABLE facts (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id        text NOT NULL REFERENCES cases (id),
	application_id text REFERENCES applications (id),
	kind           text NOT NULL,
	person_id      text NOT NULL DEFAULT '',
	period         text NOT NULL,
	amount         bigint,
	text           text,
	source         text NOT NULL,
	at             timestamptz NOT NULL,
	evidence       text NOT NULL DEFAULT '',
	recorded_by    text NOT NULL DEFAULT '',
	CHECK ((amount IS NULL) <> (text IS NULL))
);
CREATE INDEX facts_case ON facts (case_id, id);

-- A receipt is stored as the canonical JSON its hash covers (text, not
-- jsonb, which would reformat it).
CREATE TABLE receipts (
	hash       text PRIMARY KEY,
	case_id    text NOT NULL REFERENCES cases (id),
	body       text NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX receipts_case ON receipts (case_id);

-- One decision per case, never two: UNIQUE (case_id).
CREATE TABLE decisions (
	id                    text PRIMARY KEY,
	case_id               text NOT NULL UNIQUE REFERENCES cases (id),
	outcome               text NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	month                 text NOT NULL,
	amount                bigint NOT NULL CHECK (amount >= 0),
	reasons               jsonb NOT NULL DEFAULT '[]',
	decided_by_caseworker text NOT NULL DEFAULT '',
	decided_by_delegation text NOT NULL DEFAULT '',
	decided_at            timestamptz NOT NULL,
	receipt_hash          text NOT NULL REFERENCES receipts (hash),
	CHECK ((decided_by_caseworker = '') <> (decided_by_delegation = ''))
);

-- The audit trail (internal/audit). seq is assigned from audit_head, whose
-- single row also serialises appends (its row lock is held by the appending
-- transaction until it ends). data is text: exactly what was hashed.
-- case_id has no foreign key: the trail outlives anything it mentions.
CREATE TABLE audit_events (
	seq     bigint PRIMARY KEY,
	at      timestamptz NOT NULL,
	actor   text NOT NULL,
	action  text NOT NULL,
	case_id text,
	data    text NOT NULL,
	hash    text NOT NULL
);
CREATE INDEX audit_events_case ON audit_events (case_id, seq);

CREATE TABLE audit_head (
	id   integer PRIMARY KEY CHECK (id = 1),
	seq  bigint NOT NULL,
	hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
