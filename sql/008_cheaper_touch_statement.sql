-- A cheaper fixed cost for each batched last_used_at write (iam.touch_api_keys).

-- The policies' platform check, iam.platform_verified(), ran four times per touch
-- statement as a SQL function, whose query is planned again at every call. As plpgsql
-- its plans are kept for the session. Same test, same answer. (The workers' sessions
-- already use generic plans, pg.c, so the touch's own UPDATE is planned once.)
-- pgbench with the workers' plan_cache_mode, one key per call: 0.53-0.70 ms before,
-- 0.30-0.38 ms after; 64 keys: 1.18-1.29 ms before, 0.80-1.03 ms after.
CREATE OR REPLACE FUNCTION iam.platform_verified() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (iam.ctx_tenant() IS NULL AND EXISTS (SELECT 1 FROM iam.users
			WHERE id = iam.ctx_user() AND is_superuser AND is_active))
		OR pg_has_role(current_user, (SELECT relowner FROM pg_class
			WHERE oid = 'iam.tenants'::regclass), 'USAGE');
END $$;
