/* The three login paths, refresh rotation and reuse detection, logout, inactive users, missing credentials. */
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixtures.h"
#include "http.h"
#include "json_get.h"
#include "jwt_forge.h"
#include "suites.h"
#include "util.h"

enum login_variant {
	LOGIN_JSON_EMAIL,        /* POST /auth/login {"email","password"} */
	TOKEN_FORM,              /* POST /auth/token username=&password= */
	TOKEN_JSON,              /* POST /auth/token {"username","password"} */
	ACCESS_TOKEN_FORM,       /* POST /auth/login/access-token, form */
	ACCESS_TOKEN_JSON,       /* POST /auth/login/access-token, JSON */
	LOGIN_VARIANTS
};

static const char *const variant_names[] = {
	"/auth/login JSON", "/auth/token form", "/auth/token JSON",
	"/auth/login/access-token form", "/auth/login/access-token JSON",
};

static struct resp *login_as(enum login_variant v, const char *email, const char *pw)
{
	const char *path = v == LOGIN_JSON_EMAIL ? "/api/v1/auth/login"
			   : (v == TOKEN_FORM || v == TOKEN_JSON)
				   ? "/api/v1/auth/token"
				   : "/api/v1/auth/login/access-token";
	struct json_object *o;
	struct resp *r;
	char *body, *e, *p;

	if (v == TOKEN_FORM || v == ACCESS_TOKEN_FORM) {
		e = form_escape(email);
		p = form_escape(pw);
		body = xasprintf("username=%s&password=%s", e, p);
		r = fx_post_login(path, "application/x-www-form-urlencoded", body);
		free(body);
		free(e);
		free(p);
		return r;
	}
	o = json_object_new_object();
	json_object_object_add(o, v == LOGIN_JSON_EMAIL ? "email" : "username",
			       json_object_new_string(email));
	json_object_object_add(o, "password", json_object_new_string(pw));
	r = fx_post_login(path, NULL, json_object_to_json_string(o));
	json_object_put(o);
	return r;
}

static bool aud_matches(struct json_object *claims, const char *want)
{
	struct json_object *aud = jget(claims, "aud");

	if (aud && json_object_is_type(aud, json_type_string))
		return strcmp(json_object_get_string(aud), want) == 0;
	return jarr_has_str(jarr(aud, NULL), want);
}

/* A full check of a token response for the admin: fields, claims, and that the token works. */
static void expect_admin_token_response(struct resp *r, const char *what)
{
	struct json_object *o = EXPECT_JSON(r, 200), *claims = NULL, *hdr = NULL;
	int64_t expires_in = 0, exp = 0, iat = 0;
	const char *access;
	struct resp *me;

	if (!o)
		return;
	EXPECT_STR(o, "token_type", "bearer");
	EXPECT(jint(o, "expires_in", &expires_in) && expires_in > 0,
	       "%s: expires_in should be a positive integer: %s", what,
	       resp_summary(r));
	EXPECT(jstr(o, "refresh_token") && strlen(jstr(o, "refresh_token")) >= 16,
	       "%s: refresh_token missing or short: %s", what, resp_summary(r));
	access = jstr(o, "access_token");
	if (!EXPECT(access != NULL, "%s: no access_token: %s", what, resp_summary(r)))
		return;
	fx_remember_secret(access);
	fx_remember_secret(jstr(o, "refresh_token"));

	hdr = jwt_part(access, 0);
	claims = jwt_part(access, 1);
	EXPECT(hdr && jstr(hdr, "alg") && strcmp(jstr(hdr, "alg"), "HS256") == 0,
	       "%s: access token header should say alg HS256: %s", what,
	       hdr ? json_object_to_json_string(hdr) : "(undecodable)");
	if (EXPECT(claims != NULL, "%s: access token is not a decodable JWT", what)) {
		EXPECT_STR(claims, "sub", fx.admin.id);
		EXPECT_STR(claims, "iss", "virtualstack");
		EXPECT_STR(claims, "token_use", "access");
		EXPECT(aud_matches(claims, "virtualstack-api"),
		       "%s: aud should be virtualstack-api: %s", what,
		       json_object_to_json_string(claims));
		EXPECT(jstr(claims, "jti") && *jstr(claims, "jti"),
		       "%s: access token has no jti", what);
		EXPECT(jint(claims, "exp", &exp) && jint(claims, "iat", &iat) &&
			       llabs((long long)(exp - iat - expires_in)) <= 2,
		       "%s: exp - iat (%lld) should equal expires_in (%lld)", what,
		       (long long)(exp - iat), (long long)expires_in);
	}
	me = req("GET", "/api/v1/users/me", access, NULL, NULL);
	o = EXPECT_JSON(me, 200);
	if (o)
		EXPECT_STR(o, "email", fx.admin.email);
	resp_free(me);
	if (hdr)
		json_object_put(hdr);
	if (claims)
		json_object_put(claims);
}

