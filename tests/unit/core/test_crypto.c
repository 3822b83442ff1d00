/* lib/core/crypto.c: SHA-256, HMAC-SHA256, hex, base64url both ways, constant-time compare,
 * randomness. */
#include "suites.h"

#include "core/crypto.h"
#include "core/hex.h"

#include <pthread.h>
#include <string.h>

static void test_crypto_sha256_known_vector(void)
{
	uint8_t d[VS_SHA256_LEN];
	char hex[2 * VS_SHA256_LEN + 1];
	vs_sha256("abc", 3, d);
	vs_hex_encode(d, sizeof(d), hex);
	CU_ASSERT_STRING_EQUAL(ut_str(hex),
			       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vs_sha256("", 0, d);
	vs_hex_encode(d, sizeof(d), hex);
	CU_ASSERT_STRING_EQUAL(ut_str(hex),
			       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* vs-worker's handler threads hash at once (each opens a runtime, which hashes the JWT
 * secret): one shared digest context was freed twice by two of them. Threads hashing
 * together each get the right digest (and a sanitizer build sees no double free). */
enum { HASH_THREADS = 8, HASHES_PER_THREAD = 2000 };

static void *hash_many(void *failures)
{
	uint8_t d[VS_SHA256_LEN];
	char hex[2 * VS_SHA256_LEN + 1];
	for (int i = 0; i < HASHES_PER_THREAD; i++) {
		vs_sha256("abc", 3, d);
		vs_hex_encode(d, sizeof(d), hex);
		if (strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0)
			++*(int *)failures;
	}
	return NULL;
}

static void test_crypto_sha256_from_many_threads_at_once(void)
{
	pthread_t threads[HASH_THREADS];
	int failures[HASH_THREADS] = { 0 };
	for (int i = 0; i < HASH_THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[i], NULL, hash_many, &failures[i]), 0);
	for (int i = 0; i < HASH_THREADS; i++) {
		pthread_join(threads[i], NULL);
		CU_ASSERT_EQUAL(failures[i], 0);
	}
}

/* RFC 4231 test cases 2 (a short key) and 6 (a key longer than a block). */
static void test_crypto_hmac_sha256_known_vectors(void)
{
	uint8_t d[VS_SHA256_LEN], long_key[131];
	char hex[2 * VS_SHA256_LEN + 1];
	const char *data = "what do ya want for nothing?";
	vs_hmac_sha256("Jefe", 4, data, strlen(data), d);
	vs_hex_encode(d, sizeof(d), hex);
	CU_ASSERT_STRING_EQUAL(ut_str(hex),
			       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(long_key, 0xaa, sizeof(long_key));
	data = "Test Using Larger Than Block-Size Key - Hash Key First";
	vs_hmac_sha256(long_key, sizeof(long_key), data, strlen(data), d);
	vs_hex_encode(d, sizeof(d), hex);
	CU_ASSERT_STRING_EQUAL(ut_str(hex),
			       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_crypto_hex_encode_lower_case(void)
{
	const uint8_t in[] = {0x00, 0x0f, 0xa5, 0xff};
	char out[9];
	vs_hex_encode(in, sizeof(in), out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "000fa5ff");
	vs_hex_encode(in, 0, out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "");
}

static void test_crypto_hex_decode_takes_exactly_the_digits(void)
{
	uint8_t out[4];
	CU_ASSERT_TRUE(vs_hex_decode("000fA5ff", out, sizeof(out)));
	CU_ASSERT_EQUAL(memcmp(out, "\x00\x0f\xa5\xff", 4), 0);
	CU_ASSERT_FALSE(vs_hex_decode("000fa5f", out, sizeof(out)));   /* short */
	CU_ASSERT_FALSE(vs_hex_decode("000fa5ff0", out, sizeof(out))); /* trailing */
	CU_ASSERT_FALSE(vs_hex_decode("000fg5ff", out, sizeof(out)));  /* not hex */
	CU_ASSERT_FALSE(vs_hex_decode("", out, sizeof(out)));
	CU_ASSERT_TRUE(vs_hex_decode("", out, 0));
}

static void test_crypto_base64url_has_no_padding_and_url_alphabet(void)
{
	char out[16];
	CU_ASSERT_EQUAL(vs_base64url_encode((const uint8_t *)"f", 1, out), 2);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "Zg");
	CU_ASSERT_EQUAL(vs_base64url_encode((const uint8_t *)"fo", 2, out), 3);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "Zm8");
	CU_ASSERT_EQUAL(vs_base64url_encode((const uint8_t *)"foo", 3, out), 4);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "Zm9v");
	const uint8_t specials[] = {0xfb, 0xff, 0xbf};
	vs_base64url_encode(specials, sizeof(specials), out);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "-_-_"); /* "+/+/" in standard base64 */
	CU_ASSERT_EQUAL(vs_base64url_encode(specials, 0, out), 0);
	CU_ASSERT_STRING_EQUAL(ut_str(out), "");
}

