/*
 * The expression evaluator (spec 3.1, 3.5). Errors are worded and placed the
 * way Alloy's vm reports them: the text of the offending expression, then the
 * problem, positioned over that expression.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "syntax/eval.h"
#include "syntax/internal.h"
#include "syntax/quote.h"

/* Left-deep operator chains are the only unbounded nesting the parser lets through. */
#define PJ_EVAL_MAX_DEPTH 5000

typedef struct pj_eval_ctx {
	const pj_value *scope;
	const pj_source *src;
	pj_diags *diags;
	int depth;
} pj_eval_ctx;

static pj_value *pj_eval_expr(pj_eval_ctx *c, const pj_expr *e);

static pj_value *pj_fail_span(pj_eval_ctx *c, pj_span span, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static pj_value *pj_fail_span(pj_eval_ctx *c, pj_span span, const char *fmt, ...)
{
	pj_buf b = PJ_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pj_diags_add(c->diags, PJ_SEV_ERROR, c->src, span, "%s", pj_buf_cstr(&b));
	pj_buf_free(&b);
	return NULL;
}

/* "<expression text><path> <problem>", over the expression. */
static pj_value *pj_fail_at(pj_eval_ctx *c, const pj_expr *at, const char *path, const char *problem)
{
	char *text = pj_expr_text(at);
	pj_fail_span(c, at->span, "%s%s %s", text, path, problem);
	free(text);
	return NULL;
}

static pj_value *pj_fail_atf(pj_eval_ctx *c, const pj_expr *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static pj_value *pj_fail_atf(pj_eval_ctx *c, const pj_expr *at, const char *fmt, ...)
{
	pj_buf b = PJ_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pj_fail_at(c, at, "", pj_buf_cstr(&b));
	pj_buf_free(&b);
	return NULL;
}

static pj_value *pj_type_error(pj_eval_ctx *c, const pj_expr *at, const char *want, const pj_value *got)
{
	return pj_fail_atf(c, at, "should be %s, got %s", want, pj_value_type_name(got));
}

/* strconv.ParseFloat's failure text, for literals too large for a float64. */
static pj_value *pj_float_literal(pj_eval_ctx *c, const pj_expr *e, const char *lit)
{
	double f = strtod(lit, NULL);
	if (isinf(f))
		return pj_fail_span(c, e->span, "strconv.ParseFloat: parsing \"%s\": value out of range", lit);
	return pj_float(f);
}

/*
 * A NUMBER literal goes through Go's ParseInt(lit, 0, 64), then ParseUint,
 * then ParseFloat: a leading 0 means octal, and anything that fails both
 * integer parses (09, or more than 64 bits) becomes a float.
 */
static pj_value *pj_number_literal(pj_eval_ctx *c, const pj_expr *e)
{
	const char *lit = e->u.number.literal;
	size_t len = strlen(lit);
	unsigned base = len > 1 && lit[0] == '0' ? 8 : 10;
	uint64_t u = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(lit[i] - '0');
		if (d >= base || u > (UINT64_MAX - d) / base)
			return pj_float_literal(c, e, lit);
		u = u * base + d;
	}
	return u <= INT64_MAX ? pj_int((int64_t)u) : pj_uint(u);
}

static pj_value *pj_lookup(pj_eval_ctx *c, const pj_expr *e)
{
	const char *name = e->u.ident.name;
	const pj_value *v = c->scope && pj_value_kind(c->scope) == PJ_OBJECT ? pj_object_get(c->scope, name) : NULL;
	if (!v)
		v = pj_object_get(pj_stdlib(), name);
	if (!v) {
		pj_buf q = PJ_BUF_INIT;
		pj_quote_go(&q, name, strlen(name));
		pj_fail_span(c, e->span, "identifier %s does not exist", pj_buf_cstr(&q));
		pj_buf_free(&q);
		return NULL;
	}
	return pj_value_ref(v);
}

static pj_value *pj_eval_array(pj_eval_ctx *c, const pj_expr *e)
{
	pj_value *arr = pj_array_new(e->u.array.len);
	for (size_t i = 0; i < e->u.array.len; i++) {
		pj_value *v = pj_eval_expr(c, e->u.array.elems[i]);
		if (!v) {
			pj_value_unref(arr);
			return NULL;
		}
		pj_array_push(arr, v);
	}
	return arr;
}

static pj_value *pj_eval_object(pj_eval_ctx *c, const pj_expr *e)
{
	pj_value *obj = pj_object_new();
	for (size_t i = 0; i < e->u.object.len; i++) {
		const pj_field *f = &e->u.object.fields[i];
		pj_value *v = pj_eval_expr(c, f->value);
		if (!v) {
			pj_value_unref(obj);
			return NULL;
		}
		pj_object_set(obj, f->name, v);
	}
	return obj;
}

static pj_value *pj_eval_access(pj_eval_ctx *c, const pj_expr *e)
{
	const pj_expr *base = e->u.access.value;
	pj_value *v = pj_eval_expr(c, base);
	if (!v)
		return NULL;
	const char *name = e->u.access.name;
	pj_value *out = NULL;
	pj_buf q = PJ_BUF_INIT;
	pj_quote_go(&q, name, strlen(name));
	switch (pj_value_kind(v)) {
	case PJ_OBJECT: {
		const pj_value *field = pj_object_get(v, name);
		if (field)
			out = pj_value_ref(field);
		else
			pj_fail_span(c, e->u.access.name_span, "field %s does not exist", pj_buf_cstr(&q));
		break;
	}
	case PJ_CAPSULE:
	case PJ_SECRET:
		pj_fail_atf(c, base, "expected object or array or a capsule convertible to an object, got capsule");
		break;
	default:
		pj_fail_atf(c, base, "cannot access field %s on value of type %s", pj_buf_cstr(&q),
			pj_value_type_name(v));
		break;
	}
	pj_buf_free(&q);
	pj_value_unref(v);
	return out;
}

static pj_value *pj_index_value(pj_eval_ctx *c, const pj_expr *e, const pj_value *v, const pj_value *idx)
{
	const pj_expr *idx_expr = e->u.index.index;
	switch (pj_value_kind(v)) {
	case PJ_ARRAY: {
		if (pj_value_kind(idx) != PJ_NUMBER)
			return pj_type_error(c, idx_expr, "number", idx);
		int64_t i = pj_value_int(idx);
		size_t n = pj_array_len(v);
		if (i < 0 || (uint64_t)i >= n)
			return pj_fail_atf(c, idx_expr, "index %lld is out of range of array with length %zu",
				(long long)i, n);
		return pj_value_ref(pj_array_get(v, (size_t)i));
	}
	case PJ_OBJECT: {
		if (pj_value_kind(idx) != PJ_STRING)
			return pj_type_error(c, idx_expr, "string", idx);
		size_t len;
		const char *key = pj_value_str(idx, &len);
		/* Keys with NUL bytes cannot exist in an object, so they are simply missing. */
		const pj_value *field = memchr(key, '\0', len) ? NULL : pj_object_get(v, key);
		return pj_value_ref(field ? field : pj_null());
	}
	case PJ_CAPSULE:
	case PJ_SECRET:
		return pj_fail_atf(c, e->u.index.value,
			"expected object or array or a capsule convertible to an object, got capsule");
	default:
		return pj_fail_atf(c, e->u.index.value, "expected object or array, got %s", pj_value_type_name(v));
	}
}

static pj_value *pj_eval_index(pj_eval_ctx *c, const pj_expr *e)
{
	pj_value *v = pj_eval_expr(c, e->u.index.value);
	if (!v)
		return NULL;
	pj_value *idx = pj_eval_expr(c, e->u.index.index);
	pj_value *out = idx ? pj_index_value(c, e, v, idx) : NULL;
	pj_value_unref(idx);
	pj_value_unref(v);
	return out;
}

static pj_value *pj_eval_unary(pj_eval_ctx *c, const pj_expr *e)
{
	const pj_expr *operand = e->u.unary.operand;
	pj_value *v = pj_eval_expr(c, operand);
	if (!v)
		return NULL;
	pj_value *out;
	if (e->u.unary.op == PJ_TOK_NOT) {
		out = pj_value_kind(v) == PJ_BOOL ? pj_bool(!pj_value_bool(v)) : pj_type_error(c, operand, "bool", v);
	} else if (pj_value_kind(v) != PJ_NUMBER) {
		out = pj_type_error(c, operand, "number", v);
	} else if (pj_value_numkind(v) == PJ_NUM_FLOAT) {
		out = pj_float(-pj_value_float(v));
	} else {
		/* Negating a uint gives an int, as in Alloy; wraps like Go. */
		out = pj_int((int64_t)(0 - (uint64_t)pj_value_int(v)));
	}
	pj_value_unref(v);
	return out;
}

/* Where a builtin's error points: the blamed argument (or array element), else the function. */
static pj_value *pj_call_error(pj_eval_ctx *c, const pj_expr *e, const char *err)
{
	pj_blame b = pj_blame_get();
	if (!b.set || b.arg >= e->u.call.len)
		return pj_fail_at(c, e->u.call.fn, "", err);
	const pj_expr *arg = e->u.call.args[b.arg];
	if (!b.has_elem)
		return pj_fail_at(c, arg, "", err);
	if (arg->kind == PJ_EXPR_ARRAY && b.elem < arg->u.array.len)
		return pj_fail_at(c, arg->u.array.elems[b.elem], "", err);
	char path[32];
	snprintf(path, sizeof(path), "[%zu]", b.elem);
	return pj_fail_at(c, arg, path, err);
}

static pj_value *pj_eval_call(pj_eval_ctx *c, const pj_expr *e)
{
	pj_value *fn = pj_eval_expr(c, e->u.call.fn);
	if (!fn)
		return NULL;
	if (pj_value_kind(fn) != PJ_FUNCTION) {
		pj_type_error(c, e->u.call.fn, "function", fn);
		pj_value_unref(fn);
		return NULL;
	}
	size_t n = e->u.call.len;
	pj_value **args = pj_calloc(n ? n : 1, sizeof(*args));
	pj_value *out = NULL;
	size_t done = 0;
	for (; done < n; done++) {
		args[done] = pj_eval_expr(c, e->u.call.args[done]);
		if (!args[done])
			break;
	}
	if (done == n) {
		char *err = NULL;
		pj_blame_reset();
		out = pj_function_fn(fn)(args, n, &err);
		if (!out)
			pj_call_error(c, e, err ? err : "function call failed");
		free(err);
	}
	for (size_t i = 0; i < done; i++)
		pj_value_unref(args[i]);
	free(args);
	pj_value_unref(fn);
	return out;
}


/* Which operand types an operator takes, as Alloy lists them in messages. */
static const char *pj_binop_types(pj_tok op)
{
	switch (op) {
	case PJ_TOK_OR: case PJ_TOK_AND: return "[bool]";
	case PJ_TOK_ADD: return "[number string capsule]";
	case PJ_TOK_LT: case PJ_TOK_LTE: case PJ_TOK_GT: case PJ_TOK_GTE: return "[number string]";
	default: return "[number]";
	}
}

static bool pj_binop_accepts(pj_tok op, const pj_value *v)
{
	pj_kind k = pj_value_kind(v);
	switch (op) {
	case PJ_TOK_OR: case PJ_TOK_AND: return k == PJ_BOOL;
	case PJ_TOK_ADD: return k == PJ_NUMBER || k == PJ_STRING || k == PJ_CAPSULE || k == PJ_SECRET;
	case PJ_TOK_LT: case PJ_TOK_LTE: case PJ_TOK_GT: case PJ_TOK_GTE: return k == PJ_NUMBER || k == PJ_STRING;
	default: return k == PJ_NUMBER;
	}
}

static pj_value *pj_concat(const pj_value *a, const pj_value *b, bool secret)
{
	size_t la, lb;
	const char *sa = pj_value_str(a, &la), *sb = pj_value_str(b, &lb);
	char *s = pj_malloc(la + lb + 1);
	memcpy(s, sa, la);
	memcpy(s + la, sb, lb);
	s[la + lb] = '\0';
	if (!secret)
		return pj_string_take(s, la + lb);
	pj_value *v = pj_secret(s, la + lb);
	free(s);
	return v;
}

static pj_value *pj_add(pj_eval_ctx *c, const pj_expr *e, const pj_value *l, const pj_value *r)
{
	switch (pj_value_kind(l)) {
	case PJ_STRING:
		return pj_concat(l, r, false);
	case PJ_SECRET:
		/* Alloy appends only another secret's text; other capsules add nothing. */
		return pj_concat(l, pj_value_kind(r) == PJ_SECRET ? r : pj_null(), true);
	case PJ_CAPSULE:
		return pj_fail_atf(c, e->u.binary.lhs, "could not perform binop + for unknown types lhs capsule rhs %s",
			pj_value_type_name(r));
	default:
		return pj_number_binop(PJ_TOK_ADD, l, r);
	}
}

static pj_value *pj_binop_typed(pj_eval_ctx *c, const pj_expr *e, const pj_value *l, const pj_value *r)
{
	pj_tok op = e->u.binary.op;
	size_t la, lb;
	switch (op) {
	case PJ_TOK_OR: return pj_bool(pj_value_bool(l) || pj_value_bool(r));
	case PJ_TOK_AND: return pj_bool(pj_value_bool(l) && pj_value_bool(r));
	case PJ_TOK_ADD: return pj_add(c, e, l, r);
	case PJ_TOK_LT: case PJ_TOK_LTE: case PJ_TOK_GT: case PJ_TOK_GTE:
		if (pj_value_kind(l) == PJ_STRING) {
			const char *a = pj_value_str(l, &la), *b = pj_value_str(r, &lb);
			int cmp = memcmp(a, b, la < lb ? la : lb);
			cmp = cmp ? cmp : (la > lb) - (la < lb);
			return pj_bool(op == PJ_TOK_LT ? cmp < 0 : op == PJ_TOK_LTE ? cmp <= 0 :
				op == PJ_TOK_GT ? cmp > 0 : cmp >= 0);
		}
		return pj_bool(pj_number_compare(op, l, r));
	case PJ_TOK_DIV: case PJ_TOK_MOD:
		if (pj_number_zero(r))
			return pj_fail_at(c, e->u.binary.rhs, "", "divide by zero error");
		return pj_number_binop(op, l, r);
	default:
		return pj_number_binop(op, l, r);
	}
}

/* Applies a binary operator to evaluated operands. */
static pj_value *pj_eval_binary(pj_eval_ctx *c, const pj_expr *e, const pj_value *lhs, const pj_value *rhs)
{
	pj_tok op = e->u.binary.op;
	const pj_value *l = lhs, *r = rhs;
	pj_value *wrapped = NULL, *out;
	size_t len;
	/* A string meeting a secret becomes a secret, so the secret-ness propagates. */
	if (pj_value_kind(l) == PJ_SECRET && pj_value_kind(r) == PJ_STRING) {
		const char *s = pj_value_str(r, &len);
		r = wrapped = pj_secret(s, len);
	} else if (pj_value_kind(l) == PJ_STRING && pj_value_kind(r) == PJ_SECRET) {
		const char *s = pj_value_str(l, &len);
		l = wrapped = pj_secret(s, len);
	}
	if (op == PJ_TOK_EQ || op == PJ_TOK_NEQ)
		out = pj_bool(pj_value_equal(l, r) == (op == PJ_TOK_EQ));
	else if (!pj_binop_accepts(op, l))
		out = pj_fail_atf(c, e->u.binary.lhs, "should be one of %s for binop %s, got %s", pj_binop_types(op),
			pj_tok_name(op), pj_value_type_name(l));
	else if (!pj_binop_accepts(op, r))
		out = pj_fail_atf(c, e->u.binary.rhs, "should be one of %s for binop %s, got %s", pj_binop_types(op),
			pj_tok_name(op), pj_value_type_name(r));
	else if (strcmp(pj_value_type_name(l), pj_value_type_name(r)) != 0)
		out = pj_type_error(c, e->u.binary.rhs, pj_value_type_name(l), r);
	else
		out = pj_binop_typed(c, e, l, r);
	pj_value_unref(wrapped);
	return out;
}

static pj_value *pj_eval_binary_expr(pj_eval_ctx *c, const pj_expr *e)
{
	/* Alloy evaluates both sides first: && and || do not short-circuit. */
	pj_value *lhs = pj_eval_expr(c, e->u.binary.lhs);
	if (!lhs)
		return NULL;
	pj_value *rhs = pj_eval_expr(c, e->u.binary.rhs);
	pj_value *out = rhs ? pj_eval_binary(c, e, lhs, rhs) : NULL;
	pj_value_unref(lhs);
	pj_value_unref(rhs);
	return out;
}

static pj_value *pj_eval_expr(pj_eval_ctx *c, const pj_expr *e)
{
	if (c->depth >= PJ_EVAL_MAX_DEPTH)
		return pj_fail_span(c, e->span, "expression is nested too deeply");
	c->depth++;
	pj_value *v = NULL;
	switch (e->kind) {
	case PJ_EXPR_IDENT: v = pj_lookup(c, e); break;
	case PJ_EXPR_STRING: v = pj_string(e->u.string.value, e->u.string.len); break;
	case PJ_EXPR_NUMBER: v = pj_number_literal(c, e); break;
	case PJ_EXPR_FLOAT: v = pj_float_literal(c, e, e->u.number.literal); break;
	case PJ_EXPR_BOOL: v = pj_bool(e->u.boolean); break;
	case PJ_EXPR_NULL: v = pj_null(); break;
	case PJ_EXPR_ARRAY: v = pj_eval_array(c, e); break;
	case PJ_EXPR_OBJECT: v = pj_eval_object(c, e); break;
	case PJ_EXPR_ACCESS: v = pj_eval_access(c, e); break;
	case PJ_EXPR_INDEX: v = pj_eval_index(c, e); break;
	case PJ_EXPR_CALL: v = pj_eval_call(c, e); break;
	case PJ_EXPR_UNARY: v = pj_eval_unary(c, e); break;
	case PJ_EXPR_BINARY: v = pj_eval_binary_expr(c, e); break;
	case PJ_EXPR_PAREN: v = pj_eval_expr(c, e->u.paren.inner); break;
	}
	c->depth--;
	return v;
}

pj_value *pj_eval(const pj_expr *expr, const pj_value *scope, const pj_source *src, pj_diags *diags)
{
	pj_eval_ctx c = {scope, src, diags, 0};
	return pj_eval_expr(&c, expr);
}
