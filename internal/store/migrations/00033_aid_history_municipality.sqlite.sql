-- The imported months with aid (00016) per municipality: each
-- municipality imports from its own earlier system, and one municipality's
-- import no longer replaces another's rows for the same person. A row is
-- read for the cases of its municipality. Rows imported before this
-- migration have municipality '' (not known): they are read for every
-- municipality, as they were, until that municipality imports the person.
-- Keep the SQLite and PostgreSQL variants in step.
-- +goose Up
CREATE TABLE aid_history_new (
	municipality    TEXT NOT NULL,
	personal_number TEXT NOT NULL,
	months          TEXT NOT NULL,
	source          TEXT NOT NULL,
	imported_by     TEXT NOT NULL,
	imported_at     TEXT NOT NULL,
	PRIMARY KEY (municipality, personal_number)
) STRICT;
INSERT INTO aid_history_new (municipality, personal_number, months, source, imported_by, imported_at)
	SELECT '', personal_number, months, source, imported_by, imported_at FROM aid_history;
DROP TABLE aid_history;
ALTER TABLE aid_history_new RENAME TO aid_history;
CREATE INDEX aid_history_person ON aid_history (personal_number);
