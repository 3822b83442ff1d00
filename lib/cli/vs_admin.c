/* vs-admin: what keystone-manage is to Keystone. Migrations, the first superuser, tenants.
 * Configuration from the environment, like the worker. */
#include "adapters/pg/migrate.h"
#include "adapters/pg/pg.h"
#include "app/app.h"
#include "core/log.h"
#include "core/password.h"
#include "core/time.h"
#include "domain/tenant.h"
#include "domain/user.h"
#include "schema_version.h"

#include "core/crypto.h"
#include "domain/api_key.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
	fputs("usage: vs-admin migrate\n"
	      "       vs-admin create-superuser --email EMAIL [--password-stdin]\n"
	      "       vs-admin create-tenant --name NAME --slug SLUG [--description TEXT]\n"
	      "       vs-admin create-api-keys --email EMAIL --count N --out FILE [--scopes a,b]\n"
	      "                                (benchmarks)\n"
	      "environment: VS_DATABASE_URL (required), VS_SQL_DIR (sql), VS_APP_ROLE (vs_app),\n"
	      "             VS_ADMIN_PASSWORD (create-superuser without --password-stdin)\n",
	      to);
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

static int cmd_migrate(const char *url)
{
	char err[1024];
	int applied;
	PGconn *conn = PQconnectdb(url);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "vs-admin: could not connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	enum vs_err rc = vs_migrate(conn, env_or("VS_SQL_DIR", "sql"),
				    env_or("VS_APP_ROLE", "vs_app"), &applied, err, sizeof(err));
	PQfinish(conn);
	if (rc != VS_OK) {
		fprintf(stderr, "vs-admin: migration failed: %s\n", err);
		return 1;
	}
	printf("migrations: %d applied, schema at version %d\n", applied, VS_SCHEMA_VERSION);
	return 0;
}

/* The use cases over a fresh connection, for the commands that create things. */
struct admin_ctx {
	struct vs_pg *pg;
	struct vs_pg_repos *repos;
	struct vs_app app;
	struct vs_arena *arena;
};

static bool admin_open(struct admin_ctx *c, const char *url)
{
	c->pg = vs_pg_new(url, 30000);
	c->repos = vs_pg_repos_new(c->pg, 16, 1, NULL);
	c->app = (struct vs_app){ .repos = vs_pg_repos_ports(c->repos), .now = vs_time_now };
	c->arena = vs_arena_new();
	if (vs_pg_ensure(c->pg) != VS_OK) {
		fprintf(stderr, "vs-admin: could not connect to the database\n");
		return false;
	}
	return true;
}

static void admin_close(struct admin_ctx *c)
{
	vs_arena_free(c->arena);
	vs_pg_repos_free(c->repos);
	vs_pg_free(c->pg);
}

static char *read_password_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int cmd_create_superuser(const char *url, const char *email, bool from_stdin)
{
	char *password = from_stdin ? read_password_line() : NULL;
	const char *pw = from_stdin ? password : getenv("VS_ADMIN_PASSWORD");
	const char *msg;
	int status = 1;

	if (!email || (msg = vs_user_email_check(email, strlen(email)))) {
		fprintf(stderr, "vs-admin: --email %s\n", email ? msg : "is required");
		goto out;
	}
	if (!pw || (msg = vs_user_password_check(pw, strlen(pw)))) {
		fprintf(stderr, "vs-admin: the password %s\n", pw ? msg : "is missing");
		goto out;
	}
	struct admin_ctx c;
	if (admin_open(&c, url)) {
		struct vs_user u;
		struct vs_error e = { 0 };
		enum vs_err rc = vs_users_create_superuser(&c.app, c.arena, email, pw, &u, &e);
		if (rc == VS_OK) {
			char id[VS_UUID_STRLEN + 1];
			vs_uuid_format(&u.id, id);
			printf("created superuser %s (%s)\n", u.email, id);
			status = 0;
		} else if (rc == VS_CONFLICT) {
			printf("user %s exists; left unchanged\n", email);
			status = 0;
		} else {
			fprintf(stderr, "vs-admin: could not create the superuser: %s\n",
				e.detail ? e.detail : vs_err_title(rc));
		}
	}
	admin_close(&c);
out:
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	return status;
}

