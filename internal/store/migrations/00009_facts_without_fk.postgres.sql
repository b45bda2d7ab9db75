-- facts is the table that grows fastest (about sixteen rows a case), and on
-- PostgreSQL each row's foreign keys were checked by a query of its own that
-- also locks the case (and the application) row: about twenty such checks
-- per case, a tenth of the database's work under load. Facts are only ever
-- written by the store in the transaction that reads or creates their case
-- and application, and cases and applications are never deleted, so the
-- checks could only catch a bug in those few functions; their tests do.
-- The other references to cases keep their foreign keys. (SQLite keeps
-- them: dropping a constraint there means rebuilding the table, and the
-- checks cost SQLite little.)
-- +goose Up
ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_case_id_fkey;
ALTER TABLE facts DROP CONSTRAINT IF EXISTS facts_application_id_fkey;
