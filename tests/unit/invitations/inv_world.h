/* The world of the invitations tests: fakes/world.h's RBAC world, plus
 *   - the permission tenant:manage_invitations, held by Tenant Admin and by the acme role
 *     "Inviters" (with Member's codes too), which "ivy" (Ivy Inviter) holds in acme;
 *   - the invitations and jobs repository fakes (fakes/invitations.c, fakes/jobs.c), both
 *     attached to the database;
 *   - a mailer that records what it is given and answers as told;
 *   - VS_PUBLIC_URL https://cloud.example.com. */
#ifndef VS_TESTS_UNIT_INVITATIONS_INV_WORLD_H
#define VS_TESTS_UNIT_INVITATIONS_INV_WORLD_H

#include "fakes/world.h"
#include "invitations/usecases.h"
#include "mail/port.h"

#define IW_PUBLIC_URL "https://cloud.example.com"

struct iw_mailer {
	struct vs_mailer base;
	enum vs_err answer; /* what send answers */
	const char *detail; /* and its reason, for a failure */
	int sent;	    /* calls */
	struct vs_mail last; /* strings in the caller's arena */
	int64_t last_deadline_ms;
};

struct inv_world {
	struct world w;
	struct fake_invitations *inv;
	struct fake_jobs jobs;
	struct iw_mailer mailer;
	vs_uuid inviters, ivy;
};

void inv_world_init(struct inv_world *iw);
void inv_world_free(struct inv_world *iw);

/* The jobs of the invitation, in enqueue order, up to max; their number. */
size_t iw_jobs_of(struct inv_world *iw, const vs_uuid *invitation, struct fake_job_row **out,
		  size_t max);

/* A create request as user in acme (tenant_id acme), committed when it succeeds; the
 * token into *token (NULL when not wanted). */
enum vs_err iw_invite(struct inv_world *iw, const vs_uuid *user, const char *email,
		      const vs_uuid *role, struct vs_invitation *out, const char **token,
		      struct vs_error *e);

/* Everything the database holds (IAM, invitations, jobs), to tell later whether anything
 * changed. */
struct iw_snapshot {
	struct fake_store *iam;
	struct fake_invitations *inv;
	struct fake_jobs jobs;
};
void iw_snap(struct inv_world *iw, struct iw_snapshot *s);
bool iw_unchanged(struct inv_world *iw, const struct iw_snapshot *s);
void iw_snap_free(struct iw_snapshot *s);

/* The MAC key of the world's tokens (the fake app's JWT secret). */
void iw_token_key(uint8_t key[VS_SHA256_LEN]);

/* A present optional string. */
struct vs_opt_str iw_str(const char *s);

#endif
