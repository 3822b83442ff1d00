-- Growth with limits. A probe created 5,296 roles in one tenant in a minute; GET /roles
-- then cost 78 ms of worker time (7 ms at 5 roles) and ?skip=5000 243 ms. Two changes:
--
-- 1. Per-scope limits, kept by the database: iam.usage counts what each tenant (or user)
--    holds, and the statement that would go over iam.limits fails with SQLSTATE VSQ01
--    (the API's 409 quota-exceeded, naming the limit). Counting happens in statement
--    triggers of the owner's, so no write path (API, vs-admin, a job) can go around it,
--    and the counter row's lock serializes concurrent adds to one scope only: two
--    requests cannot both take the last slot, other tenants do not wait.
-- 2. The role list costs what one page costs: the counters give X-Total-Count, an index
--    in list order gives the page (a merge of the global roles and the tenant's, each
--    read in order up to skip + limit rows), and the read policy checks the scope once
--    per statement (InitPlans, as sql/005 and sql/014 did) instead of per row.

-- ---------------------------------------------------------------- limits

-- A limit's default (scope NULL) and per-scope overrides: a tenant's id for the
-- *_per_tenant kinds, a user's id for the *_per_user ones.
CREATE TABLE iam.limits (
	kind      text NOT NULL CHECK (kind IN ('roles_per_tenant', 'members_per_tenant',
						'api_keys_per_user')),
	scope     uuid,
	max_count integer NOT NULL CHECK (max_count >= 0),
	UNIQUE NULLS NOT DISTINCT (kind, scope)
);
INSERT INTO iam.limits (kind, max_count) VALUES
	('roles_per_tenant', 1000),
	('members_per_tenant', 10000),
	('api_keys_per_user', 100);

-- What each scope holds now. Global roles count in the nil scope. Rows of a deleted
-- tenant or user go with it (below); a scope nobody has counted yet has no row.
CREATE TABLE iam.usage (
	kind  text NOT NULL,
	scope uuid NOT NULL,
	n     integer NOT NULL CHECK (n >= 0),
	PRIMARY KEY (kind, scope)
);

-- The application reads both (limits for vs-admin's list, usage for list totals); only
-- the owner's triggers and tools write them.
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges)
VALUES ('iam', 'limits', 'SELECT'), ('iam', 'usage', 'SELECT');

-- A scope's counts are visible where its rows are: the tenant in context (and the nil
-- scope of the global roles), the principal's own, or everything in platform scope.
ALTER TABLE iam.usage ENABLE ROW LEVEL SECURITY;
CREATE POLICY usage_read ON iam.usage FOR SELECT
	USING ((SELECT iam.ctx_platform())
	       OR scope = '00000000-0000-0000-0000-000000000000'
	       OR scope = (SELECT iam.ctx_tenant()) OR scope = (SELECT iam.ctx_user()));

CREATE FUNCTION iam.limit_of(kind text, scope uuid) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT l.max_count FROM iam.limits l
	WHERE l.kind = limit_of.kind AND (l.scope = limit_of.scope OR l.scope IS NULL)
	ORDER BY l.scope NULLS LAST LIMIT 1
$$;

