-- Review requests (omprövning, FL 38-39 §§) and appeals (överklagande,
-- FL 44-45 §§) of a decided case, each a row that a caseworker queue lists
-- until the decider resolves it. kind: 'review' or 'appeal'. For an appeal,
-- notified_at is when the decision was notified (the three weeks of FL 44 §
-- run from it) and late is 1 when it came in after them: the decider judges
-- whether to reject it as late (FL 45 §). resolution is '' while open, then
-- 'kept' (the decision stands), 'forwarded' (the appeal went to
-- förvaltningsrätten with the case file, kept in bundle as JSON) or
-- 'rejected_late'. No foreign key
-- to cases: gallring deletes the rows by their case_id column. Instants are
-- timestamptz; keep the SQLite variant in step.
-- +goose Up
CREATE TABLE review_requests (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL,
	municipality TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('review', 'appeal')),
	decision_id  TEXT NOT NULL,
	text         TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at TIMESTAMPTZ NOT NULL,
	notified_at  TIMESTAMPTZ,
	late         BOOLEAN NOT NULL DEFAULT false,
	resolution   TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'kept', 'forwarded', 'rejected_late')),
	resolved_by  TEXT NOT NULL DEFAULT '',
	resolved_at  TIMESTAMPTZ,
	note         TEXT NOT NULL DEFAULT '',
	bundle       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX review_requests_open ON review_requests (municipality, resolution, id);
CREATE INDEX review_requests_case ON review_requests (case_id, id);
