-- The workflow: the durable job queue (internal/jobs), the people of each
-- case, raw evidence, the calculation and routing records of a case, and
-- payment orders. Instants are TEXT as in 00001; the PostgreSQL variant is
-- 00002_workflow.postgres.sql; keep the two in step.

-- +goose Up

-- A job is one step of a case's way through the flow. It is written in the
-- same transaction as the state change that makes it due, and deleted in the
-- same transaction as the change it makes: a step is done exactly when its
-- effect is committed. Times are microseconds since 1970 (UTC) in both
-- dialects, so the queue needs no per-dialect time handling.
CREATE TABLE jobs (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL,
	case_id      TEXT NOT NULL,
	state        TEXT NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'running', 'parked')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	run_at       INTEGER NOT NULL,
	locked_by    TEXT NOT NULL DEFAULT '',
	locked_until INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	UNIQUE (kind, case_id)
) STRICT;
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Who is in a case, by personnummer: the applicant sees the cases where they
-- are applicant or partner; the household's earlier months are found by it.
CREATE TABLE case_persons (
	case_id         TEXT NOT NULL REFERENCES cases (id),
	personal_number TEXT NOT NULL,
	role            TEXT NOT NULL,
	PRIMARY KEY (case_id, personal_number)
) STRICT;
CREATE INDEX case_persons_pn ON case_persons (personal_number, case_id);

-- Raw evidence (register answers), referred to by facts as "sha256:<hex>".
CREATE TABLE evidence (
	ref        TEXT PRIMARY KEY,
	case_id    TEXT NOT NULL REFERENCES cases (id),
	media_type TEXT NOT NULL,
	body       BLOB NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX evidence_case ON evidence (case_id);

-- What the workflow worked out for a case, as JSON: the calculation (input,
-- result, trace), the routing outcome, notifications to the applicant.
CREATE TABLE case_records (
	id         INTEGER PRIMARY KEY,
	case_id    TEXT NOT NULL REFERENCES cases (id),
	kind       TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX case_records_case ON case_records (case_id, kind, id);

-- A payment order: one per decision, never two.
CREATE TABLE payments (
	id          TEXT PRIMARY KEY,
	decision_id TEXT NOT NULL UNIQUE REFERENCES decisions (id),
	case_id     TEXT NOT NULL UNIQUE REFERENCES cases (id),
	amount      INTEGER NOT NULL CHECK (amount > 0),
	account     TEXT NOT NULL,
	pay_on      TEXT NOT NULL,
	created_at  TEXT NOT NULL
) STRICT;
