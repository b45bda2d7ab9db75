-- Case numbers a person can read over the phone: "2026-0821-000123", the
-- year the application was received, the kommunkod and a sequence per
-- municipality and year, beside the internal id (a ULID). case_numbers
-- holds the last number given per municipality and year; the submit
-- transaction takes the next one (store.CaseStore.SubmitApplicationAs), so a
-- rolled back submission gives its number back. The row is never deleted
-- (gallring deletes cases, not the counter), so a number is never given
-- twice. Cases received before this migration are numbered in the order
-- they were received (the year in UTC here; the PostgreSQL variant uses
-- Swedish time, as the store does). Keep the PostgreSQL variant in step.
-- +goose Up
ALTER TABLE cases ADD COLUMN number TEXT;
CREATE TABLE case_numbers (
	municipality TEXT NOT NULL,
	year         INTEGER NOT NULL,
	last         INTEGER NOT NULL,
	PRIMARY KEY (municipality, year)
);
UPDATE cases SET number = n.num FROM (
	SELECT id, substr(created_at, 1, 4) || '-' || municipality || '-' ||
		printf('%06d', row_number() OVER (PARTITION BY municipality, substr(created_at, 1, 4) ORDER BY created_at, id)) AS num
	FROM cases) AS n
WHERE n.id = cases.id;
INSERT INTO case_numbers (municipality, year, last)
	SELECT municipality, CAST(substr(created_at, 1, 4) AS INTEGER), COUNT(*) FROM cases GROUP BY 1, 2;
CREATE UNIQUE INDEX cases_number ON cases (number);
