-- Invitations into a tenant (API.md §5 "Invitations", §7): an e-mail address, the role it
-- will hold there, and a token shown once. The token is made from the invitation's id, a
-- random nonce and an HMAC under a key derived from the JWT secret (lib/invitations/
-- domain.h); stored are the nonce, so that the e-mail job can make the current token again
-- without it ever being in a job row or a log, and SHA-256 of the token for the lookup —
-- never the token. A resend draws a new nonce, so the old token stops working.
--
-- status: 'pending' until accepted or revoked. An invitation past expires_at is shown as
-- "expired" while its row still says 'pending'; the row is set to 'expired' only when a new
-- invitation for the same address needs the one pending place (below).

CREATE TABLE iam.invitations (
	id          uuid PRIMARY KEY, -- chosen by the application: the token carries it
	tenant_id   uuid NOT NULL REFERENCES iam.tenants (id) ON DELETE CASCADE,
	email       text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
	role_id     uuid NOT NULL,
	role_scope  uuid NOT NULL,
	status      text NOT NULL DEFAULT 'pending'
	            CHECK (status IN ('pending', 'accepted', 'expired', 'revoked')),
	inviter_id  uuid REFERENCES iam.users (id) ON DELETE SET NULL,
	user_id     uuid REFERENCES iam.users (id) ON DELETE SET NULL,
	token_nonce bytea NOT NULL CHECK (length(token_nonce) = 32),
	token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	expires_at  timestamptz NOT NULL,
	accepted_at timestamptz,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'accepted') = (accepted_at IS NOT NULL)),
	-- The role is global or the tenant's own, as for assignments (sql/002): the composite
	-- key makes the database refuse another tenant's role id. A deleted role takes its
	-- invitations with it (none could be accepted any more).
	CHECK (role_scope = tenant_id OR role_scope = '00000000-0000-0000-0000-000000000000'),
	FOREIGN KEY (role_scope, role_id) REFERENCES iam.roles (scope_tenant, id) ON DELETE CASCADE
);

-- At most one pending invitation per address and tenant.
CREATE UNIQUE INDEX invitations_pending_key ON iam.invitations (tenant_id, lower(email))
	WHERE status = 'pending';
-- The list: a tenant's invitations, newest first.
CREATE INDEX invitations_tenant_created_idx ON iam.invitations (tenant_id, created_at DESC, id DESC);
CREATE INDEX invitations_role_idx ON iam.invitations (role_scope, role_id);
CREATE INDEX invitations_inviter_idx ON iam.invitations (inviter_id);
CREATE INDEX invitations_user_idx ON iam.invitations (user_id);

-- A tenant's invitations are its own: read and written in its scope (or platform scope),
-- never with no scope. Verifying and accepting a token happen in the scope of the tenant
-- the token names, once its HMAC has proven that the server made it.
ALTER TABLE iam.invitations ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_read ON iam.invitations FOR SELECT
	USING (iam.row_writable(tenant_id));
CREATE POLICY invitations_insert ON iam.invitations FOR INSERT
	WITH CHECK (iam.row_writable(tenant_id));
CREATE POLICY invitations_update ON iam.invitations FOR UPDATE
	USING (iam.row_writable(tenant_id)) WITH CHECK (iam.row_writable(tenant_id));

-- The application never deletes an invitation (a tenant or role that goes takes them along).
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges)
VALUES ('iam', 'invitations', 'SELECT, INSERT, UPDATE');
