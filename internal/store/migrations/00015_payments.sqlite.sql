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
--
-- SQLite cannot drop the UNIQUE constraints of payments, so the table is
-- rebuilt (nothing references it).
-- +goose Up
CREATE TABLE payment_runs (
	id             TEXT PRIMARY KEY,
	message_id     TEXT NOT NULL UNIQUE,
	created_at     TEXT NOT NULL,
	created_by     TEXT NOT NULL,
	execution_date TEXT NOT NULL,
	count          INTEGER NOT NULL,
	total          INTEGER NOT NULL,
	document       BLOB NOT NULL,
	exported_at    TEXT
) STRICT;

CREATE TABLE bank_imports (
	id          TEXT PRIMARY KEY,
	message_id  TEXT NOT NULL UNIQUE,
	format      TEXT NOT NULL,
	sha256      TEXT NOT NULL UNIQUE,
	imported_at TEXT NOT NULL,
	imported_by TEXT NOT NULL,
	executed    INTEGER NOT NULL,
	rejected    INTEGER NOT NULL
) STRICT;

CREATE TABLE payments_new (
	id           TEXT PRIMARY KEY,
	decision_id  TEXT NOT NULL REFERENCES decisions (id),
	case_id      TEXT NOT NULL REFERENCES cases (id),
	amount       INTEGER NOT NULL CHECK (amount > 0),
	account      TEXT NOT NULL,
	pay_on       TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'ordered'
		CHECK (status IN ('held', 'ordered', 'in_run', 'executed', 'rejected')),
	hold_reason  TEXT NOT NULL DEFAULT '',
	released_by  TEXT NOT NULL DEFAULT '',
	released_at  TEXT,
	run_id       TEXT REFERENCES payment_runs (id),
	import_id    TEXT REFERENCES bank_imports (id),
	bank_code    TEXT NOT NULL DEFAULT '',
	bank_text    TEXT NOT NULL DEFAULT '',
	settled_at   TEXT
) STRICT;
INSERT INTO payments_new (id, decision_id, case_id, amount, account, pay_on, created_at, status)
	SELECT id, decision_id, case_id, amount, account, pay_on, created_at, 'executed' FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE UNIQUE INDEX payments_decision_live ON payments (decision_id) WHERE status <> 'rejected';
CREATE UNIQUE INDEX payments_case_live ON payments (case_id) WHERE status <> 'rejected';
CREATE INDEX payments_case ON payments (case_id, id);
CREATE INDEX payments_due ON payments (status, pay_on);
CREATE INDEX payments_run ON payments (run_id);
