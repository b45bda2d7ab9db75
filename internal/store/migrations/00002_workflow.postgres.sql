-- The workflow: the durable job queue (internal/jobs), the people of each
-- case (for Mina sidor and the household's history), raw evidence, the
-- calculation and routing records of a case, and payment orders. The SQLite
-- variant is 00002_workflow.sqlite.sql; keep the two in step.

-- +goose Up

-- A job is one step of a case's way through the flow. It is written in the
-- same transaction as the state change that makes it due, and deleted in the
-- same transaction as the change it makes: a step is done exactly when its
-- effect is committed. Times are microseconds since 1970 (UTC) in both
-- dialects, so the queue needs no per-dialect time handling.
CREATE TABLE jobs (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind         text NOT NULL,
	case_id      text NOT NULL,
	state        text NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'running', 'parked')),
	attempts     integer NOT NULL DEFAULT 0,
	max_attempts integer NOT NULL,
	run_at       bigint NOT NULL,
	locked_by    text NOT NULL DEFAULT '',
	locked_until bigint NOT NULL DEFAULT 0,
	last_error   text NOT NULL DEFAULT '',
	created_at   bigint NOT NULL,
	UNIQUE (kind, case_id)
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Who is in a case, by personnummer: the applicant sees the cases where they
-- are applicant or partner; the household's earlier months are found by it.
CREATE TABLE case_persons (
	case_id         text NOT NULL REFERENCES cases (id),
	personal_number text NOT NULL,
	role            text NOT NULL,
	PRIMARY KEY (case_id, personal_number)
);
CREATE INDEX case_persons_pn ON case_persons (personal_number, case_id);

-- Raw evidence (register answers), referred to by facts as "sha256:<hex>".
CREATE TABLE evidence (
	ref        text PRIMARY KEY,
	case_id    text NOT NULL REFERENCES cases (id),
	media_type text NOT NULL,
	body       bytea NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX evidence_case ON evidence (case_id);

-- What the workflow worked out for a case, as JSON: the calculation (input,
-- result, trace), the routing outcome, notifications to the applicant.
CREATE TABLE case_records (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id    text NOT NULL REFERENCES cases (id),
	kind       text NOT NULL,
	body       text NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX case_records_case ON case_records (case_id, kind, id);

-- A payment order: one per decision, never two.
CREATE TABLE payments (
	id          text PRIMARY KEY,
	decision_id text NOT NULL UNIQUE REFERENCES decisions (id),
	case_id     text NOT NULL UNIQUE REFERENCES cases (id),
	amount      bigint NOT NULL CHECK (amount > 0),
	account     text NOT NULL,
	pay_on      text NOT NULL,
	created_at  timestamptz NOT NULL
);
