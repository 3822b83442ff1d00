-- Cheaper cold key checks.

-- The worker now sets the key scope's four settings in its own prepared statement (see
-- lookup in lib/adapters/pg/pg_api_keys.c): a call of this SQL function cost the backend
-- about 20 µs more per lookup than the settings themselves.
DROP FUNCTION iam.enter_key_scope(text);

-- last_used_at is bookkeeping, written in batches after a worker has answered: its commit
-- need not wait for the WAL to reach disk. A crash can lose the last batch's timestamps,
-- nothing else: the function's statement is its transaction's only one.
CREATE OR REPLACE FUNCTION iam.touch_api_keys(ids uuid[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	saved text := coalesce(current_setting('vs.platform', true), '');
BEGIN
	PERFORM set_config('synchronous_commit', 'off', true);
	PERFORM set_config('vs.platform', 'on', true);
	UPDATE iam.api_keys SET last_used_at = now() WHERE id = ANY (ids);
	PERFORM set_config('vs.platform', saved, true);
END $$;
