/* MD5 against the RFC 1321 appendix A.5 test suite, plus streaming in odd-sized pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/md5.h"

static void hex(const uint8_t d[PJ_MD5_DIGEST_LEN], char out[33])
{
	for (int i = 0; i < PJ_MD5_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const struct {
	const char *in, *md5;
} rfc1321[] = {
	{"", "d41d8cd98f00b204e9800998ecf8427e"},
	{"a", "0cc175b9c0f1b6a831c399e269772661"},
	{"abc", "900150983cd24fb0d6963f7d28e17f72"},
	{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		"d174ab98d277d9f5a5611c2c9f419d9f"},
	{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		"57edf4a22be3c955ac49da2e2107b67a"},
};

static void test_md5_rfc1321_vectors(void **state)
{
	(void)state;
	char got[33];
	uint8_t d[PJ_MD5_DIGEST_LEN];
	for (size_t i = 0; i < sizeof rfc1321 / sizeof rfc1321[0]; i++) {
		pj_md5_sum(rfc1321[i].in, strlen(rfc1321[i].in), d);
		hex(d, got);
		assert_string_equal(got, rfc1321[i].md5);
	}
}

static void test_md5_streaming_matches_one_shot(void **state)
{
	(void)state;
	uint8_t data[1000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	uint8_t want[PJ_MD5_DIGEST_LEN], got[PJ_MD5_DIGEST_LEN];
	for (size_t len = 0; len <= sizeof data; len += 37) {
		pj_md5_sum(data, len, want);
		for (size_t step = 1; step < 130; step += 11) {
			pj_md5 m;
			pj_md5_init(&m);
			for (size_t off = 0; off < len; off += step)
				pj_md5_update(&m, data + off, len - off < step ? len - off : step);
			pj_md5_final(&m, got);
			assert_memory_equal(got, want, PJ_MD5_DIGEST_LEN);
		}
	}
}

static void test_md5_block_boundaries(void **state)
{
	(void)state;
	/* 55, 56 and 64 bytes exercise the one- and two-block padding paths. */
	char buf[65];
	char got[33];
	uint8_t d[PJ_MD5_DIGEST_LEN];
	memset(buf, 'a', sizeof buf);
	pj_md5_sum(buf, 55, d);
	hex(d, got);
	assert_string_equal(got, "ef1772b6dff9a122358552954ad0df65");
	pj_md5_sum(buf, 56, d);
	hex(d, got);
	assert_string_equal(got, "3b0c8ac703f828b04c6c197006d17218");
	pj_md5_sum(buf, 64, d);
	hex(d, got);
	assert_string_equal(got, "014842d480b571495a4a0363793f7367");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_rfc1321_vectors),
		cmocka_unit_test(test_md5_streaming_matches_one_shot),
		cmocka_unit_test(test_md5_block_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
