-- Row-level security for tenant data, and composite keys so that a row of one tenant can
-- only point at rows of the same tenant (or at global rows).
--
-- Every transaction of the application declares its scope with iam.enter_scope():
--   vs.tenant_id  the tenant in context ('' for none)
--   vs.user_id    the principal ('' for none): a user always sees its own memberships
--   vs.key_prefix the one API key a key check may read (sql/003_api_keys.sql), else ''
--   vs.platform   'on' for an active superuser working without a tenant in context
--                 (decided here from iam.users) or for the schema owner's tools; sees and
--                 writes everything. A superuser who names a tenant is confined to it.
-- Touching tenant data with no scope at all raises SQLSTATE 42501 instead of returning rows.

-- A global role (tenant_id NULL) is in the nil scope; composite keys use this column.
ALTER TABLE iam.roles
	ADD COLUMN scope_tenant uuid NOT NULL
		GENERATED ALWAYS AS (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000')) STORED,
	ADD CONSTRAINT roles_scope_id_key UNIQUE (scope_tenant, id);

-- role_permissions: the scope of the role, so its rows are filtered like the role.
ALTER TABLE iam.role_permissions ADD COLUMN role_scope uuid;
UPDATE iam.role_permissions rp SET role_scope = r.scope_tenant FROM iam.roles r WHERE r.id = rp.role_id;
ALTER TABLE iam.role_permissions
	ALTER COLUMN role_scope SET NOT NULL,
	DROP CONSTRAINT role_permissions_role_id_fkey,
	ADD CONSTRAINT role_permissions_role_fkey FOREIGN KEY (role_scope, role_id)
		REFERENCES iam.roles (scope_tenant, id) ON DELETE CASCADE;

-- user_tenant_roles: a role held in tenant T is T's own (scope T) or global (scope nil);
-- the composite key makes the database refuse another tenant's role id.
ALTER TABLE iam.user_tenant_roles ADD COLUMN role_scope uuid;
UPDATE iam.user_tenant_roles m SET role_scope = r.scope_tenant FROM iam.roles r WHERE r.id = m.role_id;
ALTER TABLE iam.user_tenant_roles
	ALTER COLUMN role_scope SET NOT NULL,
	ADD CONSTRAINT user_tenant_roles_scope_check
		CHECK (role_scope = tenant_id OR role_scope = '00000000-0000-0000-0000-000000000000'),
	DROP CONSTRAINT user_tenant_roles_role_id_fkey,
	ADD CONSTRAINT user_tenant_roles_role_fkey FOREIGN KEY (role_scope, role_id)
		REFERENCES iam.roles (scope_tenant, id);

-- Member and Viewer may list the users of their tenant.
INSERT INTO iam.role_permissions (role_id, permission_id, role_scope)
SELECT r.id, p.id, r.scope_tenant FROM iam.roles r, iam.permissions p
WHERE r.tenant_id IS NULL AND r.is_system_role AND r.name IN ('Member', 'Viewer')
  AND p.code = 'tenant:view_users'
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- scope

CREATE FUNCTION iam.enter_scope(tenant uuid, principal uuid, operator boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	platform boolean;
BEGIN
	IF operator THEN
		-- Tools of the schema owner (vs-admin) may work across tenants.
		platform := pg_has_role(current_user,
			(SELECT relowner FROM pg_class WHERE oid = 'iam.tenants'::regclass), 'USAGE');
	ELSE
		platform := tenant IS NULL AND principal IS NOT NULL AND EXISTS (
			SELECT 1 FROM iam.users WHERE id = principal AND is_superuser AND is_active);
	END IF;
	PERFORM set_config('vs.tenant_id', coalesce(tenant::text, ''), true);
	PERFORM set_config('vs.user_id', coalesce(principal::text, ''), true);
	PERFORM set_config('vs.platform', CASE WHEN platform THEN 'on' ELSE '' END, true);
	PERFORM set_config('vs.key_prefix', '', true);
END $$;

-- Raised when tenant data is touched with no scope at all: an error, never rows.
CREATE FUNCTION iam.no_scope() RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
	RAISE EXCEPTION 'tenant data touched with no scope set'
		USING ERRCODE = 'insufficient_privilege';
END $$;

-- The policy helpers are single-expression SQL functions so that the planner inlines them
-- (a plpgsql call per row costs several times the row itself). CASE fixes the order of
-- evaluation: iam.no_scope() runs only when no scope is set.
CREATE FUNCTION iam.ctx_tenant() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('vs.tenant_id', true), '')::uuid $$;
CREATE FUNCTION iam.ctx_user() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('vs.user_id', true), '')::uuid $$;
CREATE FUNCTION iam.ctx_key_prefix() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('vs.key_prefix', true), '') $$;
-- Platform scope is honoured only if the database agrees: the principal is an active
-- superuser and no tenant is in context, or the session is the schema owner's. So a
-- worker cannot widen its own scope with set_config.
CREATE FUNCTION iam.platform_verified() RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT (iam.ctx_tenant() IS NULL AND EXISTS (SELECT 1 FROM iam.users
			WHERE id = iam.ctx_user() AND is_superuser AND is_active))
		OR pg_has_role(current_user, (SELECT relowner FROM pg_class
			WHERE oid = 'iam.tenants'::regclass), 'USAGE')
$$;

