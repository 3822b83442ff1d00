/* The refresh-token repository fake. */
#include "fakes/internal.h"

#include "core/crypto.h"

#include <stdlib.h>

static struct fake_db *sessions_db(struct vs_session_repo *r)
{
	if (!r || r->ops != &fake__session_ops)
		abort();
	return ((struct fake_sessions *)r)->db;
}

static struct fake_session_row *session_by_hash(struct fake_db *db, const uint8_t hash[32])
{
	for (size_t i = 0; i < db->store.nsessions; i++)
		if (memcmp(db->store.sessions[i].hash, hash, 32) == 0)
			return &db->store.sessions[i];
	return NULL;
}

struct fake_session_row *fake_session_by_token(struct fake_db *db, const char *token)
{
	uint8_t hash[VS_SHA256_LEN];
	vs_sha256(token, strlen(token), hash);
	return session_by_hash(db, hash);
}

static enum vs_err session_insert(struct vs_session_repo *repo, const struct vs_refresh_token *t,
				  const uint8_t hash[32])
{
	struct fake_db *db = sessions_db(repo);
	if (fake__call(db, "sessions.insert"))
		return VS_UNAVAILABLE;
	if (session_by_hash(db, hash))
		return VS_CONFLICT;
	if (db->store.nsessions == FAKE_MAX_SESSIONS)
		return VS_INTERNAL;
	fake__wrote(db);
	struct fake_session_row *r = &db->store.sessions[db->store.nsessions++];
	memset(r, 0, sizeof(*r));
	r->t.id = t->id;
	r->t.family_id = t->family_id;
	r->t.user_id = t->user_id;
	r->t.expires_at = t->expires_at;
	r->t.rotated = t->rotated;
	r->t.revoked = t->revoked;
	memcpy(r->hash, hash, 32);
	return VS_OK;
}

static enum vs_err session_take(struct vs_session_repo *repo, struct vs_arena *a,
				const uint8_t hash[32], struct vs_refresh_token *out)
{
	(void)a;
	struct fake_db *db = sessions_db(repo);
	if (fake__call(db, "sessions.take"))
		return VS_UNAVAILABLE;
	const struct fake_session_row *r = session_by_hash(db, hash);
	if (!r)
		return VS_NOTFOUND;
	*out = r->t;
	return VS_OK;
}

static struct fake_session_row *session_by_id(struct fake_db *db, const vs_uuid *id)
{
	for (size_t i = 0; i < db->store.nsessions; i++)
		if (vs_uuid_eq(&db->store.sessions[i].t.id, id))
			return &db->store.sessions[i];
	return NULL;
}

static enum vs_err session_mark_rotated(struct vs_session_repo *repo, const vs_uuid *id)
{
	struct fake_db *db = sessions_db(repo);
	if (fake__call(db, "sessions.mark_rotated"))
		return VS_UNAVAILABLE;
	struct fake_session_row *r = session_by_id(db, id);
	if (!r)
		return VS_NOTFOUND;
	fake__wrote(db);
	r->t.rotated = true;
	return VS_OK;
}

static enum vs_err session_revoke_family(struct vs_session_repo *repo, const vs_uuid *family)
{
	struct fake_db *db = sessions_db(repo);
	if (fake__call(db, "sessions.revoke_family"))
		return VS_UNAVAILABLE;
	if (db->nrevoked < sizeof(db->revoked_families) / sizeof(db->revoked_families[0]))
		db->revoked_families[db->nrevoked++] = *family;
	fake__wrote(db);
	for (size_t i = 0; i < db->store.nsessions; i++)
		if (vs_uuid_eq(&db->store.sessions[i].t.family_id, family))
			db->store.sessions[i].t.revoked = true;
	return VS_OK;
}

const struct vs_session_repo_ops fake__session_ops = {
    session_insert,
    session_take,
    session_mark_rotated,
    session_revoke_family,
};

