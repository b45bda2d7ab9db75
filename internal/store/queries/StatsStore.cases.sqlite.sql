-- StatsStore.cases: the cases of municipality $1 for the months $2 to $3
-- ('YYYY-MM'), with what the follow-up figures need (internal/stats.Case):
-- the kind, state and routing reasons of the case, when it was submitted,
-- the size of the household (members and children, counted; no personal
-- number leaves the query), its decision, payment order and sample-control
-- result. The index cases_municipality_month (migration 00013) finds the
-- cases. The PostgreSQL variant is StatsStore.cases.postgres.sql; it
-- differs only in the JSON functions that count the members.
SELECT c.kind, c.state, c.routing_reasons, a.submitted_at,
	json_array_length(a.members) AS members,
	(SELECT count(*) FROM json_each(a.members) m WHERE json_extract(m.value, '$.role') = 'child') AS children,
	d.outcome, d.amount, d.decided_by_delegation, d.decided_at,
	p.amount,
	s.confirmed, s.declared, s.verified
FROM cases c
JOIN applications a ON a.id = c.application_id
LEFT JOIN decisions d ON d.case_id = c.id
LEFT JOIN payments p ON p.case_id = c.id
LEFT JOIN sample_results s ON s.case_id = c.id
WHERE c.municipality = $1 AND c.month >= $2 AND c.month <= $3
