/* Unit tests for src/base: buffers, arena, hash map, whole-fd reads, base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/base64.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/hmap.h"

static void test_buf_appends_and_formats(void **state)
{
	(void)state;
	pj_buf b = PJ_BUF_INIT;
	assert_string_equal(pj_buf_cstr(&b), "");
	pj_buf_puts(&b, "abc");
	pj_buf_putc(&b, '-');
	pj_buf_printf(&b, "%d/%s", 42, "x");
	pj_buf_fill(&b, '.', 3);
	assert_string_equal(pj_buf_cstr(&b), "abc-42/x...");
	assert_int_equal(b.len, 11);
	pj_buf_reset(&b);
	assert_string_equal(pj_buf_cstr(&b), "");
	for (int i = 0; i < 10000; i++)
		pj_buf_putc(&b, 'a');
	assert_int_equal(b.len, 10000);
	char *s = pj_buf_detach(&b);
	assert_int_equal(strlen(s), 10000);
	assert_null(b.data);
	free(s);
}

static void test_arena_is_aligned_and_zeroed(void **state)
{
	(void)state;
	pj_arena a = PJ_ARENA_INIT;
	for (int i = 1; i < 2000; i++) {
		unsigned char *p = pj_arena_alloc(&a, (size_t)i);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (int j = 0; j < i; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xff, (size_t)i);
	}
	char *big = pj_arena_alloc(&a, 100000);
	assert_non_null(big);
	assert_string_equal(pj_arena_strndup(&a, "hello world", 5), "hello");
	pj_arena_free(&a);
}

static void test_hmap_put_get_remove_keeps_order(void **state)
{
	(void)state;
	pj_hmap m = PJ_HMAP_INIT;
	char key[32];
	for (intptr_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", (long)i);
		assert_null(pj_hmap_put(&m, key, strlen(key), (void *)(i + 1)));
	}
	assert_int_equal(m.count, 5000);
	for (intptr_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", (long)i);
		assert_int_equal((intptr_t)pj_hmap_get(&m, key, strlen(key)), i + 1);
	}
	assert_int_equal((intptr_t)pj_hmap_put(&m, "k7", 2, (void *)99), 8);
	assert_int_equal((intptr_t)pj_hmap_remove(&m, "k7", 2), 99);
	assert_false(pj_hmap_has(&m, "k7", 2));
	assert_null(pj_hmap_remove(&m, "k7", 2));
	assert_int_equal(m.count, 4999);
	/* Insertion order survives removal. */
	intptr_t prev = 0;
	for (size_t i = 0; i < m.len; i++) {
		if (!m.entries[i].key)
			continue;
		intptr_t v = (intptr_t)m.entries[i].value;
		assert_true(v > prev);
		prev = v;
	}
	/* Keys are byte strings: embedded NULs are distinct keys. */
	assert_null(pj_hmap_put(&m, "a\0b", 3, (void *)1));
	assert_null(pj_hmap_get(&m, "a", 1));
	pj_hmap_free(&m);
}

/* A pipe returns short reads, so this also covers reading on after a partial read. */
static void test_read_fd_reads_to_eof_or_max(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "hello ", 6), 6);
	assert_int_equal(write(p[1], "world", 5), 5);
	assert_int_equal(close(p[1]), 0);
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, ">");
	assert_int_equal(pj_read_fd(p[0], &b, 8), 0);
	assert_string_equal(pj_buf_cstr(&b), ">hello wo"); /* stops after max bytes */
	assert_int_equal(pj_read_fd(p[0], &b, SIZE_MAX), 0);
	assert_string_equal(pj_buf_cstr(&b), ">hello world");
	assert_int_equal(pj_read_fd(p[0], &b, SIZE_MAX), 0); /* at EOF: nothing more */
	assert_int_equal(b.len, 12);
	assert_int_equal(close(p[0]), 0);
	assert_int_equal(pj_read_fd(p[0], &b, SIZE_MAX), EBADF);
	pj_buf_free(&b);
}

static void test_base64_like_go(void **state)
{
	(void)state;
	static const char *const want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg=="};
	for (size_t n = 0; n < 5; n++) {
		pj_buf b = PJ_BUF_INIT;
		pj_base64_encode(&b, "foob", n, pj_base64_std);
		assert_string_equal(pj_buf_cstr(&b), want[n]);
		pj_buf_free(&b);
	}
	pj_buf b = PJ_BUF_INIT;
	pj_base64_encode(&b, "\xfb\xff", 2, pj_base64_std);
	pj_base64_encode(&b, "\xfb\xff", 2, pj_base64_url);
	assert_string_equal(pj_buf_cstr(&b), "+/8=-_8=");
	pj_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_appends_and_formats),
		cmocka_unit_test(test_arena_is_aligned_and_zeroed),
		cmocka_unit_test(test_hmap_put_get_remove_keeps_order),
		cmocka_unit_test(test_read_fd_reads_to_eof_or_max),
		cmocka_unit_test(test_base64_like_go),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
