-- Parameter versions: a year's riksnorm and prisbasbelopp loaded by an
-- administrator (skalig params import), in force when a second person has
-- approved it (four eyes). The file is kept as loaded; internal/params
-- validates it and lays it over the embedded tables (params.Compose). The
-- PostgreSQL variant is 00018_param_versions.postgres.sql; keep the two in
-- step.

-- +goose Up
CREATE TABLE param_versions (
	id          INTEGER PRIMARY KEY,
	year        INTEGER NOT NULL,
	file_name   TEXT NOT NULL,
	body        TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	provisional INTEGER NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('pending', 'approved')),
	loaded_by   TEXT NOT NULL,
	loaded_at   TEXT NOT NULL,
	approved_by TEXT NOT NULL DEFAULT '',
	approved_at TEXT
) STRICT;
CREATE INDEX param_versions_status ON param_versions (status, id);
