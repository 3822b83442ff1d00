/* libFuzzer: UUID parsing (lib/core/uuid.c). A UUID it accepts formats back to the same
 * 16 bytes. */
#include "core/uuid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vs_uuid u, again;
	char text[VS_UUID_STRLEN + 1];
	if (vs_uuid_parse((const char *)data, size, &u)) {
		vs_uuid_format(&u, text);
		if (!vs_uuid_parse(text, strlen(text), &again) || !vs_uuid_eq(&u, &again))
			abort();
	}
	return 0;
}
