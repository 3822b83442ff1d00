/* Password hashing: argon2id with the OWASP parameters (SECURITY.md). */
#ifndef VS_CORE_PASSWORD_H
#define VS_CORE_PASSWORD_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

#define VS_PASSWORD_HASH_MAX 128
#define VS_PASSWORD_MIN_LEN 8
#define VS_PASSWORD_MAX_LEN 128

/* Encoded argon2id string (parameters and salt included) into out. */
enum vs_err vs_password_hash(const char *password, size_t len, char out[VS_PASSWORD_HASH_MAX]);
bool vs_password_verify(const char *encoded, const char *password, size_t len);
/* Spends the time of one verification, so an unknown email costs what a wrong
 * password costs. */
void vs_password_burn(const char *password, size_t len);
/* True when encoded was made with other parameters than today's policy. */
bool vs_password_needs_rehash(const char *encoded);

#endif
