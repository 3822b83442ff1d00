/* The authorization matrix's fragments, as the modules' files register them (authz_table.h). */
#include "authz_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAGMENTS 64

static struct authz_fragment fragments[MAX_FRAGMENTS];
static size_t nfragments;
static bool sorted;

void authz_register(const struct authz_row *rows, size_t n, const char *file)
{
	if (nfragments == MAX_FRAGMENTS) {
		fprintf(stderr, "integration_tests: more than %d authz fragments; raise "
				"MAX_FRAGMENTS\n", MAX_FRAGMENTS);
		abort();
	}
	fragments[nfragments++] = (struct authz_fragment){ rows, n, file };
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct authz_fragment *)a)->file,
		      ((const struct authz_fragment *)b)->file);
}

size_t authz_fragments(const struct authz_fragment **out)
{
	/* the constructors ran in link order; the matrix should not depend on it */
	if (!sorted) {
		qsort(fragments, nfragments, sizeof(fragments[0]), by_path);
		sorted = true;
	}
	*out = fragments;
	return nfragments;
}

const char *kind_name(enum obj_kind k)
{
	static const char *const names[K_COUNT] = {
		[K_NONE] = "no object",         [K_OWN] = "own object",
		[K_FOREIGN] = "foreign object", [K_MISSING] = "missing object",
		[K_SYSTEM] = "system role",     [K_NOCTX] = "no X-Tenant-ID",
	};

	return k < K_COUNT ? names[k] : "?";
}
