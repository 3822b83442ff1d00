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
-- The application may not DELETE (its privileges below); jobs.prune, as the owner in
-- platform scope, may.
CREATE POLICY jobs_delete ON jobs.jobs FOR DELETE USING (iam.row_writable(tenant_id));
-- Requests read, enqueue and cancel; only the runner's functions below take, finish and
-- remove jobs, across tenants.
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges)
VALUES ('jobs', 'jobs', 'SELECT, INSERT, UPDATE');

-- ---------------------------------------------------------------- counters for /metrics
-- Monotonic totals by kind, kept by the triggers below in the transaction that changes
-- the jobs (a rolled-back enqueue counts nothing; pruning forgets no count). Rows are
-- spread over shards by backend so that concurrent transactions rarely wait on one row;
-- /metrics sums them. Run times go into histogram buckets (upper bounds in seconds).
CREATE TABLE jobs.counters (
	kind      text NOT NULL,
	shard     smallint NOT NULL,
	enqueued  bigint NOT NULL DEFAULT 0,
	succeeded bigint NOT NULL DEFAULT 0,
	failed    bigint NOT NULL DEFAULT 0,
	retried   bigint NOT NULL DEFAULT 0,
	cancelled bigint NOT NULL DEFAULT 0,
	run_seconds_sum double precision NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, shard)
);
CREATE TABLE jobs.run_buckets (
	kind   text NOT NULL,
	shard  smallint NOT NULL,
	bucket smallint NOT NULL, -- runs of fewer seconds than jobs.run_bounds()[bucket + 1]
	runs   bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, shard, bucket)
);
-- Only the triggers and jobs.metrics() touch them.
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges)
VALUES ('jobs', 'counters', ''), ('jobs', 'run_buckets', '');

CREATE FUNCTION jobs.run_bounds() RETURNS double precision[] LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]::float8[]
$$;

-- An enqueue counts and wakes the runners (LISTEN vs_jobs); one notification per
-- statement, and PostgreSQL folds equal ones of a transaction into one.
CREATE FUNCTION jobs.enqueued() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO jobs.counters AS c (kind, shard, enqueued)
	SELECT kind, (pg_backend_pid() % 64)::smallint, count(*) FROM new_rows GROUP BY kind
	ON CONFLICT (kind, shard) DO UPDATE SET enqueued = c.enqueued + excluded.enqueued;
	PERFORM pg_notify('vs_jobs', '');
	RETURN NULL;
END $$;
CREATE TRIGGER jobs_enqueued AFTER INSERT ON jobs.jobs REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION jobs.enqueued();

-- Runs that ended (succeeded, failed, or queued again for a retry; a release gives the
-- attempt back and is no run), failures of any origin, and cancellations.
CREATE FUNCTION jobs.changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	WITH changes AS (
		SELECT n.kind, n.status AS became,
		       CASE WHEN o.status = 'running' AND n.attempts = o.attempts
			    THEN extract(epoch FROM now() - o.started_at)::float8 END AS ran
		FROM old_rows o JOIN new_rows n USING (id)
		WHERE o.status <> n.status AND n.status <> 'running'),
	totals AS (
		INSERT INTO jobs.counters AS c (kind, shard, succeeded, failed, retried, cancelled,
						run_seconds_sum)
		SELECT kind, (pg_backend_pid() % 64)::smallint,
		       count(*) FILTER (WHERE became = 'succeeded'), count(*) FILTER (WHERE became = 'failed'),
		       count(*) FILTER (WHERE became = 'queued' AND ran IS NOT NULL),
		       count(*) FILTER (WHERE became = 'cancelled'), coalesce(sum(ran), 0)
		FROM changes GROUP BY kind
		ON CONFLICT (kind, shard) DO UPDATE SET succeeded = c.succeeded + excluded.succeeded,
			failed = c.failed + excluded.failed, retried = c.retried + excluded.retried,
			cancelled = c.cancelled + excluded.cancelled,
			run_seconds_sum = c.run_seconds_sum + excluded.run_seconds_sum)
	INSERT INTO jobs.run_buckets AS b (kind, shard, bucket, runs)
	SELECT kind, (pg_backend_pid() % 64)::smallint, width_bucket(ran, jobs.run_bounds()),
	       count(*)
	FROM changes WHERE ran IS NOT NULL GROUP BY 1, 2, 3
	ON CONFLICT (kind, shard, bucket) DO UPDATE SET runs = b.runs + excluded.runs;
	RETURN NULL;
