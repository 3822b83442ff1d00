/* What the audit module needs from storage: an event written in the current transaction
 * (it joins its chain after the commit, sql/017). */
#ifndef VS_AUDIT_PORT_H
#define VS_AUDIT_PORT_H

#include "core/err.h"
#include "core/uuid.h"

#include <stddef.h>

struct vs_audit_log;
struct vs_audit_log_ops {
	/* canonical: the event's canonical JSON (audit/canonical.h), len bytes; tenant: the
	 * chain it joins (NULL: the platform's). */
	enum vs_err (*append)(struct vs_audit_log *, const char *canonical, size_t len,
			      const vs_uuid *tenant);
	/* Joins every event still pending to its chain (what a writer that stopped between
	 * its commit and its own turn left); *joined how many. Optional (NULL). */
	enum vs_err (*sequence)(struct vs_audit_log *, int *joined);
};
struct vs_audit_log {
	const struct vs_audit_log_ops *ops;
};

#endif