static void login_variant_works(enum login_variant v)
{
	struct resp *r = login_as(v, fx.admin.email, fx.admin.password);

	expect_admin_token_response(r, variant_names[v]);
	resp_free(r);
}

static void test_login_json_email(void)
{
	login_variant_works(LOGIN_JSON_EMAIL);
}

static void test_token_form(void)
{
	login_variant_works(TOKEN_FORM);
}

static void test_token_json(void)
{
	login_variant_works(TOKEN_JSON);
}

static void test_access_token_form(void)
{
	login_variant_works(ACCESS_TOKEN_FORM);
}

static void test_access_token_json(void)
{
	login_variant_works(ACCESS_TOKEN_JSON);
}

static void test_wrong_password_is_401_on_every_path(void)
{
	for (int v = 0; v < LOGIN_VARIANTS; v++) {
		struct resp *r = login_as((enum login_variant)v, fx.admin.email,
					  "definitely-not-the-password");

		chk_context("%s", variant_names[v]);
		EXPECT_PROBLEM(r, 401, "unauthorized", "Incorrect email or password");
		EXPECT(!jhas(resp_json(r), "access_token"),
		       "%s: a failed login returned a token", variant_names[v]);
		resp_free(r);
	}
}

static void test_unknown_email_is_401_on_every_path(void)
{
	char *email = fx_email("nobody");

	for (int v = 0; v < LOGIN_VARIANTS; v++) {
		struct resp *r = login_as((enum login_variant)v, email,
					  "some-password-123");

		chk_context("%s", variant_names[v]);
		EXPECT_PROBLEM(r, 401, "unauthorized", "Incorrect email or password");
		resp_free(r);
	}
	free(email);
}

static void test_login_email_is_case_insensitive(void)
{
	char *upper = xstrdup(fx.admin.email);
	struct resp *r;

	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	r = login_as(LOGIN_JSON_EMAIL, upper, fx.admin.password);
	expect_admin_token_response(r, "upper-case e-mail");
	resp_free(r);
	free(upper);
}

static void test_login_without_password_is_422(void)
{
	struct resp *r = fx_post_login("/api/v1/auth/login", NULL,
				       "{\"email\":\"someone@example.com\"}");

	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "password");
	resp_free(r);
}

static void test_form_body_on_json_only_login_is_415(void)
{
	char *e = form_escape(fx.admin.email), *p = form_escape(fx.admin.password);
	char *body = xasprintf("email=%s&password=%s", e, p);
	struct resp *r = fx_post_login("/api/v1/auth/login",
				       "application/x-www-form-urlencoded", body);

	EXPECT_PROBLEM(r, 415, "unsupported-media-type", NULL);
	EXPECT(!jhas(resp_json(r), "access_token"), "a form body on /auth/login logged in");
	resp_free(r);
	free(body);
	free(e);
	free(p);
}

