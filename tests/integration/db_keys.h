/*
 * API keys made and read in the database itself, as the schema owner in platform scope
 * (the way vs-admin works): keys no API call has seen, and what the workers wrote.
 */
#ifndef IT_DB_KEYS_H
#define IT_DB_KEYS_H

#include <libpq-fe.h>

#include "core/crypto.h"
#include "api_keys/domain.h"

/* A new key, not stored anywhere; its public id and SHA-256 (hex) too. */
void db_compose_key(char key[VS_API_KEY_LEN + 1], char prefix[VS_API_KEY_PUBLIC_LEN + 1],
		    char hash_hex[2 * VS_SHA256_LEN + 1]);
/* sql in a transaction of its own in platform scope, committed when it succeeded (else
 * rolled back and reported). Its result; never NULL. */
PGresult *db_in_platform_scope(PGconn *c, const char *sql, int n, const char *const *params);
/* The same for a command: the rows it touched, -1 after a reported failure. */
long db_commit(PGconn *c, const char *sql, int n, const char *const *params);

#endif
