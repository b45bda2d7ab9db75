-- The PostgreSQL variant adds stats_cases, a table the triggers keep in step
-- so that a month of 100 000 cases is counted from one narrow table. SQLite
-- keeps the join of queries/StatsStore.cases.sqlite.sql: its databases are
-- small, and the figures are the same.
-- +goose Up
SELECT 1;
