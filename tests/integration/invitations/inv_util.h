/*
 * What the invitations suites share: making an invitation through the API, verifying and
 * accepting a token, the jobs of an invitation as the database owner sees them.
 */
#ifndef IT_INV_UTIL_H
#define IT_INV_UTIL_H

#include <libpq-fe.h>
#include <stdbool.h>

struct resp;
struct json_object;

#define INV_PATH "/api/v1/invitations"
#define INV_TOKEN_INVALID "Invitation token is invalid or expired."

struct it_invitation {
	char *id, *email, *token; /* token: the one of the latest create or resend */
};

/*
 * POST /api/v1/invitations as the holder of access in tenant for email (NULL: a fresh
 * address), with extra JSON members (e.g. "\"role_id\":\"…\"") or NULL. Asserts a 201
 * with an id and a token (remembered as a secret). False on failure.
 */
bool inv_create(const char *access, const char *tenant, const char *email, const char *extra,
		struct it_invitation *out);
void inv_release(struct it_invitation *inv);

/* POST /api/v1/invitations/verify {"token"}; POST …/accept {"token","password"} plus extra
 * JSON members (NULL: none). Public: no credential sent. */
struct resp *inv_verify(const char *token);
struct resp *inv_accept(const char *token, const char *password, const char *extra);
/* The 400 every unusable token gets. */
#define EXPECT_TOKEN_REFUSED(r) EXPECT_PROBLEM((r), 400, "bad-request", INV_TOKEN_INVALID)

/* GET /api/v1/invitations/{id} as the holder of access in tenant: its JSON (owned by *r). */
struct json_object *inv_get(const char *access, const char *tenant, const char *id,
			    struct resp **r);

/* The owner's connection (VS_OWNER_DATABASE_URL), opened on first use; NULL on failure. */
PGconn *inv_owner_db(void);
void inv_owner_db_close(void);
/* Rows of jobs.jobs whose resource_id is id, oldest first: kind, resource_type,
 * payload::text, status, attempts, unique_key, last_error. Never NULL; PQclear it. */
PGresult *inv_jobs_of(const char *id);

/* invitation.email jobs of tenant, as the owner counts them; -1 on failure. */
long inv_email_jobs_of(const char *tenant);

#endif
