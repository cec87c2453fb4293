/* Unit tests for the standard library builtins, called directly through pj_stdlib(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syntax/eval.h"
#include "syntax/internal.h"
#include "syntax/value.h"

static const pj_value *lookup(const char *path)
{
	const pj_value *v = pj_stdlib();
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *part = strtok(buf, "."); part && v; part = strtok(NULL, "."))
		v = pj_object_get(v, part);
	return v;
}

/* Calls a builtin with owned arguments; returns its result or NULL with *err set. */
static pj_value *vcall(const char *path, char **err, size_t n, va_list ap)
{
	const pj_value *fn = lookup(path);
	assert_non_null(fn);
	assert_int_equal(pj_value_kind(fn), PJ_FUNCTION);
	pj_value *args[16];
	for (size_t i = 0; i < n; i++)
		args[i] = va_arg(ap, pj_value *);
	*err = NULL;
	pj_blame_reset();
	pj_value *out = pj_function_fn(fn)(args, n, err);
	for (size_t i = 0; i < n; i++)
		pj_value_unref(args[i]);
	return out;
}

static char *text_of(const pj_value *v)
{
	pj_buf b = PJ_BUF_INIT;
	pj_value_write(&b, v);
	return pj_buf_detach(&b);
}

/* Checks the Alloy text of a successful call's result. */
static void expect(const char *want, const char *path, size_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	char *err;
	pj_value *out = vcall(path, &err, n, ap);
	va_end(ap);
	if (!out)
		fail_msg("%s failed: %s", path, err);
	char *got = text_of(out);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s, want %s", path, got, want);
	free(got);
	pj_value_unref(out);
}

static void expect_error(const char *want, const char *path, size_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	char *err;
	pj_value *out = vcall(path, &err, n, ap);
	va_end(ap);
	assert_null(out);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
}

/* Runs string.format with a format and owned arguments and checks the string. */
static void expect_format(const char *want, const char *fmt, size_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	pj_value *args[16];
	args[0] = pj_cstring(fmt);
	for (size_t i = 0; i < n; i++)
		args[i + 1] = va_arg(ap, pj_value *);
	va_end(ap);
	char *err = NULL;
	pj_value *out = pj_function_fn(lookup("string.format"))(args, n + 1, &err);
	assert_non_null(out);
	assert_string_equal(pj_value_str(out, NULL), want);
	pj_value_unref(out);
	for (size_t i = 0; i <= n; i++)
		pj_value_unref(args[i]);
}

static pj_value *S(const char *s) { return pj_cstring(s); }
static pj_value *I(int64_t i) { return pj_int(i); }
static pj_value *F(double f) { return pj_float(f); }

static pj_value *A(size_t n, ...)
{
	va_list ap;
	va_start(ap, n);
	pj_value *a = pj_array_new(n);
	for (size_t i = 0; i < n; i++)
		pj_array_push(a, va_arg(ap, pj_value *));
	va_end(ap);
	return a;
}

static void test_namespaces_and_aliases_exist(void **state)
{
	(void)state;
	const char *names[] = {"sys.env", "coalesce", "array.concat", "string.format", "string.join",
		"string.split", "string.replace", "string.to_lower", "string.to_upper", "string.trim",
		"string.trim_prefix", "string.trim_suffix", "string.trim_space", "encoding.from_json",
		"encoding.to_json", "encoding.from_base64", "encoding.from_URLbase64", "encoding.to_base64",
		"encoding.to_URLbase64", "encoding.url_encode", "encoding.url_decode", "base64_decode", "convert.nonsensitive", "file.path_join", "env", "concat",
		"nonsensitive", "json_decode", "format", "join", "replace", "split", "to_lower",
		"to_upper", "trim", "trim_prefix", "trim_suffix", "trim_space"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const pj_value *f = lookup(names[i]);
		if (!f || pj_value_kind(f) != PJ_FUNCTION)
			fail_msg("missing %s", names[i]);
	}
	assert_true(pj_stdlib_deprecated("json_decode"));
	assert_true(pj_stdlib_deprecated("env"));
	assert_false(pj_stdlib_deprecated("coalesce"));
	assert_false(pj_stdlib_deprecated("string"));
	expect("\"HELLO\"", "to_upper", 1, S("hello"));
}

