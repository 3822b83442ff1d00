-- The job runner's queue (DESIGN.md §1, API.md §6): every slow or outbound action is a row
-- here, inserted in the same transaction as the change that needs it, and run by vs-worker.
-- A runner claims rows with FOR UPDATE SKIP LOCKED and holds a lease it renews; a runner
-- that dies loses it and the job runs again. River, graphile-worker and Oban are the models.

CREATE SCHEMA jobs;

CREATE TABLE jobs.jobs (
	id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	tenant_id     uuid REFERENCES iam.tenants (id) ON DELETE CASCADE, -- NULL: a platform job
	kind          text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
	payload       jsonb NOT NULL DEFAULT '{}',
	status        text NOT NULL DEFAULT 'queued'
	              CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts  integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
	run_at        timestamptz NOT NULL DEFAULT now(),
	locked_by     text,
	locked_until  timestamptz,
	result        jsonb,
	last_error    text,
	unique_key    text,
	resource_type text,
	resource_id   uuid,
	created_by    uuid REFERENCES iam.users (id) ON DELETE SET NULL,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now(),
	started_at    timestamptz,
	finished_at   timestamptz,
	CHECK ((status = 'running') = (locked_by IS NOT NULL AND locked_until IS NOT NULL)),
	CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);

-- Claiming reads only queued rows, in run_at order: a partial index keeps it O(log n)
-- however many finished jobs the table holds. Leases that ran out, likewise.
CREATE INDEX jobs_queued_idx ON jobs.jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs.jobs (locked_until) WHERE status = 'running';
-- At most one queued or running job per unique key (a sync, a resend).
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs.jobs (unique_key)
	WHERE unique_key IS NOT NULL AND status IN ('queued', 'running');
-- The API's list (newest first, per tenant or the platform's), by resource, and pruning.
CREATE INDEX jobs_tenant_created_idx ON jobs.jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX jobs_resource_idx ON jobs.jobs (resource_id) WHERE resource_id IS NOT NULL;
CREATE INDEX jobs_finished_idx ON jobs.jobs (finished_at)
	WHERE status IN ('succeeded', 'failed', 'cancelled');

-- A tenant's jobs are its own; platform jobs (tenant NULL) are the platform's only.
ALTER TABLE jobs.jobs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_read ON jobs.jobs FOR SELECT USING (iam.row_writable(tenant_id));
CREATE POLICY jobs_insert ON jobs.jobs FOR INSERT WITH CHECK (iam.row_writable(tenant_id));
CREATE POLICY jobs_update ON jobs.jobs FOR UPDATE
	USING (iam.row_writable(tenant_id)) WITH CHECK (iam.row_writable(tenant_id));
-- Requests read, enqueue and cancel; only the runner's functions below take, finish and
-- remove jobs, across tenants.
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges)
VALUES ('jobs', 'jobs', 'SELECT, INSERT, UPDATE');

-- A committed enqueue wakes the runners (LISTEN vs_jobs); one notification per statement,
-- and PostgreSQL folds equal ones of a transaction into one.
CREATE FUNCTION jobs.notify_enqueued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('vs_jobs', '');
	RETURN NULL;
END $$;
CREATE TRIGGER jobs_enqueued AFTER INSERT ON jobs.jobs
	FOR EACH STATEMENT EXECUTE FUNCTION jobs.notify_enqueued();

-- ---------------------------------------------------------------- the runner's side
-- Each runs as the schema owner in platform scope for its statement (restored before it
-- returns), as iam.touch_api_keys does: a runner works across tenants, and only through
-- these.

-- Up to n queued jobs of the kinds runner knows that are due, oldest first, now running
-- under runner's lease. A kind no runner knows yet (a newer release's, during a rolling
-- upgrade) waits for one that does.
CREATE FUNCTION jobs.claim(runner text, n integer, lease_seconds integer, kinds text[])
RETURNS SETOF jobs.jobs
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	RETURN QUERY
	UPDATE jobs.jobs j SET status = 'running', attempts = j.attempts + 1, locked_by = runner,
		locked_until = now() + make_interval(secs => lease_seconds),
		started_at = now(), updated_at = now()
	FROM (SELECT q.id FROM jobs.jobs q
	      WHERE q.status = 'queued' AND q.run_at <= now() AND q.kind = ANY (kinds)
	      ORDER BY q.run_at, q.id LIMIT n FOR UPDATE SKIP LOCKED) due
	WHERE j.id = due.id
	RETURNING j.*;
	PERFORM set_config('vs.platform', saved, true);
END $$;

