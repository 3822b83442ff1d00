/* lib/audit/chain.c and actions.c: a chain checked link by link (the first broken seq for
 * a change, a gap, a wrong prev_hash, a missing tail), and the catalog of actions. */
#include "suites.h"

#include "audit/actions.h"
#include "audit/chain.h"
#include "audit/domain.h"

#include <stdio.h>
#include <string.h>

#define N 5

struct chain {
	struct vs_audit_link links[N];
	char text[N][64];
};

/* A chain of N links as the sequencer would write it. */
static void build(struct chain *c)
{
	const uint8_t *prev = NULL;
	size_t prev_len = 0;
	for (int i = 0; i < N; i++) {
		struct vs_audit_link *l = &c->links[i];
		snprintf(c->text[i], sizeof(c->text[i]), "{\"action\":\"role.updated\",\"n\":%d}", i);
		l->seq = i + 1;
		l->canonical = c->text[i];
		l->len = strlen(c->text[i]);
		l->prev_len = prev_len;
		if (prev)
			memcpy(l->prev_hash, prev, VS_SHA256_LEN);
		vs_audit_link_hash(l->prev_hash, prev_len, l->seq, l->canonical, l->len, l->hash);
		l->hash_len = VS_SHA256_LEN;
		prev = l->hash;
		prev_len = VS_SHA256_LEN;
	}
}

/* Checks the links but `skip` (0: none), then the end against the last link's hash. */
static int64_t broken_at(const struct chain *c, int skip)
{
	struct vs_audit_verifier v;
	vs_audit_verifier_init(&v);
	for (int i = 0; i < N; i++)
		if (i + 1 != skip && !vs_audit_verify_link(&v, &c->links[i]))
			return v.broken_at;
	vs_audit_verify_end(&v, N, c->links[N - 1].hash);
	return v.broken_at;
}

static void test_chain_whole_verifies(void)
{
	struct chain c;
	build(&c);
	struct vs_audit_verifier v;
	vs_audit_verifier_init(&v);
	for (int i = 0; i < N; i++)
		CU_ASSERT_TRUE(vs_audit_verify_link(&v, &c.links[i]));
	CU_ASSERT_TRUE(vs_audit_verify_end(&v, N, c.links[N - 1].hash));
	CU_ASSERT_EQUAL(v.checked, N);
	CU_ASSERT_EQUAL(v.first_seq, 1);
	CU_ASSERT_EQUAL(v.last_seq, N);
	CU_ASSERT_EQUAL(memcmp(v.head, c.links[N - 1].hash, VS_SHA256_LEN), 0);
	CU_ASSERT_EQUAL(broken_at(&c, 0), 0);
}

static void test_chain_breaks_where_it_was_changed(void)
{
	struct chain c;
	build(&c);
	c.text[2][11] = 'X'; /* an event's bytes */
	CU_ASSERT_EQUAL(broken_at(&c, 0), 3);
	build(&c);
	c.links[3].hash[0] ^= 1; /* a stored hash */
	CU_ASSERT_EQUAL(broken_at(&c, 0), 4);
	build(&c);
	c.links[1].prev_hash[31] ^= 1; /* a prev_hash */
	CU_ASSERT_EQUAL(broken_at(&c, 0), 2);
	build(&c);
	c.links[0].prev_len = VS_SHA256_LEN; /* a first link that claims a predecessor */
	CU_ASSERT_EQUAL(broken_at(&c, 0), 1);
	build(&c);
	c.links[2].seq = 7; /* a seq rewritten */
	CU_ASSERT_EQUAL(broken_at(&c, 0), 3);
}

static void test_chain_breaks_where_a_link_is_missing(void)
{
	struct chain c;
	build(&c);
	CU_ASSERT_EQUAL(broken_at(&c, 2), 2); /* in the middle */
	CU_ASSERT_EQUAL(broken_at(&c, 1), 1); /* the first */
	CU_ASSERT_EQUAL(broken_at(&c, N), N); /* the newest, which the head still names */
	struct vs_audit_verifier v;
	vs_audit_verifier_init(&v);
	CU_ASSERT_TRUE(vs_audit_verify_end(&v, 0, c.links[0].hash)); /* an empty chain */
}

static void test_actions_are_resource_dot_verb_once(void)
{
	for (size_t i = 0; i < vs_audit_nactions; i++) {
		CU_ASSERT_TRUE(vs_audit_action_valid(vs_audit_actions[i]));
		for (size_t j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(vs_audit_actions[i], vs_audit_actions[j]);
	}
	CU_ASSERT_TRUE(vs_audit_action_known("role.created"));
	CU_ASSERT_FALSE(vs_audit_action_known("role.exploded"));
	CU_ASSERT_FALSE(vs_audit_action_known(NULL));
	CU_ASSERT_TRUE(vs_audit_resource_known("user", 4));
	CU_ASSERT_FALSE(vs_audit_resource_known("use", 3));
	CU_ASSERT_FALSE(vs_audit_resource_known("user.created", 12));
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_chain_whole_verifies),
	    UT_TEST(test_chain_breaks_where_it_was_changed),
	    UT_TEST(test_chain_breaks_where_a_link_is_missing),
	    UT_TEST(test_actions_are_resource_dot_verb_once),
	    UT_END,
	};
	ut_add_suite("audit: chain and actions", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