static void test_constants(void **state)
{
	(void)state;
	assert_string_equal(pj_value_str(lookup("constants.os"), NULL), "linux");
	const char *arch = pj_value_str(lookup("constants.arch"), NULL);
#if defined(__x86_64__)
	assert_string_equal(arch, "amd64");
#elif defined(__aarch64__)
	assert_string_equal(arch, "arm64");
#else
	assert_true(strlen(arch) > 0);
#endif
	assert_string_equal(pj_value_str(lookup("constants.version"), NULL), "v" PJ_VERSION);
	char host[256] = "";
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	assert_string_equal(pj_value_str(lookup("constants.hostname"), NULL), host);
}

static void test_sys_env(void **state)
{
	(void)state;
	setenv("PJ_TEST_VAR", "Hello!", 1);
	unsetenv("PJ_TEST_UNSET");
	expect("\"Hello!\"", "sys.env", 1, S("PJ_TEST_VAR"));
	expect("\"Hello!\"", "env", 1, S("PJ_TEST_VAR"));
	expect("\"\"", "sys.env", 1, S("PJ_TEST_UNSET"));
	expect_error("expected 1 args, got 0", "sys.env", 0);
	expect_error("expected 1 args, got 2", "sys.env", 2, S("a"), S("b"));
	expect_error("secrets may not be converted into strings", "sys.env", 1, pj_secret("x", 1));
	assert_true(pj_blame_get().set);
	assert_int_equal(pj_blame_get().arg, 0);
}

static void test_coalesce(void **state)
{
	(void)state;
	setenv("PJ_TEST_VAR2", "Hello!", 1);
	expect("null", "coalesce", 0);
	expect("\"Hello!\"", "coalesce", 1, S("Hello!"));
	expect("\"World!\"", "coalesce", 2, S(""), S("World!"));
	expect("[\"fallback\"]", "coalesce", 2, A(0), A(1, S("fallback")));
	expect("1", "coalesce", 3, I(0), I(1), I(2));
	expect("1", "coalesce", 3, pj_bool(false), I(1), I(2));
	expect("true", "coalesce", 2, pj_bool(false), pj_bool(true));
	expect("true", "coalesce", 2, pj_object_new(), pj_bool(true));
	expect("false", "coalesce", 2, pj_object_new(), pj_bool(false));
	expect("null", "coalesce", 2, A(0), pj_null());
	expect("-0", "coalesce", 2, F(-0.0), I(5)); /* -0.0 is not Go's zero value */
	expect("5", "coalesce", 2, F(0.0), I(5));
}

static void test_array_concat(void **state)
{
	(void)state;
	expect("[true, \"foo\", false, 1]", "array.concat", 3, A(2, pj_bool(true), S("foo")), A(0),
		A(2, pj_bool(false), I(1)));
	expect("[]", "array.concat", 0);
	expect("[1]", "concat", 1, A(1, I(1)));
	expect_error("should be array, got number", "array.concat", 2, A(0), I(1));
	assert_int_equal(pj_blame_get().arg, 1);
	expect_error("should be array, got null", "array.concat", 1, pj_null());
}

static void test_nonsensitive(void **state)
{
	(void)state;
	expect("\"foo\"", "convert.nonsensitive", 1, pj_secret("foo", 3));
	expect("\"bar\"", "nonsensitive", 1, S("bar"));
	expect_error("should be capsule, got number", "convert.nonsensitive", 1, I(1));
}

