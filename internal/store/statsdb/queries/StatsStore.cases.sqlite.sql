-- StatsStore.cases: the cases of municipality $1 for the months $2 to $3
-- ('YYYY-MM') as rows of package stats (stats.Row): cases alike in kind,
-- state, routing reasons, household size, outcome, delegation and sample
-- result are one row with their count, the sums of their amounts and each
-- one's time from submission (the case's created_at, the instant the
-- application was received) to decision, in milliseconds, comma-separated;
-- a month of 100 000 cases is a few hundred rows. A household has one
-- applicant, at most one partner and children: its adults are 1 + partner,
-- its children the other members. No personal number leaves the query:
-- the household is counted, not named. The index
-- cases_municipality_month (migration 00013) finds the cases. Payments
-- are the live orders (not rejected by the bank: the decision's and the
-- differences of its changes) and of them the executed ones. A changed
-- decision (decision_changes) counts with the outcome and amount of the
-- decision in force (the latest change), the delegation and the time to
-- decision of the original one, and the changes are counted. The
-- PostgreSQL variant, StatsStore.cases.postgres.sql, reads the same
-- columns from the table stats_cases that triggers maintain.
SELECT count(*), kind, state, reasons, 1 + partner, members - 1 - partner, outcome, delegation,
	coalesce(sum(amount), 0), coalesce(group_concat(CAST(ms AS TEXT), ','), ''),
	coalesce(sum(payments), 0), coalesce(sum(paid), 0), coalesce(sum(executed), 0), coalesce(sum(executed_paid), 0),
	confirmed, coalesce(sum(declared), 0), coalesce(sum(verified), 0), coalesce(sum(changes), 0)
FROM (
	SELECT c.kind, c.state, c.routing_reasons AS reasons,
		json_array_length(a.members) AS members,
		EXISTS (SELECT 1 FROM json_each(a.members) m WHERE json_extract(m.value, '$.role') = 'partner') AS partner,
		coalesce(x.outcome, d.outcome) AS outcome, d.decided_by_delegation AS delegation, coalesce(x.amount, d.amount) AS amount,
		CAST(round((julianday(d.decided_at) - julianday(c.created_at)) * 86400000) AS INTEGER) AS ms,
		(SELECT count(*) FROM payments p WHERE p.case_id = c.id AND p.status <> 'rejected') AS payments,
		(SELECT sum(p.amount) FROM payments p WHERE p.case_id = c.id AND p.status <> 'rejected') AS paid,
		(SELECT count(*) FROM payments p WHERE p.case_id = c.id AND p.status = 'executed') AS executed,
		(SELECT sum(p.amount) FROM payments p WHERE p.case_id = c.id AND p.status = 'executed') AS executed_paid,
		(SELECT count(*) FROM decision_changes y WHERE y.case_id = c.id) AS changes,
		s.confirmed, s.declared, s.verified
	FROM cases c
	JOIN applications a ON a.id = c.application_id
	LEFT JOIN decisions d ON d.case_id = c.id
	LEFT JOIN decision_changes x ON x.case_id = c.id AND NOT EXISTS (SELECT 1 FROM decision_changes z WHERE z.supersedes = x.id)
	LEFT JOIN sample_results s ON s.case_id = c.id
	WHERE c.municipality = $1 AND c.month >= $2 AND c.month <= $3
) x
GROUP BY kind, state, reasons, members, partner, outcome, delegation, confirmed
