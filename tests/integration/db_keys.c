#include "db_keys.h"

#include <string.h>

#include "check.h"
#include "core/hex.h"
#include "pg_util.h"

void db_compose_key(char key[VS_API_KEY_LEN + 1], char prefix[VS_API_KEY_PUBLIC_LEN + 1],
		    char hash_hex[2 * VS_SHA256_LEN + 1])
{
	uint8_t random[64], digest[VS_SHA256_LEN];

	do
		vs_random_bytes(random, sizeof(random));
	while (!vs_api_key_compose(random, sizeof(random), key));
	memcpy(prefix, key + VS_API_KEY_PREFIX_LEN, VS_API_KEY_PUBLIC_LEN);
	prefix[VS_API_KEY_PUBLIC_LEN] = '\0';
	vs_sha256(key, VS_API_KEY_LEN, digest);
	vs_hex_encode(digest, sizeof(digest), hash_hex);
}

PGresult *db_in_platform_scope(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = pg_run(c, "BEGIN", 0, NULL);
	bool ok = EXPECT_PG_OK(r, "BEGIN");

	PQclear(r);
	r = pg_run(c, "SELECT set_config('vs.platform', 'on', true)", 0, NULL);
	ok = ok && EXPECT_PG_OK(r, "platform scope");
	PQclear(r);
	PGresult *result = pg_run(c, sql, n, params);
	ok = ok && EXPECT_PG_OK(result, sql);
	r = pg_run(c, ok ? "COMMIT" : "ROLLBACK", 0, NULL);
	if (ok && !EXPECT_PG_OK(r, "COMMIT")) {
		PQclear(result);
		result = PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR);
	}
	PQclear(r);
	return result;
}

long db_commit(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = db_in_platform_scope(c, sql, n, params);
	long touched = pg_succeeded(r) ? pg_touched(r) : -1;

	PQclear(r);
	return touched;
}
