-- The decisions a shadow run (whatif_runs.mode = 'shadow') has compared:
-- one row per decision, with the comparison as internal/whatif writes it
-- (a Change), so that a decision is compared once however often the
-- shadow's job runs, and the comparison of each case is kept. Nothing
-- refers to a live case by foreign key: a shadow run is a report. Keep
-- the two dialects in step.
-- +goose Up
CREATE TABLE whatif_shadow_cases (
	run_id      TEXT NOT NULL,
	decision_id TEXT NOT NULL,
	case_id     TEXT NOT NULL,
	changed     INTEGER NOT NULL,
	change      TEXT NOT NULL,
	PRIMARY KEY (run_id, decision_id)
) STRICT;