static int cmd_create_tenant(const char *url, const char *name, const char *slug,
			     const char *description)
{
	const char *msg;
	if (!name || !*name || strlen(name) > 100) {
		fprintf(stderr, "vs-admin: --name is required (1 to 100 characters)\n");
		return 1;
	}
	if (!slug || (msg = vs_tenant_slug_check(slug, strlen(slug)))) {
		fprintf(stderr, "vs-admin: --slug %s\n", slug ? msg : "is required");
		return 1;
	}
	struct admin_ctx c;
	int status = 1;
	if (admin_open(&c, url)) {
		struct vs_principal system = { .authenticated = true, .user.is_superuser = true };
		struct vs_tenant_input in = {
			.name = { .set = true, .p = name, .len = strlen(name) },
			.slug = { .set = true, .p = slug, .len = strlen(slug) },
			.description = { .set = description != NULL, .p = description,
					 .len = description ? strlen(description) : 0 },
		};
		struct vs_tenant t;
		struct vs_error e = { 0 };
		/* Tenant rows are under row-level security: the owner's tool works across
		 * tenants in operator scope. */
		struct vs_scope operator = { .operator = true };
		enum vs_err rc = c.app.repos.tx->ops->begin(c.app.repos.tx, &operator);
		if (rc == VS_OK)
			rc = vs_tenants_create(&c.app, c.arena, &system, &in, &t, &e);
		if (rc == VS_OK)
			rc = c.app.repos.tx->ops->commit(c.app.repos.tx);
		else
			c.app.repos.tx->ops->rollback(c.app.repos.tx);
		if (rc == VS_OK) {
			char id[VS_UUID_STRLEN + 1];
			vs_uuid_format(&t.id, id);
			printf("%s\n", id);
			status = 0;
		} else {
			fprintf(stderr, "vs-admin: could not create the tenant: %s\n",
				e.detail ? e.detail : vs_err_title(rc));
		}
	}
	admin_close(&c);
	return status;
}

