/* SHA-1 against the FIPS 180 example vectors, plus streaming in odd-sized pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha1.h"

static void sum_hex(const void *data, size_t len, char out[41])
{
	uint8_t d[PJ_SHA1_DIGEST_LEN];
	pj_sha1_sum(data, len, d);
	pj_sha1_hex(d, out);
}

static void test_sha1_fips_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *in, *sha1;
	} v[] = {
		{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			"84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
			"a49b2446a02c645bf419f995b67091253a04a259"},
	};
	char got[41];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		sum_hex(v[i].in, strlen(v[i].in), got);
		assert_string_equal(got, v[i].sha1);
	}
}

/* FIPS 180's long message: one million 'a'. */
static void test_sha1_million_a(void **state)
{
	(void)state;
	char *m = malloc(1000000);
	assert_non_null(m);
	memset(m, 'a', 1000000);
	char got[41];
	sum_hex(m, 1000000, got);
	assert_string_equal(got, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(m);
}

/* Lengths around the 56- and 64-byte padding edges, fed in pieces, match the one-shot digest. */
static void test_sha1_streaming_matches_one_shot(void **state)
{
	(void)state;
	uint8_t data[300];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof data; len++) {
		uint8_t one[PJ_SHA1_DIGEST_LEN], parts[PJ_SHA1_DIGEST_LEN];
		pj_sha1_sum(data, len, one);
		pj_sha1 s;
		pj_sha1_init(&s);
		for (size_t off = 0; off < len;) {
			size_t n = len - off < 13 ? len - off : 13;
			pj_sha1_update(&s, data + off, n);
			off += n;
		}
		pj_sha1_final(&s, parts);
		assert_memory_equal(one, parts, PJ_SHA1_DIGEST_LEN);
	}
	char got[41];
	sum_hex("The quick brown fox jumps over the lazy dog", 43, got);
	assert_string_equal(got, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1_fips_vectors),
		cmocka_unit_test(test_sha1_million_a),
		cmocka_unit_test(test_sha1_streaming_matches_one_shot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
