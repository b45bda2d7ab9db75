-- The audit trail survives gallring, and is anchored (internal/audit).
--
-- Each event now records its chain format v: 1 for the events written
-- before this migration, whose hash covers their data; 2 for new ones,
-- whose hash covers the digest (hex SHA-256) of their data. The data (the
-- payload, which holds personal data) may then be removed (set to NULL)
-- and the chain still verifies. First-format events get their digest when
-- a manifest covers them (audit.CoverV1).
--
-- audit_checkpoints holds signed checkpoints of the head: its number and
-- hash at a time, an ed25519 signature by a key kept outside the database.
-- +goose Up
ALTER TABLE audit_events
	ADD COLUMN v smallint NOT NULL DEFAULT 1 CHECK (v IN (1, 2)),
	ADD COLUMN digest text,
	ALTER COLUMN data DROP NOT NULL;
-- The few rows CoverV1 and RemovePayloads look for; new events (format 2,
-- other actions) are not in these indexes.
CREATE INDEX audit_events_v1 ON audit_events (seq) WHERE v = 1;
CREATE INDEX audit_events_manifest ON audit_events (seq) WHERE action = 'audit.v1_manifest';

CREATE TABLE audit_checkpoints (
	seq    bigint PRIMARY KEY,
	hash   text NOT NULL,
	at     timestamptz NOT NULL,
	key_id text NOT NULL,
	sig    text NOT NULL
);
