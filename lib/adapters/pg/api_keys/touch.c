/* last_used_at: noted on each use, written after the answer, at most once a minute per
 * key and worker, a batch of keys per statement. */
#include "adapters/pg/api_keys/internal.h"

#include "adapters/pg/api_keys/key_cache.h"
#include "core/time.h"

static const struct vs_pg_stmt touch_stmt = {
	"api_key_touch", "SELECT iam.touch_api_keys($1::uuid[])", 1
};

/* Only notes the use: the write happens after the answer (vs__pg_api_keys_write_behind),
 * at most once a minute per key and worker, however many other keys it sees meanwhile. */
void vs__pg_api_keys_touch(struct vs_api_key_repo *self, const struct vs_api_key *k)
{
	struct pg_api_keys *repo = pg_api_keys_of(self);
	int64_t now = vs_time_mono_us() / 1000000;
	if (repo->ntouched < PG_TOUCH_BATCH &&
	    vs_key_cache_use_needs_write(repo->cache, k->public_id, now, PG_TOUCH_INTERVAL_SECONDS))
		repo->touched[repo->ntouched++] = k->id;
}

void vs__pg_api_keys_write_behind(void *ctx, bool force)
{
	struct pg_api_keys *repo = ctx;
	if (repo->ntouched == 0)
		return;
	int64_t now = vs_time_mono_us() / 1000000;
	if (!force && now - repo->last_flush < PG_TOUCH_INTERVAL_SECONDS &&
	    repo->ntouched < PG_TOUCH_BATCH)
		return;
	/* One write per worker per minute or per full batch; a failure only loses timestamps. */
	struct vs_arena *a = vs_arena_new();
	const char *params[] = { vs_pg_uuid_array_param(a, repo->touched, repo->ntouched) };
	(void)vs_pg_exec(repo->pg, a, &touch_stmt, params, NULL);
	vs_arena_free(a);
	repo->ntouched = 0;
	repo->last_flush = now;
}

