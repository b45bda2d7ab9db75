-- The candidate of a what-if run as it was given (the file's text), so that
-- the administration pages can recalculate one changed case side by side
-- with it later. NULL for runs kept before this column. Keep the two
-- dialects in step.
-- +goose Up
ALTER TABLE whatif_runs ADD COLUMN candidate TEXT;

-- +goose Down
ALTER TABLE whatif_runs DROP COLUMN candidate;
