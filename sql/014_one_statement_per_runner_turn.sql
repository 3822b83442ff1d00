-- A cheaper runner's turn. A busy runner's turn (record the outcomes of the jobs that
-- ended, claim as many new ones) cost about 2.5 ms of backend time for 8 jobs, and one
-- backend was the limit of a runner's throughput. Four costs, each removed here:
--
-- 1. The policies called iam.row_writable() per row, and so in platform scope, where the
--    runner's functions work, iam.platform_verified(): a plpgsql call with two sub-selects,
--    about 30 us, three times per claimed row (the read policy and both halves of the write
--    policy) and again when the job ended. As sql/005 did for API keys, the platform check
--    is a sub-select in the policy now: one InitPlan per statement, the same answer (it
--    depends on the transaction's settings and roles, never on the row).
-- 2. The /metrics counters were kept by a statement trigger on every UPDATE, claims and
--    renewals included (which count nothing), whose transition-table queries cost more
--    than the UPDATE they followed. The statements that end runs keep them now, with the
--    same counts: runs that ended (succeeded, failed, or queued again for a retry) with
--    their run time, and cancellations. A release gives the attempt back and is no run.
-- 3. Finishing and claiming were two functions of two statements each, plus the trigger:
--    jobs.turn is one statement (each statement pays for its executor, its CHECK
--    constraints and its policies' InitPlans again).
-- 4. The claim joined its picked ids as a sub-select; with n unknown to a generic plan the
--    planner may hash the whole table against them. By id = ANY (picked) it is n probes
--    of the primary key, however large the table.

-- iam.row_writable(tenant_id) written out, its platform check as a sub-select (a helper
-- function holding the sub-select would not be inlined, and be a call per row again).
ALTER POLICY jobs_read ON jobs.jobs
	USING (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(tenant_id = iam.ctx_tenant(), false) END);
ALTER POLICY jobs_insert ON jobs.jobs
	WITH CHECK (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(tenant_id = iam.ctx_tenant(), false) END);
ALTER POLICY jobs_update ON jobs.jobs
	USING (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(tenant_id = iam.ctx_tenant(), false) END)
	WITH CHECK (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(tenant_id = iam.ctx_tenant(), false) END);
ALTER POLICY jobs_delete ON jobs.jobs
	USING (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(tenant_id = iam.ctx_tenant(), false) END);

DROP TRIGGER jobs_changed ON jobs.jobs;
DROP FUNCTION jobs.changed();
DROP FUNCTION jobs.finish_and_claim(text, jsonb, integer, integer, text[]);
DROP FUNCTION jobs.finish(text, jsonb);
DROP FUNCTION jobs.claim(text, integer, integer, text[]);

-- Counts runs that ended: per run its kind, what it became (succeeded, failed, or queued:
-- a retry) and how long it ran in seconds. Returns how many.
CREATE FUNCTION jobs.count_runs(run_kinds text[], run_outcomes text[], run_seconds float8[])
RETURNS integer
-- plpgsql, not sql: a SQL function's statements are planned again at every call.
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	WITH runs AS (
		SELECT * FROM unnest(run_kinds, run_outcomes, run_seconds) AS r (kind, became, ran)),
	totals AS (
		INSERT INTO jobs.counters AS c (kind, shard, succeeded, failed, retried, run_seconds_sum)
		SELECT kind, (pg_backend_pid() % 64)::smallint,
		       count(*) FILTER (WHERE became = 'succeeded'),
		       count(*) FILTER (WHERE became = 'failed'),
		       count(*) FILTER (WHERE became = 'queued'), coalesce(sum(ran), 0)
		FROM runs GROUP BY kind
		ON CONFLICT (kind, shard) DO UPDATE SET succeeded = c.succeeded + excluded.succeeded,
			failed = c.failed + excluded.failed, retried = c.retried + excluded.retried,
			run_seconds_sum = c.run_seconds_sum + excluded.run_seconds_sum)
	INSERT INTO jobs.run_buckets AS b (kind, shard, bucket, runs)
	SELECT kind, (pg_backend_pid() % 64)::smallint, width_bucket(ran, jobs.run_bounds()),
	       count(*)
	FROM runs GROUP BY 1, 2, 3
	ON CONFLICT (kind, shard, bucket) DO UPDATE SET runs = b.runs + excluded.runs;
	RETURN coalesce(cardinality(run_kinds), 0);
END $$;

-- A runner's turn, as the schema owner in platform scope (restored before it returns):
--   1. the outcomes of its runs, a JSON array of
--      {"id", "status": "succeeded"|"failed"|"queued", "result"?, "error"?, "run_at_ms"?}
--      ("queued": try again at run_at_ms, milliseconds since the epoch). Only jobs still
--      running under runner's lease change (a lease lost meanwhile means someone else has
--      the job); they are returned with their new status, and counted.
--   2. up to n queued jobs of the kinds runner knows that are due, oldest first, now
--      running under runner's lease: returned with status 'running'. A kind no runner knows
--      yet (a newer release's, during a rolling upgrade) waits for one that does.
-- Both in one snapshot: a job requeued in step 1 is claimed by a later turn.
CREATE FUNCTION jobs.turn(runner text, outcomes jsonb, n integer, lease_seconds integer,
			  kinds text[])
RETURNS SETOF jobs.jobs
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	RETURN QUERY
	WITH ended AS (
		UPDATE jobs.jobs j SET status = o.status, result = o.result, last_error = o.error,
			run_at = coalesce(to_timestamp(o.run_at_ms / 1000.0), j.run_at),
			locked_by = NULL, locked_until = NULL,
			finished_at = CASE WHEN o.status = 'queued' THEN NULL ELSE now() END,
			updated_at = now()
		FROM jsonb_to_recordset(outcomes)
			AS o (id uuid, status text, result jsonb, error text, run_at_ms bigint)
		WHERE j.id = o.id AND j.status = 'running' AND j.locked_by = runner
		  AND o.status IN ('succeeded', 'failed', 'queued')
		RETURNING j.*),
	-- Joined below so that it runs (a CTE nothing reads is skipped); one row.
	counted AS (
		SELECT jobs.count_runs(array_agg(kind), array_agg(status),
				       array_agg(extract(epoch FROM now() - started_at)::float8))
		FROM ended),
	claimed AS (
		UPDATE jobs.jobs j SET status = 'running', attempts = j.attempts + 1,
			locked_by = runner, locked_until = now() + make_interval(secs => lease_seconds),
			started_at = now(), updated_at = now()
		-- The picked ids are an array computed once (an InitPlan): LIMIT applies once, and
		-- the update probes the primary key with them.
		WHERE j.id = ANY (ARRAY(
			SELECT q.id FROM jobs.jobs q
			WHERE q.status = 'queued' AND q.run_at <= now() AND q.kind = ANY (kinds)
			ORDER BY q.run_at, q.id LIMIT n FOR UPDATE SKIP LOCKED))
		RETURNING j.*)
	SELECT e.* FROM ended e CROSS JOIN counted
	UNION ALL
	SELECT c.* FROM claimed c;
	PERFORM set_config('vs.platform', saved, true);
END $$;

CREATE OR REPLACE FUNCTION jobs.rescue() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
	n integer;
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	WITH ended AS (
		UPDATE jobs.jobs SET
			status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
			finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
			last_error = 'the runner stopped before the job ended (its lease expired)',
			run_at = now(), locked_by = NULL, locked_until = NULL, updated_at = now()
		WHERE status = 'running' AND locked_until < now()
		RETURNING kind, status, extract(epoch FROM now() - started_at)::float8 AS ran)
	SELECT jobs.count_runs(array_agg(kind), array_agg(status), array_agg(ran)) INTO n FROM ended;
	PERFORM set_config('vs.platform', saved, true);
	RETURN n;
END $$;

-- A cancellation (the API's, as the application role): rare, so a row trigger whose WHEN
-- keeps it off every other UPDATE.
CREATE FUNCTION jobs.cancelled() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO jobs.counters AS c (kind, shard, cancelled)
	VALUES (NEW.kind, (pg_backend_pid() % 64)::smallint, 1)
	ON CONFLICT (kind, shard) DO UPDATE SET cancelled = c.cancelled + 1;
	RETURN NULL;
END $$;
CREATE TRIGGER jobs_cancelled AFTER UPDATE OF status ON jobs.jobs FOR EACH ROW
	WHEN (OLD.status <> 'cancelled' AND NEW.status = 'cancelled')
	EXECUTE FUNCTION jobs.cancelled();

REVOKE ALL ON FUNCTION jobs.count_runs(text[], text[], float8[]),
	jobs.turn(text, jsonb, integer, integer, text[]) FROM PUBLIC;
