-- What-if runs (internal/whatif): a candidate configuration replayed over
-- the receipts of past decisions, kept with who ran it, the candidate, the
-- selection, the totals and the cases whose outcome would change. Nothing
-- here refers to a live case by foreign key: a run is a report. The SQLite
-- variant is 00014_whatif.sqlite.sql; keep the two in step.
-- +goose Up
CREATE TABLE whatif_runs (
	id               text PRIMARY KEY,
	actor            text NOT NULL,
	municipality     text NOT NULL,
	candidate_kind   text NOT NULL,
	candidate_name   text NOT NULL,
	candidate_digest text NOT NULL,
	engine_version   text NOT NULL,
	selection        text NOT NULL,
	totals           text NOT NULL,
	cases            bigint NOT NULL,
	changed          bigint NOT NULL,
	changes          text NOT NULL,
	started_at       timestamptz NOT NULL,
	finished_at      timestamptz NOT NULL
);
CREATE INDEX whatif_runs_municipality ON whatif_runs (municipality, started_at);