/* Whether every code of the comma-separated list is a permission; says which are not. */
static bool known_permissions(PGconn *conn, const char *codes)
{
	const char *params[] = { codes };
	PGresult *r = PQexecParams(conn,
				   "SELECT string_agg(c, ', ') FROM unnest(string_to_array($1, ',')) "
				   "AS c WHERE c NOT IN (SELECT code FROM iam.permissions)",
				   1, NULL, params, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetisnull(r, 0, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "vs-admin: could not read the permissions: %s", PQerrorMessage(conn));
	else if (!ok)
		fprintf(stderr, "vs-admin: --scopes names unknown permissions: %s\n",
			PQgetvalue(r, 0, 0));
	PQclear(r);
	return ok;
}

/* N GLOBAL keys for the user with that email, written one per line to a new 0600 file:
 * the benchmark's cold-cache case needs many real keys. Inserted in batches. */
static int cmd_create_api_keys(const char *url, const char *email, long count, const char *scopes,
			       const char *path)
{
	if (!email || count < 1 || count > 1000000 || !path) {
		fprintf(stderr, "vs-admin: create-api-keys needs --email, --count 1..1000000, --out\n");
		return 2;
	}
	FILE *out = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		fprintf(stderr, "vs-admin: could not create %s: %s\n", path, strerror(errno));
		return 1;
	}
	PGconn *conn = PQconnectdb(url);
	int status = 1;
	const long batch = 5000;
	char *prefixes = malloc((size_t)batch * (VS_API_KEY_PUBLIC_LEN + 3) + 3);
	char *hashes = malloc((size_t)batch * (2 * VS_SHA256_LEN + 3) + 3);
	if (PQstatus(conn) != CONNECTION_OK || !prefixes || !hashes) {
		fprintf(stderr, "vs-admin: could not connect: %s", PQerrorMessage(conn));
		goto out;
	}
	if (scopes && *scopes && !known_permissions(conn, scopes))
		goto out;
	for (long done = 0; done < count;) {
		long n = count - done < batch ? count - done : batch;
		char *p = prefixes, *h = hashes;
		*p++ = '{';
		*h++ = '{';
		for (long i = 0; i < n; i++) {
			char key[VS_API_KEY_LEN + 1];
			uint8_t random[64], digest[VS_SHA256_LEN];
			do
				vs_random_bytes(random, sizeof(random));
			while (!vs_api_key_compose(random, sizeof(random), key));
			vs_sha256(key, VS_API_KEY_LEN, digest);
			fprintf(out, "%s\n", key);
			if (i) {
				*p++ = ',';
				*h++ = ',';
			}
			memcpy(p, key + VS_API_KEY_PREFIX_LEN, VS_API_KEY_PUBLIC_LEN);
			p += VS_API_KEY_PUBLIC_LEN;
			vs_hex_encode(digest, sizeof(digest), h);
			h += 2 * VS_SHA256_LEN;
		}
		strcpy(p, "}");
		strcpy(h, "}");
		const char *params[] = { email, prefixes, hashes, scopes ? scopes : "" };
		/* The schema owner's tool works across users in operator scope. */
		PGresult *r = PQexec(conn, "BEGIN; SELECT iam.enter_scope(NULL, NULL, true)");
		PQclear(r);
		r = PQexecParams(conn,
				 "INSERT INTO iam.api_keys (user_id, name, key_prefix, key_hash, scopes) "
				 "SELECT u.id, 'bench', t.p, decode(t.h, 'hex'), "
				 "coalesce(string_to_array(nullif($4, ''), ','), '{}') "
				 "FROM iam.users u, unnest($2::text[], $3::text[]) AS t (p, h) "
				 "WHERE u.email = lower($1)",
				 4, NULL, params, NULL, NULL, 0);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK && atol(PQcmdTuples(r)) == n;
		if (!ok)
			fprintf(stderr, "vs-admin: could not insert keys: %s", PQerrorMessage(conn));
		PQclear(r);
		r = PQexec(conn, ok ? "COMMIT" : "ROLLBACK");
		PQclear(r);
		if (!ok)
			goto out;
		done += n;
	}
	printf("created %ld keys for %s in %s\n", count, email, path);
	status = 0;
out:
	free(prefixes);
	free(hashes);
	PQfinish(conn);
	fclose(out);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	const char *url = getenv("VS_DATABASE_URL");
	const char *email = NULL, *name = NULL, *slug = NULL, *description = NULL, *out = NULL;
	const char *scopes = NULL;
	long count = 0;
	bool password_stdin = false;
	static const struct option options[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "slug", required_argument, NULL, 's' },
		{ "description", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "scopes", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'e': email = optarg; break;
		case 'p': password_stdin = true; break;
		case 'n': name = optarg; break;
		case 's': slug = optarg; break;
		case 'd': description = optarg; break;
		case 'c': count = atol(optarg); break;
		case 'o': out = optarg; break;
		case 'S': scopes = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (!url || !*url) {
		fprintf(stderr, "vs-admin: VS_DATABASE_URL must be set\n");
		return 2;
	}
	vs_log_set_level(VS_LOG_WARN);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(url);
	if (strcmp(cmd, "create-superuser") == 0)
		return cmd_create_superuser(url, email, password_stdin);
	if (strcmp(cmd, "create-tenant") == 0)
		return cmd_create_tenant(url, name, slug, description);
	if (strcmp(cmd, "create-api-keys") == 0)
		return cmd_create_api_keys(url, email, count, scopes, out);
	fprintf(stderr, "vs-admin: unknown command %s\n", cmd);
	usage(stderr);
	return 2;
}
