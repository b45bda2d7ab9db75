-- The decisions a shadow run (whatif_runs.mode = 'shadow') has compared:
-- one row per decision, with the comparison as internal/whatif writes it
-- (a Change), so that a decision is compared once however often the
-- shadow's job runs, and the comparison of each case is kept. Nothing
-- refers to a live case by foreign key: a shadow run is a report. Keep
-- the two dialects in step.
-- +goose Up
CREATE TABLE whatif_shadow_cases (
	run_id      text NOT NULL,
	decision_id text NOT NULL,
	case_id     text NOT NULL,
	changed     bigint NOT NULL,
	change      text NOT NULL,
	PRIMARY KEY (run_id, decision_id)
);
