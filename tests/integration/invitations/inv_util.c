#include "inv_util.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "db_keys.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "pg_util.h"
#include "util.h"

static PGconn *owner;

bool inv_create(const char *access, const char *tenant, const char *email, const char *extra,
		struct it_invitation *out)
{
	memset(out, 0, sizeof(*out));
	out->email = email ? xstrdup(email) : fx_email("invitee");
	char *body = xasprintf("{\"email\":\"%s\",\"tenant_id\":\"%s\"%s%s}", out->email, tenant,
			       extra ? "," : "", extra ? extra : "");
	struct resp *r = req("POST", INV_PATH, access, tenant, body);
	struct json_object *o = EXPECT_JSON(r, 201);
	const char *id = jstr(o, "id"), *token = jstr(o, "token");
	if (EXPECT(is_uuid(id) && token, "an invitation with a token: %s", resp_summary(r))) {
		out->id = xstrdup(id);
		out->token = xstrdup(token);
		fx_remember_secret(token);
	}
	resp_free(r);
	free(body);
	return out->token != NULL;
}

void inv_release(struct it_invitation *inv)
{
	free(inv->id);
	free(inv->email);
	free(inv->token);
	memset(inv, 0, sizeof(*inv));
}

struct resp *inv_verify(const char *token)
{
	char *body = xasprintf("{\"token\":\"%s\"}", token);
	struct resp *r = req("POST", INV_PATH "/verify", NULL, NULL, body);
	free(body);
	return r;
}

struct resp *inv_accept(const char *token, const char *password, const char *extra)
{
	char *body = xasprintf("{\"token\":\"%s\",\"password\":\"%s\"%s%s}", token, password,
			       extra ? "," : "", extra ? extra : "");
	struct resp *r = req("POST", INV_PATH "/accept", NULL, NULL, body);
	free(body);
	return r;
}

struct json_object *inv_get(const char *access, const char *tenant, const char *id,
			    struct resp **r)
{
	char *path = xasprintf(INV_PATH "/%s", id);
	*r = req("GET", path, access, tenant, NULL);
	free(path);
	return EXPECT_JSON(*r, 200);
}

PGconn *inv_owner_db(void)
{
	const char *url = getenv("VS_OWNER_DATABASE_URL");
	if (!owner && EXPECT(url && *url, "VS_OWNER_DATABASE_URL must be set (tests/integration/run)"))
		owner = pg_open(url);
	return owner;
}

void inv_owner_db_close(void)
{
	if (owner)
		PQfinish(owner);
	owner = NULL;
}

PGresult *inv_jobs_of(const char *id)
{
	const char *params[] = { id };
	PGconn *c = inv_owner_db();
	if (!c)
		return PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	return db_in_platform_scope(c,
				    "SELECT kind, resource_type, payload::text, status, attempts, "
				    "unique_key, last_error FROM jobs.jobs WHERE resource_id = $1 "
				    "ORDER BY created_at, id",
				    1, params);
}

long inv_email_jobs_of(const char *tenant)
{
	const char *params[] = { tenant };
	PGconn *c = inv_owner_db();
	if (!c)
		return -1;
	PGresult *r = db_in_platform_scope(
		c, "SELECT count(*) FROM jobs.jobs WHERE tenant_id = $1 AND kind = 'invitation.email'",
		1, params);
	long n = pg_succeeded(r) ? pg_long(r, 0, 0) : -1;
	PQclear(r);
	return n;
}