-- No sub-select here, so the planner inlines it into every policy; the verification
-- above (which has sub-selects and so runs as a call) is reached only in platform scope.
CREATE FUNCTION iam.ctx_platform() RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN current_setting('vs.platform', true) = 'on' THEN iam.platform_verified()
		WHEN iam.ctx_tenant() IS NULL AND iam.ctx_user() IS NULL
		     AND iam.ctx_key_prefix() IS NULL THEN iam.no_scope()
		ELSE false
	END
$$;

-- Read access: global rows (row_tenant NULL) and rows of the tenant in context, or rows
-- of the principal itself (its memberships); everything in platform scope.
CREATE FUNCTION iam.row_visible(row_tenant uuid, row_user uuid DEFAULT NULL)
RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN iam.ctx_platform() THEN true
		ELSE coalesce(row_tenant IS NULL OR row_tenant = iam.ctx_tenant()
			      OR row_user = iam.ctx_user(), false)
	END
$$;

-- Write access: rows of the tenant in context; global rows only in platform scope.
CREATE FUNCTION iam.row_writable(row_tenant uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN iam.ctx_platform() THEN true
		ELSE coalesce(row_tenant = iam.ctx_tenant(), false)
	END
$$;

-- Whether the principal holds a role in tenant: members see their tenants, and the roles
-- and role permissions of them, outside that tenant's scope too (e.g. to list them).
CREATE FUNCTION iam.principal_is_member(tenant uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM iam.user_tenant_roles m
		WHERE m.tenant_id = tenant
		  AND m.user_id = nullif(current_setting('vs.user_id', true), '')::uuid)
$$;

CREATE FUNCTION iam.nil_to_null(scope uuid) RETURNS uuid LANGUAGE sql IMMUTABLE AS
$$ SELECT nullif(scope, '00000000-0000-0000-0000-000000000000'::uuid) $$;

-- ---------------------------------------------------------------- policies

ALTER TABLE iam.tenants ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE iam.roles ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE iam.role_permissions ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE iam.user_tenant_roles ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- A tenant is visible in its own scope and to its members.
CREATE POLICY tenants_read ON iam.tenants FOR SELECT
	USING (iam.row_visible(id) OR iam.principal_is_member(id));
CREATE POLICY tenants_insert ON iam.tenants FOR INSERT WITH CHECK (iam.row_writable(NULL));
CREATE POLICY tenants_update ON iam.tenants FOR UPDATE
	USING (iam.row_writable(id)) WITH CHECK (iam.row_writable(id));
CREATE POLICY tenants_delete ON iam.tenants FOR DELETE USING (iam.row_writable(id));

CREATE POLICY roles_read ON iam.roles FOR SELECT
	USING (iam.row_visible(tenant_id) OR iam.principal_is_member(tenant_id));
CREATE POLICY roles_insert ON iam.roles FOR INSERT WITH CHECK (iam.row_writable(tenant_id));
CREATE POLICY roles_update ON iam.roles FOR UPDATE
	USING (iam.row_writable(tenant_id)) WITH CHECK (iam.row_writable(tenant_id));
CREATE POLICY roles_delete ON iam.roles FOR DELETE USING (iam.row_writable(tenant_id));

CREATE POLICY role_permissions_read ON iam.role_permissions FOR SELECT
	USING (iam.row_visible(iam.nil_to_null(role_scope))
	       OR iam.principal_is_member(iam.nil_to_null(role_scope)));
CREATE POLICY role_permissions_insert ON iam.role_permissions FOR INSERT
	WITH CHECK (iam.row_writable(iam.nil_to_null(role_scope)));
CREATE POLICY role_permissions_delete ON iam.role_permissions FOR DELETE
	USING (iam.row_writable(iam.nil_to_null(role_scope)));

CREATE POLICY memberships_read ON iam.user_tenant_roles FOR SELECT
	USING (iam.row_visible(tenant_id, user_id));
CREATE POLICY memberships_insert ON iam.user_tenant_roles FOR INSERT
	WITH CHECK (iam.row_writable(tenant_id));
CREATE POLICY memberships_delete ON iam.user_tenant_roles FOR DELETE
	USING (iam.row_writable(tenant_id));

-- ---------------------------------------------------------------- change notification

-- Workers cache effective permissions; any change to roles, their permissions or who
-- holds them tells every worker, from the same transaction (delivered on commit). A
-- notification may reach a worker a moment after its next request has begun, so the
-- change also bumps a version that a request's own principal query reads: a cached entry
-- of another version is not used, and a change counts from the very next request.
CREATE TABLE iam.authz_version (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	version   bigint NOT NULL
);
INSERT INTO iam.authz_version (version) VALUES (0);

CREATE FUNCTION iam.notify_authz_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE iam.authz_version SET version = version + 1;
	PERFORM pg_notify('vs_authz', TG_TABLE_NAME);
	RETURN NULL;
END $$;

CREATE TRIGGER roles_authz_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON iam.roles FOR EACH STATEMENT EXECUTE FUNCTION iam.notify_authz_change();
CREATE TRIGGER role_permissions_authz_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON iam.role_permissions FOR EACH STATEMENT EXECUTE FUNCTION iam.notify_authz_change();
CREATE TRIGGER user_tenant_roles_authz_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON iam.user_tenant_roles FOR EACH STATEMENT EXECUTE FUNCTION iam.notify_authz_change();
