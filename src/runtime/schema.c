/*
 * Types of component arguments: zero values, defaults and the assignment
 * conversions of spec 3.2.
 */
#include "runtime/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "syntax/eval.h"

const pj_type pj_type_any = {PJ_TYPE_ANY, NULL, NULL};
const pj_type pj_type_string = {PJ_TYPE_STRING, NULL, NULL};
const pj_type pj_type_int = {PJ_TYPE_INT, NULL, NULL};
const pj_type pj_type_uint = {PJ_TYPE_UINT, NULL, NULL};
const pj_type pj_type_float = {PJ_TYPE_FLOAT, NULL, NULL};
const pj_type pj_type_bool = {PJ_TYPE_BOOL, NULL, NULL};
const pj_type pj_type_duration = {PJ_TYPE_DURATION, NULL, NULL};
const pj_type pj_type_secret = {PJ_TYPE_SECRET, NULL, NULL};
const pj_type pj_type_targets = {PJ_TYPE_TARGETS, NULL, NULL};
const pj_type pj_type_string_map = {PJ_TYPE_MAP, &pj_type_string, NULL};
const pj_type pj_type_string_list = {PJ_TYPE_LIST, &pj_type_string, NULL};

void pj_decode_error_clear(pj_decode_error *e)
{
	free(e->message);
	memset(e, 0, sizeof(*e));
}

pj_value *pj_type_zero(const pj_type *type)
{
	switch (type->kind) {
	case PJ_TYPE_STRING:
		return pj_cstring("");
	case PJ_TYPE_INT:
	case PJ_TYPE_DURATION:
		return pj_int(0);
	case PJ_TYPE_UINT:
		return pj_uint(0);
	case PJ_TYPE_FLOAT:
		return pj_float(0);
	case PJ_TYPE_BOOL:
		return pj_bool(false);
	default:
		return pj_null();
	}
}

/* Defaults are written as Alloy text in the schema; a bad one is a programming error. */
static pj_value *pj_default_value(const pj_attr_schema *attr)
{
	char *text = pj_asprintf("default = %s\n", attr->def);
	pj_diags diags = PJ_DIAGS_INIT;
	pj_file *file = pj_parse(pj_source_new("default", text, strlen(text)), &diags);
	free(text);
	pj_value *out = NULL;
	if (!pj_diags_has_errors(&diags) && file->body.len == 1 && file->body.stmts[0]->kind == PJ_STMT_ATTR) {
		pj_value *v = pj_eval(file->body.stmts[0]->value, NULL, file->src, &diags);
		if (v) {
			pj_value_path path = {0};
			char *err = NULL;
			out = pj_convert_to_type(attr->type, v, &path, &err);
			free(err);
			pj_value_unref(v);
		}
	}
	pj_file_free(file);
	pj_diags_free(&diags);
	if (!out) {
		fprintf(stderr, "pyrojava: invalid default %s for attribute \"%s\"\n", attr->def, attr->name);
		abort();
	}
	return out;
}

pj_value *pj_schema_defaults(const pj_schema *schema)
{
	pj_value *obj = pj_object_new();
	for (const pj_attr_schema *a = schema->attrs; a && a->name; a++)
		pj_object_set(obj, a->name, a->def ? pj_default_value(a) : pj_type_zero(a->type));
	for (const pj_block_schema *b = schema->blocks; b && b->name; b++) {
		pj_value *v;
		if (b->flags & PJ_BLOCK_REPEATED)
			v = pj_array_new(0);
		else if (b->flags & PJ_BLOCK_NULLABLE)
			v = pj_null();
		else
			v = pj_schema_defaults(b->body);
		pj_object_set(obj, b->name, v);
	}
	return obj;
}

pj_value *pj_schema_zero(const pj_schema *schema)
{
	pj_value *obj = pj_object_new();
	for (const pj_attr_schema *a = schema ? schema->attrs : NULL; a && a->name; a++)
		pj_object_set(obj, a->name, pj_type_zero(a->type));
	return obj;
}

static const pj_value *pj_arg_of(const pj_value *args, const char *key, pj_kind kind)
{
	const pj_value *v = args && pj_value_kind(args) == PJ_OBJECT ? pj_object_get(args, key) : NULL;
	return v && pj_value_kind(v) == kind ? v : NULL;
}