-- Adds delta to a scope's count (delta 0 only takes the counter's lock) and refuses, for
-- the whole statement, an add that goes over the limit.
CREATE FUNCTION iam.usage_change(kind text, scope uuid, delta integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
	used integer;
	cap integer;
BEGIN
	IF delta < 0 THEN
		UPDATE iam.usage u SET n = greatest(u.n + delta, 0)
		WHERE u.kind = usage_change.kind AND u.scope = usage_change.scope;
		RETURN;
	END IF;
	INSERT INTO iam.usage AS u (kind, scope, n) VALUES (usage_change.kind, usage_change.scope, delta)
	ON CONFLICT (kind, scope) DO UPDATE SET n = u.n + excluded.n
	RETURNING u.n INTO used;
	cap := iam.limit_of(kind, scope);
	IF delta > 0 AND used > cap THEN
		RAISE EXCEPTION 'limit % reached: at most %', kind, cap
			USING ERRCODE = 'VSQ01', DETAIL = kind, HINT = cap::text;
	END IF;
END $$;

-- Rows counted per the scope in one of their columns: TG_ARGV = (limit, column).
CREATE FUNCTION iam.count_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	EXECUTE format('SELECT iam.usage_change(%L, c.scope, %s c.n) FROM (SELECT %I AS scope, '
		       'count(*)::integer AS n FROM changed GROUP BY 1 ORDER BY 1) c',
		       TG_ARGV[0], CASE WHEN TG_OP = 'INSERT' THEN '' ELSE '-' END, TG_ARGV[1]);
	RETURN NULL;
END $$;

-- Roles, per scope_tenant (nil for global ones); API keys, per owner.
CREATE TRIGGER roles_counted_insert AFTER INSERT ON iam.roles
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_rows('roles_per_tenant', 'scope_tenant');
CREATE TRIGGER roles_counted_delete AFTER DELETE ON iam.roles
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_rows('roles_per_tenant', 'scope_tenant');
CREATE TRIGGER api_keys_counted_insert AFTER INSERT ON iam.api_keys
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_rows('api_keys_per_user', 'user_id');
CREATE TRIGGER api_keys_counted_delete AFTER DELETE ON iam.api_keys
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION iam.count_rows('api_keys_per_user', 'user_id');

-- Members: a user is one while it holds a role in the tenant, so only a first role
-- makes one and only the last one's removal ends one. The counter's lock is taken
-- before looking, and each look is a new statement that sees what the transaction that
-- held the lock committed: two first roles of one user added at once count once.
CREATE FUNCTION iam.count_members() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t uuid;
	n integer;
BEGIN
	FOR t IN SELECT DISTINCT tenant_id FROM changed ORDER BY tenant_id LOOP
		PERFORM iam.usage_change('members_per_tenant', t, 0);
		SELECT count(*) INTO n FROM (SELECT DISTINCT user_id FROM changed WHERE tenant_id = t) p
		WHERE NOT EXISTS (SELECT 1 FROM iam.assignments a
				  WHERE a.tenant_id = t AND a.user_id = p.user_id
				    AND a.role_id NOT IN (SELECT c.role_id FROM changed c
							  WHERE c.tenant_id = t AND c.user_id = p.user_id));
		IF n > 0 THEN
			PERFORM iam.usage_change('members_per_tenant', t,
						 CASE WHEN TG_OP = 'INSERT' THEN n ELSE -n END);
		END IF;
	END LOOP;
	RETURN NULL;
END $$;
CREATE TRIGGER assignments_counted_insert AFTER INSERT ON iam.assignments
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION iam.count_members();
CREATE TRIGGER assignments_counted_delete AFTER DELETE ON iam.assignments
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION iam.count_members();

-- A deleted tenant or user takes its counts and overrides with it.
CREATE FUNCTION iam.forget_scope() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	DELETE FROM iam.usage u USING changed c WHERE u.scope = c.id;
	DELETE FROM iam.limits l USING changed c WHERE l.scope = c.id;
	RETURN NULL;
END $$;
CREATE TRIGGER tenants_forget_scope AFTER DELETE ON iam.tenants
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION iam.forget_scope();
CREATE TRIGGER users_forget_scope AFTER DELETE ON iam.users
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION iam.forget_scope();

-- What exists now, read in operator scope (the tables' policies hold for the owner too).
SELECT iam.enter_scope(NULL, NULL, true);
INSERT INTO iam.usage (kind, scope, n)
SELECT 'roles_per_tenant', scope_tenant, count(*) FROM iam.roles GROUP BY scope_tenant
UNION ALL
SELECT 'api_keys_per_user', user_id, count(*) FROM iam.api_keys GROUP BY user_id
UNION ALL
SELECT 'members_per_tenant', tenant_id, count(DISTINCT user_id) FROM iam.assignments
GROUP BY tenant_id;

-- ---------------------------------------------------------------- the role list

-- List order within a scope: system roles first, then by name.
CREATE INDEX roles_list_idx ON iam.roles (scope_tenant, is_system_role DESC, name, id);

-- iam.row_visible(tenant_id) written out with its scope checks as sub-selects.
ALTER POLICY roles_read ON iam.roles
	USING (CASE WHEN (SELECT iam.ctx_platform()) THEN true
		ELSE coalesce(tenant_id IS NULL OR tenant_id = (SELECT iam.ctx_tenant()), false)
	       END
	       OR iam.principal_is_member(tenant_id));