static void test_path_join(void **state)
{
	(void)state;
	expect("\"this/is/a/path\"", "file.path_join", 2, S("this/is"), S("a/path"));
	expect("\"\"", "file.path_join", 0);
	expect("\"\"", "file.path_join", 2, S(""), S(""));
	expect("\"/b/c\"", "file.path_join", 2, S("/a/../../b"), S("./c/"));
	expect("\".\"", "file.path_join", 4, S(""), S(""), S("a//b/.."), S(".."));
	expect("\"../..\"", "file.path_join", 2, S(".."), S("x/../.."));
	expect("\"a/1\"", "file.path_join", 2, S("a"), I(1));
}

static void test_string_join_split_replace(void **state)
{
	(void)state;
	expect("\"foo, bar, baz\"", "string.join", 2, A(3, S("foo"), S("bar"), S("baz")), S(", "));
	expect("\"0, 0, 1\"", "string.join", 2, A(3, I(0), I(0), I(1)), S(", "));
	expect("\"\"", "string.join", 2, pj_null(), S(","));
	expect_error("should be string, got bool", "string.join", 2, A(2, S("a"), pj_bool(true)), S(","));
	pj_blame b = pj_blame_get();
	assert_true(b.set && b.has_elem);
	assert_int_equal(b.arg, 0);
	assert_int_equal(b.elem, 1);
	expect_error("should be array, got string", "string.join", 2, S("a"), S(","));
	expect_error("expected 2 args, got 1", "join", 1, A(0));

	expect("[\"\", \"aaa\", \"bbb\", \"ccc\", \"ddd\"]", "string.split", 2, S("/aaa/bbb/ccc/ddd"), S("/"));
	expect("[\"a\", \"b\", \"\", \"c\"]", "split", 2, S("a,b,,c"), S(","));
	expect("[\"h\", \"é\", \"l\", \"l\", \"o\"]", "string.split", 2, S("héllo"), S(""));
	expect("[\"\"]", "string.split", 2, S(""), S(","));
	expect("[]", "string.split", 2, S(""), S(""));

	expect("\"Hello!\"", "string.replace", 3, S("Hello World"), S(" World"), S("!"));
	expect("\"a-a-a\"", "replace", 3, S("a.a.a"), S("."), S("-"));
	expect("\"-a-b-c-\"", "string.replace", 3, S("abc"), S(""), S("-"));
	expect("\"|h|é|l|l|o|\"", "string.replace", 3, S("héllo"), S(""), S("|"));
	expect("\"\"", "string.replace", 3, S(""), S("x"), S("y"));
}

static void test_string_case_is_unicode_aware(void **state)
{
	(void)state;
	expect("\"string\"", "string.to_lower", 1, S("String"));
	expect("\"STRING\"", "to_upper", 1, S("string"));
	expect("\"HELLO Ÿ ß I İ Μ S Σ Ǆ Ǆ Ǆ Ꙁ Ꙁ \xef\xbf\xbd Z\"", "string.to_upper", 1,
		S("Hello ÿ ß ı İ µ ſ ς Ǆ ǅ ǆ ꙁ Ꙁ \xff z"));
	expect("\"hello ÿ ß ı i µ ſ ς ǆ ǆ ǆ ꙁ ꙁ \xef\xbf\xbd z\"", "string.to_lower", 1,
		S("Hello ÿ ß ı İ µ ſ ς Ǆ ǅ ǆ ꙁ Ꙁ \xff z"));
	expect("\"ΑΒΓ ΩΜΈΓΑ ПРИВЕТ ЁЖ Ҁ Ӂ Ԁ Ա Ა Ⓐ Ａ ﬀ ǰ\"", "string.to_upper", 1,
		S("αβγ ωμέγα привет ёж ҁ ӂ ԁ ա ა ⓐ ａ ﬀ ǰ"));
	expect("\"αβγ ωμέγα привет ёж ҁ ӂ ԁ ա ა ⓐ ａ ﬀ ǰ\"", "string.to_lower", 1,
		S("ΑΒΓ ΩΜΈΓΑ ПРИВЕТ ЁЖ Ҁ Ӂ Ԁ Ա Ა Ⓐ Ａ ﬀ ǰ"));
	expect("\"42\"", "string.to_upper", 1, I(42));
}

