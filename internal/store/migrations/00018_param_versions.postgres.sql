-- Parameter versions: see 00018_param_versions.sqlite.sql; keep the two in
-- step.

-- +goose Up
CREATE TABLE param_versions (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	year        integer NOT NULL,
	file_name   text NOT NULL,
	body        text NOT NULL,
	sha256      text NOT NULL,
	provisional integer NOT NULL,
	status      text NOT NULL CHECK (status IN ('pending', 'approved')),
	loaded_by   text NOT NULL,
	loaded_at   timestamptz NOT NULL,
	approved_by text NOT NULL DEFAULT '',
	approved_at timestamptz
);
CREATE INDEX param_versions_status ON param_versions (status, id);
