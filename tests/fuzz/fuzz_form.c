/* libFuzzer: query strings and form bodies (lib/core/form.c) and their binding
 * (vs_json_bind_form in lib/core/json.c). What it decodes is UTF-8 without NUL, and each
 * value's length is its string's. A form that binds names no field twice, and each bound
 * field holds the form's one non-empty value for its name. */
#include "core/form.h"
#include "core/json.h"
#include "core/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct login {
	struct vs_opt_str grant_type, username, password;
};

#define F(field, flags, max)                                                               \
	{ #field, VS_JT_STRING, offsetof(struct login, field), flags, 0, max, NULL }
static const struct vs_json_field fields[] = {
	F(grant_type, VS_JF_REQUIRED, 0),
	F(username, 0, 16),
	F(password, 0, 0),
};

static void check_field(const struct vs_form *f, const char *name, const struct vs_opt_str *s)
{
	const char *v = vs_form_get(f, name);
	if (!s->set) {
		if (v && *v)
			abort(); /* given, not empty, yet not bound */
		return;
	}
	if (s->null || !v || vs_form_count(f, name) != 1 || strcmp(v, s->p) != 0 || !*v)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_arena *a = vs_arena_new();
	struct vs_form f;
	if (vs_form_parse(a, (const char *)data, size, &f)) {
		for (size_t i = 0; i < f.n; i++) {
			const struct vs_form_pair *p = &f.pairs[i];
			if (strlen(p->value) != p->value_len || !vs_utf8_valid(p->name, strlen(p->name)) ||
			    !vs_utf8_valid(p->value, p->value_len))
				abort();
		}
		struct login l;
		memset(&l, 0, sizeof(l));
		struct vs_error e = { 0 };
		if (vs_json_bind_form(a, &f, fields, VS_JSON_FIELDS_LEN(fields), &l, &e) == VS_OK) {
			for (size_t i = 0; i < f.n; i++)
				if (vs_form_count(&f, f.pairs[i].name) != 1)
					abort();
			check_field(&f, "grant_type", &l.grant_type);
			check_field(&f, "username", &l.username);
			check_field(&f, "password", &l.password);
			if (!l.grant_type.set)
				abort();
		} else if (e.nfields == 0) {
			abort();
		}
	}
	vs_arena_free(a);
	return 0;
}
