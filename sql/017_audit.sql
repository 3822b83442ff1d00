-- The audit log (issue 19): every event is written in the transaction of the change it
-- records, and joins its chain just after, in batches, by a sequencer.
--
-- Why not chain inside the writing transaction: the chain's head must stay locked until
-- that transaction commits, so one tenant's writes would commit one at a time, each
-- waiting for the previous WAL flush. Measured with pgbench, 8 clients, one chain: 290
-- events/s chained in the transaction against 1,418 for the plain insert; inserted here
-- and chained by a separate sequencer, 818 (all chained, none left behind).
--
-- An event is its canonical JSON (lib/audit/canonical.h); the columns the API filters on
-- are read from that text by a trigger, so none of them can be set apart from the bytes
-- the chain's hash covers. Nothing here is ever updated or deleted by the application.

CREATE SCHEMA audit;

-- The columns the API filters on are read from the canonical text by the row trigger
-- below, on every insert and update: an event has no other source for them.
CREATE TABLE audit.events (
	pos           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- insertion order
	canonical     text NOT NULL,
	id            uuid NOT NULL,
	tenant_id     uuid,
	chain         uuid NOT NULL,
	occurred_at   timestamptz NOT NULL,
	action        text NOT NULL,
	actor_user_id uuid,
	resource_type text,
	resource_id   text
);
CREATE UNIQUE INDEX events_id_key ON audit.events (id);

-- An event's place in its chain: seq counts from 1 without gaps, and
-- hash = SHA-256(prev_hash ‖ seq as 8 bytes big-endian ‖ canonical as UTF-8); the first
-- event's prev_hash is empty.
CREATE TABLE audit.links (
	chain     uuid NOT NULL,
	seq       bigint NOT NULL CHECK (seq >= 1),
	event_pos bigint NOT NULL UNIQUE REFERENCES audit.events (pos),
	prev_hash bytea NOT NULL,
	hash      bytea NOT NULL CHECK (length(hash) = 32),
	PRIMARY KEY (chain, seq)
);

-- Each chain's last link, locked while events join it.
CREATE TABLE audit.heads (
	chain uuid PRIMARY KEY,
	seq   bigint NOT NULL,
	hash  bytea NOT NULL
);

-- Events written but not chained yet. The key is checked at commit: the row trigger
-- below adds an event's row here before the event's own row is in the table.
CREATE TABLE audit.pending (
	event_pos bigint PRIMARY KEY REFERENCES audit.events (pos) DEFERRABLE INITIALLY DEFERRED,
	chain     uuid NOT NULL
);
CREATE INDEX pending_chain_idx ON audit.pending (chain, event_pos);

-- An event's filter columns from its text, parsed once, and on insert its place among
-- the pending. Generated columns did the same at 225 µs a row (each parsed the text
-- again, and the text-to-time function ran as an SQL function call); this is one parse.
-- No NOTIFY: it takes a lock every notifying commit of the cluster waits for; vs-worker's
-- turns (audit.chain_pending) poll instead.
CREATE FUNCTION audit.read_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	d jsonb := NEW.canonical::jsonb;
BEGIN
	IF jsonb_typeof(d) IS DISTINCT FROM 'object' OR d ->> 'action' IS NULL THEN
		RAISE EXCEPTION 'an audit event is an object with an action' USING ERRCODE = 'check_violation';
	END IF;
	NEW.id := (d ->> 'id')::uuid;
	NEW.tenant_id := (d ->> 'tenant_id')::uuid;
	NEW.chain := coalesce(NEW.tenant_id, '00000000-0000-0000-0000-000000000000');
	-- 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z', read the same under every DateStyle.
	NEW.occurred_at := (rtrim(d ->> 'occurred_at', 'Z'))::timestamp AT TIME ZONE 'UTC';
	NEW.action := d ->> 'action';
	NEW.actor_user_id := (d -> 'actor' ->> 'user_id')::uuid;
	NEW.resource_type := d -> 'resource' ->> 'type';
	NEW.resource_id := d -> 'resource' ->> 'id';
	IF TG_OP = 'INSERT' THEN
		INSERT INTO audit.pending (event_pos, chain) VALUES (NEW.pos, NEW.chain);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER events_read BEFORE INSERT OR UPDATE ON audit.events
	FOR EACH ROW EXECUTE FUNCTION audit.read_event();

