-- One name for the roles users hold in tenants, from the API to the table: assignments
-- (routes /tenants/{tenant_id}/users/{user_id}/roles and /roles/{role_id}/users, the
-- assignments module, its repository). Only names change; no row moves.

ALTER TABLE iam.user_tenant_roles RENAME TO assignments;

-- Every index and constraint named after the table keeps the table's new name.
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT conname FROM pg_constraint
		 WHERE conrelid = 'iam.assignments'::regclass AND conname LIKE 'user\_tenant\_roles%'
	LOOP
		EXECUTE format('ALTER TABLE iam.assignments RENAME CONSTRAINT %I TO %I', c.conname,
			       replace(c.conname, 'user_tenant_roles', 'assignments'));
	END LOOP;
	FOR c IN SELECT indexname FROM pg_indexes
		 WHERE schemaname = 'iam' AND tablename = 'assignments'
		   AND indexname LIKE 'user\_tenant\_roles%'
	LOOP
		EXECUTE format('ALTER INDEX iam.%I RENAME TO %I', c.indexname,
			       replace(c.indexname, 'user_tenant_roles', 'assignments'));
	END LOOP;
END
$$;

ALTER POLICY memberships_read ON iam.assignments RENAME TO assignments_read;
ALTER POLICY memberships_insert ON iam.assignments RENAME TO assignments_insert;
ALTER POLICY memberships_delete ON iam.assignments RENAME TO assignments_delete;
ALTER TRIGGER user_tenant_roles_authz_change ON iam.assignments RENAME TO assignments_authz_change;

-- SQL functions keep their text: the one that reads the table by name is written anew.
CREATE OR REPLACE FUNCTION iam.principal_is_member(tenant uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM iam.assignments m
		WHERE m.tenant_id = tenant
		  AND m.user_id = nullif(current_setting('vs.user_id', true), '')::uuid)
$$;
