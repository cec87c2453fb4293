/* Unit tests for src/base/u64map: insert, look up, grow, clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/u64map.h"

static void test_put_get_and_growth(void **state)
{
	(void)state;
	pj_u64map m = PJ_U64MAP_INIT;
	assert_null(pj_u64map_get(&m, 1, 2));
	for (uint64_t i = 0; i < 100000; i++) {
		bool added;
		uint64_t *v = pj_u64map_put(&m, i * 0x100000001ULL, i & 7, i + 1, &added);
		assert_true(added);
		assert_int_equal(*v, i + 1);
	}
	assert_int_equal(m.count, 100000);
	for (uint64_t i = 0; i < 100000; i++) {
		const uint64_t *v = pj_u64map_get(&m, i * 0x100000001ULL, i & 7);
		assert_non_null(v);
		assert_int_equal(*v, i + 1);
		assert_null(pj_u64map_get(&m, i * 0x100000001ULL, (i & 7) + 8));
	}
	/* A repeated key keeps its value and reports it was there. */
	bool added;
	uint64_t *v = pj_u64map_put(&m, 0, 0, 99, &added);
	assert_false(added);
	assert_int_equal(*v, 1);
	*v = 42;
	assert_int_equal(*pj_u64map_get(&m, 0, 0), 42);
	/* Zero is a valid key and value. */
	pj_u64map_put(&m, UINT64_MAX, UINT64_MAX, 0, NULL);
	assert_int_equal(*pj_u64map_get(&m, UINT64_MAX, UINT64_MAX), 0);
	pj_u64map_clear(&m);
	assert_int_equal(m.count, 0);
	assert_null(pj_u64map_get(&m, 0, 0));
	pj_u64map_put(&m, 5, 6, 7, NULL);
	assert_int_equal(*pj_u64map_get(&m, 5, 6), 7);
	pj_u64map_free(&m);
	assert_null(pj_u64map_get(&m, 5, 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_and_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
