/* Invitation tokens as the use cases make them: the key from the app's signing secret, a
 * fresh nonce per issue (domain.h has the format). */
#include "invitations/internal.h"

#include "core/jwt.h"

#include <string.h>

enum vs_err vs__invitation_key(const struct vs_app *app, uint8_t key[VS_SHA256_LEN],
			       struct vs_error *e)
{
	if (!app->jwt)
		return vs_fail(e, VS_INTERNAL, NULL);
	vs_invitation_token_key(app->jwt->key, app->jwt->key_len, key);
	return VS_OK;
}

enum vs_err vs__invitation_token(const struct vs_app *app, const struct vs_invitation *inv,
				 char out[VS_INVITATION_TOKEN_LEN + 1], struct vs_error *e)
{
	uint8_t key[VS_SHA256_LEN];
	enum vs_err rc = vs__invitation_key(app, key, e);
	if (rc != VS_OK)
		return rc;
	struct vs_invitation_token t = { inv->tenant_id, inv->id, { 0 } };
	memcpy(t.nonce, inv->nonce, sizeof(t.nonce));
	vs_invitation_token_make(key, &t, out);
	memset(key, 0, sizeof(key));
	return VS_OK;
}

enum vs_err vs__invitation_new_token(const struct vs_app *app, struct vs_arena *a,
				     struct vs_invitation *inv, const char **token,
				     struct vs_error *e)
{
	char *text = vs_arena_alloc(a, VS_INVITATION_TOKEN_LEN + 1);
	vs_random_bytes(inv->nonce, sizeof(inv->nonce));
	enum vs_err rc = vs__invitation_token(app, inv, text, e);
	if (rc != VS_OK)
		return rc;
	vs_sha256(text, VS_INVITATION_TOKEN_LEN, inv->token_hash);
	*token = text;
	return VS_OK;
}
