/* vs-admin: what keystone-manage is to Keystone. Migrations, the first superuser, tenants,
 * limits, benchmark keys. Configuration from the environment, like the worker; everything goes
 * through the runtime and the use cases, as a request would. */
#include "api_keys/usecases.h"
#include "app/db.h"
#include "core/log.h"
#include "audit/usecases.h"
#include "core/hex.h"
#include "core/time.h"
#include "limits/usecases.h"
#include "runtime/runtime.h"
#include "schema_version.h"
#include "tenants/usecases.h"
#include "users/usecases.h"

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
	      "       vs-admin limits            (each limit: default, then per tenant or user)\n"
	      "       vs-admin limits set KIND MAX [--tenant ID | --email EMAIL]\n"
	      "       vs-admin limits reset KIND (--tenant ID | --email EMAIL)\n"
	      "       vs-admin audit verify [--tenant ID]   (the platform's chain without --tenant)\n"
	      "environment: VS_DATABASE_URL (required), VS_SQL_DIR (sql), VS_APP_ROLE (vs_app),\n"
	      "             VS_ADMIN_PASSWORD (create-superuser without --password-stdin)\n",
	      to);
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

/* The runtime of a command-line tool; says why when it cannot be had. */
static bool admin_open(struct vs_runtime *rt)
{
	static const struct vs_runtime_options tool = { .tool = true };
	char err[256];
	if (!vs_runtime_open(rt, &tool, err, sizeof(err))) {
		fprintf(stderr, "vs-admin: %s\n", err);
		return false;
	}
	vs_log_set_level(VS_LOG_WARN);
	if (rt->app.db->ops->ensure(rt->app.db) != VS_OK) {
		fprintf(stderr, "vs-admin: could not connect to the database\n");
		vs_runtime_close(rt);
		return false;
	}
	return true;
}

/* What a use case said, for the terminal: its detail and any field errors. */
static void report(const char *what, const struct vs_error *e, enum vs_err rc)
{
	fprintf(stderr, "vs-admin: could not %s: %s", what, e->detail ? e->detail : vs_err_title(rc));
	for (size_t i = 0; i < e->nfields; i++)
		fprintf(stderr, "%s %s %s", i ? ";" : ":", e->fields[i].field, e->fields[i].message);
	fputc('\n', stderr);
}

static int cmd_migrate(void)
{
	struct vs_runtime rt;
	char err[1024];
	int applied;
	if (!admin_open(&rt))
		return 1;
	bool ok = vs_runtime_migrate(&rt, env_or("VS_SQL_DIR", "sql"), env_or("VS_APP_ROLE", "vs_app"),
				     &applied, err, sizeof(err));
	vs_runtime_close(&rt);
	if (!ok) {
		fprintf(stderr, "vs-admin: migration failed: %s\n", err);
		return 1;
	}
	printf("migrations: %d applied, schema at version %d\n", applied, VS_SCHEMA_VERSION);
	return 0;
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

static int cmd_create_superuser(const char *email, bool from_stdin)
{
	char *password = from_stdin ? read_password_line() : NULL;
	const char *pw = from_stdin ? password : getenv("VS_ADMIN_PASSWORD");
	const char *msg;
	struct vs_runtime rt;
	int status = 1;

	if (!email || (msg = vs_user_email_check(email, strlen(email)))) {
		fprintf(stderr, "vs-admin: --email %s\n", email ? msg : "is required");
		goto out;
	}
	if (!pw || (msg = vs_user_password_check(pw, strlen(pw)))) {
		fprintf(stderr, "vs-admin: the password %s\n", pw ? msg : "is missing");
		goto out;
	}
	if (!admin_open(&rt))
		goto out;
	struct vs_arena *a = vs_arena_new();
	struct vs_user u;
	struct vs_error e = { 0 };
	enum vs_err rc = vs_users_create_superuser(&rt.app, a, email, pw, &u, &e);
	if (rc == VS_OK) {
		char id[VS_UUID_STRLEN + 1];
		vs_uuid_format(&u.id, id);
		printf("created superuser %s (%s)\n", u.email, id);
		status = 0;
	} else if (rc == VS_CONFLICT) {
		printf("user %s exists; left unchanged\n", email);
		status = 0;
	} else {
		report("create the superuser", &e, rc);
	}
	vs_arena_free(a);
	vs_runtime_close(&rt);
out:
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	return status;
}

/* Operator scope: the owner's tool works across tenants (row-level
 * security). */
static enum vs_err begin_operator(struct vs_runtime *rt)
{
	struct vs_scope operator = { .operator = true };
	return rt->app.tx->ops->begin(rt->app.tx, &operator);
}

static int cmd_create_tenant(const char *name, const char *slug, const char *description)
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
	struct vs_runtime rt;
	if (!admin_open(&rt))
		return 1;
	int status = 1;
	struct vs_arena *a = vs_arena_new();
	struct vs_principal system = { .authenticated = true, .user.is_superuser = true };
	struct vs_tenant_input in = {
		.name = { .set = true, .p = name, .len = strlen(name) },
		.slug = { .set = true, .p = slug, .len = strlen(slug) },
		.description = { .set = description != NULL, .p = description,
				 .len = description ? strlen(description) : 0 },
	};
	struct vs_tenant t;
	struct vs_error e = { 0 };
	enum vs_err rc = begin_operator(&rt);
	if (rc == VS_OK)
		rc = vs_app_end(&rt.app, vs_tenants_create(&rt.app, a, &system, &in, &t, &e));
	if (rc == VS_OK) {
		char id[VS_UUID_STRLEN + 1];
		vs_uuid_format(&t.id, id);
		printf("%s\n", id);
		status = 0;
	} else {
		report("create the tenant", &e, rc);
	}
	vs_arena_free(a);
	vs_runtime_close(&rt);
	return status;
}