static void test_string_trims(void **state)
{
	(void)state;
	expect("\"hello\"", "string.trim", 2, S("?!hello?!"), S("!?"));
	expect("\"hello! world.\"", "trim", 2, S("   hello! world.!  "), S("! "));
	expect("\"hi\"", "string.trim", 2, S("xxhixyx"), S("xy"));
	expect("\"éé\"", "string.trim", 2, S("ßééß"), S("ß"));
	expect("\"abc\"", "string.trim", 2, S("abc"), S(""));
	expect("\"world\"", "string.trim_prefix", 2, S("helloworld"), S("hello"));
	expect("\"helloworld\"", "trim_prefix", 2, S("helloworld"), S("world"));
	expect("\"hello\"", "string.trim_suffix", 2, S("helloworld"), S("world"));
	expect("\"hi\"", "trim_suffix", 2, S("hi"), S("longer than hi"));
	expect("\"string\"", "string.trim_space", 1, S("   string \n\n"));
	expect("\"x\"", "trim_space", 1, S("\u00a0\u2003 x \u3000\xc2\x85\t\v\f\r"));
	expect("\"\\xff x\"", "string.trim_space", 1, S(" \xff x "));
	expect("\"\"", "string.trim_space", 1, S(" \t "));
}

static void test_format_verbs_keep_go_kinds(void **state)
{
	(void)state;
	expect_format("Hello World", "Hello %s", 1, S("World"));
	expect_format("%!d(float64=1.5)", "%d", 1, F(1.5));
	expect_format("%!s(int=5)", "%s", 1, I(5));
	expect_format("1e+06|123456|1e-05|1.5", "%v|%v|%v|%v", 4, F(1e6), F(123456), F(1e-5), F(1.5));
	expect_format(" 3.14|42    |-00042|+7|ff|6869|10|101", "%5.2f|%-6d|%06d|%+d|%x|%X|%o|%b", 8,
		F(3.14159), I(42), I(-42), I(7), I(255), S("hi"), I(8), I(5));
	expect_format("\"a\\\"b\\n\"|'A'|☺|U+263A", "%q|%q|%c|%U", 4, S("a\"b\n"), I(65), I(0x263a), I(0x263a));
	expect_format("true|%!t(string=x)", "%t|%t", 2, pj_bool(true), S("x"));
	expect_format("[1 a <nil>]|[x y]|[1 2]", "%v|%s|%d", 3, A(3, I(1), S("a"), pj_null()),
		A(2, S("x"), S("y")), A(2, I(1), I(2)));
	pj_value *m = pj_object_new();
	pj_object_set(m, "b", I(1));
	pj_object_set(m, "a", S("x"));
	expect_format("map[a:x b:1]", "%v", 1, m);
	expect_format("1 %!d(MISSING)", "%d %d", 1, I(1));
	expect_format("1%!(EXTRA string=x, <nil>)", "%d", 3, I(1), S("x"), pj_null());
	expect_format("%!!(MISSING)", "%!", 0);
	expect_format("%!z(int=1)", "%z", 1, I(1));
	expect_format("100%", "100%%", 0);
	expect_format("%!(NOVERB)", "%", 0);
	expect_format("%!s(<nil>)|<nil>", "%s|%v", 2, pj_null(), pj_null());
	expect_format("1|true|\"s\"", "%#v|%#v|%#v", 3, I(1), pj_bool(true), S("s"));
	expect_format("1.234568e+03|1.234568E+03|1e+21|1E-07|1.23e+03", "%e|%E|%g|%G|%.3g", 5,
		F(1234.5678), F(1234.5678), F(1e21), F(1e-7), F(1234.5678));
	expect_format("+Inf|+Inf|NaN| 5", "%f|%v|%v|% d", 4, F(INFINITY), F(INFINITY), F(NAN), I(5));
	expect_format("0x1.8p+00|-ff", "%x|%x", 2, F(1.5), I(-255));
	expect_format("    3|3.14|7   |", "%*d|%.*f|%-*d|", 6, I(5), I(3), I(2), F(3.14159), I(4), I(7));
	expect_format("pw|%!d(alloytypes.Secret=pw)", "%s|%d", 2, pj_secret("pw", 2), pj_secret("pw", 2));
	expect_format("18446744073709551615|%!s(uint64=18446744073709551615)", "%v|%s", 2,
		pj_uint(UINT64_MAX), pj_uint(UINT64_MAX));
	expect_format("hé|   ab|ab   |000ab", "%.2s|%5s|%-5s|%05s", 4, S("héllo"), S("ab"), S("ab"), S("ab"));
	expect_format("68c3a9|61 62 63|[61 A]", "%x|% x|%X", 3, S("hé"), S("abc"), A(2, S("a"), I(10)));
	expect_format(" -3.14|-03.14|1.234e+03|", "%6.2f|%06.2f|%-8.3e|", 3, F(-3.14159), F(-3.14159), F(1234.5));
	expect_format("1e+08", "%v", 1, F(1e8));
	expect_format("x-x", "%[1]s-%[1]s", 1, S("x"));
	expect_format("2 1", "%[2]d %[1]d", 2, I(1), I(2));
	expect_format("%!d(BADINDEX)", "%[3]d", 2, I(1), I(2));
	expect_format("%!d(BADINDEX)", "%[x]d", 1, I(1));
	expect_format("1 2", "%[1]d %d", 2, I(1), I(2));
	expect_format("   12", "%[2]*[1]d", 2, I(12), I(5));
	expect_format("x%![(bool=false)3]t", "x%[1][3]t", 1, pj_bool(false));
	expect_format("-%!(BADWIDTH)%!E(MISSING) %!t(MISSING)", "-%#-*E %+0t", 1, pj_uint(UINT64_MAX));
	expect_format("%!(BADPREC) 5%!O(MISSING)", "%+ .*v%+0O", 2, I(-1), I(5));
	expect_format("0X1.P-1074|0x1.8p+00|0x1p+01", "%#X|%x|%.0x", 3, F(5e-324), F(1.5), F(1.5));
	expect_format("1.e+21|2.50E-05", "%#.e|%#.3G", 2, F(1e21), F(2.5e-5));
	expect_format("'\\u263a'|\"h\\u00e9\"|'☺'", "%+q|%+q|%q", 3, I(0x263a), S("hé"), I(0x263a));
	expect_format("[]|map|     ", "%.2T|%.3T|%5.0T", 3, A(0), pj_object_new(), S(""));
	expect_format("00000\xef\xbf\xbd|-2A", "%06c|%+0X", 2, pj_uint(UINT64_MAX), I(-42));
	pj_value *nil_map = pj_object_new();
	pj_object_set(nil_map, "z", pj_null());
	expect_format("map[z       :<nil>]|[<nil>]", "%-8v|%5v", 2, nil_map, A(1, pj_null()));
	expect_format("[]interface {}{1, \"a\", interface {}(nil)}", "%#v", 1, A(3, I(1), S("a"), pj_null()));
	expect_error("expected at least 1 args, got 0", "string.format", 0);
}