END $$;
CREATE TRIGGER jobs_changed AFTER UPDATE ON jobs.jobs
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION jobs.changed();

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
	-- MATERIALIZED: the picked rows are computed once. As a sub-select in FROM, a plan
	-- that rescans it (a nested loop with it inside) applies LIMIT per rescan and
	-- leased more jobs than n (seen after a restart: 18 for 8 slots).
	RETURN QUERY
	WITH due AS MATERIALIZED (
		SELECT q.id FROM jobs.jobs q
		WHERE q.status = 'queued' AND q.run_at <= now() AND q.kind = ANY (kinds)
		ORDER BY q.run_at, q.id LIMIT n FOR UPDATE SKIP LOCKED)
	UPDATE jobs.jobs j SET status = 'running', attempts = j.attempts + 1, locked_by = runner,
		locked_until = now() + make_interval(secs => lease_seconds),
		started_at = now(), updated_at = now()
	FROM due
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

-- jobs.finish, then jobs.claim, in one round trip: a busy runner's turn. Returns the
-- jobs claimed.
CREATE FUNCTION jobs.finish_and_claim(runner text, outcomes jsonb, n integer,
				      lease_seconds integer, kinds text[])
RETURNS SETOF jobs.jobs
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM jobs.finish(runner, outcomes);
	RETURN QUERY SELECT * FROM jobs.claim(runner, n, lease_seconds, kinds);
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

-- /metrics: per kind, the totals, the histogram of run times (cumulative counts of runs
-- under each bound of jobs.run_bounds(), in order), jobs queued or running now, and the
-- age in seconds of the oldest due one (0: none). The queue's totals are their sums.
CREATE FUNCTION jobs.metrics()
RETURNS TABLE (kind text, enqueued bigint, succeeded bigint, failed bigint, retried bigint,
	       cancelled bigint, run_seconds_sum double precision, runs bigint,
	       runs_under bigint[], queued bigint, running bigint,
	       oldest_due_seconds double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	RETURN QUERY
	WITH totals AS (
		SELECT c.kind, sum(c.enqueued)::bigint AS enqueued,
		       sum(c.succeeded)::bigint AS succeeded, sum(c.failed)::bigint AS failed,
		       sum(c.retried)::bigint AS retried, sum(c.cancelled)::bigint AS cancelled,
		       sum(c.run_seconds_sum) AS run_seconds_sum
		FROM jobs.counters c GROUP BY c.kind),
	buckets AS (
		SELECT b.kind, b.bucket, sum(b.runs)::bigint AS runs
		FROM jobs.run_buckets b GROUP BY b.kind, b.bucket),
	histogram AS (
		SELECT t.kind, coalesce((SELECT sum(runs) FROM buckets x WHERE x.kind = t.kind), 0)::bigint AS runs,
		       ARRAY(SELECT coalesce((SELECT sum(x.runs) FROM buckets x
					      WHERE x.kind = t.kind AND x.bucket <= i), 0)::bigint
			     FROM generate_series(0, cardinality(jobs.run_bounds()) - 1) i
			     ORDER BY i) AS runs_under
		FROM totals t),
	-- One scan per status, each over its partial index: a filter on both statuses at
	-- once would read every finished row too.
	now_in AS (
		SELECT x.kind, sum(x.queued)::bigint AS queued, sum(x.running)::bigint AS running,
		       max(x.due_age) AS oldest_due
		FROM (SELECT j.kind, 1 AS queued, 0 AS running,
			     CASE WHEN j.run_at <= now() THEN extract(epoch FROM now() - j.run_at)
			     END::float8 AS due_age
		      FROM jobs.jobs j WHERE j.status = 'queued'
		      UNION ALL
		      SELECT j.kind, 0, 1, NULL FROM jobs.jobs j WHERE j.status = 'running') x
		GROUP BY x.kind)
	SELECT t.kind, t.enqueued, t.succeeded, t.failed, t.retried, t.cancelled,
	       t.run_seconds_sum, h.runs, h.runs_under, coalesce(n.queued, 0),
	       coalesce(n.running, 0), coalesce(n.oldest_due, 0)
	FROM totals t JOIN histogram h USING (kind) LEFT JOIN now_in n USING (kind)
	ORDER BY t.kind;
	PERFORM set_config('vs.platform', saved, true);
END $$;

REVOKE ALL ON FUNCTION jobs.metrics() FROM PUBLIC;
REVOKE ALL ON FUNCTION jobs.claim(text, integer, integer, text[]), jobs.finish(text, jsonb),
	jobs.finish_and_claim(text, jsonb, integer, integer, text[]),
	jobs.renew(text, uuid[], integer), jobs.release(text, uuid[]), jobs.rescue(),
	jobs.next_due(text[]), jobs.prune(integer, integer) FROM PUBLIC;
