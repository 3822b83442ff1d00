/* Shared by the fake adapters in tests/unit/fakes/ only; tests include fakes.h. */
#ifndef VS_TESTS_UNIT_FAKES_INTERNAL_H
#define VS_TESTS_UNIT_FAKES_INTERNAL_H

#include "fakes/fakes.h"

#include <string.h>

/* Records op in the journal, counts it as a call that reaches the store, and says
 * whether it must fail: the injected fault, or any call of an aborted transaction. */
bool fake__call(struct fake_db *db, const char *op);
/* Records op in the journal only: something that never reaches the store. */
void fake__note(struct fake_db *db, const char *op);
/* Before a mutation: counted as a bug when no transaction is open. */
void fake__wrote(struct fake_db *db);
/* A statement error PostgreSQL raises (unique or foreign-key violation): it aborts the
 * transaction it happens in. Returns rc. */
enum vs_err fake__sql_error(struct fake_db *db, enum vs_err rc);
/* The outermost begin saves every store, the outermost rollback puts them back. */
void fake__save(struct fake_db *db);
void fake__restore(struct fake_db *db);
/* Copies src (NULL: "") into dst; aborts when a test seeds something too big. */
void fake__copy_str(char *dst, size_t cap, const char *src);
/* vs_user of a row, with the names of the roles held in roles_in (NULL: none). */
void fake__row_to_user(struct fake_db *db, struct vs_arena *a, const struct fake_user_row *r,
		       const vs_uuid *roles_in, struct vs_user *out);

extern const struct vs_tx_ops fake__tx_ops;
extern const struct vs_audit_log_ops fake__audit_ops;
extern const struct vs_user_repo_ops fake__user_ops;
extern const struct vs_tenant_repo_ops fake__tenant_ops;
extern const struct vs_assignment_repo_ops fake__assignment_ops;
extern const struct vs_api_key_repo_ops fake__api_key_ops;
extern const struct vs_session_repo_ops fake__session_ops;
extern const struct vs_role_repo_ops fake__role_ops;
extern const struct vs_permission_repo_ops fake__permission_ops;
extern const struct vs_invitation_repo_ops fake__invitation_ops;

/* A page of a list in the fake's order, as the pg adapter reads it: from an offset, or
 * after the row a cursor names (found by its id: the fakes keep their rows in order). */
struct fake_pager {
	const struct vs_list_at *at;
	int64_t seen;	/* rows matched so far */
	bool started;	/* a keyed page: the cursor's row has passed */
	struct vs_list_end *end;
	size_t *n;
};
static inline void fake_pager_init(struct fake_pager *p, const struct vs_list_at *at,
				   struct vs_list_end *end, size_t *n)
{
	*p = (struct fake_pager){ at, 0, !at->keyed, end, n };
	*end = (struct vs_list_end){ .total = 0 };
	*n = 0;
}
/* Whether the matching row (id, created_at in seconds) goes on the page. */
static inline bool fake_pager_take(struct fake_pager *p, const vs_uuid *id, int64_t created_at)
{
	int64_t index = p->seen++;
	if (!p->started) {
		p->started = vs_uuid_eq(id, &p->at->after.id);
		return false;
	}
	if (!p->at->keyed && index < p->at->offset)
		return false;
	if ((int64_t)*p->n >= p->at->limit) {
		p->end->more = true;
		return false;
	}
	p->end->next = (struct vs_cursor){ created_at * 1000000, *id };
	return true;
}
static inline void fake_pager_finish(struct fake_pager *p)
{
	p->end->total = p->at->keyed ? -1 : p->seen;
}

/* Keeps the rows for which keep_expr (over `row`) holds; zeroes the tail, so a store
 * compares equal whatever it held before. */
#define FAKE_FILTER(rows, n, keep_expr)                                                            \
	do {                                                                                       \
		size_t kept_ = 0;                                                                  \
		for (size_t i_ = 0; i_ < (n); i_++) {                                              \
			const __typeof__((rows)[0]) *row = &(rows)[i_];                            \
			if (keep_expr)                                                             \
				(rows)[kept_++] = (rows)[i_];                                      \
		}                                                                                  \
		memset(&(rows)[kept_], 0, ((n)-kept_) * sizeof((rows)[0]));                        \
		(n) = kept_;                                                                       \
	} while (0)

#endif
