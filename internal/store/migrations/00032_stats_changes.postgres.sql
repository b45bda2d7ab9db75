-- The statistics count a changed decision (omprövning, appeal or the
-- decider's own initiative: decision_changes, migration 00021) with its new
-- outcome and amount, and count the changes. stats_cases gets the column
-- changes (how many times the case's decision was changed); the refresh
-- reads the outcome and amount of the decision in force (the change that
-- nothing supersedes, else the original decision), and keeps the
-- delegation and the time to decision of the original decision (who first
-- decided, and when); a trigger on decision_changes refreshes the case.
-- SQLite computes the same in its query (StatsStore.cases.sqlite.sql), so
-- it has no variant of this migration.
-- +goose Up
ALTER TABLE stats_cases ADD COLUMN changes integer NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_case_refresh(cid text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO stats_cases AS t (case_id, municipality, month, kind, state, reasons, members, partner, outcome,
		delegation, amount, ms, payments, paid, executed, executed_paid, confirmed, declared, verified, changes)
	SELECT c.id, c.municipality, c.month, c.kind, c.state, c.routing_reasons,
		jsonb_array_length(a.members),
		CASE WHEN a.members @> '[{"role": "partner"}]' THEN 1 ELSE 0 END,
		coalesce(x.outcome, d.outcome), d.decided_by_delegation, coalesce(x.amount, d.amount),
		round(extract(epoch FROM d.decided_at - c.created_at) * 1000)::bigint,
		coalesce(p.n, 0), coalesce(p.paid, 0), coalesce(p.executed, 0), coalesce(p.executed_paid, 0),
		s.confirmed, s.declared, s.verified, (SELECT count(*) FROM decision_changes y WHERE y.case_id = c.id)
	FROM cases c
	JOIN applications a ON a.id = c.application_id
	LEFT JOIN decisions d ON d.case_id = c.id
	LEFT JOIN sample_results s ON s.case_id = c.id
	LEFT JOIN LATERAL (
		SELECT count(*) AS n, sum(amount) AS paid,
			count(*) FILTER (WHERE status = 'executed') AS executed,
			sum(amount) FILTER (WHERE status = 'executed') AS executed_paid
		FROM payments WHERE case_id = c.id AND status <> 'rejected'
	) p ON true
	LEFT JOIN decision_changes x ON x.case_id = c.id
		AND NOT EXISTS (SELECT 1 FROM decision_changes z WHERE z.supersedes = x.id)
	WHERE c.id = cid
	ON CONFLICT (case_id) DO UPDATE SET municipality = EXCLUDED.municipality, month = EXCLUDED.month,
		kind = EXCLUDED.kind, state = EXCLUDED.state, reasons = EXCLUDED.reasons, members = EXCLUDED.members,
		partner = EXCLUDED.partner, outcome = EXCLUDED.outcome, delegation = EXCLUDED.delegation,
		amount = EXCLUDED.amount, ms = EXCLUDED.ms, payments = EXCLUDED.payments, paid = EXCLUDED.paid,
		executed = EXCLUDED.executed, executed_paid = EXCLUDED.executed_paid, confirmed = EXCLUDED.confirmed,
		declared = EXCLUDED.declared, verified = EXCLUDED.verified, changes = EXCLUDED.changes;
	IF NOT FOUND THEN
		DELETE FROM stats_cases WHERE case_id = cid;
	END IF;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER stats_cases_decision_changes AFTER INSERT OR UPDATE OR DELETE ON decision_changes
	FOR EACH ROW EXECUTE FUNCTION stats_case_trigger();

SELECT stats_case_refresh(case_id) FROM (SELECT DISTINCT case_id FROM decision_changes) x;
