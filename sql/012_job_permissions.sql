-- job:cancel (API.md §4, §6): POST /jobs/{id}/cancel needs it. sql/001 seeded job:read only.
-- Like every tenant-level permission it joins the system role Tenant Admin; Member and
-- Viewer keep reading jobs and cancel none.

-- Roles and their permissions have forced row-level security (sql/002), which binds the
-- schema owner too: these rows are global, written in platform scope.
SELECT iam.enter_scope(NULL, NULL, true);

INSERT INTO iam.permissions (code, name, description, module)
VALUES ('job:cancel', 'Cancel jobs', 'Cancel background jobs that have not started', 'job');

INSERT INTO iam.role_permissions (role_id, permission_id, role_scope)
SELECT r.id, p.id, r.scope_tenant FROM iam.roles r, iam.permissions p
WHERE r.tenant_id IS NULL AND r.is_system_role AND r.name = 'Tenant Admin'
  AND p.code = 'job:cancel';