static void expect_json_error(const char *input, const char *want)
{
	expect_error(want, "encoding.from_json", 1, S(input));
}

static void test_from_json(void **state)
{
	(void)state;
	expect("{foo = \"bar\"}", "encoding.from_json", 1, S("{\"foo\": \"bar\"}"));
	expect("{foo = \"bar\"}", "json_decode", 1, S("{\"foo\": \"bar\"}"));
	expect("[0, 1, 2]", "encoding.from_json", 1, S("[0, 1, 2]"));
	expect("{foo = null}", "encoding.from_json", 1, S("{\"foo\": null}"));
	expect("[0, null, true, false, -1.5, 1000]", "encoding.from_json", 1, S(" [0, null, true, false, -1.5, 1e3] "));
	expect("[\"\xef\xbf\xbd" "A\", \"😀\", \"\\n/\"]", "encoding.from_json", 1,
		S("[\"\\ud800\\u0041\", \"\\ud83d\\ude00\", \"\\n\\/\"]"));
	expect("{a = 2}", "encoding.from_json", 1, S("{\"a\": 1, \"a\": 2}"));
	char *err;
	const pj_value *fn = lookup("encoding.from_json");
	pj_value *arg = S("[1]");
	pj_value *out = pj_function_fn(fn)(&arg, 1, &err);
	assert_int_equal(pj_value_numkind(pj_array_get(out, 0)), PJ_NUM_FLOAT); /* numbers become floats */
	pj_value_unref(out);
	pj_value_unref(arg);

	expect_json_error("", "unexpected end of JSON input");
	expect_json_error("{", "unexpected end of JSON input");
	expect_json_error("\"abc", "unexpected end of JSON input");
	expect_json_error("[1,]", "invalid character ']' looking for beginning of value");
	expect_json_error("{\"a\" 1}", "invalid character '1' after object key");
	expect_json_error("{\"a\":1 \"b\"}", "invalid character '\"' after object key:value pair");
	expect_json_error("[1 2]", "invalid character '2' after array element");
	expect_json_error("tru", "invalid character ' ' in literal true (expecting 'e')");
	expect_json_error("trux", "invalid character 'x' in literal true (expecting 'e')");
	expect_json_error("nul", "invalid character ' ' in literal null (expecting 'l')");
	expect_json_error("1 2", "invalid character '2' after top-level value");
	expect_json_error("-", "invalid character ' ' in numeric literal");
	expect_json_error("-x", "invalid character 'x' in numeric literal");
	expect_json_error("1.", "invalid character ' ' after decimal point in numeric literal");
	expect_json_error("1ex", "invalid character 'x' in exponent of numeric literal");
	expect_json_error("01", "invalid character '1' after top-level value");
	expect_json_error("\"\\x\"", "invalid character 'x' in string escape code");
	expect_json_error("\"\\u12g4\"", "invalid character 'g' in \\u hexadecimal character escape");
	expect_json_error("\"a\nb\"", "invalid character '\\n' in string literal");
	expect_json_error("{1:2}", "invalid character '1' looking for beginning of object key string");
	expect_json_error("{\"a\":1,}", "invalid character '}' looking for beginning of object key string");
	expect_json_error("'a'", "invalid character '\\'' looking for beginning of value");
	expect_json_error("\xff", "invalid character 'ÿ' looking for beginning of value");
	expect_json_error("1e400", "json: cannot unmarshal number 1e400 into Go value of type float64");
	expect_json_error("[1e400, x]", "invalid character 'x' looking for beginning of value");
	expect_error("should be string, got bool", "encoding.from_json", 1, pj_bool(true));
}

