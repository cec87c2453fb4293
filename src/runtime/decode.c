/*
 * Decoding a block body into an arguments object, following Alloy's struct
 * decoder (spec 3.4): defaults first, statements in source order, the first
 * error wins, then required checks and the validation hook.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "runtime/schema.h"
#include "syntax/eval.h"

typedef struct pj_decoder {
	const pj_value *scope;
	const pj_source *src;
	pj_decode_error *err;
} pj_decoder;

static pj_value *pj_decode_object(pj_decoder *d, const pj_schema *schema, const pj_body *body,
	const char *label);

static void pj_fail_at(pj_decoder *d, pj_span span, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pj_fail_at(pj_decoder *d, pj_span span, const char *fmt, ...)
{
	pj_buf b = PJ_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	d->err->positioned = true;
	d->err->src = d->src;
	d->err->span = span;
	d->err->message = pj_buf_detach(&b);
}

static void pj_fail(pj_decoder *d, char *message)
{
	d->err->positioned = false;
	d->err->src = NULL;
	d->err->message = message;
}

/* Follows a failing element's path into array and object literals, like Alloy's value-to-node map. */
static const pj_expr *pj_locate(const pj_expr *e, const pj_value_path *path, size_t *used)
{
	size_t i = 0;
	for (; i < path->len; i++) {
		const char *key = path->steps[i].key;
		if (!key && e->kind == PJ_EXPR_ARRAY && path->steps[i].index < e->u.array.len) {
			e = e->u.array.elems[path->steps[i].index];
			continue;
		}
		const pj_expr *found = NULL;
		if (key && e->kind == PJ_EXPR_OBJECT) {
			for (size_t f = 0; f < e->u.object.len; f++) {
				if (strcmp(e->u.object.fields[f].name, key) == 0)
					found = e->u.object.fields[f].value; /* the last duplicate wins */
			}
		}
		if (!found)
			break;
		e = found;
	}
	*used = i;
	return e;
}

static void pj_fail_value(pj_decoder *d, const pj_expr *expr, const pj_value_path *path, const char *problem)
{
	size_t used;
	const pj_expr *at = pj_locate(expr, path, &used);
	pj_value_path rest = {0};
	for (size_t i = used; i < path->len; i++)
		rest.steps[rest.len++] = path->steps[i];
	char *text = pj_expr_text(at);
	pj_buf b = PJ_BUF_INIT;
	pj_buf_puts(&b, text);
	pj_value_path_write(&b, &rest);
	free(text);
	pj_fail_at(d, at->span, "%s %s", pj_buf_cstr(&b), problem);
	pj_buf_free(&b);
}

static bool pj_eval_failed(pj_decoder *d, pj_diags *diags)
{
	if (diags->len == 0) {
		pj_fail(d, pj_strdup("evaluation failed"));
		return false;
	}
	const pj_diag *first = &diags->items[0];
	d->err->positioned = first->src != NULL;
	d->err->src = first->src;
	d->err->span = first->span;
	d->err->message = pj_strdup(first->message);
	return false;
}

static bool pj_decode_attr(pj_decoder *d, const pj_attr_schema *attr, const pj_stmt *stmt, pj_value *obj)
{
	pj_diags diags = PJ_DIAGS_INIT;
	pj_value *v = pj_eval(stmt->value, d->scope, d->src, &diags);
	if (!v) {
		pj_eval_failed(d, &diags);
		pj_diags_free(&diags);
		return false;
	}
	pj_diags_free(&diags);
	pj_value_path path = {0};
	char *problem = NULL;
	pj_value *c = pj_convert_to_type(attr->type, v, &path, &problem);
	if (!c) {
		/* The path borrows keys from v, so v lives until the message is built. */
		pj_fail_value(d, stmt->value, &path, problem ? problem : "invalid value");
		free(problem);
		pj_value_unref(v);
		return false;
	}
	pj_value_unref(v);
	if (attr->check && !attr->check(c, &problem)) {
		pj_value_path none = {0};
		pj_fail_value(d, stmt->value, &none, problem ? problem : "invalid value");
		free(problem);
		pj_value_unref(c);
		return false;
	}
	pj_object_set(obj, attr->name, c);
	return true;
}

/* Alloy reports label problems from the block name up to and including the '{'. */
static pj_span pj_label_span(const pj_stmt *stmt)
{
	pj_span s = {stmt->name_span.start, stmt->lcurly.start + 1};
	return s;
}

static pj_value *pj_decode_block(pj_decoder *d, const pj_block_schema *bs, const pj_stmt *stmt)
{
	bool has_label = stmt->label && stmt->label[0];
	if ((bs->flags & PJ_BLOCK_LABELED) && !has_label) {
		pj_fail_at(d, pj_label_span(stmt), "block \"%s\" requires non-empty label", bs->name);
		return NULL;
	}
	if (!(bs->flags & PJ_BLOCK_LABELED) && has_label) {
		pj_fail_at(d, pj_label_span(stmt), "block \"%s\" does not support specifying labels", bs->name);
		return NULL;
	}
	pj_value *v = pj_decode_object(d, bs->body, &stmt->body, has_label ? stmt->label : NULL);
	if (!v && (bs->flags & PJ_BLOCK_POSITION_ERRORS) && !d->err->positioned) {
		d->err->positioned = true;
		d->err->src = d->src;
		d->err->span = stmt->span;
	}
	return v;
}

