-- A decision changed on omprövning or appeal (FL 38-39 §§): see the SQLite
-- variant for the model; keep the two in step.
-- +goose Up
CREATE TABLE decision_changes (
	id                    TEXT PRIMARY KEY,
	case_id               TEXT NOT NULL REFERENCES cases (id),
	original_id           TEXT NOT NULL REFERENCES decisions (id),
	supersedes            TEXT NOT NULL UNIQUE,
	request_id            TEXT NOT NULL,
	outcome               TEXT NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	month                 TEXT NOT NULL,
	amount                BIGINT NOT NULL CHECK (amount >= 0),
	reasons               JSONB NOT NULL DEFAULT '[]',
	decided_by_caseworker TEXT NOT NULL CHECK (decided_by_caseworker <> ''),
	decided_at            TIMESTAMPTZ NOT NULL,
	receipt_hash          TEXT NOT NULL REFERENCES receipts (hash)
);
CREATE INDEX decision_changes_case ON decision_changes (case_id, id);

ALTER TABLE payments ADD COLUMN change_id TEXT;
DROP INDEX payments_case_live;
DROP INDEX payments_decision_live;
CREATE UNIQUE INDEX payments_decision_live ON payments (decision_id, COALESCE(change_id, '')) WHERE status <> 'rejected';

ALTER TABLE review_requests DROP CONSTRAINT review_requests_resolution_check;
ALTER TABLE review_requests ADD CONSTRAINT review_requests_resolution_check
	CHECK (resolution IN ('', 'kept', 'forwarded', 'rejected_late', 'changed'));