static void test_deep_json_is_bounded(void **state)
{
	(void)state;
	size_t n = 10001;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	expect_json_error(deep, "invalid character '[' exceeded max depth");
	deep[1] = ']';
	deep[2] = '\0';
	expect("[]", "encoding.from_json", 1, S(deep));
	free(deep);
}

static void test_base64_and_url_encoding(void **state)
{
	(void)state;
	expect("\"foobar123!?$*&()'-=@~\"", "encoding.from_base64", 1, S("Zm9vYmFyMTIzIT8kKiYoKSctPUB+"));
	expect("\"foobar123!?$*&()'-=@~\"", "base64_decode", 1, S("Zm9vYmFyMTIzIT8kKiYoKSctPUB+"));
	expect("\"string123!?$*&()'-=@~\"", "encoding.from_URLbase64", 1, S("c3RyaW5nMTIzIT8kKiYoKSctPUB-"));
	expect("\"c3RyaW5nMTIzIT8kKiYoKSctPUB+\"", "encoding.to_base64", 1, S("string123!?$*&()'-=@~"));
	expect("\"c3RyaW5nMTIzIT8kKiYoKSctPUB-\"", "encoding.to_URLbase64", 1, S("string123!?$*&()'-=@~"));
	expect("\"YQ==\"", "encoding.to_base64", 1, S("a"));
	expect("\"ab\"", "encoding.from_base64", 1, S("Y\nW\r\nI=\n"));
	expect_error("illegal base64 data at input byte 4", "encoding.from_base64", 1, S("YWJjZ"));
	expect_error("illegal base64 data at input byte 1", "encoding.from_base64", 1, S("Y==="));
	expect_error("illegal base64 data at input byte 4", "encoding.from_base64", 1, S("YQ==YQ=="));
	expect_error("illegal base64 data at input byte 2", "encoding.from_URLbase64", 1, S("c3+y"));
	expect("\"string123%21%3F%24%2A%26%28%29%27-%3D%40~\"", "encoding.url_encode", 1, S("string123!?$*&()'-=@~"));
	expect("\"a+b%2Fc\"", "encoding.url_encode", 1, S("a b/c"));
	expect("\"string123!?$*&()'-=@~\"", "encoding.url_decode", 1, S("string123%21%3F%24%2A%26%28%29%27-%3D%40~"));
	expect("\"a b\"", "encoding.url_decode", 1, S("a+b"));
	expect_error("invalid URL escape \"%zz\"", "encoding.url_decode", 1, S("x%zzy"));
	expect_error("invalid URL escape \"%2\"", "encoding.url_decode", 1, S("%2"));
}

