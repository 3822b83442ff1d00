/* One error enum for the whole library, with its HTTP mapping in one table. */
#ifndef VS_CORE_ERR_H
#define VS_CORE_ERR_H

#include <stdbool.h>
#include <stddef.h>

/* XX(name, http status, problem type slug, title) */
#define VS_ERR_MAP(XX)                                                                     \
	XX(OK, 200, "ok", "OK")                                                            \
	XX(BADREQ, 400, "bad-request", "Bad Request")                                      \
	XX(UNAUTHORIZED, 401, "unauthorized", "Unauthorized")                              \
	XX(FORBIDDEN, 403, "forbidden", "Forbidden")                                       \
	XX(NOTFOUND, 404, "not-found", "Not Found")                                        \
	XX(METHOD, 405, "method-not-allowed", "Method Not Allowed")                        \
	XX(CONFLICT, 409, "conflict", "Conflict")                                          \
	XX(QUOTA, 409, "quota-exceeded", "Conflict")                                       \
	XX(TOOLARGE, 413, "payload-too-large", "Payload Too Large")                        \
	XX(MEDIATYPE, 415, "unsupported-media-type", "Unsupported Media Type")             \
	XX(INVALID, 422, "validation-error", "Unprocessable Content")                      \
	XX(RATELIMIT, 429, "rate-limited", "Too Many Requests")                            \
	XX(INTERNAL, 500, "internal-error", "Internal Server Error")                       \
	XX(UNAVAILABLE, 503, "service-unavailable", "Service Unavailable")

enum vs_err {
#define XX(name, status, slug, title) VS_##name,
	VS_ERR_MAP(XX)
#undef XX
};

#define VS_MAX_FIELD_ERRORS 16

struct vs_field_error {
	const char *field;
	const char *message;
};

/* What went wrong, as data: the HTTP layer renders it as problem+json.
 * Strings are static or owned by the request arena. */
struct vs_error {
	enum vs_err code;
	const char *detail;
	struct vs_field_error fields[VS_MAX_FIELD_ERRORS];
	size_t nfields;
};

/* The statuses that are not errors, with their reason phrases. */
#define VS_HTTP_SUCCESS_MAP(XX) XX(201, "Created") XX(202, "Accepted") XX(204, "No Content")

int vs_err_status(enum vs_err code);
/* The reason phrase of an HTTP status this program sends: the error table's title, or the
 * success table's; "Internal Server Error" for any other. */
const char *vs_http_reason(int status);
const char *vs_err_slug(enum vs_err code);
const char *vs_err_title(enum vs_err code);

/* Records code and detail in e (when e is not NULL) and returns code. */
enum vs_err vs_fail(struct vs_error *e, enum vs_err code, const char *detail);

/* Adds a field error and makes e a 422; returns VS_INVALID. */
enum vs_err vs_fail_field(struct vs_error *e, const char *field, const char *message);

#endif
