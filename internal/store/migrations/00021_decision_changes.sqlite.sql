-- A decision changed on omprövning or appeal (FL 38-39 §§): the decider's
-- new decision, with its own receipt, supersedes the one appealed. The
-- decisions table keeps one original decision per case (UNIQUE (case_id));
-- each change is a row of decision_changes that supersedes exactly one
-- decision (the original or an earlier change: UNIQUE (supersedes)), so a
-- decision is changed at most once and the case's current decision is the
-- one nothing supersedes. request_id is the review request or appeal the
-- change resolves.
--
-- The payment difference: a change granting more than was paid out orders a
-- payment of the difference, with change_id naming the change; one live
-- payment per (decision, change). The unique indexes of 00015 (one live
-- payment per decision, one per case) are replaced by that one.
--
-- review_requests gets the resolution 'changed'; SQLite cannot alter a
-- CHECK, so the table is rebuilt (nothing references it). Instants are TEXT
-- as in 00001; keep the PostgreSQL variant in step.
-- +goose Up
CREATE TABLE decision_changes (
	id                    TEXT PRIMARY KEY,
	case_id               TEXT NOT NULL REFERENCES cases (id),
	original_id           TEXT NOT NULL REFERENCES decisions (id),
	supersedes            TEXT NOT NULL UNIQUE,
	request_id            TEXT NOT NULL,
	outcome               TEXT NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected')),
	month                 TEXT NOT NULL,
	amount                INTEGER NOT NULL CHECK (amount >= 0),
	reasons               TEXT NOT NULL DEFAULT '[]',
	decided_by_caseworker TEXT NOT NULL CHECK (decided_by_caseworker <> ''),
	decided_at            TEXT NOT NULL,
	receipt_hash          TEXT NOT NULL REFERENCES receipts (hash)
) STRICT;
CREATE INDEX decision_changes_case ON decision_changes (case_id, id);

ALTER TABLE payments ADD COLUMN change_id TEXT;
DROP INDEX payments_case_live;
DROP INDEX payments_decision_live;
CREATE UNIQUE INDEX payments_decision_live ON payments (decision_id, COALESCE(change_id, '')) WHERE status <> 'rejected';

CREATE TABLE review_requests_new (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL,
	municipality TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('review', 'appeal')),
	decision_id  TEXT NOT NULL,
	text         TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	notified_at  TEXT,
	late         INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
	resolution   TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'kept', 'forwarded', 'rejected_late', 'changed')),
	resolved_by  TEXT NOT NULL DEFAULT '',
	resolved_at  TEXT,
	note         TEXT NOT NULL DEFAULT '',
	bundle       TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO review_requests_new SELECT id, case_id, municipality, kind, decision_id, text, requested_by, requested_at,
	notified_at, late, resolution, resolved_by, resolved_at, note, bundle FROM review_requests;
DROP TABLE review_requests;
ALTER TABLE review_requests_new RENAME TO review_requests;
CREATE INDEX review_requests_open ON review_requests (municipality, resolution, id);
CREATE INDEX review_requests_case ON review_requests (case_id, id);

