#include "check.h"

#include <CUnit/CUnit.h>
#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "json_get.h"
#include "util.h"

static char context[256];

void chk_context(const char *fmt, ...)
{
	va_list ap;

	context[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
}

bool chk(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL, *full = NULL;

	/* outside a test (a suite's init, say) CUnit cannot record: print */
	if (ok) {
		if (CU_get_current_test() != NULL)
			CU_assertImplementation(CU_TRUE, (unsigned)line, "", file,
						"", CU_FALSE);
		return true;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg && context[0] && asprintf(&full, "%s [%s]", msg, context) >= 0) {
		free(msg);
		msg = full;
	}
	if (CU_get_current_test() != NULL)
		CU_assertImplementation(CU_FALSE, (unsigned)line, msg ? msg : fmt,
					file, "", CU_FALSE);
	else
		fprintf(stderr, "%s:%d: %s\n", file, line, msg ? msg : fmt);
	free(msg);
	return false;
}

const char *resp_summary(const struct resp *r)
{
	static char buf[720];
	char body[401];
	size_t n;

	if (!r)
		return "(no response)";
	if (r->status == 0) {
		snprintf(buf, sizeof(buf), "%s -> transfer failed: %s", r->what,
			 r->err);
		return buf;
	}
	n = r->len < sizeof(body) - 1 ? r->len : sizeof(body) - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r->body[i];

		body[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	body[n] = '\0';
	snprintf(buf, sizeof(buf), "%s -> %ld: %s%s", r->what, r->status, body,
		 r->len > n ? "..." : "");
	return buf;
}

bool chk_status(struct resp *r, long code, const char *file, int line)
{
	bool ok = r && r->status == code;
	const char *rid;

	chk(ok, file, line, "expected HTTP %ld; got %s", code, resp_summary(r));
	if (r && r->status != 0) {
		rid = resp_header(r, "X-Request-Id");
		chk(rid && *rid, file, line,
		    "response has no X-Request-Id header: %s", resp_summary(r));
	}
	return ok;
}

struct json_object *chk_json(struct resp *r, long code, const char *file, int line)
{
	const char *ct;
	struct json_object *o;

	if (!chk_status(r, code, file, line))
		return NULL;
	ct = resp_header(r, "Content-Type");
	chk(ct && strncasecmp(ct, "application/json", 16) == 0, file, line,
	    "Content-Type should be application/json, is \"%s\": %s",
	    ct ? ct : "(none)", resp_summary(r));
	o = resp_json(r);
	chk(o != NULL, file, line, "body is not JSON: %s", resp_summary(r));
	return o;
}

static bool all_digits(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool chk_problem(struct resp *r, long code, const char *slug, const char *detail,
		 const char *file, int line)
{
	const char *ct, *type, *title, *d, *h;
	struct json_object *o, *errs;
	char want_type[128];
	int64_t st = 0;
	bool ok = true;

	if (!chk_status(r, code, file, line))
		return false;
	ct = resp_header(r, "Content-Type");
	ok &= chk(ct && strncasecmp(ct, "application/problem+json", 24) == 0,
		  file, line,
		  "Content-Type should be application/problem+json, is \"%s\": %s",
		  ct ? ct : "(none)", resp_summary(r));
	o = resp_json(r);
	if (!chk(o && json_object_is_type(o, json_type_object), file, line,
		 "problem body is not a JSON object: %s", resp_summary(r)))
		return false;
	snprintf(want_type, sizeof(want_type), PROBLEM_TYPE_PREFIX "%s", slug);
	type = jstr(o, "type");
	ok &= chk(type && strcmp(type, want_type) == 0, file, line,
		  "problem type should be \"%s\": %s", want_type, resp_summary(r));
	title = jstr(o, "title");
	ok &= chk(title && *title, file, line, "problem has no title: %s",
		  resp_summary(r));
	ok &= chk(jint(o, "status", &st) && st == code, file, line,
		  "problem status should be the integer %ld: %s", code,
		  resp_summary(r));
	d = jstr(o, "detail");
	ok &= chk(d != NULL, file, line, "problem has no string detail: %s",
		  resp_summary(r));
	if (detail && d)
		ok &= chk(strcmp(d, detail) == 0, file, line,
			  "detail should be exactly \"%s\", is \"%s\" (%s)", detail,
			  d, r->what);
	if (code == 401) {
		h = resp_header(r, "WWW-Authenticate");
		ok &= chk(h && strncasecmp(h, "Bearer", 6) == 0, file, line,
			  "401 without WWW-Authenticate: Bearer (got \"%s\"): %s",
			  h ? h : "(none)", resp_summary(r));
	}
	if (code == 429 || code == 503) {
		h = resp_header(r, "Retry-After");
		ok &= chk(all_digits(h) && atol(h) > 0, file, line,
			  "%ld needs a positive integer Retry-After (got \"%s\"): %s",
			  code, h ? h : "(none)", resp_summary(r));
	}
	if (code == 405) {
		h = resp_header(r, "Allow");
		ok &= chk(h && *h, file, line, "405 without Allow: %s",
			  resp_summary(r));
	}
	if (code == 422) {
		errs = jarr(o, "errors");
		ok &= chk(jlen(errs) > 0, file, line,
			  "422 needs a non-empty errors array: %s", resp_summary(r));
		for (size_t i = 0; i < jlen(errs); i++) {
			struct json_object *e = jat(errs, i);

			ok &= chk(jstr(e, "field") && jstr(e, "message"), file, line,
				  "errors[%zu] needs string field and message: %s",
				  i, resp_summary(r));
		}
	}
	return ok;
}

bool chk_field_error(struct resp *r, const char *field, const char *file, int line)
{
	struct json_object *errs = jarr(resp_json(r), "errors");

	for (size_t i = 0; i < jlen(errs); i++) {
		const char *f = jstr(jat(errs, i), "field");

		if (f && strcmp(f, field) == 0)
			return chk(true, file, line, "%s", "");
	}
	return chk(false, file, line, "errors should list field \"%s\": %s",
		   field, resp_summary(r));
}

bool chk_str(struct json_object *o, const char *key, const char *want,
	     const char *file, int line)
{
	const char *v = jstr(o, key);

	return chk(v && strcmp(v, want) == 0, file, line,
		   "\"%s\" should be \"%s\", is %s%s%s", key, want, v ? "\"" : "",
		   v ? v : "missing or not a string", v ? "\"" : "");
}

static const char *const password_keys[] = {
	"password", "password_hash", "hashed_password", "hash", NULL,
};

bool chk_user_shape(struct resp *r, struct json_object *o, const char *file, int line)
{
	struct json_object *roles;
	bool ok = true, b;

	if (!chk(o && json_object_is_type(o, json_type_object), file, line,
		 "user is not a JSON object: %s", resp_summary(r)))
		return false;
	ok &= chk(is_uuid(jstr(o, "id")), file, line, "user id is not a UUID: %s",
		  json_object_to_json_string(o));
	ok &= chk(jstr(o, "email") != NULL, file, line, "user has no email: %s",
		  json_object_to_json_string(o));
	ok &= chk(jhas(o, "first_name") && jhas(o, "last_name"), file, line,
		  "user lacks first_name/last_name: %s",
		  json_object_to_json_string(o));
	ok &= chk(jbool(o, "is_active", &b) && jbool(o, "is_superuser", &b), file,
		  line, "user lacks boolean is_active/is_superuser: %s",
		  json_object_to_json_string(o));
	ok &= chk(is_rfc3339_utc(jstr(o, "created_at")) &&
			  is_rfc3339_utc(jstr(o, "updated_at")),
		  file, line, "user timestamps are not RFC 3339 UTC: %s",
		  json_object_to_json_string(o));
	roles = jarr(o, "roles");
	ok &= chk(roles != NULL, file, line, "user has no roles array: %s",
		  json_object_to_json_string(o));
	for (size_t i = 0; i < jlen(roles); i++)
		ok &= chk(json_object_is_type(jat(roles, i), json_type_string),
			  file, line, "roles[%zu] is not a string: %s", i,
			  json_object_to_json_string(o));
	for (size_t i = 0; password_keys[i]; i++)
		ok &= chk(!jhas(o, password_keys[i]), file, line,
			  "user object exposes \"%s\": %s", password_keys[i],
			  json_object_to_json_string(o));
	if (r)
		ok &= chk(!contains(r->body, r->len, "$argon2"), file, line,
			  "response contains a password hash: %s", resp_summary(r));
	return ok;
}

bool chk_tenant_shape(struct json_object *o, const char *file, int line)
{
	bool ok = true, b;

	if (!chk(o && json_object_is_type(o, json_type_object), file, line,
		 "tenant is not a JSON object"))
		return false;
	ok &= chk(is_uuid(jstr(o, "id")), file, line,
		  "tenant id is not a UUID: %s", json_object_to_json_string(o));
	ok &= chk(jstr(o, "name") && jstr(o, "slug"), file, line,
		  "tenant lacks name/slug strings: %s",
		  json_object_to_json_string(o));
	ok &= chk(jhas(o, "description"), file, line,
		  "tenant lacks description: %s", json_object_to_json_string(o));
	ok &= chk(jbool(o, "is_active", &b), file, line,
		  "tenant lacks boolean is_active: %s",
		  json_object_to_json_string(o));
	ok &= chk(is_rfc3339_utc(jstr(o, "created_at")) &&
			  is_rfc3339_utc(jstr(o, "updated_at")),
		  file, line, "tenant timestamps are not RFC 3339 UTC: %s",
		  json_object_to_json_string(o));
	return ok;
}

struct json_object *chk_envelope(struct resp *r, long page, long limit,
				 const char *file, int line)
{
	struct json_object *o = chk_json(r, 200, file, line), *items;
	int64_t total = -1, p = -1, l = -1;

	if (!o)
		return NULL;
	items = jarr(o, "items");
	chk(items != NULL, file, line, "envelope has no items array: %s",
	    resp_summary(r));
	chk(jint(o, "total", &total) && total >= 0, file, line,
	    "envelope total is not a non-negative integer: %s", resp_summary(r));
	chk(jint(o, "page", &p) && p == page, file, line,
	    "envelope page should be %ld: %s", page, resp_summary(r));
	chk(jint(o, "limit", &l) && l == limit, file, line,
	    "envelope limit should be %ld: %s", limit, resp_summary(r));
	chk(jlen(items) <= (size_t)limit, file, line,
	    "envelope has more than limit=%ld items: %s", limit, resp_summary(r));
	return items;
}

struct json_object *chk_counted_array(struct resp *r, long *total_out,
				      const char *file, int line)
{
	struct json_object *o = chk_json(r, 200, file, line);
	const char *h;
	long total = -1;

	if (total_out)
		*total_out = -1;
	if (!o)
		return NULL;
	if (!chk(json_object_is_type(o, json_type_array), file, line,
		 "expected a JSON array: %s", resp_summary(r)))
		return NULL;
	h = resp_header(r, "X-Total-Count");
	if (chk(all_digits(h), file, line,
		"X-Total-Count should be a non-negative integer, is \"%s\": %s",
		h ? h : "(none)", resp_summary(r)))
		total = atol(h);
	chk(total < 0 || (size_t)total >= jlen(o), file, line,
	    "X-Total-Count %ld is smaller than the page (%zu items): %s", total,
	    jlen(o), r->what);
	if (total_out)
		*total_out = total;
	return o;
}
