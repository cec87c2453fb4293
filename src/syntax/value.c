/*
 * Alloy values: construction, reference counting, access and equality.
 * Rendering lives in value_write.c, conversions in value_convert.c.
 */
#include "syntax/value.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hmap.h"

struct pj_value {
	atomic_size_t refs;
	pj_kind kind;
	bool immortal; /* shared singletons are never freed */
	union {
		bool b;
		struct {
			pj_numkind kind;
			union {
				int64_t i;
				uint64_t u;
				double f;
			} as;
		} num;
		struct {
			char *s;
			size_t len;
		} str;
		struct {
			pj_value **items;
			size_t len, cap;
		} arr;
		pj_hmap obj; /* keys -> pj_value *; never removed from, so entries stay dense */
		struct {
			char *name;
			pj_builtin_fn fn;
		} fn;
		struct {
			const pj_capsule_type *type;
			void *ptr;
		} cap;
	} u;
};

static pj_value pj_null_value = {.kind = PJ_NULL, .immortal = true};
static pj_value pj_true_value = {.kind = PJ_BOOL, .immortal = true, .u.b = true};
static pj_value pj_false_value = {.kind = PJ_BOOL, .immortal = true, .u.b = false};

static pj_value *pj_value_alloc(pj_kind kind)
{
	pj_value *v = pj_calloc(1, sizeof(*v));
	atomic_init(&v->refs, 1);
	v->kind = kind;
	return v;
}

pj_value *pj_null(void)
{
	return &pj_null_value;
}

pj_value *pj_bool(bool b)
{
	return b ? &pj_true_value : &pj_false_value;
}

pj_value *pj_int(int64_t i)
{
	pj_value *v = pj_value_alloc(PJ_NUMBER);
	v->u.num.kind = PJ_NUM_INT;
	v->u.num.as.i = i;
	return v;
}

pj_value *pj_uint(uint64_t u)
{
	pj_value *v = pj_value_alloc(PJ_NUMBER);
	v->u.num.kind = PJ_NUM_UINT;
	v->u.num.as.u = u;
	return v;
}

pj_value *pj_float(double f)
{
	pj_value *v = pj_value_alloc(PJ_NUMBER);
	v->u.num.kind = PJ_NUM_FLOAT;
	v->u.num.as.f = f;
	return v;
}

static pj_value *pj_text_value(pj_kind kind, char *owned, size_t len)
{
	pj_value *v = pj_value_alloc(kind);
	v->u.str.s = owned;
	v->u.str.len = len;
	return v;
}

