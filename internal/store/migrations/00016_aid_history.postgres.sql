-- Months with försörjningsstöd per person from the municipality's earlier
-- system, imported at go-live (skalig history import, docs/history.md):
-- the history jobbstimulans (SoL 12 kap. 8 §) needs for months before
-- Skälig. One row per person (canonical personnummer YYYYMMDDNNNN); months
-- is "2026-01,2026-02" or "" (imported: none). A new import of the same
-- person replaces the row. source is the SHA-256 of the imported file.
-- Keep the SQLite and PostgreSQL variants in step.
-- +goose Up
CREATE TABLE aid_history (
	personal_number TEXT PRIMARY KEY,
	months          TEXT NOT NULL,
	source          TEXT NOT NULL,
	imported_by     TEXT NOT NULL,
	imported_at     TIMESTAMPTZ NOT NULL
);

