-- One notification per statement that adds or deletes API keys, not one per key.

-- Row triggers sent every worker a notification per key: 5000 for each statement of a
-- bulk insert (vs-admin create-api-keys), as many as a deleted user or tenant had keys.
-- Each worker then read them all at its next request. Now a statement that touches one
-- key still names it (the worker forgets just that key); more keys send one
-- notification: '+' after an insert (a new key can only be among a worker's recently
-- rejected ids, so it forgets those) and '' after a delete (it forgets everything).
-- Updates keep their row trigger: it fires only for the columns a check reads, and the
-- API changes one key at a time.
-- TG_ARGV[0]: the payload when the statement changed more than one key.
CREATE FUNCTION iam.notify_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	prefix text;
BEGIN
	SELECT count(*), min(key_prefix) INTO n, prefix FROM changed;
	IF n > 0 THEN
		PERFORM pg_notify('vs_keys', CASE WHEN n = 1 THEN prefix ELSE TG_ARGV[0] END);
	END IF;
	RETURN NULL;
END $$;

DROP TRIGGER api_keys_key_added_or_removed ON iam.api_keys;
CREATE TRIGGER api_keys_added AFTER INSERT ON iam.api_keys
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.notify_keys_changed('+');
CREATE TRIGGER api_keys_removed AFTER DELETE ON iam.api_keys
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.notify_keys_changed('');