-- The sequencer's turn for one chain: every event pending there, in insertion order,
-- joins it. Returns how many joined, or -1 when another turn holds the chain (that turn,
-- or the next, takes what is pending). Commit order and insertion order can differ, so
-- seq is the order events joined the chain, not the order their transactions began.
CREATE FUNCTION audit.chain(c uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	s bigint;
	h bytea;
	e record;
	positions bigint[] := '{}';
	seqs bigint[] := '{}';
	prevs bytea[] := '{}';
	hashes bytea[] := '{}';
BEGIN
	-- Nothing pending: no lock taken, nothing written (a turn after every request).
	IF NOT EXISTS (SELECT 1 FROM audit.pending p WHERE p.chain = c) THEN
		RETURN 0;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM audit.heads hd WHERE hd.chain = c) THEN
		INSERT INTO audit.heads (chain, seq, hash) VALUES (c, 0, '\x') ON CONFLICT DO NOTHING;
	END IF;
	SELECT hd.seq, hd.hash INTO s, h FROM audit.heads hd WHERE hd.chain = c
	FOR UPDATE SKIP LOCKED;
	IF NOT FOUND THEN
		RETURN -1;
	END IF;
	FOR e IN SELECT ev.pos, ev.canonical FROM audit.pending p
		 JOIN audit.events ev ON ev.pos = p.event_pos
		 WHERE p.chain = c ORDER BY p.event_pos
	LOOP
		prevs := prevs || h;
		s := s + 1;
		h := sha256(h || int8send(s) || convert_to(e.canonical, 'UTF8'));
		positions := positions || e.pos;
		seqs := seqs || s;
		hashes := hashes || h;
	END LOOP;
	IF cardinality(positions) = 0 THEN
		RETURN 0;
	END IF;
	INSERT INTO audit.links (chain, seq, event_pos, prev_hash, hash)
	SELECT c, x.seq, x.pos, x.prev, x.hash FROM unnest(seqs, positions, prevs, hashes) x (seq, pos, prev, hash);
	DELETE FROM audit.pending WHERE event_pos = ANY (positions);
	UPDATE audit.heads SET seq = s, hash = h WHERE chain = c;
	RETURN cardinality(positions);
END $$;

-- A turn for every chain with events pending; vs-worker runs it every
-- VS_AUDIT_SEQUENCE_MS. Returns how many events joined.
CREATE FUNCTION audit.chain_pending() RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(sum(greatest(audit.chain(p.chain), 0)), 0)::integer
	FROM (SELECT DISTINCT chain FROM audit.pending) p
$$;

-- Signed chain heads (README "Checkpoints"): vs-worker signs every head that moved,
-- at most every VS_AUDIT_CHECKPOINT_SECONDS, with its Ed25519 key, so that links removed
-- from the end of a chain (and its head rewound) show against a signature kept
-- elsewhere. The signed text is the 'message' column's.
CREATE TABLE audit.checkpoints (
	chain      uuid NOT NULL,
	seq        bigint NOT NULL CHECK (seq >= 1),
	hash       bytea NOT NULL CHECK (length(hash) = 32),
	signed_at  timestamptz NOT NULL,
	public_key bytea NOT NULL CHECK (length(public_key) = 32),
	signature  bytea NOT NULL CHECK (length(signature) = 64),
	PRIMARY KEY (chain, seq)
);

-- The heads no checkpoint names yet.
CREATE FUNCTION audit.unsigned_heads() RETURNS TABLE (chain uuid, seq bigint, hash bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT h.chain, h.seq, h.hash FROM audit.heads h
	WHERE h.seq > 0 AND NOT EXISTS (SELECT 1 FROM audit.checkpoints c
					WHERE c.chain = h.chain AND c.seq = h.seq)
$$;

-- A checkpoint of a head that is one: the link at seq must have that hash.
CREATE FUNCTION audit.add_checkpoint(c uuid, s bigint, h bytea, at timestamptz, k bytea,
				     sig bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM audit.links l WHERE l.chain = c AND l.seq = s AND l.hash = h)
	THEN
		RAISE EXCEPTION 'no link % of chain % with that hash', s, c;
	END IF;
	INSERT INTO audit.checkpoints VALUES (c, s, h, at, k, sig) ON CONFLICT DO NOTHING;
END $$;

-- The application writes events and reads the log; it never changes or removes a row.
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges) VALUES
	('audit', 'events', 'SELECT, INSERT'),
	('audit', 'links', 'SELECT'),
	('audit', 'heads', 'SELECT'),
	('audit', 'checkpoints', 'SELECT'),
	('audit', 'pending', ''); -- the sequencer's (SECURITY DEFINER) alone

-- A tenant's chain is read in its scope, the platform chain in platform scope. Platform
-- events may be written from any scope: a failed login has none, and users (platform
-- objects) change their own profiles from a tenant's.
-- Not forced: the sequencer and the owner's tools read every chain.
ALTER TABLE audit.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_read ON audit.events FOR SELECT
	USING ((SELECT iam.ctx_platform()) OR tenant_id = (SELECT iam.ctx_tenant()));
-- A tenant's chain takes events from its scope, from platform scope, and from its members
-- (a member makes a TENANT key of it outside its scope; an invitee joining is one by
-- then). CASE fixes the order: a platform event needs no scope at all
-- (iam.ctx_platform() raises when none is set).
CREATE POLICY events_insert ON audit.events FOR INSERT
	WITH CHECK (CASE WHEN tenant_id IS NULL THEN true
		    ELSE coalesce(tenant_id = (SELECT iam.ctx_tenant()), false)
			 OR (SELECT iam.ctx_platform()) OR iam.principal_is_member(tenant_id) END);
ALTER TABLE audit.links ENABLE ROW LEVEL SECURITY;
CREATE POLICY links_read ON audit.links FOR SELECT
	USING ((SELECT iam.ctx_platform()) OR chain = (SELECT iam.ctx_tenant()));
ALTER TABLE audit.checkpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY checkpoints_read ON audit.checkpoints FOR SELECT
	USING ((SELECT iam.ctx_platform()) OR chain = (SELECT iam.ctx_tenant()));
ALTER TABLE audit.heads ENABLE ROW LEVEL SECURITY;
CREATE POLICY heads_read ON audit.heads FOR SELECT
	USING ((SELECT iam.ctx_platform()) OR chain = (SELECT iam.ctx_tenant()));
