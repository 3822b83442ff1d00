#!/usr/bin/env bash
# Creates VirtualStack's roles and database in a new PostgreSQL cluster: docker-compose.yml
# mounts it into the postgres image's /docker-entrypoint-initdb.d, which runs it once, when
# the data volume is empty (later password changes: ALTER ROLE by hand, or a new volume).
#
# Environment: VS_DB_OWNER_PASSWORD, VS_DB_APP_PASSWORD (required); POSTGRES_USER (the
# superuser, default postgres); VS_DB_BOOTSTRAP_SQL (default: lib/db-bootstrap.sql next to
# this script); libpq's PGHOST/PGPORT. The SQL is the one scripts/stack runs.
#
# The postgres image sources a non-executable *.sh instead of running it: everything
# happens in a subshell, so that nothing here changes the image's own shell.
(
	set -euo pipefail
	sql=${VS_DB_BOOTSTRAP_SQL:-$(dirname -- "${BASH_SOURCE[0]}")/lib/db-bootstrap.sql}
	[[ -n ${VS_DB_OWNER_PASSWORD:-} ]] || { echo "compose-db-init: VS_DB_OWNER_PASSWORD is not set" >&2; exit 1; }
	[[ -n ${VS_DB_APP_PASSWORD:-} ]] || { echo "compose-db-init: VS_DB_APP_PASSWORD is not set" >&2; exit 1; }
	[[ -r $sql ]] || { echo "compose-db-init: $sql not found (set VS_DB_BOOTSTRAP_SQL)" >&2; exit 1; }
	echo "compose-db-init: creating the roles vs_owner, vs_app and the database virtualstack" >&2
	# Passwords through \getenv: never on a command line.
	{
		printf '\\getenv owner_password VS_DB_OWNER_PASSWORD\n'
		printf '\\getenv app_password VS_DB_APP_PASSWORD\n'
		cat -- "$sql"
	} | psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
		-v owner=vs_owner -v app=vs_app -v db=virtualstack >/dev/null
)
