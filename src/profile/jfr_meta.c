/*
 * The metadata record (type 0): string table plus an element tree, turned
 * into a flat class/field table with wire layouts resolved for this chunk.
 */
#include "profile/jfr_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

typedef struct jfr_elem {
	const char *name;
	const char **keys;
	const char **vals;
	struct jfr_elem **kids;
	uint32_t nattrs;
	uint32_t nkids;
} jfr_elem;

typedef struct jfr_meta_parse {
	jfr_reader *r;
	size_t end;
	pj_arena tmp; /* the string table and element tree, freed once the classes are built */
	const char **strings;
	uint64_t nstrings;
} jfr_meta_parse;

static bool jfr_meta_string(jfr_meta_parse *m, size_t *pos, const char **out)
{
	uint64_t idx;
	size_t at = *pos;
	if (!jfr_read_int(m->r, pos, m->end, &idx))
		return false;
	if (idx >= m->nstrings)
		return jfr_fail(m->r, at, "metadata string index %llu out of range (%llu strings)",
			(unsigned long long)idx, (unsigned long long)m->nstrings);
	*out = m->strings[idx];
	return true;
}

static bool jfr_meta_count(jfr_meta_parse *m, size_t *pos, size_t unit, uint64_t *n, const char *what)
{
	size_t at = *pos;
	if (!jfr_read_int(m->r, pos, m->end, n))
		return false;
	if (*n > (m->end - *pos) / unit)
		return jfr_fail(m->r, at, "%s count %llu does not fit the metadata record", what,
			(unsigned long long)*n);
	return true;
}

static bool jfr_parse_elem(jfr_meta_parse *m, size_t *pos, int depth, jfr_elem **out)
{
	jfr_reader *r = m->r;
	if (depth > JFR_MAX_ELEMENT_DEPTH)
		return jfr_fail(r, *pos, "metadata elements nested deeper than %d", JFR_MAX_ELEMENT_DEPTH);
	jfr_elem *e = pj_arena_alloc(&m->tmp, sizeof(*e));
	uint64_t n;
	if (!jfr_meta_string(m, pos, &e->name) || !jfr_meta_count(m, pos, 2, &n, "attribute"))
		return false;
	e->nattrs = (uint32_t)n;
	e->keys = pj_arena_alloc(&m->tmp, n * sizeof(*e->keys));
	e->vals = pj_arena_alloc(&m->tmp, n * sizeof(*e->vals));
	for (uint64_t i = 0; i < n; i++) {
		if (!jfr_meta_string(m, pos, &e->keys[i]) || !jfr_meta_string(m, pos, &e->vals[i]))
			return false;
	}
	if (!jfr_meta_count(m, pos, 3, &n, "child element"))
		return false;
	e->nkids = (uint32_t)n;
	e->kids = pj_arena_alloc(&m->tmp, n * sizeof(*e->kids));
	for (uint64_t i = 0; i < n; i++) {
		if (!jfr_parse_elem(m, pos, depth + 1, &e->kids[i]))
			return false;
	}
	*out = e;
	return true;
}

static const char *jfr_attr(const jfr_elem *e, const char *key)
{
	for (uint32_t i = 0; i < e->nattrs; i++) {
		if (strcmp(e->keys[i], key) == 0)
			return e->vals[i];
	}
	return NULL;
}

static bool jfr_parse_u64(const char *s, uint64_t *v)
{
	if (!s || !*s)
		return false;
	uint64_t x = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return true;
}

