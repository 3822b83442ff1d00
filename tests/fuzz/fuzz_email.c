/* libFuzzer: the e-mail address rule (lib/core/email.c). An address it accepts is
 * printable ASCII with exactly one '@', at most 254 bytes. */
#include "core/email.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	if (!vs_email_valid(s, size))
		return 0;
	size_t ats = 0;
	for (size_t i = 0; i < size; i++) {
		if (data[i] <= ' ' || data[i] >= 0x7f)
			abort();
		ats += data[i] == '@';
	}
	if (ats != 1 || size > 254)
		abort();
	return 0;
}
