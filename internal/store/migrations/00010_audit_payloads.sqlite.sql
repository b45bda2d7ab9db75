-- The audit trail survives gallring, and is anchored (internal/audit).
--
-- Each event now records its chain format v: 1 for the events written
-- before this migration, whose hash covers their data; 2 for new ones,
-- whose hash covers the digest (hex SHA-256) of their data. The data (the
-- payload, which holds personal data) may then be removed (set to NULL)
-- and the chain still verifies. First-format events get their digest when
-- a manifest covers them (audit.CoverV1). SQLite cannot drop NOT NULL from
-- a column, so the table is rebuilt, with the events as they are and the
-- columns in PostgreSQL's order (new ones last).
--
-- audit_checkpoints holds signed checkpoints of the head: its number and
-- hash at a time, an ed25519 signature by a key kept outside the database.
-- The PostgreSQL variant is 00010_audit_payloads.postgres.sql.
-- +goose Up
DROP VIEW audit_trail;
CREATE TABLE audit_events_new (
	seq     INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	case_id TEXT,
	data    TEXT,
	hash    TEXT NOT NULL,
	v       INTEGER NOT NULL DEFAULT 1 CHECK (v IN (1, 2)),
	digest  TEXT
) STRICT;
INSERT INTO audit_events_new (seq, at, actor, action, case_id, data, hash, v, digest)
	SELECT seq, at, actor, action, case_id, data, hash, 1, NULL FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_new RENAME TO audit_events;
CREATE INDEX audit_events_case ON audit_events (case_id, seq);
CREATE INDEX audit_events_v1 ON audit_events (seq) WHERE v = 1;
CREATE INDEX audit_events_manifest ON audit_events (seq) WHERE action = 'audit.v1_manifest';

-- As in 00007.
CREATE VIEW audit_trail AS
	SELECT seq, 0 AS pending, seq AS pos, at, actor, action, case_id, data, hash FROM audit_events
	UNION ALL
	SELECT NULL, 1, id, at, actor, action, case_id, data, NULL FROM audit_pending;

CREATE TABLE audit_checkpoints (
	seq    INTEGER PRIMARY KEY,
	hash   TEXT NOT NULL,
	at     TEXT NOT NULL,
	key_id TEXT NOT NULL,
	sig    TEXT NOT NULL
) STRICT;