static char *pj_copy_bytes(const char *s, size_t len)
{
	char *p = pj_malloc(len + 1);
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

pj_value *pj_string(const char *s, size_t len)
{
	return pj_text_value(PJ_STRING, pj_copy_bytes(s, len), len);
}

pj_value *pj_cstring(const char *s)
{
	return pj_string(s, strlen(s));
}

pj_value *pj_string_take(char *s, size_t len)
{
	return pj_text_value(PJ_STRING, s, len);
}

pj_value *pj_secret(const char *s, size_t len)
{
	return pj_text_value(PJ_SECRET, pj_copy_bytes(s, len), len);
}

pj_value *pj_function(const char *name, pj_builtin_fn fn)
{
	pj_value *v = pj_value_alloc(PJ_FUNCTION);
	v->u.fn.name = pj_strdup(name);
	v->u.fn.fn = fn;
	return v;
}

pj_value *pj_capsule(const pj_capsule_type *type, void *ptr)
{
	pj_value *v = pj_value_alloc(PJ_CAPSULE);
	v->u.cap.type = type;
	v->u.cap.ptr = ptr;
	if (type->retain)
		type->retain(ptr);
	return v;
}

pj_value *pj_array_new(size_t cap)
{
	pj_value *v = pj_value_alloc(PJ_ARRAY);
	if (cap) {
		v->u.arr.items = pj_malloc(cap * sizeof(pj_value *));
		v->u.arr.cap = cap;
	}
	return v;
}

void pj_array_push(pj_value *array, pj_value *elem)
{
	array->u.arr.items = pj_grow(array->u.arr.items, &array->u.arr.cap, array->u.arr.len + 1,
		sizeof(pj_value *));
	array->u.arr.items[array->u.arr.len++] = elem;
}

pj_value *pj_object_new(void)
{
	pj_value *v = pj_value_alloc(PJ_OBJECT);
	pj_hmap init = PJ_HMAP_INIT;
	v->u.obj = init;
	return v;
}

void pj_object_set(pj_value *object, const char *key, pj_value *v)
{
	pj_value *old = pj_hmap_put(&object->u.obj, key, strlen(key), v);
	if (old)
		pj_value_unref(old);
}

pj_value *pj_value_ref(const pj_value *v)
{
	pj_value *m = (pj_value *)v;
	if (!m->immortal)
		atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
	return m;
}

static void pj_value_destroy(pj_value *v)
{
	switch (v->kind) {
	case PJ_STRING:
	case PJ_SECRET:
		free(v->u.str.s);
		break;
	case PJ_ARRAY:
		for (size_t i = 0; i < v->u.arr.len; i++)
			pj_value_unref(v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case PJ_OBJECT:
		for (size_t i = 0; i < v->u.obj.len; i++)
			pj_value_unref(v->u.obj.entries[i].value);
		pj_hmap_free(&v->u.obj);
		break;
	case PJ_FUNCTION:
		free(v->u.fn.name);
		break;
	case PJ_CAPSULE:
		if (v->u.cap.type->release)
			v->u.cap.type->release(v->u.cap.ptr);
		break;
	default:
		break;
	}
	free(v);
}

void pj_value_unref(pj_value *v)
{
	if (!v || v->immortal)
		return;
	if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1)
		pj_value_destroy(v);
}

pj_kind pj_value_kind(const pj_value *v)
{
	return v->kind;
}

const char *pj_value_type_name(const pj_value *v)
{
	static const char *const names[] = {
		[PJ_NULL] = "null", [PJ_BOOL] = "bool", [PJ_NUMBER] = "number",
		[PJ_STRING] = "string", [PJ_ARRAY] = "array", [PJ_OBJECT] = "object",
		[PJ_FUNCTION] = "function", [PJ_CAPSULE] = "capsule", [PJ_SECRET] = "capsule",
	};
	return names[v->kind];
}

bool pj_value_bool(const pj_value *v)
{
	return v->kind == PJ_BOOL && v->u.b;
}

pj_numkind pj_value_numkind(const pj_value *v)
{
	return v->u.num.kind;
}

/* Go on amd64 turns out-of-range and NaN float conversions into the "integer indefinite". */
static int64_t pj_float_to_int(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

static uint64_t pj_float_to_uint(double f)
{
	if (f < 9223372036854775808.0)
		return (uint64_t)pj_float_to_int(f);
	return (uint64_t)pj_float_to_int(f - 9223372036854775808.0) | (UINT64_C(1) << 63);
}

int64_t pj_value_int(const pj_value *v)
{
	if (v->kind != PJ_NUMBER)
		return 0;
	switch (v->u.num.kind) {
	case PJ_NUM_INT:
		return v->u.num.as.i;
	case PJ_NUM_UINT:
		return (int64_t)v->u.num.as.u;
	default:
		return pj_float_to_int(v->u.num.as.f);
	}
}

uint64_t pj_value_uint(const pj_value *v)
{
	if (v->kind != PJ_NUMBER)
		return 0;
	switch (v->u.num.kind) {
	case PJ_NUM_INT:
		return (uint64_t)v->u.num.as.i;
	case PJ_NUM_UINT:
		return v->u.num.as.u;
	default:
		return pj_float_to_uint(v->u.num.as.f);
	}
}

double pj_value_float(const pj_value *v)
{
	if (v->kind != PJ_NUMBER)
		return 0;
	switch (v->u.num.kind) {
	case PJ_NUM_INT:
		return (double)v->u.num.as.i;
	case PJ_NUM_UINT:
		return (double)v->u.num.as.u;
	default:
		return v->u.num.as.f;
	}
}

const char *pj_value_str(const pj_value *v, size_t *len)
{
	if (v->kind != PJ_STRING && v->kind != PJ_SECRET) {
		if (len)
			*len = 0;
		return "";
	}
	if (len)
		*len = v->u.str.len;
	return v->u.str.s;
}

size_t pj_array_len(const pj_value *v)
{
	return v->kind == PJ_ARRAY ? v->u.arr.len : 0;
}

const pj_value *pj_array_get(const pj_value *v, size_t i)
{
	return v->kind == PJ_ARRAY && i < v->u.arr.len ? v->u.arr.items[i] : NULL;
}

size_t pj_object_len(const pj_value *v)
{
	return v->kind == PJ_OBJECT ? v->u.obj.len : 0;
}

const char *pj_object_key(const pj_value *v, size_t i)
{
	return v->kind == PJ_OBJECT && i < v->u.obj.len ? v->u.obj.entries[i].key : NULL;
}

const pj_value *pj_object_value(const pj_value *v, size_t i)
{
	return v->kind == PJ_OBJECT && i < v->u.obj.len ? v->u.obj.entries[i].value : NULL;
}

const pj_value *pj_object_get(const pj_value *v, const char *key)
{
	if (v->kind != PJ_OBJECT)
		return NULL;
	return pj_hmap_get(&v->u.obj, key, strlen(key));
}

const char *pj_function_name(const pj_value *v)
{
	return v->kind == PJ_FUNCTION ? v->u.fn.name : NULL;
}

pj_builtin_fn pj_function_fn(const pj_value *v)
{
	return v->kind == PJ_FUNCTION ? v->u.fn.fn : NULL;
}

const pj_capsule_type *pj_capsule_type_of(const pj_value *v)
{
	return v->kind == PJ_CAPSULE ? v->u.cap.type : NULL;
}

void *pj_capsule_ptr(const pj_value *v)
{
	return v->kind == PJ_CAPSULE ? v->u.cap.ptr : NULL;
}

static pj_numkind pj_wider(pj_numkind a, pj_numkind b)
{
	return a > b ? a : b;
}

static bool pj_numbers_equal(const pj_value *a, const pj_value *b)
{
	switch (pj_wider(a->u.num.kind, b->u.num.kind)) {
	case PJ_NUM_UINT:
		return pj_value_uint(a) == pj_value_uint(b);
	case PJ_NUM_INT:
		return pj_value_int(a) == pj_value_int(b);
	default:
		return pj_value_float(a) == pj_value_float(b);
	}
}

static bool pj_objects_equal(const pj_value *a, const pj_value *b)
{
	if (a->u.obj.len != b->u.obj.len)
		return false;
	for (size_t i = 0; i < a->u.obj.len; i++) {
		const pj_hmap_entry *e = &a->u.obj.entries[i];
		const pj_value *other = pj_hmap_get(&b->u.obj, e->key, e->key_len);
		if (!other || !pj_value_equal(e->value, other))
			return false;
	}
	return true;
}

bool pj_value_equal(const pj_value *a, const pj_value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case PJ_NULL:
		return true;
	case PJ_BOOL:
		return a->u.b == b->u.b;
	case PJ_NUMBER:
		return pj_numbers_equal(a, b);
	case PJ_STRING:
	case PJ_SECRET:
		return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case PJ_ARRAY:
		if (a->u.arr.len != b->u.arr.len)
			return false;
		for (size_t i = 0; i < a->u.arr.len; i++) {
			if (!pj_value_equal(a->u.arr.items[i], b->u.arr.items[i]))
				return false;
		}
		return true;
	case PJ_OBJECT:
		return pj_objects_equal(a, b);
	case PJ_CAPSULE:
		return a->u.cap.type == b->u.cap.type && a->u.cap.ptr == b->u.cap.ptr;
	default:
		return false; /* functions are never equal */
	}
}
