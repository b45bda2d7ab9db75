-- The compact inputs of a decision (internal/decisioninput): what a what-if
-- run reads instead of the receipt's JSON and the case's fact rows. Written
-- with the decision; NULL for decisions stored before this column until
-- skalig migrate fills them (whatifdb.FillInputs); a run reads those the
-- slow way. Deleted with the decision's row (gallring). Keep the two
-- dialects in step.
-- +goose Up
ALTER TABLE decisions ADD COLUMN inputs BYTEA;

-- +goose Down
ALTER TABLE decisions DROP COLUMN inputs;
