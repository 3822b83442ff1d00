-- The platform-wide lists of tenants and users read these in order, and a page that starts
-- after a cursor (keyset pagination) starts at its place in them: the cost of a page no
-- longer grows with the table (issue 22). Jobs and invitations have theirs since 011/013.
CREATE INDEX tenants_list_idx ON iam.tenants (created_at, id);
CREATE INDEX users_list_idx ON iam.users (created_at, id);

-- The read policies of the two, with their scope checks as sub-selects (InitPlans, run
-- once per statement, as sql/014 and sql/015 did for jobs and roles): written as calls,
-- the platform check cost 20 µs for every row read, 2 s for a count of 100,000 tenants.
ALTER POLICY tenants_read ON iam.tenants
	USING (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(id = (SELECT iam.ctx_tenant()), false)
	       END
	       OR iam.principal_is_member(id));
ALTER POLICY invitations_read ON iam.invitations
	USING (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(tenant_id = (SELECT iam.ctx_tenant()), false) END);

-- Platform-wide totals, for the X-Total-Count of the first page of every tenant and every
-- user, kept as the limits' counters are (sql/015): counting 100,000 tenants cost 20 ms a
-- page. Their scope is one no principal or tenant has, so only platform scope reads them.
CREATE FUNCTION iam.count_platform_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM iam.usage_change(TG_ARGV[0], 'ffffffff-ffff-ffff-ffff-ffffffffffff',
				 (SELECT count(*)::integer * CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END
				  FROM changed));
	RETURN NULL;
END $$;
CREATE TRIGGER tenants_counted_insert AFTER INSERT ON iam.tenants
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_platform_rows('tenants');
CREATE TRIGGER tenants_counted_delete AFTER DELETE ON iam.tenants
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_platform_rows('tenants');
CREATE TRIGGER users_counted_insert AFTER INSERT ON iam.users
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_platform_rows('users');
CREATE TRIGGER users_counted_delete AFTER DELETE ON iam.users
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_platform_rows('users');

SELECT iam.enter_scope(NULL, NULL, true);
INSERT INTO iam.usage (kind, scope, n)
SELECT 'tenants', 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid, count(*) FROM iam.tenants
UNION ALL
SELECT 'users', 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid, count(*) FROM iam.users;
