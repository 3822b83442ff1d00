/* libFuzzer: query strings and form bodies (lib/core/form.c). What it decodes is UTF-8
 * without NUL, and each value's length is its string's. */
#include "core/form.h"
#include "core/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	}
	vs_arena_free(a);
	return 0;
}