const char *pj_arg_str(const pj_value *args, const char *key)
{
	size_t len;
	const pj_value *v = pj_arg_of(args, key, PJ_STRING);
	if (!v)
		v = pj_arg_of(args, key, PJ_SECRET);
	return v ? pj_value_str(v, &len) : "";
}

int64_t pj_arg_int(const pj_value *args, const char *key)
{
	const pj_value *v = pj_arg_of(args, key, PJ_NUMBER);
	return v ? pj_value_int(v) : 0;
}

uint64_t pj_arg_uint(const pj_value *args, const char *key)
{
	const pj_value *v = pj_arg_of(args, key, PJ_NUMBER);
	return v ? pj_value_uint(v) : 0;
}

double pj_arg_float(const pj_value *args, const char *key)
{
	const pj_value *v = pj_arg_of(args, key, PJ_NUMBER);
	return v ? pj_value_float(v) : 0;
}

bool pj_arg_bool(const pj_value *args, const char *key)
{
	const pj_value *v = pj_arg_of(args, key, PJ_BOOL);
	return v && pj_value_bool(v);
}

const pj_attr_schema *pj_schema_attr(const pj_schema *schema, const char *name)
{
	for (const pj_attr_schema *a = schema->attrs; a && a->name; a++) {
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

const pj_block_schema *pj_schema_block(const pj_schema *schema, const char *name)
{
	for (const pj_block_schema *b = schema->blocks; b && b->name; b++) {
		if (strcmp(b->name, name) == 0)
			return b;
	}
	return NULL;
}

/* Alloy's makeDiagnostic writes element accesses as [i] and fields as .name, never quoted. */
void pj_value_path_write(pj_buf *out, const pj_value_path *path)
{
	for (size_t i = 0; i < path->len; i++) {
		if (path->steps[i].key)
			pj_buf_printf(out, ".%s", path->steps[i].key);
		else
			pj_buf_printf(out, "[%zu]", path->steps[i].index);
	}
}

static void pj_path_push(pj_value_path *path, const char *key, size_t index)
{
	if (path->len >= PJ_VALUE_PATH_MAX)
		return;
	path->steps[path->len].key = key;
	path->steps[path->len].index = index;
	path->len++;
}

static pj_value *pj_type_error(const char *want, const pj_value *v, char **err)
{
	*err = pj_asprintf("should be %s, got %s", want, pj_value_type_name(v));
	return NULL;
}

static pj_value *pj_convert_duration(const pj_value *v, char **err)
{
	pj_value *text = pj_convert_string(v, err);
	if (!text)
		return NULL;
	size_t len;
	const char *s = pj_value_str(text, &len);
	int64_t ns;
	bool ok = pj_parse_duration(s, len, &ns, err);
	pj_value_unref(text);
	return ok ? pj_int(ns) : NULL;
}

static pj_value *pj_convert_numeric(pj_type_kind kind, const pj_value *v, char **err)
{
	pj_value *n = pj_convert_number(v, err);
	if (!n)
		return NULL;
	pj_value *out;
	if (kind == PJ_TYPE_INT)
		out = pj_int(pj_value_int(n));
	else if (kind == PJ_TYPE_UINT)
		out = pj_uint(pj_value_uint(n));
	else
		out = pj_float(pj_value_float(n));
	pj_value_unref(n);
	return out;
}

static pj_value *pj_convert_capsule(const pj_type *type, const pj_value *v, char **err)
{
	if (pj_value_kind(v) != PJ_CAPSULE)
		return pj_type_error("capsule", v, err);
	const char *got = pj_capsule_type_of(v)->name;
	if (strcmp(got, type->capsule) != 0) {
		*err = pj_asprintf("expected capsule(\"%s\"), got capsule(\"%s\")", type->capsule, got);
		return NULL;
	}
	return pj_value_ref(v);
}

/* One label value of a discovery target: scalars become text, secrets and null are refused. */
static pj_value *pj_convert_target_value(const pj_value *v, char **err)
{
	switch (pj_value_kind(v)) {
	case PJ_STRING:
		return pj_value_ref(v);
	case PJ_NUMBER:
		return pj_convert_string(v, err);
	case PJ_BOOL:
		return pj_cstring(pj_value_bool(v) ? "true" : "false");
	case PJ_SECRET:
		*err = pj_strdup("target::ConvertFrom: cannot use a secret as a target value");
		return NULL;
	case PJ_NULL:
		*err = pj_strdup("target::ConvertFrom: cannot convert a nil value to a target value");
		return NULL;
	default:
		return pj_type_error("string", v, err);
	}
}

static pj_value *pj_convert_target(const pj_value *v, pj_value_path *path, char **err)
{
	if (pj_value_kind(v) == PJ_NULL)
		return pj_object_new();
	if (pj_value_kind(v) != PJ_OBJECT)
		return pj_type_error("object", v, err);
	pj_value *out = pj_object_new();
	for (size_t i = 0; i < pj_object_len(v); i++) {
		const char *key = pj_object_key(v, i);
		pj_value *s = pj_convert_target_value(pj_object_value(v, i), err);
		if (!s) {
			pj_path_push(path, key, 0);
			pj_value_unref(out);
			return NULL;
		}
		pj_object_set(out, key, s);
	}
	return out;
}

static pj_value *pj_convert_array(const pj_type *type, const pj_value *v, pj_value_path *path, char **err)
{
	if (pj_value_kind(v) != PJ_ARRAY)
		return pj_type_error("array", v, err);
	size_t n = pj_array_len(v);
	pj_value *out = pj_array_new(n);
	for (size_t i = 0; i < n; i++) {
		const pj_value *elem = pj_array_get(v, i);
		pj_value_path sub = {0};
		pj_value *c = type->kind == PJ_TYPE_TARGETS ? pj_convert_target(elem, &sub, err)
							    : pj_convert_to_type(type->elem, elem, &sub, err);
		if (!c) {
			pj_path_push(path, NULL, i);
			for (size_t j = 0; j < sub.len; j++)
				pj_path_push(path, sub.steps[j].key, sub.steps[j].index);
			pj_value_unref(out);
			return NULL;
		}
		pj_array_push(out, c);
	}
	return out;
}

static pj_value *pj_convert_map(const pj_type *type, const pj_value *v, pj_value_path *path, char **err)
{
	if (pj_value_kind(v) != PJ_OBJECT)
		return pj_type_error("object", v, err);
	pj_value *out = pj_object_new();
	for (size_t i = 0; i < pj_object_len(v); i++) {
		const char *key = pj_object_key(v, i);
		pj_value_path sub = {0};
		pj_value *c = pj_convert_to_type(type->elem, pj_object_value(v, i), &sub, err);
		if (!c) {
			pj_path_push(path, key, 0);
			for (size_t j = 0; j < sub.len; j++)
				pj_path_push(path, sub.steps[j].key, sub.steps[j].index);
			pj_value_unref(out);
			return NULL;
		}
		pj_object_set(out, key, c);
	}
	return out;
}

pj_value *pj_convert_to_type(const pj_type *type, const pj_value *v, pj_value_path *path, char **err)
{
	if (pj_value_kind(v) == PJ_NULL)
		return pj_type_zero(type);
	switch (type->kind) {
	case PJ_TYPE_ANY:
		return pj_value_ref(v);
	case PJ_TYPE_STRING:
		return pj_convert_string(v, err);
	case PJ_TYPE_INT:
	case PJ_TYPE_UINT:
	case PJ_TYPE_FLOAT:
		return pj_convert_numeric(type->kind, v, err);
	case PJ_TYPE_BOOL:
		if (pj_value_kind(v) != PJ_BOOL)
			return pj_type_error("bool", v, err);
		return pj_value_ref(v);
	case PJ_TYPE_DURATION:
		return pj_convert_duration(v, err);
	case PJ_TYPE_SECRET:
		return pj_convert_secret(v, err);
	case PJ_TYPE_LIST:
	case PJ_TYPE_TARGETS:
		return pj_convert_array(type, v, path, err);
	case PJ_TYPE_MAP:
		return pj_convert_map(type, v, path, err);
	case PJ_TYPE_CAPSULE:
		return pj_convert_capsule(type, v, err);
	}
	*err = pj_strdup("unsupported type");
	return NULL;
}
