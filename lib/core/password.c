#include "core/password.h"

#include "core/crypto.h"

#include <argon2.h>
#include <string.h>

/* OWASP: argon2id, m = 19 MiB, t = 2, p = 1. */
#define T_COST 2
#define M_COST_KIB 19456
#define PARALLELISM 1
#define SALT_LEN 16
#define HASH_LEN 32
#define POLICY_PREFIX "$argon2id$v=19$m=19456,t=2,p=1$"

/* A hash of a random phrase with the current parameters: verifying against it costs the
 * same as verifying a real user's password. */
static const char dummy_hash[] =
	"$argon2id$v=19$m=19456,t=2,p=1$dnMtZHVtbXktc2FsdC0xNg$"
	"gfTvD1MXmgW/82z9/YsvnESnXavTVYDubqueVsRXfjo";

enum vs_err vs_password_hash(const char *password, size_t len, char out[VS_PASSWORD_HASH_MAX])
{
	uint8_t salt[SALT_LEN];
	vs_random_bytes(salt, sizeof(salt));
	int rc = argon2id_hash_encoded(T_COST, M_COST_KIB, PARALLELISM, password, len, salt,
				       sizeof(salt), HASH_LEN, out, VS_PASSWORD_HASH_MAX);
	return rc == ARGON2_OK ? VS_OK : VS_INTERNAL;
}

bool vs_password_verify(const char *encoded, const char *password, size_t len)
{
	if (!encoded || strncmp(encoded, "$argon2id$", 10) != 0) {
		vs_password_burn(password, len);
		return false;
	}
	return argon2id_verify(encoded, password, len) == ARGON2_OK;
}

void vs_password_burn(const char *password, size_t len)
{
	(void)argon2id_verify(dummy_hash, password, len);
}

bool vs_password_needs_rehash(const char *encoded)
{
	return strncmp(encoded, POLICY_PREFIX, sizeof(POLICY_PREFIX) - 1) != 0;
}
