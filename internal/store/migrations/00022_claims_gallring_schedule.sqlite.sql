-- Återkrav (claims) and the yearly scheduled gallring (docs/gallring.md).
--
-- claims: a caseworker records that the municipality has an open claim
-- (återkrav, SoL (2025:400) 14 kap.) on a person; while it is open, gallring
-- keeps the person's akt. A minimal model: who, which municipality, a note
-- without other persons' data, opened and closed by whom and when. The row
-- is keyed by personal_number, so gallring removes a closed claim with the
-- rest of the person's data.
--
-- gallring_runs.scheduled_year: a run the yearly job prepared (proposed_by
-- 'schedule'), one per municipality and year (the unique index makes the
-- job idempotent across processes); checked_by is the first person who
-- approved such a run: a second, different person approves it to run.
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

-- +goose Down
DROP INDEX gallring_runs_scheduled;
ALTER TABLE gallring_runs DROP COLUMN checked_at;
ALTER TABLE gallring_runs DROP COLUMN checked_by;
ALTER TABLE gallring_runs DROP COLUMN scheduled_year;
DROP TABLE claims;
