/*
 * Configuration from the environment (set by tests/integration/run from
 * $VS_STATE_DIR/env) and the objects tests build on: the admin's session,
 * unique names, tenants, users and their tokens.
 */
#ifndef IT_FIXTURES_H
#define IT_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct resp;

struct it_config {
	const char *url;             /* VS_URL, https://127.0.0.1:PORT */
	const char *state_dir;       /* VS_STATE_DIR */
	const char *admin_email;     /* VS_ADMIN_EMAIL */
	const char *admin_password;  /* VS_ADMIN_PASSWORD */
	const char *jwt_secret_file; /* VS_JWT_SECRET_FILE */
	const char *repo_root;       /* VS_REPO_ROOT, else "." */
	long workers;                /* VS_WORKERS (the API pool), 0 when unset */
	long check_workers;          /* VS_CHECK_WORKERS (the key check's pool), 0 when unset */
};

struct it_user {
	char *id;
	char *email;
	char *password;
	char *access;  /* access token, when logged in */
	char *refresh; /* refresh token, when logged in */
};

struct it_fixture {
	struct it_config cfg;
	char suffix[9];       /* random per run: names never clash across runs */
	unsigned counter;
	struct it_user admin; /* logged in at setup */
	double admin_login_at; /* now_mono() of the admin's last login */
	/* The pools' worker pids when the run began, or when a suite last replaced a worker
	 * on purpose (fx_rebase_workers): any other change means a worker died. */
	pid_t *workers_baseline;
	size_t nworkers_baseline;
	pid_t *check_workers_baseline;
	size_t ncheck_workers_baseline;
	char **secrets;           /* passwords and tokens that must never be logged */
	size_t nsecrets, secrets_cap;
};

extern struct it_fixture fx;

/* Reads the environment, starts the HTTP client, logs the admin in. 0 or -1 (with a message). */
int fx_setup(void);
void fx_teardown(void);
/*
 * Logs the admin in again when its access token is close to expiry (the
 * default lifetime is 15 minutes; a slow sanitizer run may take longer).
 * Runs before every test; asserts nothing.
 */
void fx_keep_admin_fresh(void);

/* Takes the pools' pids as the baseline again, after replacing a worker on purpose. */
void fx_rebase_workers(void);

/* "tag-<run suffix>-<n>", lower-case, unique in this run. Free with free(). */
char *fx_unique(const char *tag);
/* A unique e-mail address, "tag-<suffix>-<n>@example.com". Free with free(). */
char *fx_email(const char *tag);
/* Remembers a string that must never appear in any log file. */
void fx_remember_secret(const char *s);

/* Percent-encodes s for an x-www-form-urlencoded body. Free with free(). */
char *form_escape(const char *s);

/*
 * POSTs a login-type request; when nginx answers 429 (the login rate limit
 * is shared by the whole suite) waits Retry-After and tries again, a few
 * times. content_type NULL means application/json.
 */
struct resp *fx_post_login(const char *path, const char *content_type, const char *body);
/* POST /api/v1/auth/login {"email","password"}. */
struct resp *fx_login_json(const char *email, const char *password);
/*
 * Logs in through /auth/login and stores the tokens in u (replacing old
 * ones). Asserts a 200 token response; false if there was none.
 */
bool fx_login(struct it_user *u);
/* Checks a token response (200, fields) and returns access/refresh copies. */
bool fx_take_tokens(struct resp *r, char **access, char **refresh);

/*
 * Creates a tenant with a unique name and slug as the admin (asserts 201).
 * The id, or NULL; the slug into *slug when slug is not NULL.
 */
char *fx_create_tenant(char **slug);
/* Deletes a tenant as the admin; ignores the result (cleanup). */
void fx_delete_tenant(const char *id);

/*
 * Creates a user as the admin: unique e-mail, a fresh password, in
 * tenant_id (X-Tenant-ID) when not NULL, with extra JSON members
 * (e.g. "\"is_active\":false") when not NULL. Asserts 201. Fills u (id,
 * email, password); false on failure.
 */
bool fx_create_user(const char *tenant_id, const char *extra_json, struct it_user *u);
/* The same with the given first and last names. */
bool fx_create_user_named(const char *tenant_id, const char *first, const char *last,
			  const char *extra_json, struct it_user *u);
/* fx_create_user + fx_login: a non-superuser member of tenant_id with tokens. */
bool fx_new_member(const char *tenant_id, struct it_user *u);
/* Deletes a user as the admin (no X-Tenant-ID); ignores the result. */
void fx_delete_user(const char *id);
void fx_user_release(struct it_user *u);

/*
 * API keys. fx_key_req is req() with an X-API-Key (key) and/or a bearer token
 * (token); either may be NULL.
 */
struct resp *fx_key_req(const char *method, const char *path, const char *key,
			const char *token, const char *tenant_id, const char *json_body);
/*
 * POST /api/v1/api-keys with body as the holder of token. Asserts a 201 with a
 * "key" and an "id"; returns the key text (remembered as a secret, free it) and
 * the id into *id when id is not NULL. NULL on failure.
 */
char *fx_create_key(const char *token, const char *body, char **id);
/*
 * GET /api/v1/auth/check as nginx's auth_request sends it (X-Original-URI,
 * X-Original-Method), with X-API-Key, Authorization: Bearer, X-Tenant-ID and
 * X-VS-Required-Permission for each argument that is not NULL, then the
 * NULL-terminated extra header lines (may be NULL).
 */
struct resp *fx_auth_check(const char *key, const char *token, const char *tenant_id,
			   const char *required, const char *const *extra);

/* A fresh directory next to the stack's state dir (tests/integration/run removes that
 * tree in any case), malloc'd; NULL on failure (recorded). */
char *fx_scratch_dir(const char *prefix);
/* rm -r dir; NULL is fine. */
void fx_remove_tree(const char *dir);

/* `vs-admin ARGS` of this build (next to tests/integration_tests) as the database owner,
 * with the stack's VS_AUDIT_SIGNING_KEY when the environment has it. Its exit status; its
 * output (stdout and stderr) into *out when out is not NULL (the caller frees). */
int fx_vs_admin(const char *args, char **out);

#endif