static void test_inactive_user_cannot_log_in(void)
{
	struct it_user u;
	struct resp *r;

	if (!fx_create_user(NULL, "\"is_active\":false", &u))
		goto out;
	for (int v = 0; v < LOGIN_VARIANTS; v++) {
		r = login_as((enum login_variant)v, u.email, u.password);
		chk_context("%s", variant_names[v]);
		EXPECT_PROBLEM(r, 401, "unauthorized", "Inactive user");
		EXPECT(!jhas(resp_json(r), "access_token"),
		       "%s: an inactive user got a token", variant_names[v]);
		resp_free(r);
	}
	chk_context(NULL);
	/* the same user with a wrong password is still the generic message */
	r = login_as(LOGIN_JSON_EMAIL, u.email, "wrong-password-1");
	EXPECT_PROBLEM(r, 401, "unauthorized", "Incorrect email or password");
	resp_free(r);
out:
	fx_delete_user(u.id);
	fx_user_release(&u);
}

static void test_deactivated_user_token_stops_working(void)
{
	struct it_user u;
	struct resp *r;
	char *path = NULL;

	if (!fx_create_user(NULL, NULL, &u) || !fx_login(&u))
		goto out;
	r = req("GET", "/api/v1/users/me", u.access, NULL, NULL);
	EXPECT_STATUS(r, 200);
	resp_free(r);
	path = xasprintf("/api/v1/users/%s", u.id);
	r = req("PATCH", path, fx.admin.access, NULL, "{\"is_active\":false}");
	if (EXPECT_JSON(r, 200)) {
		bool active = true;

		EXPECT(jbool(resp_json(r), "is_active", &active) && !active,
		       "PATCH is_active=false did not stick: %s", resp_summary(r));
	}
	resp_free(r);
	r = req("GET", "/api/v1/users/me", u.access, NULL, NULL);
	EXPECT_PROBLEM(r, 401, "unauthorized", "Inactive user");
	resp_free(r);
out:
	free(path);
	fx_delete_user(u.id);
	fx_user_release(&u);
}

static void test_no_credential_is_401_not_authenticated(void)
{
	static const char *const paths[] = {
		"/api/v1/users/me", "/api/v1/tenants", "/api/v1/users", NULL,
	};

	for (size_t i = 0; paths[i]; i++) {
		struct resp *r = req("GET", paths[i], NULL, NULL, NULL);

		EXPECT_PROBLEM(r, 401, "unauthorized", "Not authenticated");
		resp_free(r);
	}
}

static void test_non_bearer_scheme_is_401(void)
{
	const char *hdrs[] = { "Authorization: Basic YWRtaW46YWRtaW4=", NULL };
	struct resp *r = http_do("GET", "/api/v1/users/me", hdrs, NULL, 0, 0);

	EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
	resp_free(r);
}

static struct resp *refresh(const char *token)
{
	struct json_object *o = json_object_new_object();
	struct resp *r;

	json_object_object_add(o, "refresh_token", json_object_new_string(token));
	r = fx_post_login("/api/v1/auth/refresh", NULL, json_object_to_json_string(o));
	json_object_put(o);
	return r;
}

static struct resp *logout(const char *access, const char *refresh_token)
{
	struct json_object *o = json_object_new_object();
	struct resp *r;

	json_object_object_add(o, "refresh_token",
			       json_object_new_string(refresh_token));
	r = req("POST", "/api/v1/auth/logout", access, NULL,
		json_object_to_json_string(o));
	json_object_put(o);
	return r;
}

static void test_refresh_rotates_and_spends_old_token(void)
{
	struct it_user u;
	struct resp *r;
	char *a2 = NULL, *r2 = NULL;

	if (!fx_create_user(NULL, NULL, &u) || !fx_login(&u))
		goto out;
	r = refresh(u.refresh);
	fx_take_tokens(r, &a2, &r2);
	resp_free(r);
	if (!a2)
		goto out;
	EXPECT(strcmp(r2, u.refresh) != 0, "refresh returned the same refresh token");
	EXPECT(strcmp(a2, u.access) != 0, "refresh returned the same access token");
	r = req("GET", "/api/v1/users/me", a2, NULL, NULL);
	if (EXPECT_JSON(r, 200))
		EXPECT_STR(resp_json(r), "id", u.id);
	resp_free(r);
	/* the old refresh token is spent */
	r = refresh(u.refresh);
	EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
	EXPECT(!jhas(resp_json(r), "access_token"), "a spent refresh token was honoured");
	resp_free(r);
out:
	free(a2);
	free(r2);
	fx_delete_user(u.id);
	fx_user_release(&u);
}

