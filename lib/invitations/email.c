/* The invitation e-mail (email.h). Names come from users and tenants: they are escaped in
 * the HTML part, and a tenant name that cannot stand in a header stays out of the subject. */
#include "invitations/email.h"

#include "core/time.h"

#include <string.h>

#define PRODUCT "VirtualStack"

const char *vs_invitation_accept_link(struct vs_arena *a, const char *public_url,
				      const char *token)
{
	return vs_arena_printf(a, "%s/accept-invitation#token=%s", public_url, token);
}

/* s with & < > " ' as HTML character references, in a. */
static const char *html_escape(struct vs_arena *a, const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += strchr("&<>\"'", *p) ? 6 : 1;
	char *out = vs_arena_alloc(a, n + 1), *o = out;
	for (const char *p = s; *p; p++) {
		const char *ref = *p == '&'   ? "&amp;"
				  : *p == '<' ? "&lt;"
				  : *p == '>' ? "&gt;"
				  : *p == '"' ? "&quot;"
				  : *p == '\'' ? "&#39;"
					      : NULL;
		if (ref) {
			memcpy(o, ref, strlen(ref));
			o += strlen(ref);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* "Ann Smith (ann@example.com)", "ann@example.com", or someone when the inviter is gone. */
static const char *inviter_of(struct vs_arena *a, const struct vs_invitation *inv)
{
	const char *first = inv->inviter_first_name ? inv->inviter_first_name : "";
	const char *last = inv->inviter_last_name ? inv->inviter_last_name : "";
	if (!inv->inviter_email)
		return "An administrator";
	if (!*first && !*last)
		return inv->inviter_email;
	return vs_arena_printf(a, "%s%s%s (%s)", first, *first && *last ? " " : "", last,
			       inv->inviter_email);
}

/* "2026-11-30 10:00 UTC" */
static const char *when(struct vs_arena *a, int64_t t)
{
	char iso[VS_TIME_STRLEN + 1];
	vs_time_format(t, iso);
	return vs_arena_printf(a, "%.10s %.5s UTC", iso, iso + 11);
}

void vs_invitation_email(struct vs_arena *a, const struct vs_invitation *inv, const char *link,
			 struct vs_mail *out)
{
	const char *tenant = inv->tenant_name ? inv->tenant_name : "a tenant";
	const char *inviter = inviter_of(a, inv), *expires = when(a, inv->expires_at);
	const char *html_link = html_escape(a, link);
	*out = (struct vs_mail){
		.to = { NULL, inv->email },
		/* A name the header cannot carry (a control character) is left out of it. */
		.subject = vs_mail_name_check(tenant)
				   ? "You are invited to " PRODUCT
				   : vs_arena_printf(a, "You are invited to join %s on " PRODUCT,
						     tenant),
		.text = vs_arena_printf(a,
					"Hello,\n\n"
					"%s has invited you to join %s on " PRODUCT ".\n\n"
					"To accept the invitation, open this link:\n%s\n\n"
					"The invitation expires on %s. If you did not expect it, "
					"you can ignore this e-mail.\n",
					inviter, tenant, link, expires),
		.html = vs_arena_printf(
			a,
			"<!DOCTYPE html>\n<html><body>\n<p>Hello,</p>\n"
			"<p>%s has invited you to join <strong>%s</strong> on " PRODUCT ".</p>\n"
			"<p><a href=\"%s\">Accept the invitation</a></p>\n"
			"<p>Or copy this link into your browser:<br>%s</p>\n"
			"<p>The invitation expires on %s. If you did not expect it, you can "
			"ignore this e-mail.</p>\n</body></html>\n",
			html_escape(a, inviter), html_escape(a, tenant), html_link, html_link,
			expires),
	};
}
