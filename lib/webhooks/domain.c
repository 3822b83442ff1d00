#include "webhooks/domain.h"

#include "core/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_PREFIX "whsec_"

static const char *const status_names[] = { "pending", "succeeded", "failed" };

const char *vs_delivery_status_name(enum vs_delivery_status s)
{
	return status_names[s];
}

bool vs_delivery_status_parse(const char *s, enum vs_delivery_status *out)
{
	for (size_t i = 0; s && i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (!strcmp(s, status_names[i])) {
			*out = (enum vs_delivery_status)i;
			return true;
		}
	return false;
}

void vs_webhook_secret_new(char out[VS_WEBHOOK_SECRET_LEN + 1])
{
	uint8_t key[VS_WEBHOOK_SECRET_BYTES];
	vs_random_bytes(key, sizeof(key));
	memcpy(out, SECRET_PREFIX, 6);
	vs_base64_encode(key, sizeof(key), out + 6);
	memset(key, 0, sizeof(key));
}

const char *vs_webhook_sign(struct vs_arena *a, const char *secret, const char *msg_id,
			    int64_t timestamp, const char *body, size_t body_len)
{
	uint8_t key[64], mac[VS_SHA256_LEN];
	size_t key_len;
	if (!secret || strncmp(secret, SECRET_PREFIX, 6) != 0 ||
	    !vs_base64_decode(secret + 6, strlen(secret + 6), key, sizeof(key), &key_len) ||
	    key_len == 0)
		return NULL;
	/* "id.timestamp." then the body's exact bytes (it may hold anything). */
	char head[160];
	int hn = snprintf(head, sizeof(head), "%s.%lld.", msg_id, (long long)timestamp);
	if (hn < 0 || (size_t)hn >= sizeof(head))
		return NULL;
	char *signed_text = vs_arena_alloc(a, (size_t)hn + body_len + 1);
	memcpy(signed_text, head, (size_t)hn);
	memcpy(signed_text + hn, body, body_len);
	vs_hmac_sha256(key, key_len, signed_text, (size_t)hn + body_len, mac);
	memset(key, 0, sizeof(key));
	char b64[4 * ((VS_SHA256_LEN + 2) / 3) + 1];
	vs_base64_encode(mac, sizeof(mac), b64);
	return vs_arena_printf(a, "v1,%s", b64);
}

const char *vs_webhook_signatures(struct vs_arena *a, const struct vs_webhook *w,
				  const char *msg_id, int64_t timestamp, const char *body,
				  size_t body_len, int64_t now)
{
	const char *current = vs_webhook_sign(a, w->secret, msg_id, timestamp, body, body_len);
	const char *previous = w->previous_secret && w->previous_until > now
				       ? vs_webhook_sign(a, w->previous_secret, msg_id, timestamp,
							 body, body_len)
				       : NULL;
	if (!current)
		return previous;
	return previous ? vs_arena_printf(a, "%s %s", current, previous) : current;
}

void vs_webhook_schedule_default(struct vs_webhook_schedule *s)
{
	static const int64_t minute = 60 * 1000, hour = 60 * minute;
	const int64_t delays[] = { 5000,     5 * minute, 30 * minute, 2 * hour,
				   5 * hour, 10 * hour,  10 * hour };
	memcpy(s->delays_ms, delays, sizeof(delays));
	s->n = sizeof(delays) / sizeof(delays[0]);
}

bool vs_webhook_schedule_parse(const char *text, struct vs_webhook_schedule *s)
{
	s->n = 0;
	const char *p = text;
	if (!p || !*p)
		return false;
	for (;;) {
		char *end;
		if (*p < '0' || *p > '9' || s->n == VS_WEBHOOK_RETRIES_MAX)
			return false;
		long long v = strtoll(p, &end, 10);
		if (v <= 0 || v > 7LL * 86400 * 1000)
			return false;
		s->delays_ms[s->n++] = v;
		if (*end == '\0')
			return true;
		if (*end != ',')
			return false;
		p = end + 1;
	}
}

int64_t vs_webhook_schedule_next(const struct vs_webhook_schedule *s, int attempt)
{
	return attempt >= 1 && (size_t)attempt <= s->n ? s->delays_ms[attempt - 1] : -1;
}
