/* Where webhooks may go and how they are retried, from the environment (runtime.h). */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_DISABLE_AFTER_S (365L * 86400)

bool vs_runtime_webhook_settings(struct vs_webhook_settings *out, struct vs_webhook_net *net,
				 char *err, size_t errlen)
{
	const char *why = NULL;
	if (!vs_webhook_net_parse(getenv("VS_WEBHOOK_ALLOW_HTTP"), getenv("VS_WEBHOOK_ALLOW_PRIVATE"),
				  getenv("VS_WEBHOOK_ALLOW_ADDRESSES"), net, &why)) {
		snprintf(err, errlen, "%s", why);
		return false;
	}
	const char *schedule = getenv("VS_WEBHOOK_RETRY_MS");
	if (!schedule || !*schedule) {
		vs_webhook_schedule_default(&out->schedule);
	} else if (!vs_webhook_schedule_parse(schedule, &out->schedule)) {
		snprintf(err, errlen,
			 "VS_WEBHOOK_RETRY_MS must be up to %d positive millisecond counts, "
			 "comma separated",
			 VS_WEBHOOK_RETRIES_MAX);
		return false;
	}
	long after;
	if (!vs_config_env_long("VS_WEBHOOK_DISABLE_AFTER_S", VS_WEBHOOK_DISABLE_AFTER_S, 1,
				MAX_DISABLE_AFTER_S, &after, err, errlen))
		return false;
	out->disable_after_s = after;
	return true;
}
