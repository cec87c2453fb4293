/* Unit tests for Alloy values: construction, equality, rendering, conversions, durations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax/value.h"

/* Renders v as Alloy text and checks it, then releases v. */
static void expect_text(pj_value *v, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pj_value_write(&b, v);
	assert_string_equal(pj_buf_cstr(&b), want);
	pj_buf_free(&b);
	pj_value_unref(v);
}

static void expect_json(pj_value *v, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pj_value_write_json(&b, v);
	assert_string_equal(pj_buf_cstr(&b), want);
	pj_buf_free(&b);
	pj_value_unref(v);
}

static pj_value *array_of(size_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	pj_value *a = pj_array_new(n);
	for (size_t i = 0; i < n; i++)
		pj_array_push(a, va_arg(ap, pj_value *));
	va_end(ap);
	return a;
}

static int capsule_refs;
static void capsule_retain(void *p) { (void)p; capsule_refs++; }
static void capsule_release(void *p) { (void)p; capsule_refs--; }
static const pj_capsule_type test_capsule = {"pyroscope.Appendable", capsule_retain, capsule_release};

static pj_value *dummy_fn(pj_value *const *args, size_t nargs, char **err)
{
	(void)args, (void)nargs, (void)err;
	return pj_null();
}

static void test_constructors_and_accessors(void **state)
{
	(void)state;
	pj_value *v = pj_int(-5);
	assert_int_equal(pj_value_kind(v), PJ_NUMBER);
	assert_int_equal(pj_value_numkind(v), PJ_NUM_INT);
	assert_int_equal(pj_value_int(v), -5);
	assert_true(pj_value_float(v) == -5.0);
	assert_string_equal(pj_value_type_name(v), "number");
	pj_value_unref(v);

	v = pj_string("a\0b", 3);
	size_t len;
	const char *s = pj_value_str(v, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a\0b", 3);
	pj_value *r = pj_value_ref(v);
	pj_value_unref(v);
	assert_string_equal(pj_value_str(r, NULL), "a");
	pj_value_unref(r);

	v = pj_secret("pw", 2);
	assert_string_equal(pj_value_type_name(v), "capsule");
	assert_string_equal(pj_value_str(v, NULL), "pw");
	pj_value_unref(v);

	assert_string_equal(pj_value_type_name(pj_null()), "null");
	assert_true(pj_value_bool(pj_bool(true)));
	assert_false(pj_value_bool(pj_bool(false)));

	v = pj_capsule(&test_capsule, &capsule_refs);
	assert_int_equal(capsule_refs, 1);
	assert_ptr_equal(pj_capsule_ptr(v), &capsule_refs);
	assert_ptr_equal(pj_capsule_type_of(v), &test_capsule);
	pj_value_unref(v);
	assert_int_equal(capsule_refs, 0);

	v = pj_function("string.join", dummy_fn);
	assert_string_equal(pj_function_name(v), "string.join");
	assert_ptr_equal(pj_function_fn(v), dummy_fn);
	pj_value_unref(v);
}

static void test_float_to_integer_conversions_follow_go(void **state)
{
	(void)state;
	pj_value *v = pj_float(1.9);
	assert_int_equal(pj_value_int(v), 1);
	pj_value_unref(v);
	v = pj_float(-1.5);
	assert_true(pj_value_uint(v) == UINT64_MAX); /* negatives wrap into uint fields */
	pj_value_unref(v);
	v = pj_float(NAN);
	assert_true(pj_value_int(v) == INT64_MIN);
	pj_value_unref(v);
	v = pj_uint(UINT64_MAX);
	assert_int_equal(pj_value_int(v), -1);
	pj_value_unref(v);
}

static void test_objects_keep_insertion_order_and_replace(void **state)
{
	(void)state;
	pj_value *o = pj_object_new();
	pj_object_set(o, "zeta", pj_int(1));
	pj_object_set(o, "alpha", pj_int(2));
	pj_object_set(o, "zeta", pj_int(3));
	assert_int_equal(pj_object_len(o), 2);
	assert_string_equal(pj_object_key(o, 0), "zeta");
	assert_string_equal(pj_object_key(o, 1), "alpha");
	assert_int_equal(pj_value_int(pj_object_value(o, 0)), 3);
	assert_int_equal(pj_value_int(pj_object_get(o, "alpha")), 2);
	assert_null(pj_object_get(o, "missing"));
	expect_text(o, "{zeta = 3, alpha = 2}");
}

static void test_equality_is_deep_and_numeric(void **state)
{
	(void)state;
	pj_value *a = pj_int(3), *b = pj_float(3.0), *c = pj_uint(3);
	assert_true(pj_value_equal(a, b));
	assert_true(pj_value_equal(a, c));
	assert_true(pj_value_equal(c, b));
	pj_value *s = pj_cstring("3");
	assert_false(pj_value_equal(a, s)); /* different types are simply unequal */
	pj_value_unref(s);

	pj_value *x = array_of(2, pj_value_ref(a), pj_cstring("x"));
	pj_value *y = array_of(2, pj_value_ref(b), pj_cstring("x"));
	assert_true(pj_value_equal(x, y));
	pj_value *o1 = pj_object_new(), *o2 = pj_object_new();
	pj_object_set(o1, "a", x);
	pj_object_set(o1, "b", pj_null());
	pj_object_set(o2, "b", pj_null());
	pj_object_set(o2, "a", y);
	assert_true(pj_value_equal(o1, o2));
	pj_object_set(o2, "c", pj_bool(true));
	assert_false(pj_value_equal(o1, o2));
	pj_value_unref(o1);
	pj_value_unref(o2);

	pj_value *f = pj_function("f", dummy_fn);
	assert_false(pj_value_equal(f, f)); /* functions are never equal */
	pj_value_unref(f);
	pj_value *k1 = pj_capsule(&test_capsule, &capsule_refs), *k2 = pj_capsule(&test_capsule, &capsule_refs);
	assert_true(pj_value_equal(k1, k2));
	pj_value_unref(k1);
	pj_value_unref(k2);
	pj_value *s1 = pj_secret("a", 1), *s2 = pj_secret("a", 1), *s3 = pj_string("a", 1);
	assert_true(pj_value_equal(s1, s2));
	assert_false(pj_value_equal(s1, s3));
	pj_value_unref(s1);
	pj_value_unref(s2);
	pj_value_unref(s3);
	assert_true(pj_value_equal(pj_null(), pj_null()));
	pj_value_unref(a);
	pj_value_unref(b);
	pj_value_unref(c);
}

static void test_write_alloy_syntax(void **state)
{
	(void)state;
	expect_text(pj_int(42), "42");
	expect_text(pj_int(-7), "-7");
	expect_text(pj_uint(UINT64_MAX), "18446744073709551615");
	expect_text(pj_float(1.5), "1.5");
	expect_text(pj_float(15.0), "15");
	expect_text(pj_float(1e21), "1000000000000000000000");
	expect_text(pj_float(1e-7), "0.0000001");
	expect_text(pj_float(0.1 + 0.2), "0.30000000000000004");
	expect_text(pj_float(-0.0), "-0");
	expect_text(pj_float(INFINITY), "+Inf");
	expect_text(pj_cstring("say \"hi\"\n\tok\\"), "\"say \\\"hi\\\"\\n\\tok\\\\\"");
	expect_text(pj_string("\x00\x7f\xff", 3), "\"\\x00\\x7f\\xff\"");
	expect_text(pj_cstring("héllo ✓"), "\"héllo ✓\"");
	expect_text(pj_cstring("\xc2\x85\xe2\x80\xa8"), "\"\\u0085\\u2028\"");
	expect_text(pj_bool(true), "true");
	expect_text(pj_null(), "null");
	expect_text(pj_secret("hunter2", 7), "(secret)");
	expect_text(pj_capsule(&test_capsule, &capsule_refs), "capsule(\"pyroscope.Appendable\")");
	expect_text(pj_function("f", dummy_fn), "function");
	expect_text(array_of(3, pj_int(0), pj_int(1), pj_int(2)), "[0, 1, 2]");
	expect_text(pj_array_new(0), "[]");
	pj_value *o = pj_object_new();
	pj_object_set(o, "a", pj_int(1));
	pj_object_set(o, "with space", pj_cstring("x"));
	pj_object_set(o, "true", pj_bool(false));
	expect_text(o, "{a = 1, \"with space\" = \"x\", \"true\" = false}");
	expect_text(pj_object_new(), "{}");
}

static void test_write_json(void **state)
{
	(void)state;
	pj_value *o = pj_object_new();
	pj_object_set(o, "n", pj_int(-3));
	pj_object_set(o, "f", pj_float(2.5));
	pj_object_set(o, "big", pj_float(1e21));
	pj_object_set(o, "tiny", pj_float(1e-7));
	pj_object_set(o, "s", pj_cstring("<a&b>\n\"q\""));
	pj_object_set(o, "pw", pj_secret("x", 1));
	pj_object_set(o, "l", array_of(2, pj_null(), pj_bool(true)));
	expect_json(o, "{\"n\":-3,\"f\":2.5,\"big\":1e+21,\"tiny\":1e-7,"
		"\"s\":\"\\u003ca\\u0026b\\u003e\\n\\\"q\\\"\",\"pw\":\"(secret)\",\"l\":[null,true]}");
	expect_json(pj_float(NAN), "null");
	expect_json(pj_string("\xff", 1), "\"\xef\xbf\xbd\"");
}

static void expect_conv(pj_value *(*conv)(const pj_value *, char **), pj_value *in, const char *want, const char *want_err)
{
	char *err = NULL;
	pj_value *out = conv(in, &err);
	if (want_err) {
		assert_null(out);
		assert_non_null(err);
		assert_string_equal(err, want_err);
		free(err);
	} else {
		assert_non_null(out);
		assert_null(err);
		pj_buf b = PJ_BUF_INIT;
		pj_value_write(&b, out);
		assert_string_equal(pj_buf_cstr(&b), want);
		pj_buf_free(&b);
		pj_value_unref(out);
	}
	pj_value_unref(in);
}

static void test_convert_to_string(void **state)
{
	(void)state;
	expect_conv(pj_convert_string, pj_int(-3), "\"-3\"", NULL);
	expect_conv(pj_convert_string, pj_uint(42), "\"42\"", NULL);
	expect_conv(pj_convert_string, pj_float(1.5), "\"1.5\"", NULL);
	expect_conv(pj_convert_string, pj_float(15.0), "\"15\"", NULL);
	expect_conv(pj_convert_string, pj_cstring("x"), "\"x\"", NULL);
	expect_conv(pj_convert_string, pj_null(), "\"\"", NULL);
	expect_conv(pj_convert_string, pj_secret("x", 1), NULL, "secrets may not be converted into strings");
	expect_conv(pj_convert_string, pj_bool(true), NULL, "should be string, got bool");
	expect_conv(pj_convert_string, array_of(1, pj_int(1)), NULL, "should be string, got array");
}

static void expect_number(const char *s, pj_numkind kind, const char *text)
{
	char *err = NULL;
	pj_value *in = pj_cstring(s);
	pj_value *out = pj_convert_number(in, &err);
	assert_non_null(out);
	assert_int_equal(pj_value_numkind(out), kind);
	pj_buf b = PJ_BUF_INIT;
	pj_value_write(&b, out);
	assert_string_equal(pj_buf_cstr(&b), text);
	pj_buf_free(&b);
	pj_value_unref(out);
	pj_value_unref(in);
}

static void test_convert_string_to_number(void **state)
{
	(void)state;
	expect_number("-5", PJ_NUM_INT, "-5");
	expect_number("-9223372036854775808", PJ_NUM_INT, "-9223372036854775808");
	expect_number("1.5", PJ_NUM_FLOAT, "1.5");
	expect_number("1e3", PJ_NUM_FLOAT, "1000");
	expect_number("2E-1", PJ_NUM_FLOAT, "0.2");
	expect_number(".5", PJ_NUM_FLOAT, "0.5");
	expect_number("42", PJ_NUM_UINT, "42");
	expect_number("1_000.5", PJ_NUM_FLOAT, "1000.5"); /* ParseFloat allows digit separators */
	expect_number("18446744073709551615", PJ_NUM_UINT, "18446744073709551615");
	const char *bad[] = {"", "abc", "-1.5", "+5", "18446744073709551616", "1e400", "1..2", "0x10",
		"-", "1e", " 1", "1_e5", "1__0.5", "1_000"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_conv(pj_convert_number, pj_cstring(bad[i]), NULL, "should be number, got string");
	expect_conv(pj_convert_number, pj_bool(false), NULL, "should be number, got bool");
	expect_conv(pj_convert_number, pj_secret("1", 1), NULL, "should be number, got capsule");
	expect_conv(pj_convert_number, pj_float(2.5), "2.5", NULL);
}

static void test_convert_to_secret(void **state)
{
	(void)state;
	char *err = NULL;
	pj_value *in = pj_cstring("pw");
	pj_value *out = pj_convert_secret(in, &err);
	assert_int_equal(pj_value_kind(out), PJ_SECRET);
	assert_string_equal(pj_value_str(out, NULL), "pw");
	pj_value_unref(out);
	pj_value_unref(in);
	expect_conv(pj_convert_secret, pj_secret("a", 1), "(secret)", NULL);
	expect_conv(pj_convert_secret, pj_int(1), NULL, "should be capsule, got number");
}

static void expect_duration(const char *s, int64_t want)
{
	char *err = NULL;
	int64_t ns = 12345;
	bool ok = pj_parse_duration(s, strlen(s), &ns, &err);
	if (!ok)
		fail_msg("%s: %s", s, err);
	assert_true(ns == want);
}

static void expect_duration_error(const char *s, const char *want)
{
	char *err = NULL;
	int64_t ns;
	assert_false(pj_parse_duration(s, strlen(s), &ns, &err));
	assert_string_equal(err, want);
	free(err);
}

static void test_parse_duration_like_go(void **state)
{
	(void)state;
	expect_duration("60s", 60000000000LL);
	expect_duration("1m30s", 90000000000LL);
	expect_duration("500ms", 500000000LL);
	expect_duration("1.5h", 5400000000000LL);
	expect_duration("-2s", -2000000000LL);
	expect_duration("+3ns", 3);
	expect_duration("0", 0);
	expect_duration("-0", 0);
	expect_duration("1us", 1000);
	expect_duration("1\xc2\xb5s", 1000);
	expect_duration("1\xce\xbcs", 1000);
	expect_duration(".5s", 500000000LL);
	expect_duration("1.s", 1000000000LL);
	expect_duration("1h2m3s4ms5us6ns", 3723004005006LL);
	expect_duration("0.000000001s", 1);
	expect_duration("-9223372036854775808ns", INT64_MIN);
	expect_duration("2562047h47m16.854775807s", INT64_MAX);

	expect_duration_error("", "time: invalid duration \"\"");
	expect_duration_error("abc", "time: invalid duration \"abc\"");
	expect_duration_error("60", "time: missing unit in duration \"60\"");
	expect_duration_error("1h1", "time: missing unit in duration \"1h1\"");
	expect_duration_error("1d", "time: unknown unit \"d\" in duration \"1d\"");
	expect_duration_error("1 s", "time: unknown unit \" s\" in duration \"1 s\"");
	expect_duration_error(".s", "time: invalid duration \".s\"");
	expect_duration_error("-", "time: invalid duration \"-\"");
	expect_duration_error("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"");
	expect_duration_error("3000000h", "time: invalid duration \"3000000h\"");
	expect_duration_error("1\xc2\xb5", "time: unknown unit \"\\xc2\\xb5\" in duration \"1\\xc2\\xb5\"");
	expect_duration_error("\"1s", "time: invalid duration \"\\\"1s\"");
}

static void expect_format(int64_t ns, const char *want)
{
	pj_buf b = PJ_BUF_INIT;
	pj_format_duration(&b, ns);
	assert_string_equal(pj_buf_cstr(&b), want);
	pj_buf_free(&b);
}

static void test_format_duration_like_go(void **state)
{
	(void)state;
	expect_format(0, "0s");
	expect_format(60000000000LL, "1m0s");
	expect_format(5400000000000LL, "1h30m0s");
	expect_format(500000000LL, "500ms");
	expect_format(1500, "1.5\xc2\xb5s");
	expect_format(1, "1ns");
	expect_format(-2000000000LL, "-2s");
	expect_format(1500000000LL, "1.5s");
	expect_format(3723004005006LL, "1h2m3.004005006s");
	expect_format(INT64_MIN, "-2562047h47m16.854775808s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constructors_and_accessors),
		cmocka_unit_test(test_float_to_integer_conversions_follow_go),
		cmocka_unit_test(test_objects_keep_insertion_order_and_replace),
		cmocka_unit_test(test_equality_is_deep_and_numeric),
		cmocka_unit_test(test_write_alloy_syntax),
		cmocka_unit_test(test_write_json),
		cmocka_unit_test(test_convert_to_string),
		cmocka_unit_test(test_convert_string_to_number),
		cmocka_unit_test(test_convert_to_secret),
		cmocka_unit_test(test_parse_duration_like_go),
		cmocka_unit_test(test_format_duration_like_go),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