static void test_to_json(void **state)
{
	(void)state;
	pj_value *o = pj_object_new();
	pj_value *inner = pj_object_new();
	pj_object_set(inner, "prober", S("http"));
	pj_object_set(inner, "timeout", S("5s"));
	pj_object_set(inner, "http", pj_object_new());
	pj_object_set(o, "z", I(1));
	pj_object_set(o, "a", A(4, F(1.5), F(1e21), F(1e-7), S("<&>")));
	pj_object_set(o, "m", inner);
	expect("\"{\\\"a\\\":[1.5,1e+21,1e-7,\\\"\\\\u003c\\\\u0026\\\\u003e\\\"],"
		"\\\"m\\\":{\\\"http\\\":{},\\\"prober\\\":\\\"http\\\",\\\"timeout\\\":\\\"5s\\\"},\\\"z\\\":1}\"",
		"encoding.to_json", 1, o);
	expect_error("jsonEncode only supports map", "encoding.to_json", 1, I(12));
	pj_value *bad = pj_object_new();
	pj_object_set(bad, "x", F(NAN));
	expect_error("json: unsupported value: NaN", "encoding.to_json", 1, bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespaces_and_aliases_exist),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_sys_env),
		cmocka_unit_test(test_coalesce),
		cmocka_unit_test(test_array_concat),
		cmocka_unit_test(test_nonsensitive),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_string_join_split_replace),
		cmocka_unit_test(test_string_case_is_unicode_aware),
		cmocka_unit_test(test_string_trims),
		cmocka_unit_test(test_format_verbs_keep_go_kinds),
		cmocka_unit_test(test_from_json),
		cmocka_unit_test(test_deep_json_is_bounded),
		cmocka_unit_test(test_base64_and_url_encoding),
		cmocka_unit_test(test_to_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
