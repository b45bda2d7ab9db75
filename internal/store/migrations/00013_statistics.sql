-- The follow-up statistics (internal/stats, StatsStore) read the cases of a
-- municipality and month (or months); without this index that is a scan of
-- every case. The same SQL serves SQLite and PostgreSQL.
-- +goose Up
CREATE INDEX cases_municipality_month ON cases (municipality, month);
