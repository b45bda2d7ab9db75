-- Login sessions (internal/auth.SessionStore, for alexedwards/scs): token is
-- the SHA-256 of the cookie's session token (base64url), data the encoded
-- session, expiry the instant it ends (the idle timeout or the lifetime,
-- whichever comes first) as skalig.TimeFormat text. Expired rows are never
-- read and are deleted periodically, by the index on expiry. The PostgreSQL
-- variant is 00003_sessions.postgres.sql; keep the two in step.

-- +goose Up
CREATE TABLE sessions (
	token  TEXT PRIMARY KEY,
	data   BLOB NOT NULL,
	expiry TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions (expiry);