static void write_key(void *out, const char *key_text)
{
	fprintf(out, "%s\n", key_text);
}

/* N GLOBAL keys for the user with that email, written one per line to a new 0600 file:
 * the benchmark's cold-cache case needs many real keys. */
static int cmd_create_api_keys(const char *email, long count, const char *scopes, const char *path)
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
	struct vs_runtime rt;
	if (!admin_open(&rt)) {
		fclose(out);
		return 1;
	}
	struct vs_arena *a = vs_arena_new();
	const char **codes = vs_arena_array(a, 65, sizeof(*codes));
	size_t ncodes = 0;
	char *list = vs_arena_strdup(a, scopes ? scopes : ""), *save = NULL;
	for (char *c = strtok_r(list, ",", &save); c && ncodes < 64; c = strtok_r(NULL, ",", &save))
		codes[ncodes++] = c;
	struct vs_error e = { 0 };
	enum vs_err rc = vs_api_keys_mint_many(&rt.app, a, email, count, codes, ncodes, write_key,
					       out, &e);
	if (rc == VS_OK)
		printf("created %ld keys for %s in %s\n", count, email, path);
	else
		report("create the keys", &e, rc);
	vs_arena_free(a);
	vs_runtime_close(&rt);
	fclose(out);
	return rc == VS_OK ? 0 : 1;
}

static void print_limits(const struct vs_limit *items, size_t n)
{
	printf("%-20s %-36s %10s %10s\n", "KIND", "SCOPE", "MAX", "USED");
	for (size_t i = 0; i < n; i++) {
		char scope[VS_UUID_STRLEN + 1] = "(default)";
		char used[24] = "-";
		if (items[i].scoped) {
			vs_uuid_format(&items[i].scope, scope);
			snprintf(used, sizeof(used), "%lld", (long long)items[i].used);
		}
		printf("%-20s %-36s %10lld %10s\n", items[i].kind, scope, (long long)items[i].max,
		       used);
	}
}

/* vs-admin limits [set KIND MAX | reset KIND] [--tenant ID | --email EMAIL] */
static int cmd_limits(int nargs, char **args, const char *tenant, const char *email)
{
	const char *verb = nargs > 0 ? args[0] : "list";
	bool list = strcmp(verb, "list") == 0, set = strcmp(verb, "set") == 0,
	     reset = strcmp(verb, "reset") == 0;
	char *end = NULL;
	long long max = set && nargs == 3 ? strtoll(args[2], &end, 10) : 0;
	vs_uuid tenant_id;
	if ((!list && !set && !reset) || (list && nargs > 1) || (set && (nargs != 3 || !end || *end)) ||
	    (reset && nargs != 2) || (tenant && email)) {
		usage(stderr);
		return 2;
	}
	if (tenant && !vs_uuid_parse(tenant, strlen(tenant), &tenant_id)) {
		fprintf(stderr, "vs-admin: --tenant must be a tenant's id (a UUID)\n");
		return 2;
	}
	struct vs_limit_target target = { tenant ? &tenant_id : NULL, email };
	struct vs_runtime rt;
	if (!admin_open(&rt))
		return 1;
	struct vs_arena *a = vs_arena_new();
	struct vs_error e = { 0 };
	struct vs_limit *items = NULL;
	size_t n = 0;
	enum vs_err rc = begin_operator(&rt);
	if (rc == VS_OK && set)
		rc = vs_limits_set(&rt.app, a, args[1], &target, max, &e);
	else if (rc == VS_OK && reset)
		rc = vs_limits_reset(&rt.app, a, args[1], &target, &e);
	if (rc == VS_OK)
		rc = vs_limits_list(&rt.app, a, &items, &n, &e);
	rc = vs_app_end(&rt.app, rc);
	if (rc == VS_OK)
		print_limits(items, n);
	else
		report(list ? "read the limits" : "change the limit", &e, rc);
	vs_arena_free(a);
	vs_runtime_close(&rt);
	return rc == VS_OK ? 0 : 1;
}