static uint8_t jfr_primitive_kind(const char *name, bool compressed)
{
	static const struct {
		const char *name;
		uint8_t packed, fixed;
	} prims[] = {
		{"boolean", JFR_K_U8, JFR_K_U8},
		{"byte", JFR_K_U8, JFR_K_U8},
		{"char", JFR_K_VARINT, JFR_K_I16},
		{"short", JFR_K_VARINT, JFR_K_I16},
		{"int", JFR_K_VARINT, JFR_K_I32},
		{"long", JFR_K_VARINT, JFR_K_I64},
		{"float", JFR_K_F32, JFR_K_F32},
		{"double", JFR_K_F64, JFR_K_F64},
		{"java.lang.String", JFR_K_STRING, JFR_K_STRING},
	};
	for (size_t i = 0; i < sizeof(prims) / sizeof(prims[0]); i++) {
		if (strcmp(prims[i].name, name) == 0)
			return compressed ? prims[i].packed : prims[i].fixed;
	}
	return JFR_K_STRUCT;
}

static uint8_t jfr_timespan_unit(const char *v)
{
	static const char *names[] = {"", "TICKS", "NANOSECONDS", "MICROSECONDS", "MILLISECONDS", "SECONDS"};
	for (size_t i = 1; v && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0)
			return (uint8_t)i;
	}
	return JFR_TIMESPAN_NONE;
}

/* The Timespan unit among a field's annotations, given the annotation type's id. */
static uint8_t jfr_field_timespan(const jfr_elem *f, const char *timespan_id)
{
	for (uint32_t i = 0; timespan_id && i < f->nkids; i++) {
		const jfr_elem *a = f->kids[i];
		const char *cls = jfr_attr(a, "class");
		if (strcmp(a->name, "annotation") == 0 && cls && strcmp(cls, timespan_id) == 0)
			return jfr_timespan_unit(jfr_attr(a, "value"));
	}
	return JFR_TIMESPAN_NONE;
}

static size_t jfr_count_named(const jfr_elem *e, const char *name)
{
	size_t n = 0;
	for (uint32_t i = 0; i < e->nkids; i++)
		n += strcmp(e->kids[i]->name, name) == 0;
	return n;
}

/* A metadata string the classes keep, copied out of the parse's arena (NULL stays NULL). */
static const char *jfr_keep(jfr_reader *r, const char *s)
{
	return s ? pj_arena_strdup(&r->arena, s) : NULL;
}

static bool jfr_add_class(jfr_reader *r, const jfr_elem *ce, const char *timespan_id, size_t at)
{
	jfr_class *c = &r->classes[r->nclasses];
	c->name = jfr_keep(r, jfr_attr(ce, "name"));
	c->super = jfr_keep(r, jfr_attr(ce, "superType"));
	const char *simple = jfr_attr(ce, "simpleType");
	c->simple = simple && strcmp(simple, "true") == 0;
	if (!c->name || !jfr_parse_u64(jfr_attr(ce, "id"), &c->id))
		return jfr_fail(r, at, "metadata class without a name or a numeric id");
	c->first_field = (uint32_t)r->nfields;
	for (uint32_t i = 0; i < ce->nkids; i++) {
		const jfr_elem *fe = ce->kids[i];
		if (strcmp(fe->name, "field") != 0)
			continue;
		jfr_field *f = &r->fields[r->nfields++];
		f->name = jfr_keep(r, jfr_attr(fe, "name"));
		const char *cp = jfr_attr(fe, "constantPool"), *dim = jfr_attr(fe, "dimension");
		f->cpool = cp && strcmp(cp, "true") == 0;
		f->array = dim && strcmp(dim, "1") == 0;
		f->timespan = jfr_field_timespan(fe, timespan_id);
		if (!f->name || !jfr_parse_u64(jfr_attr(fe, "class"), &f->type_id))
			return jfr_fail(r, at, "field of class %s without a name or a numeric type", c->name);
		c->nfields++;
	}
	r->nclasses++;
	return true;
}

