/*
 * Evaluator fuzzer: parses "x = <input>" and evaluates it against a small
 * scope, then renders and converts the result. The raw input also goes to
 * the JSON decoder, the duration parser and string.format, which take user
 * text directly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syntax/ast.h"
#include "syntax/eval.h"
#include "syntax/value.h"

/*
 * string.replace can multiply a string's length per nesting level, as it
 * does in Alloy; short expressions keep that growth far below the memory
 * limit while still covering every operator and builtin.
 */
#define PJ_FUZZ_MAX_EXPR 192

static pj_value *fuzz_scope(void)
{
	pj_value *scope = pj_object_new();
	pj_value *list = pj_array_new(3);
	pj_array_push(list, pj_int(1));
	pj_array_push(list, pj_cstring("two"));
	pj_array_push(list, pj_float(3.5));
	pj_value *obj = pj_object_new();
	pj_object_set(obj, "output", list);
	pj_object_set(obj, "name", pj_cstring("java"));
	pj_object_set(scope, "comp", obj);
	pj_object_set(scope, "pw", pj_secret("s3cret", 6));
	pj_object_set(scope, "big", pj_uint(UINT64_MAX));
	return scope;
}

static void exercise_value(const pj_value *v)
{
	pj_buf b = PJ_BUF_INIT;
	pj_value_write(&b, v);
	pj_value_write_json(&b, v);
	pj_buf_free(&b);
	char *err = NULL;
	pj_value *(*convs[])(const pj_value *, char **) = {pj_convert_string, pj_convert_number, pj_convert_secret};
	for (size_t i = 0; i < 3; i++) {
		pj_value *c = convs[i](v, &err);
		pj_value_unref(c);
		free(err);
		err = NULL;
	}
	pj_value_equal(v, v);
}

static void fuzz_expression(const uint8_t *data, size_t size, const pj_value *scope)
{
	if (size > PJ_FUZZ_MAX_EXPR)
		return;
	char text[PJ_FUZZ_MAX_EXPR + 8] = "x = ";
	memcpy(text + 4, data, size);
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *f = pj_parse(pj_source_new("fuzz", text, size + 4), &diags);
	if (!pj_diags_has_errors(&diags) && f->body.len == 1 && f->body.stmts[0]->kind == PJ_STMT_ATTR) {
		const pj_expr *e = f->body.stmts[0]->value;
		pj_value *v = pj_eval(e, scope, f->src, &diags);
		if (v)
			exercise_value(v);
		pj_value_unref(v);
		pj_refs refs = {0};
		pj_collect_body_refs(&f->body, &refs);
		pj_refs_free(&refs);
	}
	pj_diags_free(&diags);
	pj_file_free(f);
}

/* The raw input as a string.format format over one argument of each kind. */
static void fuzz_format(const uint8_t *data, size_t size, const pj_value *scope)
{
	/* Widths go up to a million per directive, as in Go, so keep formats short. */
	if (size > 256)
		return;
	pj_value *args[8] = {pj_string((const char *)data, size), pj_int(-42), pj_uint(UINT64_MAX), pj_float(1.5e-300),
		pj_cstring("h\xc3\xa9\xff"), pj_null(), pj_value_ref(pj_object_get(scope, "comp")), pj_secret("pw", 2)};
	const pj_value *fn = pj_object_get(pj_object_get(pj_stdlib(), "string"), "format");
	char *err = NULL;
	pj_value *out = pj_function_fn(fn)(args, 8, &err);
	pj_value_unref(out);
	free(err);
	for (size_t i = 0; i < 8; i++)
		pj_value_unref(args[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pj_value *scope;
	if (!scope)
		scope = fuzz_scope();
	fuzz_expression(data, size, scope);
	fuzz_format(data, size, scope);

	int64_t ns;
	char *err = NULL;
	if (!pj_parse_duration((const char *)data, size, &ns, &err))
		free(err);
	else {
		pj_buf b = PJ_BUF_INIT;
		pj_format_duration(&b, ns);
		pj_buf_free(&b);
	}

	pj_value *arg = pj_string((const char *)data, size);
	const pj_value *from_json = pj_object_get(pj_object_get(pj_stdlib(), "encoding"), "from_json");
	err = NULL;
	pj_value *v = pj_function_fn(from_json)(&arg, 1, &err);
	if (v)
		exercise_value(v);
	pj_value_unref(v);
	free(err);
	pj_value_unref(arg);
	return 0;
}
