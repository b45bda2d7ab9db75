-- Payments leave Skälig in payment runs (internal/payments): each run is one
-- ISO 20022 pain.001 credit-transfer file, kept here as sent so that it can
-- be written out again byte for byte. A payment is in at most one run: the
-- run claims it by setting run_id in the transaction that creates the run.
-- The bank's answers (pain.002, camt.054) are imported once each
-- (bank_imports) and move each payment to executed or rejected.
--
-- A payment's status: held (waits for a second person: a changed account or
-- a large amount), ordered (due for the next run), in_run (sent to the
-- bank), executed, rejected. A rejected payment may be ordered again, as a
-- new row: a decision has at most one payment that is not rejected.
--
-- Orders made before this migration had already moved their case to paid;
-- they are marked executed and never go into a run.
-- +goose Up
CREATE TABLE payment_runs (
	id             text PRIMARY KEY,
	message_id     text NOT NULL UNIQUE,
	created_at     timestamptz NOT NULL,
	created_by     text NOT NULL,
	execution_date text NOT NULL,
	count          integer NOT NULL,
	total          bigint NOT NULL,
	document       bytea NOT NULL,
	exported_at    timestamptz
);

CREATE TABLE bank_imports (
	id          text PRIMARY KEY,
	message_id  text NOT NULL UNIQUE,
	format      text NOT NULL,
	sha256      text NOT NULL UNIQUE,
	imported_at timestamptz NOT NULL,
	imported_by text NOT NULL,
	executed    integer NOT NULL,
	rejected    integer NOT NULL
);

ALTER TABLE payments
	ADD COLUMN status text NOT NULL DEFAULT 'ordered'
		CHECK (status IN ('held', 'ordered', 'in_run', 'executed', 'rejected')),
	ADD COLUMN hold_reason text NOT NULL DEFAULT '',
	ADD COLUMN released_by text NOT NULL DEFAULT '',
	ADD COLUMN released_at timestamptz,
	ADD COLUMN run_id text REFERENCES payment_runs (id),
	ADD COLUMN import_id text REFERENCES bank_imports (id),
	ADD COLUMN bank_code text NOT NULL DEFAULT '',
	ADD COLUMN bank_text text NOT NULL DEFAULT '',
	ADD COLUMN settled_at timestamptz;
UPDATE payments SET status = 'executed';
ALTER TABLE payments DROP CONSTRAINT payments_decision_id_key;
ALTER TABLE payments DROP CONSTRAINT payments_case_id_key;
CREATE UNIQUE INDEX payments_decision_live ON payments (decision_id) WHERE status <> 'rejected';
CREATE UNIQUE INDEX payments_case_live ON payments (case_id) WHERE status <> 'rejected';
CREATE INDEX payments_case ON payments (case_id, id);
CREATE INDEX payments_due ON payments (status, pay_on);
CREATE INDEX payments_run ON payments (run_id);
