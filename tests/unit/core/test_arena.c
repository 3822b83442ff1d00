/* lib/core/arena.c: zeroed and aligned memory, big blocks, many chunks, cleanups. */
#include "suites.h"

#include "core/arena.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_arena_alloc_is_zeroed_also_after_reset(void)
{
	struct vs_arena *a = vs_arena_new();
	unsigned char *p = vs_arena_alloc(a, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(all_zero(p, 1000));
	memset(p, 0xAB, 1000);
	vs_arena_reset(a);
	/* The first chunk is kept by reset: the same bytes come back, and must be zero again. */
	unsigned char *q = vs_arena_alloc(a, 1000);
	CU_ASSERT_PTR_EQUAL(q, p);
	CU_ASSERT(all_zero(q, 1000));
	unsigned char *arr = vs_arena_array(a, 100, sizeof(uint64_t));
	CU_ASSERT(all_zero(arr, 100 * sizeof(uint64_t)));
	vs_arena_free(a);
}

static void test_arena_alloc_is_aligned_for_any_type(void)
{
	struct vs_arena *a = vs_arena_new();
	const size_t sizes[] = {1, 2, 3, 5, 7, 8, 9, 15, 17, 31, 33, 100, 4095, 5000, 1};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = vs_arena_alloc(a, sizes[i]);
		CU_ASSERT_EQUAL((uintptr_t)p % alignof(max_align_t), 0);
	}
	char *s = vs_arena_strdup(a, "x");
	CU_ASSERT_EQUAL((uintptr_t)s % alignof(max_align_t), 0);
	vs_arena_free(a);
}

static void test_arena_zero_size_alloc_returns_non_null(void)
{
	struct vs_arena *a = vs_arena_new();
	void *p = vs_arena_alloc(a, 0);
	void *q = vs_arena_alloc(a, 1);
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(q);
	vs_arena_free(a);
}

