-- Identity and access: tenants, users, the permission catalogue, roles, role assignments
-- and refresh tokens. Applied by `vs-admin migrate` as the owner role, in one transaction.

CREATE SCHEMA iam;

CREATE TABLE iam.tenants (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	slug        text NOT NULL CHECK (slug ~ '^[a-z0-9-]{3,50}$'),
	description text CHECK (length(description) <= 1000),
	is_active   boolean NOT NULL DEFAULT true,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_name_key ON iam.tenants (lower(name));
CREATE UNIQUE INDEX tenants_slug_key ON iam.tenants (slug);

CREATE TABLE iam.users (
	id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email         text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
	password_hash text NOT NULL,
	first_name    text CHECK (length(first_name) <= 100),
	last_name     text CHECK (length(last_name) <= 100),
	is_active     boolean NOT NULL DEFAULT true,
	is_superuser  boolean NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON iam.users (email);

CREATE TABLE iam.permissions (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z_]+:[a-z_]+$'),
	name        text NOT NULL,
	description text NOT NULL,
	module      text NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now()
);

-- tenant_id NULL: a global role, usable in every tenant (the seeded system roles).
CREATE TABLE iam.roles (
	id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	tenant_id      uuid REFERENCES iam.tenants (id) ON DELETE CASCADE,
	name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	description    text CHECK (length(description) <= 1000),
	is_system_role boolean NOT NULL DEFAULT false,
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	CHECK (NOT is_system_role OR tenant_id IS NULL),
	UNIQUE NULLS NOT DISTINCT (tenant_id, name),
	UNIQUE (tenant_id, id)
);

CREATE TABLE iam.role_permissions (
	role_id       uuid NOT NULL REFERENCES iam.roles (id) ON DELETE CASCADE,
	permission_id uuid NOT NULL REFERENCES iam.permissions (id) ON DELETE CASCADE,
	PRIMARY KEY (role_id, permission_id)
);

-- Membership: a user is a member of a tenant while it holds a role there. Deleting a role
-- that is still assigned fails (NO ACTION), except when its tenant goes with it.
CREATE TABLE iam.user_tenant_roles (
	tenant_id  uuid NOT NULL REFERENCES iam.tenants (id) ON DELETE CASCADE,
	user_id    uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
	role_id    uuid NOT NULL REFERENCES iam.roles (id),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, user_id, role_id)
);
CREATE INDEX user_tenant_roles_user_idx ON iam.user_tenant_roles (user_id);
CREATE INDEX user_tenant_roles_role_idx ON iam.user_tenant_roles (role_id);

-- Opaque refresh tokens, stored as SHA-256. A family is one login; rotation adds a token
-- to it, and presenting a rotated token revokes the whole family.
CREATE TABLE iam.refresh_tokens (
	id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	family_id  uuid NOT NULL,
	user_id    uuid NOT NULL REFERENCES iam.users (id) ON DELETE CASCADE,
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	expires_at timestamptz NOT NULL,
	rotated_at timestamptz,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON iam.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON iam.refresh_tokens (user_id);

-- The permission catalogue (API.md §4). `code` is the stable identifier.
INSERT INTO iam.permissions (code, name, description, module)
SELECT code, name, description, split_part(code, ':', 1)
FROM (VALUES
	('user:read', 'Read users', 'List and view users'),
	('user:create', 'Create users', 'Create users'),
	('user:update', 'Update users', 'Change users'),
	('user:delete', 'Delete users', 'Delete users or remove them from a tenant'),
	('tenant:read', 'Read tenants', 'View tenants'),
	('tenant:create', 'Create tenants', 'Create tenants'),
	('tenant:update', 'Update tenants', 'Change tenants'),
	('tenant:delete', 'Delete tenants', 'Delete tenants'),
	('tenant:view_users', 'View tenant users', 'List the users of a tenant'),
	('tenant:manage_invitations', 'Manage invitations', 'Invite users to a tenant'),
	('api_key:read', 'Read API keys', 'List and view API keys'),
	('api_key:create', 'Create API keys', 'Create API keys'),
	('api_key:update', 'Update API keys', 'Change and rotate API keys'),
	('api_key:delete', 'Delete API keys', 'Delete API keys'),
	('role:read', 'Read roles', 'List and view roles'),
	('role:create', 'Create roles', 'Create roles'),
	('role:update', 'Update roles', 'Change roles'),
	('role:delete', 'Delete roles', 'Delete roles'),
	('role:assign', 'Assign roles', 'Grant permissions to roles'),
	('role:assign_users', 'Assign roles to users', 'Give roles to users in a tenant'),
	('permission:read', 'Read permissions', 'List permissions'),
	('permission:assign', 'Assign permissions', 'Add permissions to roles'),
	('vm:read', 'Read VMs', 'List and view virtual machines'),
	('vm:create', 'Create VMs', 'Create virtual machines'),
	('vm:update', 'Update VMs', 'Change virtual machines'),
	('vm:delete', 'Delete VMs', 'Delete virtual machines'),
	('vm:start', 'Start VMs', 'Start virtual machines'),
	('vm:stop', 'Stop VMs', 'Stop virtual machines'),
	('vm:restart', 'Restart VMs', 'Restart virtual machines'),
	('template:read', 'Read templates', 'List and view VM templates'),
	('template:create', 'Create templates', 'Create VM templates'),
	('template:update', 'Update templates', 'Change VM templates'),
	('template:delete', 'Delete templates', 'Delete VM templates'),
	('audit:read', 'Read audit log', 'Read the audit log'),
	('job:read', 'Read jobs', 'List and view background jobs'),
	('billing:read', 'Read billing', 'View usage and billing records'),
	('billing:manage', 'Manage billing', 'Change billing records and rates'),
	('ticket:read', 'Read tickets', 'List and view support tickets'),
	('ticket:create', 'Create tickets', 'Open support tickets'),
	('webhook:manage', 'Manage webhooks', 'Create, change and delete webhooks'),
	('broadcast:manage', 'Manage broadcasts', 'Publish platform-wide broadcasts')
) AS p (code, name, description);

INSERT INTO iam.roles (name, description, is_system_role) VALUES
	('Tenant Admin', 'Every tenant-level permission', true),
	('Member', 'Read access, own API keys and VM operations', true),
	('Viewer', 'Read-only access', true);

-- Tenant Admin: everything that acts inside one tenant; creating or deleting tenants and
-- platform broadcasts stay with superusers.
INSERT INTO iam.role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM iam.roles r, iam.permissions p
WHERE r.name = 'Tenant Admin' AND r.tenant_id IS NULL
  AND p.code NOT IN ('tenant:create', 'tenant:delete', 'broadcast:manage');

INSERT INTO iam.role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM iam.roles r, iam.permissions p
WHERE r.name = 'Member' AND r.tenant_id IS NULL
  AND p.code IN ('user:read', 'tenant:read', 'role:read', 'permission:read',
		 'api_key:read', 'api_key:create', 'api_key:update', 'api_key:delete',
		 'vm:read', 'vm:start', 'vm:stop', 'vm:restart', 'template:read',
		 'job:read', 'ticket:read', 'ticket:create');

INSERT INTO iam.role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM iam.roles r, iam.permissions p
WHERE r.name = 'Viewer' AND r.tenant_id IS NULL
  AND p.code IN ('user:read', 'tenant:read', 'role:read', 'permission:read',
		 'vm:read', 'template:read', 'job:read', 'ticket:read');
