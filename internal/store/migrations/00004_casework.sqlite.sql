-- Casework: documents, document requests (komplettering), messages and
-- sample-control results. Instants are TEXT as in 00001; the PostgreSQL
-- variant is 00004_casework.postgres.sql; keep the two in step.

-- +goose Up
CREATE TABLE document_requests (
	id           TEXT PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id),
	text         TEXT NOT NULL,
	due          TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	answered_at  TEXT
) STRICT;
CREATE INDEX document_requests_case ON document_requests (case_id, id);

CREATE TABLE documents (
	id          TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL REFERENCES cases (id),
	request_id  TEXT REFERENCES document_requests (id),
	name        TEXT NOT NULL,
	media_type  TEXT NOT NULL,
	size        INTEGER NOT NULL,
	sha256      TEXT NOT NULL,
	body        BLOB NOT NULL,
	uploaded_by TEXT NOT NULL,
	created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX documents_case ON documents (case_id, id);

CREATE TABLE messages (
	id         TEXT PRIMARY KEY,
	case_id    TEXT NOT NULL REFERENCES cases (id),
	sender     TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX messages_case ON messages (case_id, id);

CREATE TABLE sample_results (
	case_id    TEXT PRIMARY KEY REFERENCES cases (id),
	caseworker TEXT NOT NULL,
	confirmed  INTEGER NOT NULL,
	declared   INTEGER NOT NULL,
	verified   INTEGER NOT NULL,
	note       TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
