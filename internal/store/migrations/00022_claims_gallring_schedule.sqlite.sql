-- Återkrav (claims) and the yearly scheduled gallring (docs/gallring.md).
--
-- claims: a caseworker records that the municipality has an open claim
-- (återkrav) on a person; while it is open, gallring
-- keeps the person's akt. A minimal model: who, which municipality, a note
-- without other persons' data, opened and closed by whom and when. The row
-- is keyed by personal_number, so gallring removes a closed claim with the
-- rest of the person's data.
--
-- gallring_runs.scheduled_year: a run the yearly job prepared (proposed_by
-- 'schedule'), one per municipality and year (the unique index makes the
-- job idempotent across processes); checked_by is the first person who
-- approved such a run: a second, different person approves it to run.
--
-- archive_items: which cases an archive export (internal/archive) put in
-- which package, and when; a case with a new entry since is exported again.
-- Keyed by case_id, so gallring removes the rows with the case.
-- +goose Up
CREATE TABLE claims (
	id              TEXT PRIMARY KEY,
	municipality    TEXT NOT NULL,
	personal_number TEXT NOT NULL,
	note            TEXT NOT NULL DEFAULT '',
	opened_by       TEXT NOT NULL,
	opened_at       TEXT NOT NULL,
	closed_by       TEXT NOT NULL DEFAULT '',
	closed_at       TEXT
) STRICT;
CREATE INDEX claims_person ON claims (personal_number, closed_by);

ALTER TABLE gallring_runs ADD COLUMN scheduled_year INTEGER;
ALTER TABLE gallring_runs ADD COLUMN checked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE gallring_runs ADD COLUMN checked_at TEXT;
CREATE UNIQUE INDEX gallring_runs_scheduled ON gallring_runs (municipality, scheduled_year) WHERE scheduled_year IS NOT NULL;

CREATE TABLE archive_items (
	package_id  TEXT NOT NULL,
	case_id     TEXT NOT NULL,
	exported_at TEXT NOT NULL,
	PRIMARY KEY (package_id, case_id)
) STRICT;
CREATE INDEX archive_items_case ON archive_items (case_id, exported_at);

-- +goose Down
DROP TABLE archive_items;
DROP INDEX gallring_runs_scheduled;
ALTER TABLE gallring_runs DROP COLUMN checked_at;
ALTER TABLE gallring_runs DROP COLUMN checked_by;
ALTER TABLE gallring_runs DROP COLUMN scheduled_year;
DROP TABLE claims;
