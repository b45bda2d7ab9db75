-- Gallring (internal/gallring, store/gallring.go, docs/gallring.md).
--
-- gallring_runs is the record of each gallring run: who proposed and who
-- approved it (four eyes), the rules and their version, the day it judged
-- by, and counts. It holds no personal data. gallring_items is a run's
-- frozen plan, one row per case to remove, done when the batch that
-- removed it committed; a run that stopped continues with the rest. The
-- items are deleted when the run is done.
-- +goose Up
CREATE TABLE gallring_runs (
	id                TEXT PRIMARY KEY,
	municipality      TEXT NOT NULL,
	on_date           TEXT NOT NULL,
	rule_version      TEXT NOT NULL,
	rules             TEXT NOT NULL,
	state             TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'done')),
	proposed_by       TEXT NOT NULL,
	proposed_at       TEXT NOT NULL,
	approved_by       TEXT NOT NULL DEFAULT '',
	approved_at       TEXT,
	finished_at       TEXT,
	planned_persons   INTEGER NOT NULL,
	kept_persons      INTEGER NOT NULL,
	planned_cases     INTEGER NOT NULL,
	removed_cases     INTEGER NOT NULL DEFAULT 0,
	skipped_cases     INTEGER NOT NULL DEFAULT 0,
	removed_decisions INTEGER NOT NULL DEFAULT 0,
	removed_payloads  INTEGER NOT NULL DEFAULT 0,
	batches           INTEGER NOT NULL DEFAULT 0,
	CHECK (approved_by = '' OR approved_by <> proposed_by)
) STRICT;

CREATE TABLE gallring_items (
	run_id  TEXT NOT NULL REFERENCES gallring_runs (id),
	case_id TEXT NOT NULL,
	done    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (run_id, case_id)
) STRICT;
CREATE INDEX gallring_items_todo ON gallring_items (run_id, done, case_id);

-- +goose Down
DROP TABLE gallring_items;
DROP TABLE gallring_runs;
