-- Casework: documents (attachments and evidence the applicant uploads),
-- document requests (komplettering), messages between applicant and
-- caseworker, and sample-control results. The SQLite variant is
-- 00004_casework.sqlite.sql; keep the two in step.

-- +goose Up
CREATE TABLE document_requests (
	id           text PRIMARY KEY,
	case_id      text NOT NULL REFERENCES cases (id),
	text         text NOT NULL,
	due          text NOT NULL,
	requested_by text NOT NULL,
	created_at   timestamptz NOT NULL,
	answered_at  timestamptz
);
CREATE INDEX document_requests_case ON document_requests (case_id, id);

CREATE TABLE documents (
	id          text PRIMARY KEY,
	case_id     text NOT NULL REFERENCES cases (id),
	request_id  text REFERENCES document_requests (id),
	name        text NOT NULL,
	media_type  text NOT NULL,
	size        bigint NOT NULL,
	sha256      text NOT NULL,
	body        bytea NOT NULL,
	uploaded_by text NOT NULL,
	created_at  timestamptz NOT NULL
);
CREATE INDEX documents_case ON documents (case_id, id);

CREATE TABLE messages (
	id         text PRIMARY KEY,
	case_id    text NOT NULL REFERENCES cases (id),
	sender     text NOT NULL,
	body       text NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX messages_case ON messages (case_id, id);

CREATE TABLE sample_results (
	case_id    text PRIMARY KEY REFERENCES cases (id),
	caseworker text NOT NULL,
	confirmed  boolean NOT NULL,
	declared   bigint NOT NULL,
	verified   bigint NOT NULL,
	note       text NOT NULL,
	created_at timestamptz NOT NULL
);