static size_t pj_count_blocks(const pj_body *body, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < body->len; i++) {
		if (body->stmts[i]->kind == PJ_STMT_BLOCK && strcmp(body->stmts[i]->name, name) == 0)
			n++;
	}
	return n;
}

typedef struct pj_seen {
	const char **names;
	size_t len, cap;
} pj_seen;

static bool pj_seen_has(const pj_seen *s, const char *name)
{
	for (size_t i = 0; i < s->len; i++) {
		if (strcmp(s->names[i], name) == 0)
			return true;
	}
	return false;
}

static void pj_seen_add(pj_seen *s, const char *name)
{
	if (pj_seen_has(s, name))
		return;
	s->names = pj_grow(s->names, &s->cap, s->len + 1, sizeof(*s->names));
	s->names[s->len++] = name;
}

static bool pj_decode_attr_stmt(pj_decoder *d, const pj_schema *schema, const pj_stmt *stmt, pj_value *obj,
	pj_seen *seen)
{
	if (pj_seen_has(seen, stmt->name)) {
		pj_fail_at(d, stmt->span, "attribute \"%s\" may only be provided once", stmt->name);
		return false;
	}
	pj_seen_add(seen, stmt->name);
	const pj_attr_schema *attr = pj_schema_attr(schema, stmt->name);
	if (!attr) {
		if (pj_schema_block(schema, stmt->name))
			pj_fail_at(d, stmt->span, "\"%s\" must be a block, but is used as an attribute", stmt->name);
		else
			pj_fail_at(d, stmt->span, "unrecognized attribute name \"%s\"", stmt->name);
		return false;
	}
	return pj_decode_attr(d, attr, stmt, obj);
}

static bool pj_decode_block_stmt(pj_decoder *d, const pj_schema *schema, const pj_body *body,
	const pj_stmt *stmt, pj_value *obj, pj_seen *seen)
{
	const pj_block_schema *bs = pj_schema_block(schema, stmt->name);
	if (!bs) {
		if (pj_schema_attr(schema, stmt->name))
			pj_fail_at(d, stmt->span, "\"%s\" must be an attribute, but is used as a block", stmt->name);
		else
			pj_fail_at(d, stmt->span, "unrecognized block name \"%s\"", stmt->name);
		return false;
	}
	/* Alloy counts blocks up front, so a duplicate is reported at its first occurrence. */
	if (!(bs->flags & PJ_BLOCK_REPEATED) && pj_count_blocks(body, bs->name) > 1) {
		pj_fail_at(d, stmt->span, "block \"%s\" may only be specified once", bs->name);
		return false;
	}
	pj_value *v = pj_decode_block(d, bs, stmt);
	if (!v)
		return false;
	if (bs->flags & PJ_BLOCK_REPEATED) {
		/* The array in obj is ours until decoding returns, so it can still grow. */
		if (!pj_seen_has(seen, bs->name))
			pj_object_set(obj, bs->name, pj_array_new(pj_count_blocks(body, bs->name)));
		pj_array_push((pj_value *)pj_object_get(obj, bs->name), v);
	} else {
		pj_object_set(obj, bs->name, v);
	}
	pj_seen_add(seen, bs->name);
	return true;
}

static bool pj_check_required(pj_decoder *d, const pj_schema *schema, const pj_seen *attrs,
	const pj_seen *blocks)
{
	for (const pj_attr_schema *a = schema->attrs; a && a->name; a++) {
		if (a->required && !pj_seen_has(attrs, a->name)) {
			pj_fail(d, pj_asprintf("missing required attribute \"%s\"", a->name));
			return false;
		}
	}
	for (const pj_block_schema *b = schema->blocks; b && b->name; b++) {
		if ((b->flags & PJ_BLOCK_REQUIRED) && !pj_seen_has(blocks, b->name)) {
			pj_fail(d, pj_asprintf("missing required block \"%s\"", b->name));
			return false;
		}
	}
	return true;
}

static pj_value *pj_decode_object(pj_decoder *d, const pj_schema *schema, const pj_body *body,
	const char *label)
{
	pj_value *obj = pj_schema_defaults(schema);
	if (label)
		pj_object_set(obj, "label", pj_cstring(label));
	pj_seen attrs = {0}, blocks = {0};
	bool ok = true;
	for (size_t i = 0; ok && i < body->len; i++) {
		const pj_stmt *stmt = body->stmts[i];
		if (stmt->kind == PJ_STMT_ATTR)
			ok = pj_decode_attr_stmt(d, schema, stmt, obj, &attrs);
		else
			ok = pj_decode_block_stmt(d, schema, body, stmt, obj, &blocks);
	}
	ok = ok && pj_check_required(d, schema, &attrs, &blocks);
	free(attrs.names);
	free(blocks.names);
	char *verr = NULL;
	if (ok && schema->validate && !schema->validate(obj, &verr)) {
		pj_fail(d, verr ? verr : pj_strdup("invalid configuration"));
		ok = false;
	}
	if (!ok) {
		pj_value_unref(obj);
		return NULL;
	}
	return obj;
}

pj_value *pj_decode_body(const pj_schema *schema, const pj_body *body, const pj_value *scope,
	const pj_source *src, pj_decode_error *err)
{
	memset(err, 0, sizeof(*err));
	pj_decoder d = {scope, src, err};
	return pj_decode_object(&d, schema, body, NULL);
}
