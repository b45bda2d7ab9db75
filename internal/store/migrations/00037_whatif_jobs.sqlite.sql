-- A what-if run is a durable job (internal/whatif.JobRun): it is kept
-- queued when started, and its job evaluates it a month at a time, keeping
-- the totals so far, the next month and the progress (decisions read of
-- the selection's) after each month, so that a run survives a crash and
-- the pages show how far it has come. A shadow run (mode 'shadow')
-- compares a candidate with the live configuration on the decisions made
-- between shadow_from and shadow_until. Runs kept before this migration
-- are done. Keep the two dialects in step.
-- +goose Up
ALTER TABLE whatif_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'done';
ALTER TABLE whatif_runs ADD COLUMN progress_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE whatif_runs ADD COLUMN progress_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE whatif_runs ADD COLUMN next_month TEXT NOT NULL DEFAULT '';
ALTER TABLE whatif_runs ADD COLUMN error TEXT NOT NULL DEFAULT '';
ALTER TABLE whatif_runs ADD COLUMN max_changes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE whatif_runs ADD COLUMN mode TEXT NOT NULL DEFAULT 'replay';
ALTER TABLE whatif_runs ADD COLUMN shadow_from TEXT;
ALTER TABLE whatif_runs ADD COLUMN shadow_until TEXT;
