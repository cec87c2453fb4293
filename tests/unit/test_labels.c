/* Label sets and target lists (src/relabel/labels.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "relabel/labels.h"

static char *show(const pj_labels *l)
{
	pj_buf b = PJ_BUF_INIT;
	pj_labels_format(l, &b);
	return pj_buf_detach(&b);
}

static void assert_shows(const pj_labels *l, const char *want)
{
	char *s = show(l);
	assert_string_equal(s, want);
	free(s);
}

static void test_set_keeps_names_sorted_and_unique(void **state)
{
	(void)state;
	pj_labels l = PJ_LABELS_INIT;
	assert_shows(&l, "{}");
	pj_labels_set(&l, "job", "x");
	pj_labels_set(&l, "__address__", "h:1");
	pj_labels_set(&l, "a", "1");
	pj_labels_set(&l, "job", "y");
	assert_int_equal(l.len, 3);
	assert_shows(&l, "{__address__=\"h:1\", a=\"1\", job=\"y\"}");
	assert_string_equal(pj_labels_get(&l, "job"), "y");
	assert_null(pj_labels_get(&l, "jo"));
	assert_null(pj_labels_get(&l, "jobs"));
	pj_labels_free(&l);
}

static void test_empty_value_means_absent(void **state)
{
	(void)state;
	pj_labels l = PJ_LABELS_INIT;
	pj_labels_set(&l, "a", "1");
	pj_labels_set(&l, "b", "");
	assert_int_equal(l.len, 1);
	pj_labels_set(&l, "a", "");
	assert_int_equal(l.len, 0);
	assert_null(pj_labels_get(&l, "a"));
	pj_labels_free(&l);
}

static void test_delete_and_binary_values(void **state)
{
	(void)state;
	pj_labels l = PJ_LABELS_INIT;
	char name[8];
	for (int i = 99; i >= 0; i--) {
		snprintf(name, sizeof name, "l%02d", i);
		pj_labels_set(&l, name, name);
	}
	for (size_t i = 1; i < l.len; i++)
		assert_true(strcmp(l.items[i - 1].name, l.items[i].name) < 0);
	assert_true(pj_labels_del(&l, "l50", 3));
	assert_false(pj_labels_del(&l, "l50", 3));
	assert_int_equal(l.len, 99);
	pj_labels_setn(&l, "bin", 3, "a\0b\n\"", 5);
	const pj_label *lb = pj_labels_find(&l, "bin", 3);
	assert_non_null(lb);
	assert_int_equal(lb->value_len, 5);
	assert_memory_equal(lb->value, "a\0b\n\"", 5);
	pj_labels_clear(&l);
	pj_labels_setn(&l, "bin", 3, "a\0b\n\"", 5);
	assert_shows(&l, "{bin=\"a\\x00b\\n\\\"\"}");
	pj_labels_free(&l);
}

static void test_copy_equal_hash_compare(void **state)
{
	(void)state;
	pj_labels a = PJ_LABELS_INIT, b = PJ_LABELS_INIT, c = PJ_LABELS_INIT;
	pj_labels_set(&a, "x", "1");
	pj_labels_set(&a, "y", "2");
	pj_labels_set(&b, "y", "2");
	pj_labels_set(&b, "x", "1");
	assert_true(pj_labels_equal(&a, &b));
	assert_int_equal(pj_labels_hash(&a), pj_labels_hash(&b));
	assert_int_equal(pj_labels_compare(&a, &b), 0);
	pj_labels_copy(&c, &a);
	assert_true(pj_labels_equal(&a, &c));
	pj_labels_set(&c, "y", "3");
	assert_false(pj_labels_equal(&a, &c));
	assert_true(pj_labels_compare(&a, &c) < 0);
	assert_string_equal(pj_labels_get(&a, "y"), "2"); /* a deep copy */
	/* {ab=c} and {a=bc} must not collide by construction. */
	pj_labels d = PJ_LABELS_INIT, e = PJ_LABELS_INIT;
	pj_labels_set(&d, "ab", "c");
	pj_labels_set(&e, "a", "bc");
	assert_false(pj_labels_equal(&d, &e));
	assert_true(pj_labels_hash(&d) != pj_labels_hash(&e));
	pj_labels_move(&d, &e);
	assert_int_equal(e.len, 0);
	assert_string_equal(pj_labels_get(&d, "a"), "bc");
	pj_labels_free(&a);
	pj_labels_free(&b);
	pj_labels_free(&c);
	pj_labels_free(&d);
	pj_labels_free(&e);
}

static void test_target_lists(void **state)
{
	(void)state;
	pj_targets t = PJ_TARGETS_INIT, u = PJ_TARGETS_INIT;
	pj_labels l = PJ_LABELS_INIT;
	for (int i = 0; i < 20; i++) {
		char v[8];
		snprintf(v, sizeof v, "%d", i);
		pj_labels_set(pj_targets_push(&t), "__process_pid__", v);
		pj_labels_set(&l, "__process_pid__", v);
		pj_targets_push_copy(&u, &l);
	}
	assert_true(pj_targets_equal(&t, &u));
	pj_labels_set(&u.items[7], "extra", "x");
	assert_false(pj_targets_equal(&t, &u));
	pj_targets_push_move(&t, &l);
	assert_int_equal(l.len, 0);
	assert_int_equal(t.len, 21);
	assert_false(pj_targets_equal(&t, &u));
	pj_targets_free(&t);
	pj_targets_free(&u);
	pj_labels_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_keeps_names_sorted_and_unique),
		cmocka_unit_test(test_empty_value_means_absent),
		cmocka_unit_test(test_delete_and_binary_values),
		cmocka_unit_test(test_copy_equal_hash_compare),
		cmocka_unit_test(test_target_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
