-- The application role's privileges are no longer spelled out per schema in vs-admin:
-- it gets every schema the owner made, and a migration that restricts a table says so
-- here (vs-admin migrate applies it after the migrations). The catalogue of permissions
-- is read-only for the application, as before.
INSERT INTO vs_meta.app_privileges (schema_name, table_name, privileges)
VALUES ('iam', 'permissions', 'SELECT');
