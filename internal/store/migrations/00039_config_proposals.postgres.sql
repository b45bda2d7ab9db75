-- Proposed changes of a municipality's routing configuration or
-- guidelines (configdb.Store.Propose): kept until a second person puts
-- one in force from a future month with a what-if run of it attached
-- (skalig.InForce.Check), which writes the version into config_versions
-- in the same transaction. Keep the two dialects in step.
-- +goose Up
CREATE TABLE config_proposals (
	id           text PRIMARY KEY,
	municipality text NOT NULL,
	kind         text NOT NULL,
	version      text NOT NULL,
	from_month   text NOT NULL,
	body         text NOT NULL,
	proposed_by  text NOT NULL,
	reason       text NOT NULL,
	created_at   timestamptz NOT NULL,
	status       text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'in_force')),
	run_id       text NOT NULL DEFAULT '',
	put_by       text NOT NULL DEFAULT '',
	put_at       timestamptz
);
CREATE INDEX config_proposals_municipality ON config_proposals (municipality, status);