static void test_reusing_spent_refresh_token_revokes_family(void)
{
	struct it_user u;
	struct resp *r;
	char *a2 = NULL, *r2 = NULL, *a3 = NULL, *r3 = NULL, *a4 = NULL, *r4 = NULL;

	if (!fx_create_user(NULL, NULL, &u) || !fx_login(&u))
		goto out;
	r = refresh(u.refresh); /* r1 -> r2 */
	fx_take_tokens(r, &a2, &r2);
	resp_free(r);
	if (!r2)
		goto out;
	r = refresh(r2); /* r2 -> r3 */
	fx_take_tokens(r, &a3, &r3);
	resp_free(r);
	if (!r3)
		goto out;
	/* the thief replays r1: refused, and the family dies */
	r = refresh(u.refresh);
	EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
	resp_free(r);
	/* so the newest token of that family, r3, no longer works either */
	r = refresh(r3);
	EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
	resp_free(r);
	/* a fresh login starts a new, working family */
	if (fx_login(&u)) {
		r = refresh(u.refresh);
		fx_take_tokens(r, &a4, &r4);
		resp_free(r);
	}
out:
	free(a2);
	free(r2);
	free(a3);
	free(r3);
	free(a4);
	free(r4);
	fx_delete_user(u.id);
	fx_user_release(&u);
}

static void test_refresh_with_unknown_token_is_401(void)
{
	char junk[65];
	struct resp *r;

	random_hex(junk, 32);
	r = refresh(junk);
	EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
	resp_free(r);
}

static void test_refresh_without_token_field_is_422(void)
{
	struct resp *r = fx_post_login("/api/v1/auth/refresh", NULL, "{}");

	if (EXPECT_PROBLEM(r, 422, "validation-error", NULL))
		EXPECT_FIELD_ERROR(r, "refresh_token");
	resp_free(r);
}

static void test_logout_is_204_and_revokes_refresh_family(void)
{
	struct it_user u;
	struct resp *r;
	char *a2 = NULL, *r2 = NULL;

	if (!fx_create_user(NULL, NULL, &u) || !fx_login(&u))
		goto out;
	r = refresh(u.refresh); /* r1 -> r2, same family */
	fx_take_tokens(r, &a2, &r2);
	resp_free(r);
	if (!r2)
		goto out;
	r = logout(a2, r2);
	EXPECT_STATUS(r, 204);
	EXPECT(r->len == 0, "204 must have no body: %s", resp_summary(r));
	resp_free(r);
	r = refresh(r2);
	EXPECT_PROBLEM(r, 401, "unauthorized", NULL);
	resp_free(r);
out:
	free(a2);
	free(r2);
	fx_delete_user(u.id);
	fx_user_release(&u);
}

static void test_logout_with_unknown_token_is_204(void)
{
	char junk[65];
	struct resp *r;

	random_hex(junk, 32);
	r = logout(fx.admin.access, junk);
	EXPECT_STATUS(r, 204);
	resp_free(r);
}

static void test_logout_leaves_other_users_token_alone(void)
{
	struct it_user a, b;
	struct resp *r;
	char *na = NULL, *nr = NULL;

	memset(&b, 0, sizeof(b));
	if (!fx_create_user(NULL, NULL, &a) || !fx_login(&a) ||
	    !fx_create_user(NULL, NULL, &b) || !fx_login(&b))
		goto out;
	r = logout(a.access, b.refresh); /* A presents B's refresh token */
	EXPECT_STATUS(r, 204);
	resp_free(r);
	r = refresh(b.refresh); /* B's family is intact */
	fx_take_tokens(r, &na, &nr);
	resp_free(r);
out:
	free(na);
	free(nr);
	fx_delete_user(a.id);
	fx_delete_user(b.id);
	fx_user_release(&a);
	fx_user_release(&b);
}

