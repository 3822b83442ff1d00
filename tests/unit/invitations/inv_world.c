/* The invitations tests' world (inv_world.h). */
#include "invitations/inv_world.h"

#include "core/jwt.h"
#include "fakes/internal.h"

#include <stdlib.h>

size_t iw_jobs_of(struct inv_world *iw, const vs_uuid *invitation, struct fake_job_row **out,
		  size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < iw->jobs.store.n; i++) {
		struct fake_job_row *r = &iw->jobs.store.rows[i];
		if (r->has_resource && vs_uuid_eq(&r->resource_id, invitation) && n < max)
			out[n++] = r;
	}
	return n;
}

/* ---- the mailer ---- */

static enum vs_err mailer_send(struct vs_mailer *m, struct vs_arena *a, const struct vs_mail *mail,
			       int64_t deadline_ms, struct vs_error *e)
{
	(void)a;
	struct iw_mailer *f = (struct iw_mailer *)m;
	f->sent++;
	f->last = *mail;
	f->last_deadline_ms = deadline_ms;
	return f->answer == VS_OK ? VS_OK : vs_fail(e, f->answer, f->detail);
}

static const struct vs_mailer_ops mailer_ops = { .send = mailer_send };

/* ---- the world ---- */

static const char *const inviters_codes[] = {
	"tenant:manage_invitations", "user:read", "tenant:read", "tenant:view_users",
	"role:read",		     "permission:read", "vm:read", NULL,
};

void inv_world_init(struct inv_world *iw)
{
	memset(iw, 0, sizeof(*iw));
	struct world *w = &iw->w;
	world_init(w);
	struct fake_db *db = w->db;
	vs_uuid code = fake_seed_permission(db, "tenant:manage_invitations");
	db->store.role_perms[db->store.nrole_perms++] =
		(struct fake_role_perm_row){ w->tenant_admin, code };
	iw->inviters = fake_seed_role_with(db, "Inviters", &w->acme, false, inviters_codes);
	iw->ivy = fake_seed_user(db, "ivy@example.com", fake_password_hash(), true, false);
	struct fake_user_row *ivy = fake_user(db, &iw->ivy);
	ivy->has_first_name = ivy->has_last_name = true;
	fake__copy_str(ivy->first_name, sizeof(ivy->first_name), "Ivy");
	fake__copy_str(ivy->last_name, sizeof(ivy->last_name), "Inviter");
	fake_seed_grant(db, &w->acme, &iw->ivy, &iw->inviters);

	iw->inv = fake_invitations_new(db, &w->app);
	fake_jobs_init(&iw->jobs, db, &w->app);
	iw->mailer.base.ops = &mailer_ops;
	w->app.mailer = &iw->mailer.base;
	w->app.public_url = IW_PUBLIC_URL;
}

void inv_world_free(struct inv_world *iw)
{
	world_free(&iw->w);
	free(iw->inv);
}

struct vs_opt_str iw_str(const char *s)
{
	return (struct vs_opt_str){ .set = true, .p = s, .len = strlen(s) };
}

enum vs_err iw_invite(struct inv_world *iw, const vs_uuid *user, const char *email,
		      const vs_uuid *role, struct vs_invitation *out, const char **token,
		      struct vs_error *e)
{
	struct world *w = &iw->w;
	const struct vs_invitation_input in = {
		.email = iw_str(email),
		.tenant_id = { .set = true, .v = w->acme },
		.role_id = { .set = role != NULL, .v = role ? *role : (vs_uuid){ { 0 } } },
	};
	const char *text = NULL;
	const struct vs_principal *p = world_enter(w, user, &w->acme);
	enum vs_err rc = vs_invitations_create(&w->app, w->a, p, &w->acme, &in, out, &text, e);
	enum vs_err end = world_leave(w, rc == VS_OK);
	if (token)
		*token = text;
	return rc != VS_OK ? rc : end;
}

void iw_snap(struct inv_world *iw, struct iw_snapshot *s)
{
	s->iam = fake_store_copy(iw->w.db);
	s->inv = malloc(sizeof(*s->inv));
	if (!s->inv)
		abort();
	memcpy(s->inv, iw->inv, sizeof(*s->inv));
	s->jobs = iw->jobs;
}

bool iw_unchanged(struct inv_world *iw, const struct iw_snapshot *s)
{
	return fake_store_equal(&iw->w.db->store, s->iam) &&
	       memcmp(&iw->inv->store, &s->inv->store, sizeof(s->inv->store)) == 0 &&
	       memcmp(&iw->jobs.store, &s->jobs.store, sizeof(s->jobs.store)) == 0;
}

void iw_snap_free(struct iw_snapshot *s)
{
	free(s->iam);
	free(s->inv);
}

void iw_token_key(uint8_t key[VS_SHA256_LEN])
{
	const struct vs_jwt_keys *k = fake_jwt_keys();
	vs_invitation_token_key(k->key, k->key_len, key);
}
