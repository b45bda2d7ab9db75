-- Proposed changes of a municipality's routing configuration or
-- guidelines (configdb.Store.Propose): kept until a second person puts
-- one in force from a future month with a what-if run of it attached
-- (skalig.InForce.Check), which writes the version into config_versions
-- in the same transaction. Keep the two dialects in step.
-- +goose Up
CREATE TABLE config_proposals (
	id           TEXT PRIMARY KEY,
	municipality TEXT NOT NULL,
	kind         TEXT NOT NULL,
	version      TEXT NOT NULL,
	from_month   TEXT NOT NULL,
	body         TEXT NOT NULL,
	proposed_by  TEXT NOT NULL,
	reason       TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'in_force')),
	run_id       TEXT NOT NULL DEFAULT '',
	put_by       TEXT NOT NULL DEFAULT '',
	put_at       TEXT
) STRICT;
CREATE INDEX config_proposals_municipality ON config_proposals (municipality, status);
