-- Webhooks (issue 19, API.md §9): a tenant's subscriptions, and one delivery for each of
-- its audit events a subscription matches, made by a trigger on audit.events in the
-- transaction that writes the event: a committed change always has its deliveries, a
-- rolled-back one never does. Each delivery is sent by a webhook.deliver job
-- (lib/webhooks/deliver_job.c), which also keeps the log of its attempts.

CREATE SCHEMA webhooks;

-- The secrets sign deliveries, so they are kept (the API shows each once). previous_secret
-- signs alongside secret until previous_until, after a rotation.
CREATE TABLE webhooks.subscriptions (
	id              uuid PRIMARY KEY,
	tenant_id       uuid NOT NULL REFERENCES iam.tenants (id) ON DELETE CASCADE,
	url             text NOT NULL CHECK (length(url) <= 2048),
	description     text,
	event_types     text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 64),
	is_active       boolean NOT NULL DEFAULT true,
	secret          text NOT NULL,
	previous_secret text,
	previous_until  timestamptz,
	failing_since   timestamptz, -- the first failed attempt since the last success
	created_by      uuid REFERENCES iam.users (id) ON DELETE SET NULL,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_tenant_idx ON webhooks.subscriptions (tenant_id, created_at, id);

-- One message to one endpoint: its id is the webhook-id of every attempt, its body the
-- exact bytes every attempt sends (a replay too).
CREATE TABLE webhooks.deliveries (
	id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	subscription_id uuid NOT NULL REFERENCES webhooks.subscriptions (id) ON DELETE CASCADE,
	tenant_id       uuid NOT NULL,
	event_id        uuid, -- the audit event; NULL for webhook.test
	event_type      text NOT NULL,
	body            text NOT NULL,
	status          text NOT NULL DEFAULT 'pending'
	                CHECK (status IN ('pending', 'succeeded', 'failed')),
	attempts        integer NOT NULL DEFAULT 0,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_subscription_idx ON webhooks.deliveries (subscription_id, created_at);

-- The delivery log: one row per attempt, with the delivery's status after it.
CREATE TABLE webhooks.attempts (
	delivery_id     uuid NOT NULL REFERENCES webhooks.deliveries (id) ON DELETE CASCADE,
	attempt         integer NOT NULL CHECK (attempt >= 1),
	subscription_id uuid NOT NULL,
	tenant_id       uuid NOT NULL,
	at              timestamptz NOT NULL DEFAULT clock_timestamp(),
	status_code     integer,
	duration_ms     integer NOT NULL,
	error           text,
	status          text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	next_attempt_at timestamptz,
	PRIMARY KEY (delivery_id, attempt)
);
CREATE INDEX attempts_subscription_idx ON webhooks.attempts (subscription_id, at DESC);

-- What a subscription's event_types match: the action itself, every action ("*"), or
-- every action of its resource ("user.*").
CREATE FUNCTION webhooks.matching(action text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY[action, '*', split_part(action, '.', 1) || '.*']
$$;

-- The body of a delivery: {"type", "timestamp", "data"} with data the event's canonical
-- text as it is, so the receiver gets exactly the bytes the audit chain hashes, and the
-- timestamp written as the event writes occurred_at (no trailing zeros of a fraction).
CREATE FUNCTION webhooks.body(event_type text, at timestamptz, data text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT '{"type":' || to_json(event_type)::text || ',"timestamp":"' ||
	       rtrim(rtrim(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '0'), '.') ||
	       'Z","data":' || data || '}'
$$;

-- New deliveries' jobs, one each, keyed by the delivery (a replay while one is queued or
-- running makes none). 100 attempts: the job's handler ends the schedule itself. The
-- event may be written from outside its tenant's scope (a platform admin's change, an
-- invitee joining) or with none, and jobs.jobs forces its policies on its owner too: the
-- insert runs in platform scope (which the database grants the owner alone), and the
-- caller's scope is put back for the rest of its transaction.
CREATE FUNCTION webhooks.enqueue(ids uuid[], tenant uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	was text := current_setting('vs.platform', true);
	n integer;
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	WITH j AS (
		INSERT INTO jobs.jobs (kind, payload, max_attempts, tenant_id, resource_type,
				       resource_id, unique_key)
		SELECT 'webhook.deliver', jsonb_build_object('delivery_id', d), 100, tenant,
		       'webhook_delivery', d, 'webhook.deliver:' || d
		FROM unnest(ids) d
		ON CONFLICT DO NOTHING
		RETURNING 1)
	SELECT count(*)::integer INTO n FROM j;
	PERFORM set_config('vs.platform', coalesce(was, ''), true);
	RETURN n;
END $$;

-- One message to every active subscription of tenant that matches kind, each with its job.
-- The body is made per delivery, so a tenant with no subscription pays one index probe
-- and nothing else.
CREATE FUNCTION webhooks.send(tenant uuid, event uuid, kind text, at timestamptz, data text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	ids uuid[];
BEGIN
	WITH d AS (
		INSERT INTO webhooks.deliveries (subscription_id, tenant_id, event_id, event_type, body)
		SELECT s.id, s.tenant_id, event, kind, webhooks.body(kind, at, data)
		FROM webhooks.subscriptions s
		WHERE s.tenant_id = tenant AND s.is_active
		  AND s.event_types && webhooks.matching(kind)
		RETURNING id)
	SELECT array_agg(id) INTO ids FROM d;
	IF ids IS NOT NULL THEN
		PERFORM webhooks.enqueue(ids, tenant);
	END IF;
END $$;

-- The fan-out: in the event's own transaction.
CREATE FUNCTION webhooks.fan_out() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM webhooks.send(NEW.tenant_id, NEW.id, NEW.action, NEW.occurred_at, NEW.canonical);
	RETURN NULL;
END $$;
CREATE TRIGGER events_fan_out AFTER INSERT ON audit.events
	FOR EACH ROW WHEN (NEW.tenant_id IS NOT NULL) EXECUTE FUNCTION webhooks.fan_out();

-- The delivery log's retention: deliveries done (succeeded or failed) longer ago than
-- retention_seconds go, their attempts with them, at most n a call (vs-worker, with the
-- jobs' retention).
CREATE INDEX deliveries_done_idx ON webhooks.deliveries (updated_at) WHERE status <> 'pending';
CREATE FUNCTION webhooks.prune(retention_seconds integer, n integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	removed integer;
BEGIN
	DELETE FROM webhooks.deliveries WHERE id IN (
		SELECT id FROM webhooks.deliveries
		WHERE status <> 'pending'
		  AND updated_at < now() - make_interval(secs => retention_seconds)
		ORDER BY updated_at LIMIT n);
	GET DIAGNOSTICS removed = ROW_COUNT;
	RETURN removed;
END $$;

-- A signed checkpoint of a tenant's chain goes out as audit.checkpoint (API.md §8), with
-- the fields GET /audit-logs/checkpoints shows, so that the removal of the newest events
-- can be noticed from outside.
CREATE FUNCTION webhooks.checkpoint_out() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	at text := to_char(NEW.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
BEGIN
	PERFORM webhooks.send(NEW.chain, NULL, 'audit.checkpoint', NEW.signed_at,
			      json_build_object('tenant_id', NEW.chain, 'seq', NEW.seq,
						'hash', encode(NEW.hash, 'hex'), 'signed_at', at,
						'public_key', encode(NEW.public_key, 'hex'),
						'signature', encode(NEW.signature, 'hex'))::text);
	RETURN NULL;
END $$;
CREATE TRIGGER checkpoints_out AFTER INSERT ON audit.checkpoints
	FOR EACH ROW WHEN (NEW.chain <> '00000000-0000-0000-0000-000000000000')
	EXECUTE FUNCTION webhooks.checkpoint_out();

-- A tenant's webhooks are its own: read and written in its scope or platform scope. Not
-- forced: the fan-out (the owner's) reads and writes them from whatever scope the event
-- was written in.
ALTER TABLE webhooks.subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY subscriptions_rw ON webhooks.subscriptions
	USING ((SELECT iam.ctx_platform()) OR tenant_id = (SELECT iam.ctx_tenant()))
	WITH CHECK ((SELECT iam.ctx_platform()) OR tenant_id = (SELECT iam.ctx_tenant()));
ALTER TABLE webhooks.deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY deliveries_rw ON webhooks.deliveries
	USING ((SELECT iam.ctx_platform()) OR tenant_id = (SELECT iam.ctx_tenant()))
	WITH CHECK ((SELECT iam.ctx_platform()) OR tenant_id = (SELECT iam.ctx_tenant()));
ALTER TABLE webhooks.attempts ENABLE ROW LEVEL SECURITY;
CREATE POLICY attempts_rw ON webhooks.attempts
	USING ((SELECT iam.ctx_platform()) OR tenant_id = (SELECT iam.ctx_tenant()))
	WITH CHECK ((SELECT iam.ctx_platform()) OR tenant_id = (SELECT iam.ctx_tenant()));

-- Deliveries and their log are never changed by hand: a delivery's status moves, its
-- attempts only accumulate.
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges) VALUES
	('webhooks', 'subscriptions', 'SELECT, INSERT, UPDATE, DELETE'),
	('webhooks', 'deliveries', 'SELECT, INSERT, UPDATE'),
	('webhooks', 'attempts', 'SELECT, INSERT');
