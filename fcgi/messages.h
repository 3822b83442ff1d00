/* Texts clients see from the HTTP layer itself (routing, limits, the database's absence),
 * one place for each. The modules' texts are in lib/<module>/messages.h. */
#ifndef VS_FCGI_MESSAGES_H
#define VS_FCGI_MESSAGES_H

#define VS_MSG_NOT_FOUND "Not Found"
#define VS_MSG_METHOD_NOT_ALLOWED "Method Not Allowed"
#define VS_MSG_QUERY_MALFORMED "The query string is malformed."
#define VS_MSG_PATH_NOT_UTF8 "The request path is not valid UTF-8."
#define VS_MSG_PATH_NOT_PLAIN                                                              \
	"The request path must not have dot segments, empty segments or encoded slashes."
#define VS_MSG_BODY_SHORT "Request body is shorter than its length."
/* %s: the header's name. */
#define VS_MSG_HEADER_REPEATED "The %s header must be sent once."
#define VS_MSG_JSON_ONLY "Content-Type must be application/json, in UTF-8."
#define VS_MSG_FORM_INVALID "Request body is not a valid form."
#define VS_MSG_DB_UNAVAILABLE "The database is unavailable; retry shortly."
#define VS_MSG_DB_UNAVAILABLE_READY "The database is unavailable."
#define VS_MSG_SCHEMA_BEHIND                                                               \
	"The database schema is at version %ld; this build needs %d. Run vs-admin migrate."
#define VS_MSG_METRICS_OFF "Metrics are off: the workers have no VS_METRICS_PATH or VS_SHM_PATH."
#define VS_MSG_INTERNAL "An internal error occurred."
/* printf format: the path parameter's noun ("tenant" for tenant_id). */
#define VS_MSG_PATH_ID_INVALID "Invalid %s ID format. Must be a valid UUID."
#define VS_MSG_QUERY_INT "must be an integer from %lld to %lld"
#define VS_MSG_CURSOR_INVALID "must be a cursor from a previous page (its Link header or next)"
/* %s: skip or page. */
#define VS_MSG_CURSOR_WITH "cannot be combined with %s"

#endif