static void test_logout_without_credential_is_401(void)
{
	struct resp *r = req("POST", "/api/v1/auth/logout", NULL, NULL,
			     "{\"refresh_token\":\"whatever-token-value\"}");

	EXPECT_PROBLEM(r, 401, "unauthorized", "Not authenticated");
	resp_free(r);
}

static void test_users_me_returns_caller_without_password(void)
{
	struct resp *r = req("GET", "/api/v1/users/me", fx.admin.access, NULL, NULL);
	struct json_object *o = EXPECT_JSON(r, 200);
	bool su = false, active = false;

	if (o && EXPECT_USER_SHAPE(r, o)) {
		EXPECT_STR(o, "id", fx.admin.id);
		EXPECT_STR(o, "email", fx.admin.email);
		EXPECT(jbool(o, "is_superuser", &su) && su,
		       "the admin should be a superuser: %s", resp_summary(r));
		EXPECT(jbool(o, "is_active", &active) && active,
		       "the admin should be active: %s", resp_summary(r));
		EXPECT(!contains(r->body, r->len, fx.admin.password),
		       "GET /users/me leaks the password");
	}
	resp_free(r);
}

static int add_auth_suite(void)
{
	static const struct it_test tests[] = {
		{ "POST /auth/login JSON {email,password} returns a working token pair", test_login_json_email },
		{ "POST /auth/token form body returns a working token pair", test_token_form },
		{ "POST /auth/token JSON {username,password} returns a working token pair", test_token_json },
		{ "POST /auth/login/access-token form body returns a working token pair", test_access_token_form },
		{ "POST /auth/login/access-token JSON returns a working token pair", test_access_token_json },
		{ "wrong password is 401 'Incorrect email or password' on every login path", test_wrong_password_is_401_on_every_path },
		{ "unknown e-mail is 401 'Incorrect email or password' on every login path", test_unknown_email_is_401_on_every_path },
		{ "login e-mail matching is case-insensitive", test_login_email_is_case_insensitive },
		{ "login without password is 422 listing field password", test_login_without_password_is_422 },
		{ "a form body on the JSON-only /auth/login is 415", test_form_body_on_json_only_login_is_415 },
		{ "inactive user cannot log in: 401 'Inactive user'", test_inactive_user_cannot_log_in },
		{ "a user deactivated after login gets 401 'Inactive user'", test_deactivated_user_token_stops_working },
		{ "no credential is 401 'Not authenticated' with WWW-Authenticate: Bearer", test_no_credential_is_401_not_authenticated },
		{ "a non-Bearer Authorization scheme is 401", test_non_bearer_scheme_is_401 },
		{ "refresh returns a new working pair and spends the old refresh token", test_refresh_rotates_and_spends_old_token },
		{ "replaying a spent refresh token is 401 and revokes its whole family", test_reusing_spent_refresh_token_revokes_family },
		{ "refresh with an unknown token is 401", test_refresh_with_unknown_token_is_401 },
		{ "refresh without refresh_token is 422", test_refresh_without_token_field_is_422 },
		{ "logout is 204 with no body and revokes the refresh family", test_logout_is_204_and_revokes_refresh_family },
		{ "logout with an unknown refresh token is 204", test_logout_with_unknown_token_is_204 },
		{ "logout with another user's refresh token leaves it working", test_logout_leaves_other_users_token_alone },
		{ "logout without a credential is 401 'Not authenticated'", test_logout_without_credential_is_401 },
		{ "GET /users/me returns the caller, never password material", test_users_me_returns_caller_without_password },
		{ NULL, NULL },
	};

	return it_add_suite("auth", NULL, NULL, tests);
}

IT_REGISTER(add_auth_suite)
