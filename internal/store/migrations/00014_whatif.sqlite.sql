-- What-if runs (internal/whatif); see 00014_whatif.postgres.sql. Keep the
-- two in step.
-- +goose Up
CREATE TABLE whatif_runs (
	id               TEXT PRIMARY KEY,
	actor            TEXT NOT NULL,
	municipality     TEXT NOT NULL,
	candidate_kind   TEXT NOT NULL,
	candidate_name   TEXT NOT NULL,
	candidate_digest TEXT NOT NULL,
	engine_version   TEXT NOT NULL,
	selection        TEXT NOT NULL,
	totals           TEXT NOT NULL,
	cases            INTEGER NOT NULL,
	changed          INTEGER NOT NULL,
	changes          TEXT NOT NULL,
	started_at       TEXT NOT NULL,
	finished_at      TEXT NOT NULL
) STRICT;
CREATE INDEX whatif_runs_municipality ON whatif_runs (municipality, started_at);
