-- Audit events written in the transaction of their change but not yet
-- numbered and chained (internal/audit: DeferPending, Seal). PostgreSQL
-- writes here so that transactions do not wait for each other's commit on
-- the chain's head; a sealer moves the committed events into audit_events
-- in commit order, within milliseconds. SQLite, with its one writer, chains
-- at once and leaves this table empty.
-- +goose Up
CREATE TABLE audit_pending (
	id      bigserial PRIMARY KEY,
	at      timestamptz NOT NULL,
	actor   text NOT NULL,
	action  text NOT NULL,
	case_id text,
	data    text NOT NULL
);
-- No index on case_id: the table holds only the events of the last moments
-- (the sealer empties it), and every index is written twice per event.

-- The whole trail: sealed events in chain order, then pending ones in the
-- order they were written.
CREATE VIEW audit_trail AS
	SELECT seq, 0 AS pending, seq AS pos, at, actor, action, case_id, data, hash FROM audit_events
	UNION ALL
	SELECT NULL, 1, id, at, actor, action, case_id, data, NULL FROM audit_pending;
