/* libFuzzer: the strict JSON parser (lib/core/json.c). A body it accepts is UTF-8 and
 * parses to an object json-c can write out again. */
#include "core/json.h"
#include "core/utf8.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_arena *a = vs_arena_new();
	struct json_object *obj;
	struct vs_error e = { 0 };
	if (vs_json_parse(a, (const char *)data, size, &obj, &e) == VS_OK) {
		if (!vs_utf8_valid(data, size) || !json_object_to_json_string(obj))
			abort();
	}
	vs_arena_free(a);
	return 0;
}
