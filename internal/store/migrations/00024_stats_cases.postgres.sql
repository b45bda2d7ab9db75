-- The follow-up statistics on PostgreSQL read a maintained table instead of
-- joining every case of the month with its application, decision, payments
-- and sample result (docs/statistics.md, "How it is computed"): stats_cases
-- holds, per case, exactly what StatsStore.cases groups (no personal data:
-- the household is counted, not named). Triggers keep it in step, in the
-- transaction of every change that moves a figure: a case's kind, state,
-- reasons, month or municipality, its decision, a payment's status or
-- amount, a sample result, the application's members. Each refresh
-- recomputes the case's row from the tables (stats_case_refresh), so the
-- row is never a sum of deltas that could drift. SQLite keeps the join
-- (queries/StatsStore.cases.sqlite.sql): its databases are small.
-- +goose Up
CREATE TABLE stats_cases (
	case_id       text PRIMARY KEY,
	municipality  text NOT NULL,
	month         text NOT NULL,
	kind          text NOT NULL,
	state         text NOT NULL,
	reasons       jsonb NOT NULL,
	members       integer NOT NULL,
	partner       integer NOT NULL,
	outcome       text,
	delegation    text,
	amount        bigint,
	ms            bigint,
	payments      integer NOT NULL,
	paid          bigint NOT NULL,
	executed      integer NOT NULL,
	executed_paid bigint NOT NULL,
	confirmed     boolean,
	declared      bigint,
	verified      bigint
);
CREATE INDEX stats_cases_month ON stats_cases (municipality, month);

-- +goose StatementBegin
CREATE FUNCTION stats_case_refresh(cid text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO stats_cases AS t (case_id, municipality, month, kind, state, reasons, members, partner, outcome,
		delegation, amount, ms, payments, paid, executed, executed_paid, confirmed, declared, verified)
	SELECT c.id, c.municipality, c.month, c.kind, c.state, c.routing_reasons,
		jsonb_array_length(a.members),
		CASE WHEN a.members @> '[{"role": "partner"}]' THEN 1 ELSE 0 END,
		d.outcome, d.decided_by_delegation, d.amount,
		round(extract(epoch FROM d.decided_at - c.created_at) * 1000)::bigint,
		coalesce(p.n, 0), coalesce(p.paid, 0), coalesce(p.executed, 0), coalesce(p.executed_paid, 0),
		s.confirmed, s.declared, s.verified
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
	WHERE c.id = cid
	ON CONFLICT (case_id) DO UPDATE SET municipality = EXCLUDED.municipality, month = EXCLUDED.month,
		kind = EXCLUDED.kind, state = EXCLUDED.state, reasons = EXCLUDED.reasons, members = EXCLUDED.members,
		partner = EXCLUDED.partner, outcome = EXCLUDED.outcome, delegation = EXCLUDED.delegation,
		amount = EXCLUDED.amount, ms = EXCLUDED.ms, payments = EXCLUDED.payments, paid = EXCLUDED.paid,
		executed = EXCLUDED.executed, executed_paid = EXCLUDED.executed_paid, confirmed = EXCLUDED.confirmed,
		declared = EXCLUDED.declared, verified = EXCLUDED.verified;
	IF NOT FOUND THEN
		DELETE FROM stats_cases WHERE case_id = cid;
	END IF;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION stats_case_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'cases' THEN
		IF TG_OP = 'DELETE' THEN
			DELETE FROM stats_cases WHERE case_id = OLD.id;
		ELSE
			PERFORM stats_case_refresh(NEW.id);
		END IF;
	ELSIF TG_TABLE_NAME = 'applications' THEN
		PERFORM stats_case_refresh(c.id) FROM cases c WHERE c.application_id = NEW.id;
	ELSE
		IF TG_OP <> 'INSERT' THEN
			PERFORM stats_case_refresh(OLD.case_id);
		END IF;
		IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.case_id <> OLD.case_id) THEN
			PERFORM stats_case_refresh(NEW.case_id);
		END IF;
	END IF;
	RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER stats_cases_cases AFTER INSERT OR DELETE OR UPDATE OF municipality, month, kind, state,
	routing_reasons, application_id, created_at ON cases FOR EACH ROW EXECUTE FUNCTION stats_case_trigger();
CREATE TRIGGER stats_cases_applications AFTER UPDATE OF members ON applications
	FOR EACH ROW EXECUTE FUNCTION stats_case_trigger();
CREATE TRIGGER stats_cases_decisions AFTER INSERT OR UPDATE OR DELETE ON decisions
	FOR EACH ROW EXECUTE FUNCTION stats_case_trigger();
CREATE TRIGGER stats_cases_payments AFTER INSERT OR UPDATE OF case_id, status, amount OR DELETE ON payments
	FOR EACH ROW EXECUTE FUNCTION stats_case_trigger();
CREATE TRIGGER stats_cases_sample_results AFTER INSERT OR UPDATE OR DELETE ON sample_results
	FOR EACH ROW EXECUTE FUNCTION stats_case_trigger();

SELECT stats_case_refresh(id) FROM cases;
