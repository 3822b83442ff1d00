-- VirtualStack's roles and database, run by a PostgreSQL superuser with psql:
--   psql -v owner=vs_owner -v app=vs_app -v db=virtualstack -f db-bootstrap.sql
-- Used by scripts/stack (pg_bootstrap, at every "up") and scripts/compose-db-init.sh (once,
-- on a new compose volume). Idempotent: ALTER ROLE also repairs drift.
-- The owner role owns the database and runs the migrations; the application role owns
-- nothing, is never superuser and never bypasses row-level security (SECURITY.md).
-- Optional psql variables owner_password / app_password set the roles' passwords (the
-- local stack's cluster uses socket-only trust authentication and sets none).
SELECT format('CREATE ROLE %I', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner')
\gexec
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SELECT format('CREATE ROLE %I', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app')
\gexec
ALTER ROLE :"app" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', :'db', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
\gexec
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
\if :{?owner_password}
ALTER ROLE :"owner" PASSWORD :'owner_password';
\endif
\if :{?app_password}
ALTER ROLE :"app" PASSWORD :'app_password';
\endif
