-- API keys, and each tenant's time zone (for keys that expire "at the end of a day").

ALTER TABLE iam.tenants ADD COLUMN timezone text NOT NULL DEFAULT 'UTC'
	CHECK (length(timezone) BETWEEN 1 AND 64);

-- Stored: the public id (key_prefix) and the SHA-256 of the whole key, never the key.
-- tenant_id NULL: a GLOBAL key; otherwise it works only in that tenant.
CREATE TABLE iam.api_keys (
	id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id      uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
	tenant_id    uuid REFERENCES iam.tenants (id) ON DELETE CASCADE,
	name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	description  text CHECK (length(description) <= 1000),
	key_prefix   text NOT NULL UNIQUE CHECK (key_prefix ~ '^[0-9A-Za-z]{12}$'),
	key_hash     bytea NOT NULL CHECK (length(key_hash) = 32),
	scopes       text[] NOT NULL DEFAULT '{}',
	is_active    boolean NOT NULL DEFAULT true,
	expires_at   timestamptz,
	last_used_at timestamptz,
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user_idx ON iam.api_keys (user_id);
CREATE INDEX api_keys_tenant_idx ON iam.api_keys (tenant_id);

-- A key is visible to its owner, in platform scope, and in the "key scope" of a check,
-- which names exactly the key presented (vs.key_prefix, see 002): nothing else.
CREATE FUNCTION iam.enter_key_scope(prefix text) RETURNS void LANGUAGE sql VOLATILE AS $$
	SELECT set_config('vs.tenant_id', '', true), set_config('vs.user_id', '', true),
	       set_config('vs.platform', '', true), set_config('vs.key_prefix', prefix, true);
$$;

ALTER TABLE iam.api_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_read ON iam.api_keys FOR SELECT
	USING (CASE WHEN iam.ctx_platform() THEN true
		ELSE coalesce(user_id = iam.ctx_user() OR key_prefix = iam.ctx_key_prefix(), false)
	END);
CREATE POLICY api_keys_write ON iam.api_keys FOR ALL
	USING (CASE WHEN iam.ctx_platform() THEN true ELSE coalesce(user_id = iam.ctx_user(), false) END)
	WITH CHECK (CASE WHEN iam.ctx_platform() THEN true
		ELSE coalesce(user_id = iam.ctx_user(), false) END);

-- Workers cache verified keys and users: any change to a key, a user (deactivation) or a
-- tenant tells every worker from the same transaction. The payload is the key prefix
-- when one key changed, else empty (drop everything).
CREATE FUNCTION iam.notify_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'api_keys' AND TG_OP <> 'TRUNCATE' THEN
		PERFORM pg_notify('vs_keys', coalesce(NEW.key_prefix, OLD.key_prefix));
	ELSE
		PERFORM pg_notify('vs_keys', '');
	END IF;
	RETURN NULL;
END $$;

-- Inserts too: a worker may hold the new key's id as "recently rejected".
CREATE TRIGGER api_keys_key_added_or_removed AFTER INSERT OR DELETE
	ON iam.api_keys FOR EACH ROW EXECUTE FUNCTION iam.notify_key_change();
-- last_used_at is bookkeeping: writing it must not empty every worker's cache.
CREATE TRIGGER api_keys_key_changed AFTER UPDATE ON iam.api_keys FOR EACH ROW
	WHEN ((OLD.user_id, OLD.tenant_id, OLD.key_hash, OLD.scopes, OLD.is_active, OLD.expires_at)
	      IS DISTINCT FROM
	      (NEW.user_id, NEW.tenant_id, NEW.key_hash, NEW.scopes, NEW.is_active, NEW.expires_at))
	EXECUTE FUNCTION iam.notify_key_change();
CREATE TRIGGER users_key_change AFTER UPDATE OR DELETE
	ON iam.users FOR EACH STATEMENT EXECUTE FUNCTION iam.notify_key_change();
CREATE TRIGGER tenants_key_change AFTER UPDATE OR DELETE
	ON iam.tenants FOR EACH STATEMENT EXECUTE FUNCTION iam.notify_key_change();

-- Two narrow operations that cross owners, as the schema owner in platform scope for the
-- one statement (restored before returning): who owns a key (so another user's key is a
-- 403, not a 404), and the batched last_used_at of the keys a worker saw used.
CREATE FUNCTION iam.api_key_owner(key_id uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
	owner uuid;
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	SELECT user_id INTO owner FROM iam.api_keys WHERE id = key_id;
	PERFORM set_config('vs.platform', saved, true);
	RETURN owner;
END $$;

CREATE FUNCTION iam.touch_api_keys(ids uuid[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('vs.platform', 'on', true);
	UPDATE iam.api_keys SET last_used_at = now() WHERE id = ANY (ids);
	PERFORM set_config('vs.platform', saved, true);
END $$;

REVOKE ALL ON FUNCTION iam.api_key_owner(uuid), iam.touch_api_keys(uuid[]) FROM PUBLIC;