/* Resolves type ids to class indexes and decides every wire layout. */
static void jfr_resolve_types(jfr_reader *r)
{
	bool packed = r->chunk.compressed;
	for (size_t i = 0; i < r->nclasses; i++) {
		jfr_class *c = &r->classes[i];
		bool added;
		pj_u64map_put(&r->class_by_id, c->id, 0, i, &added);
		if (added && c->id < JFR_SMALL_IDS)
			r->small_ids[c->id] = (int32_t)i + 1;
		c->prim = jfr_primitive_kind(c->name, packed);
		if (c->prim == JFR_K_STRUCT && c->nfields == 0)
			c->prim = JFR_K_BAD;
		if (strcmp(c->name, "java.lang.String") == 0 && r->string_cls < 0)
			r->string_cls = (int32_t)i;
	}
	for (size_t i = 0; i < r->nfields; i++) {
		jfr_field *f = &r->fields[i];
		f->type = jfr_class_by_id(r, f->type_id);
		if (f->cpool)
			f->kind = packed ? JFR_K_VARINT : JFR_K_I64;
		else
			f->kind = f->type < 0 ? JFR_K_BAD : r->classes[f->type].prim;
	}
	for (size_t i = 0; i < r->nclasses; i++) {
		jfr_class *c = &r->classes[i];
		c->all_varint = c->prim == JFR_K_STRUCT;
		for (uint32_t j = 0; j < c->nfields; j++) {
			const jfr_field *f = &r->fields[c->first_field + j];
			c->all_varint &= f->kind == JFR_K_VARINT && !f->array;
		}
	}
}

static bool jfr_build_types(jfr_reader *r, const jfr_elem *root, size_t at)
{
	size_t nclasses = 0, nfields = 0;
	const char *timespan_id = NULL;
	for (uint32_t i = 0; i < root->nkids; i++) {
		const jfr_elem *md = root->kids[i];
		if (strcmp(md->name, "metadata") != 0)
			continue;
		for (uint32_t j = 0; j < md->nkids; j++) {
			const jfr_elem *ce = md->kids[j];
			if (strcmp(ce->name, "class") != 0)
				continue;
			nclasses++;
			nfields += jfr_count_named(ce, "field");
			const char *name = jfr_attr(ce, "name");
			if (name && strcmp(name, "jdk.jfr.Timespan") == 0)
				timespan_id = jfr_attr(ce, "id");
		}
	}
	if (nclasses > INT32_MAX / 2 || nfields > UINT32_MAX / 2)
		return jfr_fail(r, at, "too many metadata classes");
	r->classes = pj_arena_alloc(&r->arena, nclasses * sizeof(*r->classes));
	r->fields = pj_arena_alloc(&r->arena, nfields * sizeof(*r->fields));
	for (uint32_t i = 0; i < root->nkids; i++) {
		const jfr_elem *md = root->kids[i];
		if (strcmp(md->name, "metadata") != 0)
			continue;
		for (uint32_t j = 0; j < md->nkids; j++) {
			if (strcmp(md->kids[j]->name, "class") == 0 && !jfr_add_class(r, md->kids[j], timespan_id, at))
				return false;
		}
	}
	jfr_resolve_types(r);
	return true;
}

static bool jfr_read_string_table(jfr_meta_parse *m, size_t *pos)
{
	jfr_reader *r = m->r;
	if (!jfr_meta_count(m, pos, 1, &m->nstrings, "string"))
		return false;
	m->strings = pj_arena_alloc(&m->tmp, m->nstrings * sizeof(*m->strings));
	for (uint64_t i = 0; i < m->nstrings; i++) {
		size_t at = *pos;
		jfr_str s;
		if (!jfr_skip_string(r, pos, m->end) || !jfr_reader_string(r, at, &s))
			return false;
		m->strings[i] = pj_arena_strndup(&m->tmp, s.ptr, s.len);
	}
	return true;
}

