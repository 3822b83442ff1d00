#include "plan.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void it_folder_of(const char *file, char *out, size_t size)
{
	const char *marker = "tests/integration/", *rest = strstr(file, marker), *slash;
	size_t len;

	rest = rest ? rest + strlen(marker) : file;
	slash = strchr(rest, '/');
	len = slash ? (size_t)(slash - rest) : 0;
	snprintf(out, size, "%.*s", (int)len, rest);
}

static bool same(const char *s, const char *p, size_t len)
{
	return strlen(s) == len && memcmp(s, p, len) == 0;
}

/*
 * Marks the suites one VS_TEST_ONLY entry names: "folder/" every suite of a
 * folder, "folder/name" that one suite, a bare word every suite with that name
 * and every suite in a folder of that name. Whether it named any.
 */
static bool select_entry(const struct it_suite *s, size_t n, const char *e, size_t len,
			 bool *chosen)
{
	const char *slash = memchr(e, '/', len);
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		bool hit;

		if (slash) {
			size_t flen = (size_t)(slash - e), rest = len - flen - 1;

			hit = same(s[i].folder, e, flen) &&
			      (rest == 0 || same(s[i].name, slash + 1, rest));
		} else {
			hit = same(s[i].name, e, len) || same(s[i].folder, e, len);
		}
		chosen[i] |= hit;
		any |= hit;
	}
	return any;
}

static void list_names(const struct it_suite *s, size_t n)
{
	fprintf(stderr, "suites (folder/name; a bare name or folder works too):\n");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "  %s/%s\n", s[i].folder, s[i].name);
}

/* chosen[] from VS_TEST_ONLY, a comma-separated list; false on an unknown entry. */
static bool choose(const struct it_suite *s, size_t n, bool *chosen)
{
	const char *only = getenv("VS_TEST_ONLY"), *p = only;
	bool ok = true;

	if (!only || !*only) {
		for (size_t i = 0; i < n; i++)
			chosen[i] = true;
		return true;
	}
	while (*p) {
		const char *end = strchr(p, ','), *b = p, *e;

		end = end ? end : p + strlen(p);
		e = end;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b && !select_entry(s, n, b, (size_t)(e - b), chosen)) {
			fprintf(stderr, "integration_tests: VS_TEST_ONLY names no suite or folder: "
					"\"%.*s\"\n",
				(int)(e - b), b);
			ok = false;
		}
		p = *end ? end + 1 : end;
	}
	if (!ok)
		list_names(s, n);
	return ok;
}

/* SplitMix64: a fixed generator, so that a seed gives the same order everywhere. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static bool parse_seed(const char *text, uint64_t *seed)
{
	char *end;

	if (strcmp(text, "random") == 0) {
		*seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
		*seed %= 1000000;
		return true;
	}
	if (!isdigit((unsigned char)text[0]))
		return false;
	*seed = strtoull(text, &end, 10);
	return *end == '\0';
}

/* Reorders order[0..k-1] as the environment asks; false on a bad value. */
static bool arrange(size_t *order, size_t k, char *how, size_t howsize)
{
	const char *shuffle = getenv("VS_TEST_SHUFFLE"), *ord = getenv("VS_TEST_ORDER");
	uint64_t seed, state;

	if (shuffle && *shuffle && ord && *ord) {
		fprintf(stderr, "integration_tests: set VS_TEST_SHUFFLE or VS_TEST_ORDER, not both\n");
		return false;
	}
	if (shuffle && *shuffle) {
		if (!parse_seed(shuffle, &seed)) {
			fprintf(stderr, "integration_tests: VS_TEST_SHUFFLE must be a decimal seed or "
					"\"random\", not \"%s\"\n",
				shuffle);
			return false;
		}
		state = seed;
		for (size_t i = k; i > 1; i--) {
			size_t j = (size_t)(next_random(&state) % i), t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		snprintf(how, howsize, "shuffled with VS_TEST_SHUFFLE=%llu",
			 (unsigned long long)seed);
		return true;
	}
	if (!ord || !*ord || strcmp(ord, "path") == 0) {
		snprintf(how, howsize, "path order");
		return true;
	}
	if (strcmp(ord, "reverse") == 0) {
		for (size_t i = 0; i < k / 2; i++) {
			size_t t = order[i];

			order[i] = order[k - 1 - i];
			order[k - 1 - i] = t;
		}
		snprintf(how, howsize, "reverse path order");
		return true;
	}
	fprintf(stderr, "integration_tests: VS_TEST_ORDER must be \"path\" or \"reverse\", not "
			"\"%s\"\n",
		ord);
	return false;
}

int it_plan(const struct it_suite *suites, size_t n, size_t *order, char *how, size_t howsize)
{
	bool *chosen = calloc(n ? n : 1, sizeof(*chosen));
	size_t k = 0;
	int rc = -1;

	if (!chosen)
		abort();
	if (!choose(suites, n, chosen))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (chosen[i])
			order[k++] = i;
	if (arrange(order, k, how, howsize))
		rc = (int)k;
out:
	free(chosen);
	return rc;
}
