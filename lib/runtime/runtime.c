#include "runtime/runtime.h"

#include "adapters/http/webhook_sender.h"
#include "adapters/pg/host_epoch.h"
#include "adapters/pg/migrate.h"
#include "adapters/pg/wiring.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tools run long statements (migrations, bulk inserts); tools and the runner touch few
 * keys. */
#define TOOL_STATEMENT_TIMEOUT_MS 30000
#define TOOL_KEY_CACHE_SIZE 16
#define TOOL_KEY_CACHE_TTL 1

bool vs_runtime_open(struct vs_runtime *rt, const struct vs_runtime_options *opt, char *err,
		     size_t errlen)
{
	memset(rt, 0, sizeof(*rt));
	if (!vs_config_load(&rt->cfg, opt->need_jwt, err, errlen))
		return false;
	vs_log_set_level(rt->cfg.log_level);
	if (opt->need_jwt && vs_jwt_keys_init(&rt->jwt, rt->cfg.jwt_secret, rt->cfg.jwt_secret_len,
					      rt->cfg.jwt_issuer, rt->cfg.jwt_audience) != VS_OK) {
		snprintf(err, errlen, "the JWT secret is too short");
		vs_config_release(&rt->cfg);
		return false;
	}
	/* The audit signing key: the signer keeps it whole, everyone else its public half. */
	const char *key_path = getenv("VS_AUDIT_SIGNING_KEY");
	if (key_path && *key_path &&
	    !vs_ed25519_load(key_path, opt->signer, &rt->audit_key, err, errlen)) {
		vs_config_release(&rt->cfg);
		return false;
	}
	bool have_key = key_path && *key_path;
	if (!vs_runtime_webhook_settings(&rt->webhooks, &rt->webhook_net, err, errlen)) {
		vs_ed25519_release(&rt->audit_key);
		vs_config_release(&rt->cfg);
		return false;
	}
	rt->app = (struct vs_app){
		.jwt = opt->need_jwt ? &rt->jwt : NULL,
		.access_ttl = rt->cfg.access_ttl,
		.refresh_ttl = rt->cfg.refresh_ttl,
		.now = vs_time_now,
		.public_url = rt->cfg.public_url,
		.audit_key = have_key ? &rt->audit_key : NULL,
		.webhook_settings = &rt->webhooks,
	};
	if (opt->offline)
		return true;
	if (opt->tool)
		rt->cfg.statement_timeout_ms = TOOL_STATEMENT_TIMEOUT_MS;
	if (opt->tool || opt->runner) {
		rt->cfg.key_cache_size = TOOL_KEY_CACHE_SIZE;
		rt->cfg.key_cache_ttl = TOOL_KEY_CACHE_TTL;
	}
	const char *name = opt->runner ? "vs-worker" : opt->tool ? "vs-admin" : "vs-fcgi";
	rt->pg = vs_pg_new(rt->cfg.database_url, name, rt->cfg.statement_timeout_ms);
	if (rt->cfg.db_timeout_ms)
		vs_pg_set_wait_limit(rt->pg, rt->cfg.db_timeout_ms);
	if (opt->queue)
		vs_pg_async_commit(rt->pg);
	rt->owned = vs_arena_new();
	if (opt->mailer && !vs_runtime_mailer(rt->owned, &rt->app.mailer, err, errlen)) {
		vs_arena_free(rt->owned);
		vs_pg_free(rt->pg);
		vs_ed25519_release(&rt->audit_key);
		vs_config_release(&rt->cfg);
		return false;
	}
	const char *ca = getenv("VS_WEBHOOK_CA_FILE");
	rt->app.webhook_guard = vs_http_webhook_guard_new(rt->owned, &rt->webhook_net);
	if (opt->sender && vs_http_webhook_sender_new(rt->owned, &rt->webhook_net,
						      ca && *ca ? ca : NULL,
						      &rt->app.webhook_sender) != VS_OK) {
		snprintf(err, errlen, "could not make the webhook sender (libcurl)");
		vs_arena_free(rt->owned);
		vs_pg_free(rt->pg);
		vs_ed25519_release(&rt->audit_key);
		vs_config_release(&rt->cfg);
		return false;
	}
	rt->epoch = opt->tool ? NULL : vs_host_epoch_open(rt->cfg.shm_path);
	struct vs_pg_db *db = vs_pg_db_new(rt->pg, rt->epoch, rt->owned);
	rt->app.tx = vs_pg_db_tx(db);
	rt->app.db = vs_pg_db_port(db);
	const struct vs_pg_wiring w = { rt->pg, db, rt->owned, rt->epoch, &rt->cfg };
#define WIRE(m) vs_pg_##m##_wire(&w, &rt->app);
	VS_PG_MODULES(WIRE)
#undef WIRE
	return true;
}

void vs_runtime_close(struct vs_runtime *rt)
{
	vs_arena_free(rt->owned); /* the repositories' caches, before their connection */
	vs_host_epoch_close(rt->epoch);
	vs_pg_free(rt->pg);
	vs_ed25519_release(&rt->audit_key);
	vs_config_release(&rt->cfg);
	memset(rt, 0, sizeof(*rt));
}

bool vs_runtime_migrate(struct vs_runtime *rt, const char *sql_dir, const char *app_role,
			int *applied, char *err, size_t errlen)
{
	if (vs_pg_ensure(rt->pg) != VS_OK) {
		snprintf(err, errlen, "could not connect to the database");
		return false;
	}
	return vs_migrate(vs_pg_conn(rt->pg), sql_dir, app_role, applied, err, errlen) == VS_OK;
}
