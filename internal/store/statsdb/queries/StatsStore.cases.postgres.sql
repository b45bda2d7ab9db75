-- StatsStore.cases: the cases of municipality $1 for the months $2 to $3
-- ('YYYY-MM') as rows of package stats (stats.Row): cases alike in kind,
-- state, routing reasons, household size, outcome, delegation and sample
-- result are one row with their count, the sums of their amounts and each
-- one's time from submission (the case's created_at, the instant the
-- application was received) to decision, in milliseconds, comma-separated;
-- a month of 100 000 cases is a few hundred rows. On PostgreSQL the cases
-- are read from stats_cases (migration 00024), one narrow row per case that
-- triggers keep in step with the cases, applications, decisions, payments
-- and sample results in the transaction of each change; its row holds what
-- the SQLite variant (StatsStore.cases.sqlite.sql) computes with a join:
-- members and partner of the household (a household has one applicant, at
-- most one partner, and children), the live payment orders (not rejected by
-- the bank) and of them the executed ones, and a changed decision's outcome
-- and amount with the count of its changes (migration 00032). No personal
-- number is in it.
SELECT count(*), kind, state, reasons, 1 + partner, members - 1 - partner, outcome, delegation,
	coalesce(sum(amount), 0)::bigint, coalesce(string_agg(CAST(ms AS TEXT), ','), ''),
	coalesce(sum(payments), 0)::bigint, coalesce(sum(paid), 0)::bigint,
	coalesce(sum(executed), 0)::bigint, coalesce(sum(executed_paid), 0)::bigint,
	confirmed, coalesce(sum(declared), 0)::bigint, coalesce(sum(verified), 0)::bigint, coalesce(sum(changes), 0)::bigint
FROM stats_cases
WHERE municipality = $1 AND month >= $2 AND month <= $3
GROUP BY kind, state, reasons, members, partner, outcome, delegation, confirmed