/* vs-admin audit verify [--tenant ID]: the chain recomputed from seq 1 to its head, then
 * checked against its newest checkpoint, whose signature must hold (under
 * VS_AUDIT_SIGNING_KEY's public half when set): links removed from the end with the head
 * rewound show there. Exit 0 only when both hold. */
static int cmd_audit(int nargs, char **args, const char *tenant)
{
	vs_uuid tenant_id;
	if (nargs != 1 || strcmp(args[0], "verify") != 0) {
		usage(stderr);
		return 2;
	}
	if (tenant && !vs_uuid_parse(tenant, strlen(tenant), &tenant_id)) {
		fprintf(stderr, "vs-admin: --tenant must be a tenant's id (a UUID)\n");
		return 2;
	}
	const vs_uuid *chain = tenant ? &tenant_id : NULL;
	const char *name = tenant ? tenant : "the platform";
	struct vs_runtime rt;
	if (!admin_open(&rt))
		return 1;
	struct vs_arena *a = vs_arena_new();
	struct vs_audit_verdict v;
	struct vs_audit_checkpoint_check c;
	enum vs_err rc = begin_operator(&rt);
	if (rc == VS_OK)
		rc = vs_audit_verify_chain(&rt.app, chain, &v);
	if (rc == VS_OK)
		rc = vs_audit_check_checkpoint(&rt.app, a, chain, &v, &c);
	rc = vs_app_end(&rt.app, rc);
	bool ok = false;
	if (rc != VS_OK) {
		fprintf(stderr, "vs-admin: could not read the audit log: %s\n", vs_err_title(rc));
	} else if (!v.valid) {
		printf("chain of %s: BROKEN at seq %lld (%lld events hold before it)\n", name,
		       (long long)v.broken_at, (long long)v.checked);
	} else {
		char head[2 * VS_SHA256_LEN + 1] = "-";
		if (v.checked)
			vs_hex_encode(v.head, VS_SHA256_LEN, head);
		printf("chain of %s: %lld events hold, seq %lld..%lld, head %s\n", name,
		       (long long)v.checked, (long long)v.first_seq, (long long)v.last_seq, head);
		if (!c.exists) {
			printf("no checkpoint yet: removal of the newest events cannot be told\n");
			ok = true;
		} else if (!c.signature_ok || !c.key_matches) {
			printf("checkpoint at seq %lld: BAD SIGNATURE%s\n", (long long)c.cp.seq,
			       c.key_matches ? "" : " (not VS_AUDIT_SIGNING_KEY's)");
		} else if (c.cp.seq > v.last_seq) {
			printf("checkpoint at seq %lld: BROKEN, the chain ends at seq %lld: events "
			       "removed from the end\n", (long long)c.cp.seq, (long long)v.last_seq);
		} else if (!c.matches_chain) {
			printf("checkpoint at seq %lld: BROKEN, the chain holds another hash there\n",
			       (long long)c.cp.seq);
		} else {
			char when[VS_TIME_STRLEN + 1];
			vs_time_format(c.cp.signed_at, when);
			printf("checkpoint at seq %lld signed %s: holds\n", (long long)c.cp.seq, when);
			ok = true;
		}
	}
	vs_arena_free(a);
	vs_runtime_close(&rt);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	const char *email = NULL, *name = NULL, *slug = NULL, *description = NULL, *out = NULL;
	const char *scopes = NULL, *tenant = NULL;
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
		{ "tenant", required_argument, NULL, 't' },
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
		case 't': tenant = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	const char *url = getenv("VS_DATABASE_URL");
	if (!url || !*url) {
		fprintf(stderr, "vs-admin: VS_DATABASE_URL must be set\n");
		return 2;
	}
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate();
	if (strcmp(cmd, "create-superuser") == 0)
		return cmd_create_superuser(email, password_stdin);
	if (strcmp(cmd, "create-tenant") == 0)
		return cmd_create_tenant(name, slug, description);
	if (strcmp(cmd, "create-api-keys") == 0)
		return cmd_create_api_keys(email, count, scopes, out);
	if (strcmp(cmd, "limits") == 0)
		return cmd_limits(argc - optind, argv + optind, tenant, email);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(argc - optind, argv + optind, tenant);
	fprintf(stderr, "vs-admin: unknown command %s\n", cmd);
	usage(stderr);
	return 2;
}