-- The outcome of runs, in one statement: outcomes is a JSON array of
--   {"id", "status": "succeeded"|"failed"|"queued", "result"?, "error"?, "run_at_ms"?}
-- ("queued": try again at run_at_ms, milliseconds since the epoch). Only jobs still running under runner's lease change;
-- the ids that did are returned (a lease lost meanwhile means someone else has the job).
CREATE FUNCTION jobs.finish(runner text, outcomes jsonb) RETURNS SETOF uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	RETURN QUERY
	UPDATE jobs.jobs j SET status = o.status, result = o.result, last_error = o.error,
		run_at = coalesce(to_timestamp(o.run_at_ms / 1000.0), j.run_at),
		locked_by = NULL, locked_until = NULL,
		finished_at = CASE WHEN o.status = 'queued' THEN NULL ELSE now() END,
		updated_at = now()
	FROM jsonb_to_recordset(outcomes)
		AS o (id uuid, status text, result jsonb, error text, run_at_ms bigint)
	WHERE j.id = o.id AND j.status = 'running' AND j.locked_by = runner
	  AND o.status IN ('succeeded', 'failed', 'queued')
	RETURNING j.id;
	PERFORM set_config('vs.platform', saved, true);
END $$;

-- Extends runner's leases of the jobs it still runs; returns the ids it still holds.
CREATE FUNCTION jobs.renew(runner text, ids uuid[], lease_seconds integer) RETURNS SETOF uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	RETURN QUERY
	UPDATE jobs.jobs SET locked_until = now() + make_interval(secs => lease_seconds),
		updated_at = now()
	WHERE id = ANY (ids) AND status = 'running' AND locked_by = runner
	RETURNING id;
	PERFORM set_config('vs.platform', saved, true);
END $$;

-- Gives jobs back untried (a runner stopping): queued again, the attempt not counted.
CREATE FUNCTION jobs.release(runner text, ids uuid[]) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
	n integer;
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	UPDATE jobs.jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), run_at = now(),
		locked_by = NULL, locked_until = NULL, started_at = NULL, updated_at = now()
	WHERE id = ANY (ids) AND status = 'running' AND locked_by = runner;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM set_config('vs.platform', saved, true);
	RETURN n;
END $$;

-- Jobs whose runner stopped renewing (it died, or lost the database for longer than the
-- lease): queued again, or failed when that was the last attempt.
CREATE FUNCTION jobs.rescue() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
	n integer;
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	UPDATE jobs.jobs SET
		status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
		finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
		last_error = 'the runner stopped before the job ended (its lease expired)',
		run_at = now(), locked_by = NULL, locked_until = NULL, updated_at = now()
	WHERE status = 'running' AND locked_until < now();
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM set_config('vs.platform', saved, true);
	RETURN n;
END $$;

-- When the next queued job of kinds is due (NULL: none), so an idle runner sleeps exactly
-- that long.
CREATE FUNCTION jobs.next_due(kinds text[]) RETURNS timestamptz
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
	due timestamptz;
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	SELECT run_at INTO due FROM jobs.jobs WHERE status = 'queued' AND kind = ANY (kinds)
	ORDER BY run_at, id LIMIT 1;
	PERFORM set_config('vs.platform', saved, true);
	RETURN due;
END $$;

-- Removes up to n finished jobs older than retention_seconds; returns how many.
CREATE FUNCTION jobs.prune(retention_seconds integer, n integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
	removed integer;
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	DELETE FROM jobs.jobs WHERE id IN (
		SELECT id FROM jobs.jobs
		WHERE status IN ('succeeded', 'failed', 'cancelled')
		  AND finished_at < now() - make_interval(secs => retention_seconds)
		ORDER BY finished_at LIMIT n);
	GET DIAGNOSTICS removed = ROW_COUNT;
	PERFORM set_config('vs.platform', saved, true);
	RETURN removed;
END $$;

-- The queue as /metrics shows it: jobs waiting (due or not), running, and the age in
-- seconds of the oldest due one (0: none).
CREATE FUNCTION jobs.queue_stats(OUT queued bigint, OUT running bigint,
				 OUT oldest_due_seconds double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	SELECT count(*) INTO queued FROM jobs.jobs WHERE status = 'queued';
	SELECT count(*) INTO running FROM jobs.jobs WHERE status = 'running';
	SELECT coalesce(extract(epoch FROM now() - min(run_at)), 0) INTO oldest_due_seconds
	FROM jobs.jobs WHERE status = 'queued' AND run_at <= now();
	PERFORM set_config('vs.platform', saved, true);
END $$;

REVOKE ALL ON FUNCTION jobs.claim(text, integer, integer, text[]), jobs.finish(text, jsonb),
	jobs.renew(text, uuid[], integer), jobs.release(text, uuid[]), jobs.rescue(),
	jobs.next_due(text[]), jobs.prune(integer, integer), jobs.queue_stats() FROM PUBLIC;
