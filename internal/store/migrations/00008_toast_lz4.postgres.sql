-- The large bodies (the calculation records with their trace, the receipts,
-- the register answers, uploaded documents) are compressed with lz4 instead
-- of PostgreSQL's default pglz where the server supports it (PostgreSQL 14
-- and later built with lz4, as Debian's is): writing them was a fifth of
-- the database's time per case under load, and lz4 compresses several times
-- faster. Values already stored keep their compression until rewritten; a
-- server without lz4 keeps pglz. (SQLite does not compress.)
-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
		ALTER TABLE case_records ALTER COLUMN body SET COMPRESSION lz4;
		ALTER TABLE receipts ALTER COLUMN body SET COMPRESSION lz4;
		ALTER TABLE evidence ALTER COLUMN body SET COMPRESSION lz4;
		ALTER TABLE documents ALTER COLUMN body SET COMPRESSION lz4;
	END IF;
END
$$;
-- +goose StatementEnd
