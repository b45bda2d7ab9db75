-- Case numbers a person can read over the phone: "2026-0821-000123", the
-- year the application was received (Swedish time), the kommunkod and a
-- sequence per municipality and year, beside the internal id (a ULID).
-- case_numbers holds the last number given per municipality and year; the
-- submit transaction takes the next one as its last statement, so that the
-- row is locked only for the commit (store.CaseStore.SubmitApplicationAs),
-- and a rolled back submission gives its number back. The row is never
-- deleted (gallring deletes cases, not the counter), so a number is never
-- given twice. Cases received before this migration are numbered in the
-- order they were received. Keep the SQLite variant in step.
-- +goose Up
ALTER TABLE cases ADD COLUMN number TEXT;
CREATE TABLE case_numbers (
	municipality TEXT NOT NULL,
	year         INTEGER NOT NULL,
	last         BIGINT NOT NULL,
	PRIMARY KEY (municipality, year)
);
UPDATE cases SET number = n.num FROM (
	SELECT id, to_char(created_at AT TIME ZONE 'Europe/Stockholm', 'YYYY') || '-' || municipality || '-' ||
		lpad((row_number() OVER (PARTITION BY municipality, to_char(created_at AT TIME ZONE 'Europe/Stockholm', 'YYYY')
			ORDER BY created_at, id))::text, 6, '0') AS num
	FROM cases) AS n
WHERE n.id = cases.id;
INSERT INTO case_numbers (municipality, year, last)
	SELECT municipality, to_char(created_at AT TIME ZONE 'Europe/Stockholm', 'YYYY')::integer, COUNT(*) FROM cases GROUP BY 1, 2;
CREATE UNIQUE INDEX cases_number ON cases (number);
