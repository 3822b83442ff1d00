/*
 * What the webhook suites share: the run's real HTTPS webhook receiver
 * (webhooks/receiver.py; tests/integration/run starts it and exports VS_TEST_WEBHOOK_DIR),
 * read and steered through that directory, and check_signature.py, a Standard Webhooks
 * verifier written apart from the stack's C code (Python's hmac, hashlib, base64).
 *
 * The receiver records every request as VS_TEST_WEBHOOK_DIR/req-N.json, N in arrival order:
 * {"n", "method", "path", "headers": {lower-cased name: value}, "body", "body_b64",
 * "received_at" (Unix seconds, a double), "status" (what it answered)}. A request is
 * recorded before it is answered (and before a rule's delay): that a test sees it does not
 * mean the sender has had the answer yet.
 *
 * Give each test paths of its own (hook_unique_path): the receiver serves the whole run,
 * and a path is how a test tells its requests from those of the tests before it.
 */
#ifndef IT_HOOK_UTIL_H
#define IT_HOOK_UTIL_H

#include <json-c/json.h>
#include <stddef.h>

/* VS_TEST_WEBHOOK_DIR; NULL with a CUnit failure when the run did not set it. */
const char *hook_dir(void);

/* "https://127.0.0.1:<port>" followed by path, malloc'd; NULL with a CUnit failure when the
 * receiver's port cannot be read. */
char *hook_url(const char *path);

/* "/t/<label>-<16 random hex digits>", malloc'd: a path no other test uses. */
char *hook_unique_path(const char *label);

/* How many requests to path (the request target exactly as sent) were recorded so far;
 * NULL path: all of them. */
int hook_count(const char *path);

/* The nth (1-based) recorded request to path (NULL: any), waiting up to seconds for it
 * (json_object_put it); NULL with a CUnit failure when it did not come in time. */
struct json_object *hook_wait(const char *path, int nth, double seconds);

/*
 * How the receiver answers path (NULL: the default, for every path without a rule of its
 * own): status, after delay_ms (0: at once), for the next count requests of that path (0:
 * all of them), after which the path gets the default again (with none, 204; a default
 * with a count counts per path, then 204). The rules of other paths stay as they are, and
 * so do their counts; setting a rule again starts its count afresh.
 */
void hook_rule(const char *path, int status, int delay_ms, int count);
/*
 * The same for whole rules, as receiver.py reads them: control_json is
 * {"default": RULE, "paths": {"/a": RULE, ...}}, RULE = {"status", "delay_ms", "location",
 * "body_bytes", "count"}; a rule given replaces that path's (or the default's) and starts
 * its count afresh, null removes it, and paths not named keep theirs. A CUnit failure when
 * it is no such object.
 */
void hook_rule_json(const char *control_json);
/* No rules: every request answered 204 (the control file removed). */
void hook_reset(void);

/*
 * check_signature.py on req (a recorded request) with the n secrets ("whsec_<base64>"):
 * {"id", "timestamp" (the headers as sent, or null), "timestamp_s" (integer or null),
 * "signatures" (the v1 values present), "others" (other entries), "matched" (0-based
 * indexes into secrets of those whose signature is present), "body_json_ok"}
 * (json_object_put it), or NULL with a CUnit failure. At most 12 secrets.
 */
struct json_object *hook_check(struct json_object *req, const char *const *secrets, size_t n);

/* The value of the header name (any case) in req, or NULL when it was not sent. */
const char *hook_header(struct json_object *req, const char *name);

#endif