static void test_arena_big_allocation_is_zeroed_and_keeps_current_chunk(void)
{
	struct vs_arena *a = vs_arena_new();
	char *before = vs_arena_alloc(a, 16);
	const size_t big_len = 1024 * 1024;
	unsigned char *big = vs_arena_alloc(a, big_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT(all_zero(big, big_len));
	memset(big, 0x5A, big_len); /* the whole block is writable (ASan checks the bounds) */
	char *after = vs_arena_alloc(a, 16);
	/* The big block got a chunk of its own: small allocations continue where they were. */
	CU_ASSERT_PTR_EQUAL(after, before + 16);
	CU_ASSERT(vs_arena_used(a) >= big_len + 32);
	CU_ASSERT_EQUAL(big[big_len - 1], 0x5A);
	vs_arena_reset(a);
	CU_ASSERT_EQUAL(vs_arena_used(a), 0);
	vs_arena_free(a);
}

static void test_arena_many_allocations_across_chunks_do_not_overlap(void)
{
	enum { N = 5000, SIZE = 40 };
	struct vs_arena *a = vs_arena_new();
	unsigned char *ptrs[N];
	for (size_t i = 0; i < N; i++) {
		ptrs[i] = vs_arena_alloc(a, SIZE);
		CU_ASSERT_FATAL(all_zero(ptrs[i], SIZE));
		memset(ptrs[i], (int)(i % 251), SIZE);
	}
	/* 5000 × 48 bytes is many 16 KiB chunks; every block must still hold its pattern. */
	size_t intact = 0;
	for (size_t i = 0; i < N; i++) {
		unsigned char want = (unsigned char)(i % 251);
		bool ok = true;
		for (size_t j = 0; j < SIZE; j++)
			ok = ok && ptrs[i][j] == want;
		intact += ok;
	}
	CU_ASSERT_EQUAL(intact, N);
	CU_ASSERT(vs_arena_used(a) >= (size_t)N * SIZE);
	vs_arena_reset(a);
	CU_ASSERT_EQUAL(vs_arena_used(a), 0);
	/* Reusable after a reset that freed the extra chunks. */
	for (size_t i = 0; i < N; i++)
		CU_ASSERT_FATAL(all_zero(vs_arena_alloc(a, SIZE), SIZE));
	vs_arena_free(a);
}

static void test_arena_used_counts_rounded_sizes(void)
{
	struct vs_arena *a = vs_arena_new();
	CU_ASSERT_EQUAL(vs_arena_used(a), 0);
	vs_arena_alloc(a, 1);
	size_t one = vs_arena_used(a);
	CU_ASSERT(one >= 1 && one <= alignof(max_align_t));
	vs_arena_alloc(a, 100);
	CU_ASSERT(vs_arena_used(a) >= one + 100);
	vs_arena_free(a);
}

struct order_log {
	int seen[8];
	int n;
};

static struct order_log order;

static void record(void *p)
{
	order.seen[order.n++] = *(int *)p;
}

static void test_arena_defer_runs_lifo_on_reset_and_once(void)
{
	static int ids[] = {1, 2, 3};
	memset(&order, 0, sizeof(order));
	struct vs_arena *a = vs_arena_new();
	for (int i = 0; i < 3; i++)
		vs_arena_defer(a, record, &ids[i]);
	CU_ASSERT_EQUAL(order.n, 0);
	vs_arena_reset(a);
	CU_ASSERT_EQUAL_FATAL(order.n, 3);
	CU_ASSERT_EQUAL(order.seen[0], 3);
	CU_ASSERT_EQUAL(order.seen[1], 2);
	CU_ASSERT_EQUAL(order.seen[2], 1);
	vs_arena_reset(a);
	CU_ASSERT_EQUAL(order.n, 3); /* not run a second time */
	vs_arena_free(a);
	CU_ASSERT_EQUAL(order.n, 3);
}

static void test_arena_defer_runs_lifo_on_free(void)
{
	static int ids[] = {7, 8};
	memset(&order, 0, sizeof(order));
	struct vs_arena *a = vs_arena_new();
	vs_arena_defer(a, record, &ids[0]);
	/* Many allocations between the registrations move to later chunks. */
	for (int i = 0; i < 2000; i++)
		vs_arena_alloc(a, 64);
	vs_arena_defer(a, record, &ids[1]);
	vs_arena_free(a);
	CU_ASSERT_EQUAL_FATAL(order.n, 2);
	CU_ASSERT_EQUAL(order.seen[0], 8);
	CU_ASSERT_EQUAL(order.seen[1], 7);
}

static void test_arena_free_null_is_harmless(void)
{
	vs_arena_free(NULL);
	CU_PASS("vs_arena_free(NULL) returned");
}

static void test_arena_printf_formats_into_arena(void)
{
	struct vs_arena *a = vs_arena_new();
	char *s = vs_arena_printf(a, "%s-%d-%05.1f", "abc", 42, 3.5);
	CU_ASSERT_STRING_EQUAL(ut_str(s), "abc-42-003.5");
	/* Longer than a chunk. */
	enum { LONG = 40000 };
	char *src = vs_arena_alloc(a, LONG + 1);
	memset(src, 'q', LONG);
	char *big = vs_arena_printf(a, "<%s>", src);
	CU_ASSERT_EQUAL(strlen(big), LONG + 2);
	CU_ASSERT_EQUAL(big[0], '<');
	CU_ASSERT_EQUAL(big[LONG + 1], '>');
	CU_ASSERT_STRING_EQUAL(ut_str(vs_arena_printf(a, "%s", "")), "");
	vs_arena_free(a);
}

static void test_arena_strndup_copies_and_terminates(void)
{
	struct vs_arena *a = vs_arena_new();
	const char src[] = "hello world";
	char *s = vs_arena_strndup(a, src, 5);
	CU_ASSERT_STRING_EQUAL(ut_str(s), "hello");
	CU_ASSERT_PTR_NOT_EQUAL(s, src);
	char *d = vs_arena_strdup(a, src);
	CU_ASSERT_STRING_EQUAL(ut_str(d), src);
	CU_ASSERT_STRING_EQUAL(ut_str(vs_arena_strndup(a, src, 0)), "");
	vs_arena_free(a);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_arena_alloc_is_zeroed_also_after_reset),
	    UT_TEST(test_arena_alloc_is_aligned_for_any_type),
	    UT_TEST(test_arena_zero_size_alloc_returns_non_null),
	    UT_TEST(test_arena_big_allocation_is_zeroed_and_keeps_current_chunk),
	    UT_TEST(test_arena_many_allocations_across_chunks_do_not_overlap),
	    UT_TEST(test_arena_used_counts_rounded_sizes),
	    UT_TEST(test_arena_defer_runs_lifo_on_reset_and_once),
	    UT_TEST(test_arena_defer_runs_lifo_on_free),
	    UT_TEST(test_arena_free_null_is_harmless),
	    UT_TEST(test_arena_printf_formats_into_arena),
	    UT_TEST(test_arena_strndup_copies_and_terminates),
	    UT_END,
	};
	ut_add_suite("core: arena", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
