-- The job kinds route, decide and notify are gone: the robot's step
-- (workflow.Assess, written by store.CaseStore.ApplyStep) calculates,
-- routes, decides, notifies and orders the payment in one transaction, and
-- no version since that was made enqueues them. A job of a removed kind
-- would wait unclaimed for ever. A route job an older version left belongs
-- to a case still fetching: the calculate job assesses it. A decide or
-- notify job is parked with the reason, for an operator (skalig jobs): its
-- case waits in auto_decided or decided for a person to look at it.
-- The same SQL serves SQLite and PostgreSQL.
-- +goose Up
UPDATE jobs SET kind = 'calculate', attempts = 0, locked_by = '', locked_until = 0
	WHERE kind = 'route' AND NOT EXISTS (SELECT 1 FROM jobs c WHERE c.kind = 'calculate' AND c.case_id = jobs.case_id);
DELETE FROM jobs WHERE kind = 'route';
UPDATE jobs SET state = 'parked', locked_by = '', locked_until = 0,
	last_error = 'Jobbtypen ' || kind || ' finns inte längre: ärendets steg görs nu i ett (workflow.Assess). Se över ärendet.'
	WHERE kind IN ('decide', 'notify');