bool jfr_load_metadata(jfr_reader *r, size_t pos)
{
	size_t start = pos;
	uint64_t size, type, v;
	if (!jfr_read_int(r, &pos, r->chunk_end, &size) || !jfr_read_long(r, &pos, r->chunk_end, &type))
		return false;
	if (type != 0)
		return jfr_fail(r, start, "metadata offset points at a record of type %llu",
			(unsigned long long)type);
	if (size > r->chunk_end - start || size < pos - start)
		return jfr_fail(r, start, "metadata record size %llu does not fit the chunk",
			(unsigned long long)size);
	jfr_meta_parse m = {.r = r, .end = start + (size_t)size};
	for (int i = 0; i < 3; i++) { /* start time, duration, metadata id */
		if (!jfr_read_long(r, &pos, m.end, &v))
			return false;
	}
	jfr_elem *root;
	bool ok = jfr_read_string_table(&m, &pos) && jfr_parse_elem(&m, &pos, 0, &root) &&
		  jfr_build_types(r, root, start);
	/* The element tree and its strings (over half a megabyte for a JDK
	 * recording) are done with: only the classes stay, with copies of the
	 * names they use. */
	pj_arena_free(&m.tmp);
	return ok;
}

int32_t jfr_class_by_id(const jfr_reader *r, uint64_t id)
{
	if (id < JFR_SMALL_IDS)
		return r->small_ids[id] - 1;
	const uint64_t *v = pj_u64map_get(&r->class_by_id, id, 0);
	return v ? (int32_t)*v : -1;
}

int32_t jfr_reader_class(const jfr_reader *r, const char *name)
{
	for (size_t i = 0; i < r->nclasses; i++) {
		if (strcmp(r->classes[i].name, name) == 0)
			return (int32_t)i;
	}
	return -1;
}

size_t jfr_reader_class_count(const jfr_reader *r)
{
	return r->nclasses;
}

static const jfr_class *jfr_cls(const jfr_reader *r, int32_t cls)
{
	return cls >= 0 && (size_t)cls < r->nclasses ? &r->classes[cls] : NULL;
}

static const jfr_field *jfr_fld(const jfr_reader *r, int32_t cls, int32_t field)
{
	const jfr_class *c = jfr_cls(r, cls);
	if (!c || field < 0 || (uint32_t)field >= c->nfields)
		return NULL;
	return &r->fields[c->first_field + (uint32_t)field];
}

const char *jfr_reader_class_name(const jfr_reader *r, int32_t cls)
{
	const jfr_class *c = jfr_cls(r, cls);
	return c ? c->name : NULL;
}

const char *jfr_reader_class_super(const jfr_reader *r, int32_t cls)
{
	const jfr_class *c = jfr_cls(r, cls);
	return c ? c->super : NULL;
}

size_t jfr_reader_field_count(const jfr_reader *r, int32_t cls)
{
	const jfr_class *c = jfr_cls(r, cls);
	return c ? c->nfields : 0;
}

int32_t jfr_reader_field(const jfr_reader *r, int32_t cls, const char *name)
{
	const jfr_class *c = jfr_cls(r, cls);
	for (uint32_t i = 0; c && i < c->nfields; i++) {
		if (strcmp(r->fields[c->first_field + i].name, name) == 0)
			return (int32_t)i;
	}
	return -1;
}

const char *jfr_reader_field_name(const jfr_reader *r, int32_t cls, int32_t field)
{
	const jfr_field *f = jfr_fld(r, cls, field);
	return f ? f->name : NULL;
}

int32_t jfr_reader_field_type(const jfr_reader *r, int32_t cls, int32_t field)
{
	const jfr_field *f = jfr_fld(r, cls, field);
	return f ? f->type : -1;
}

bool jfr_reader_field_is_array(const jfr_reader *r, int32_t cls, int32_t field)
{
	const jfr_field *f = jfr_fld(r, cls, field);
	return f && f->array;
}

bool jfr_reader_field_is_cpool(const jfr_reader *r, int32_t cls, int32_t field)
{
	const jfr_field *f = jfr_fld(r, cls, field);
	return f && f->cpool;
}

jfr_timespan jfr_reader_field_timespan(const jfr_reader *r, int32_t cls, int32_t field)
{
	const jfr_field *f = jfr_fld(r, cls, field);
	return f ? (jfr_timespan)f->timespan : JFR_TIMESPAN_NONE;
}
