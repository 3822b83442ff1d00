#include "core/err.h"

#include "core/messages.h"

int vs_err_status(enum vs_err code)
{
	switch (code) {
#define XX(name, status, slug, title)                                                      \
	case VS_##name:                                                                    \
		return status;
		VS_ERR_MAP(XX)
#undef XX
	}
	return 500;
}

const char *vs_err_slug(enum vs_err code)
{
	switch (code) {
#define XX(name, status, slug, title)                                                      \
	case VS_##name:                                                                    \
		return slug;
		VS_ERR_MAP(XX)
#undef XX
	}
	return "internal-error";
}

const char *vs_err_title(enum vs_err code)
{
	switch (code) {
#define XX(name, status, slug, title)                                                      \
	case VS_##name:                                                                    \
		return title;
		VS_ERR_MAP(XX)
#undef XX
	}
	return "Internal Server Error";
}

/* A table, not a switch: two errors may share a status (the first one's title wins). */
const char *vs_http_reason(int status)
{
	static const struct {
		int status;
		const char *title;
	} reasons[] = {
#define XX(name, code, slug, title) { code, title },
		VS_ERR_MAP(XX)
#undef XX
#define XX(code, text) { code, text },
		VS_HTTP_SUCCESS_MAP(XX)
#undef XX
	};
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].title;
	return "Internal Server Error";
}

enum vs_err vs_fail(struct vs_error *e, enum vs_err code, const char *detail)
{
	if (e) {
		e->code = code;
		e->detail = detail;
	}
	return code;
}

enum vs_err vs_fail_field(struct vs_error *e, const char *field, const char *message)
{
	if (!e)
		return VS_INVALID;
	e->code = VS_INVALID;
	if (!e->detail)
		e->detail = VS_MSG_VALIDATION_FAILED;
	if (e->nfields < VS_MAX_FIELD_ERRORS) {
		e->fields[e->nfields].field = field;
		e->fields[e->nfields].message = message;
		e->nfields++;
	}
	return VS_INVALID;
}
