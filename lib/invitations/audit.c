/* What the invitations' events say: the address, the role and the expiry, never the
 * token (its nonce and hash stay in the table). */
#include "invitations/internal.h"

#include "audit/usecases.h"
#include "auth/domain.h"
#include "core/time.h"

enum vs_err vs__invitation_record(struct vs_app *app, struct vs_arena *a,
				  const struct vs_principal *p, const char *action,
				  const struct vs_invitation *inv)
{
	char role[VS_UUID_STRLEN + 1], expires[VS_TIME_STRLEN + 1];
	vs_uuid_format(&inv->role_id, role);
	vs_time_format(inv->expires_at, expires);
	struct json_object *changes = NULL;
	vs_audit_created_text(&changes, "email", inv->email);
	vs_audit_created_text(&changes, "role_id", role);
	vs_audit_created_text(&changes, "expires_at", expires);
	vs_audit_created_text(&changes, "status", vs_invitation_status_name(inv->status));
	struct vs_principal invitee = { .authenticated = inv->has_user };
	if (inv->has_user)
		invitee.user.id = inv->user_id;
	enum vs_err rc = vs_audit_record_object(app, a, p ? p : &invitee, action, "invitation",
						&inv->id, &inv->tenant_id, changes);
	json_object_put(changes);
	return rc;
}