static void test_crypto_base64url_decode_round_trips(void)
{
	uint8_t in[64], out[64];
	char text[90];
	size_t n;
	vs_random_bytes(in, sizeof(in));
	for (size_t len = 0; len <= sizeof(in); len++) {
		size_t t = vs_base64url_encode(in, len, text);
		CU_ASSERT_TRUE(vs_base64url_decode(text, t, out, sizeof(out), &n));
		CU_ASSERT_EQUAL(n, len);
		CU_ASSERT_EQUAL(memcmp(in, out, len), 0);
	}
	CU_ASSERT_TRUE(vs_base64url_decode("-_-_", 4, out, sizeof(out), &n));
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(memcmp(out, "\xfb\xff\xbf", 3), 0);
}

static void test_crypto_base64url_decode_is_strict(void)
{
	uint8_t out[8];
	size_t n;
	CU_ASSERT_FALSE(vs_base64url_decode("Zg==", 4, out, sizeof(out), &n)); /* padding */
	CU_ASSERT_FALSE(vs_base64url_decode("+/+/", 4, out, sizeof(out), &n)); /* standard */
	CU_ASSERT_FALSE(vs_base64url_decode("Zm9 ", 4, out, sizeof(out), &n)); /* space */
	CU_ASSERT_FALSE(vs_base64url_decode("Zm9v\n", 5, out, sizeof(out), &n));
	CU_ASSERT_FALSE(vs_base64url_decode("Zm9vZ", 5, out, sizeof(out), &n)); /* 6 bits */
	/* "Zh" is 'f' with a stray bit: only "Zg" is the text of 'f' */
	CU_ASSERT_TRUE(vs_base64url_decode("Zg", 2, out, sizeof(out), &n));
	CU_ASSERT_FALSE(vs_base64url_decode("Zh", 2, out, sizeof(out), &n));
	CU_ASSERT_TRUE(vs_base64url_decode("Zm8", 3, out, sizeof(out), &n)); /* "fo" */
	CU_ASSERT_FALSE(vs_base64url_decode("Zm9", 3, out, sizeof(out), &n));
	CU_ASSERT_FALSE(vs_base64url_decode("Zm9vYmFy", 8, out, 5, &n)); /* 6 bytes > 5 */
	CU_ASSERT_TRUE(vs_base64url_decode("", 0, out, 0, &n));
	CU_ASSERT_EQUAL(n, 0);
}

static void test_crypto_ct_equal(void)
{
	CU_ASSERT_TRUE(vs_ct_equal("abcd", "abcd", 4));
	CU_ASSERT_FALSE(vs_ct_equal("abcd", "abce", 4));
	CU_ASSERT_FALSE(vs_ct_equal("xbcd", "abcd", 4));
	CU_ASSERT_TRUE(vs_ct_equal("abcd", "abce", 3));
}

static void test_crypto_random_bytes_differ(void)
{
	uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
	vs_random_bytes(a, sizeof(a));
	vs_random_bytes(b, sizeof(b));
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, zero, sizeof(a)), 0);
}

static void register_tests(void)
{
	static const struct ut_test tests[] = {
	    UT_TEST(test_crypto_sha256_known_vector),
	    UT_TEST(test_crypto_sha256_from_many_threads_at_once),
	    UT_TEST(test_crypto_hmac_sha256_known_vectors),
	    UT_TEST(test_crypto_hex_encode_lower_case),
	    UT_TEST(test_crypto_hex_decode_takes_exactly_the_digits),
	    UT_TEST(test_crypto_base64url_has_no_padding_and_url_alphabet),
	    UT_TEST(test_crypto_base64url_decode_round_trips),
	    UT_TEST(test_crypto_base64url_decode_is_strict),
	    UT_TEST(test_crypto_ct_equal),
	    UT_TEST(test_crypto_random_bytes_differ),
	    UT_END,
	};
	ut_add_suite("core: crypto", NULL, NULL, tests);
}
UT_REGISTER(register_tests)
