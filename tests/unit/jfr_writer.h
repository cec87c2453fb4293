/*
 * A small JFR writer for tests: builds recordings byte by byte so the reader
 * and the converter can be fed every encoding and every kind of damage. It
 * writes the async-profiler layout (spec jfr-format.md sections 3-6) with a
 * choice of compressed or fixed-width integers.
 */
#ifndef PJ_TESTS_JFR_WRITER_H
#define PJ_TESTS_JFR_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"

/* The type tables below leave trailing field flags implicit. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* Type ids of the test metadata (tw_standard_classes). */
enum {
	TW_LONG = 10, TW_INT, TW_BOOLEAN, TW_STRING, TW_FLOAT, TW_THREAD = 20, TW_CLASS, TW_STACKTRACE,
	TW_STACKFRAME, TW_METHOD, TW_SYMBOL, TW_THREADSTATE, TW_FRAMETYPE, TW_TIMESPAN = 30,
	TW_EXECUTION_SAMPLE = 101, TW_ALLOC_IN_TLAB, TW_MONITOR_ENTER = 104, TW_ACTIVE_SETTING = 108,
	TW_CPU_LOAD = 110, TW_WALL_SAMPLE = 119,
};

typedef struct tw_field {
	const char *name;
	int type;
	bool cp, array;
	const char *timespan;
} tw_field;

typedef struct tw_class {
	const char *name;
	int id;
	const char *super;
	bool simple;
	tw_field fields[8];
} tw_class;

static const tw_class tw_standard_classes[] = {
	{"long", TW_LONG, NULL, false, {{0}}},
	{"int", TW_INT, NULL, false, {{0}}},
	{"boolean", TW_BOOLEAN, NULL, false, {{0}}},
	{"java.lang.String", TW_STRING, NULL, false, {{0}}},
	{"float", TW_FLOAT, NULL, false, {{0}}},
	{"java.lang.Thread", TW_THREAD, NULL, false,
		{{"osName", TW_STRING}, {"osThreadId", TW_LONG}, {"javaName", TW_STRING}, {"javaThreadId", TW_LONG}}},
	{"java.lang.Class", TW_CLASS, NULL, false, {{"name", TW_SYMBOL, true}, {"modifiers", TW_INT}}},
	{"jdk.types.StackTrace", TW_STACKTRACE, NULL, false,
		{{"truncated", TW_BOOLEAN}, {"frames", TW_STACKFRAME, false, true}}},
	{"jdk.types.StackFrame", TW_STACKFRAME, NULL, false,
		{{"method", TW_METHOD, true}, {"lineNumber", TW_INT}, {"bytecodeIndex", TW_INT},
			{"type", TW_FRAMETYPE, true}}},
	{"jdk.types.Method", TW_METHOD, NULL, false,
		{{"type", TW_CLASS, true}, {"name", TW_SYMBOL, true}, {"descriptor", TW_SYMBOL, true},
			{"modifiers", TW_INT}, {"hidden", TW_BOOLEAN}}},
	{"jdk.types.Symbol", TW_SYMBOL, NULL, true, {{"string", TW_STRING}}},
	{"jdk.types.ThreadState", TW_THREADSTATE, NULL, true, {{"name", TW_STRING}}},
	{"jdk.types.FrameType", TW_FRAMETYPE, NULL, true, {{"description", TW_STRING}}},
	{"jdk.jfr.Timespan", TW_TIMESPAN, "java.lang.annotation.Annotation", false, {{"value", TW_STRING}}},
	{"jdk.ExecutionSample", TW_EXECUTION_SAMPLE, "jdk.jfr.Event", false,
		{{"startTime", TW_LONG}, {"sampledThread", TW_THREAD, true}, {"stackTrace", TW_STACKTRACE, true},
			{"state", TW_THREADSTATE, true}}},
	{"jdk.ObjectAllocationInNewTLAB", TW_ALLOC_IN_TLAB, "jdk.jfr.Event", false,
		{{"startTime", TW_LONG}, {"eventThread", TW_THREAD, true}, {"stackTrace", TW_STACKTRACE, true},
			{"objectClass", TW_CLASS, true}, {"allocationSize", TW_LONG}, {"tlabSize", TW_LONG}}},
	{"jdk.JavaMonitorEnter", TW_MONITOR_ENTER, "jdk.jfr.Event", false,
		{{"startTime", TW_LONG}, {"duration", TW_LONG, false, false, "TICKS"},
			{"eventThread", TW_THREAD, true}, {"stackTrace", TW_STACKTRACE, true},
			{"monitorClass", TW_CLASS, true}, {"previousOwner", TW_THREAD, true}, {"address", TW_LONG}}},
	{"jdk.ActiveSetting", TW_ACTIVE_SETTING, "jdk.jfr.Event", false,
		{{"startTime", TW_LONG}, {"id", TW_LONG}, {"name", TW_STRING}, {"value", TW_STRING}}},
	{"jdk.CPULoad", TW_CPU_LOAD, "jdk.jfr.Event", false,
		{{"startTime", TW_LONG}, {"jvmUser", TW_FLOAT}, {"jvmSystem", TW_FLOAT}, {"machineTotal", TW_FLOAT}}},
	{"profiler.WallClockSample", TW_WALL_SAMPLE, "jdk.jfr.Event", false,
		{{"startTime", TW_LONG}, {"sampledThread", TW_THREAD, true}, {"stackTrace", TW_STACKTRACE, true},
			{"state", TW_THREADSTATE, true}, {"samples", TW_INT}, {"timeSpan", TW_LONG}}},
};
#define TW_NSTANDARD (sizeof(tw_standard_classes) / sizeof(tw_standard_classes[0]))

typedef struct tw {
	pj_buf out; /* the file */
	bool compressed;
	size_t chunk; /* offset of the open chunk's header */
	size_t meta_off, cp_off; /* relative to the chunk */
	int64_t ticks_per_second;
} tw;

static inline void tw_byte(pj_buf *b, uint8_t v)
{
	pj_buf_putc(b, (char)v);
}

static inline void tw_varint(pj_buf *b, uint64_t v)
{
	for (int k = 0; k < 8; k++) {
		if (v < 0x80) {
			tw_byte(b, (uint8_t)v);
			return;
		}
		tw_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	tw_byte(b, (uint8_t)v);
}

static inline void tw_be(pj_buf *b, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--)
		tw_byte(b, (uint8_t)(v >> (8 * i)));
}

static inline void tw_int(const tw *w, pj_buf *b, uint64_t v)
{
	if (w->compressed)
		tw_varint(b, v);
	else
		tw_be(b, v, 4);
}

static inline void tw_long(const tw *w, pj_buf *b, uint64_t v)
{
	if (w->compressed)
		tw_varint(b, v);
	else
		tw_be(b, v, 8);
}

static inline void tw_utf8(const tw *w, pj_buf *b, const char *s)
{
	if (!s) {
		tw_byte(b, 0);
		return;
	}
	tw_byte(b, 3);
	tw_int(w, b, strlen(s));
	pj_buf_puts(b, s);
}

/* Encoding 5: each byte of s is one Latin-1 character. */
static inline void tw_latin1(const tw *w, pj_buf *b, const char *s)
{
	tw_byte(b, 5);
	tw_int(w, b, strlen(s));
	pj_buf_puts(b, s);
}

/* Encoding 4: UTF-16 code units. */
static inline void tw_chars(const tw *w, pj_buf *b, const uint16_t *u, size_t n)
{
	tw_byte(b, 4);
	tw_int(w, b, n);
	for (size_t i = 0; i < n; i++) {
		if (w->compressed)
			tw_varint(b, u[i]);
		else
			tw_be(b, u[i], 2);
	}
}

/* Encoding 2: a key into the java.lang.String pool. */
static inline void tw_strref(const tw *w, pj_buf *b, uint64_t key)
{
	tw_byte(b, 2);
	tw_long(w, b, key);
}

/* Appends a whole record: size (padded so it can be known up front), type, body. */
static inline void tw_record(tw *w, uint64_t type, const pj_buf *body)
{
	pj_buf head = PJ_BUF_INIT;
	tw_long(w, &head, type);
	size_t size = (w->compressed ? 5 : 4) + head.len + body->len;
	if (w->compressed) {
		for (int i = 0; i < 4; i++)
			tw_byte(&w->out, (uint8_t)(((size >> (7 * i)) & 0x7f) | 0x80));
		tw_byte(&w->out, (uint8_t)(size >> 28));
	} else {
		tw_be(&w->out, size, 4);
	}
	pj_buf_append(&w->out, head.data, head.len);
	if (body->len)
		pj_buf_append(&w->out, body->data, body->len);
	pj_buf_free(&head);
}

static inline void tw_begin(tw *w)
{
	w->chunk = w->out.len;
	w->meta_off = w->cp_off = 0;
	pj_buf_fill(&w->out, 0, 68);
}

/* Patches the open chunk's header; 0 offsets keep the "in progress" zeros. */
static inline void tw_end(tw *w)
{
	pj_buf h = PJ_BUF_INIT;
	pj_buf_append(&h, "FLR\0", 4);
	tw_be(&h, 2, 2);
	tw_be(&h, 0, 2);
	tw_be(&h, w->out.len - w->chunk, 8);
	tw_be(&h, w->cp_off, 8);
	tw_be(&h, w->meta_off, 8);
	tw_be(&h, 1700000000000000000ULL, 8);
	tw_be(&h, 1000000000, 8);
	tw_be(&h, 1000, 8);
	tw_be(&h, (uint64_t)(w->ticks_per_second ? w->ticks_per_second : 1000000000), 8);
	tw_be(&h, w->compressed ? 1 : 0, 4);
	memcpy(w->out.data + w->chunk, h.data, 68);
	pj_buf_free(&h);
}

/* Metadata string table: index of s, added if new. */
static inline uint64_t tw_sidx(const char **tab, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(tab[i], s) == 0)
			return i;
	}
	tab[*n] = s;
	return (*n)++;
}

typedef struct tw_meta {
	const tw *w;
	const char *tab[1024];
	char ids[1024][12];
	size_t n, nids;
	pj_buf tree;
} tw_meta;

static inline const char *tw_id(tw_meta *m, int id)
{
	snprintf(m->ids[m->nids], sizeof(m->ids[0]), "%d", id);
	return m->ids[m->nids++];
}

/* One element with up to 4 attributes (NULL key ends the list) and `kids` children to follow. */
static inline void tw_elem(tw_meta *m, const char *name, const char *const *attrs, size_t kids)
{
	size_t na = 0;
	while (na < 4 && attrs[2 * na])
		na++;
	tw_int(m->w, &m->tree, tw_sidx(m->tab, &m->n, name));
	tw_int(m->w, &m->tree, na);
	for (size_t i = 0; i < na; i++) {
		tw_int(m->w, &m->tree, tw_sidx(m->tab, &m->n, attrs[2 * i]));
		tw_int(m->w, &m->tree, tw_sidx(m->tab, &m->n, attrs[2 * i + 1]));
	}
	tw_int(m->w, &m->tree, kids);
}

static inline void tw_class_elem(tw_meta *m, const tw_class *c)
{
	size_t nf = 0;
	while (nf < 8 && c->fields[nf].name)
		nf++;
	const char *attrs[8] = {"name", c->name, "id", tw_id(m, c->id), NULL, NULL, NULL, NULL};
	size_t k = 4;
	if (c->super) {
		attrs[k++] = "superType";
		attrs[k++] = c->super;
	}
	if (c->simple) {
		attrs[k++] = "simpleType";
		attrs[k++] = "true";
	}
	tw_elem(m, "class", attrs, nf);
	for (size_t i = 0; i < nf; i++) {
		const tw_field *f = &c->fields[i];
		const char *fa[8] = {"name", f->name, "class", tw_id(m, f->type), NULL, NULL, NULL, NULL};
		size_t j = 4;
		if (f->cp) {
			fa[j++] = "constantPool";
			fa[j++] = "true";
		}
		if (f->array) {
			fa[j++] = "dimension";
			fa[j++] = "1";
		}
		tw_elem(m, "field", fa, f->timespan ? 1 : 0);
		if (f->timespan) {
			const char *aa[] = {"class", tw_id(m, TW_TIMESPAN), "value", f->timespan, NULL};
			tw_elem(m, "annotation", aa, 0);
		}
	}
}

/* Writes the metadata record; strings of the table use encoding `enc` (3, 4 or 5). */
static inline void tw_metadata_enc(tw *w, const tw_class *classes, size_t n, int enc)
{
	tw_meta m = {.w = w};
	const char *none[] = {NULL};
	tw_elem(&m, "root", none, 2);
	tw_elem(&m, "metadata", none, n);
	for (size_t i = 0; i < n; i++)
		tw_class_elem(&m, &classes[i]);
	tw_elem(&m, "region", none, 0);
	pj_buf body = PJ_BUF_INIT;
	tw_long(w, &body, 1000);
	tw_long(w, &body, 0);
	tw_long(w, &body, 0x7FFFFFFF);
	tw_int(w, &body, m.n);
	for (size_t i = 0; i < m.n; i++) {
		if (enc == 4) {
			uint16_t u[128];
			size_t len = strlen(m.tab[i]);
			for (size_t j = 0; j < len && j < 128; j++)
				u[j] = (uint8_t)m.tab[i][j];
			tw_chars(w, &body, u, len);
		} else if (enc == 5) {
			tw_latin1(w, &body, m.tab[i]);
		} else {
			tw_utf8(w, &body, m.tab[i]);
		}
	}
	pj_buf_append(&body, m.tree.data, m.tree.len);
	w->meta_off = w->out.len - w->chunk;
	tw_record(w, 0, &body);
	pj_buf_free(&body);
	pj_buf_free(&m.tree);
}

static inline void tw_metadata(tw *w)
{
	tw_metadata_enc(w, tw_standard_classes, TW_NSTANDARD, 3);
}

/* Bytes from a checkpoint record's start to its first pool (compressed, < 128 pools). */
#define TW_CP_POOLS_AT 12

/* A checkpoint with `npools` pools already encoded in `pools` and a raw delta. */
static inline void tw_checkpoint_delta(tw *w, size_t npools, const pj_buf *pools, int64_t delta)
{
	size_t here = w->out.len - w->chunk;
	pj_buf body = PJ_BUF_INIT;
	tw_long(w, &body, 1000);
	tw_long(w, &body, 0);
	tw_long(w, &body, (uint64_t)delta);
	tw_byte(&body, 1);
	tw_int(w, &body, npools);
	pj_buf_append(&body, pools->data, pools->len);
	tw_record(w, 1, &body);
	w->cp_off = here;
	pj_buf_free(&body);
}

/* A checkpoint linked to the one at chunk offset `previous` (0: the oldest). */
static inline void tw_checkpoint(tw *w, size_t npools, const pj_buf *pools, size_t previous)
{
	int64_t here = (int64_t)(w->out.len - w->chunk);
	tw_checkpoint_delta(w, npools, pools, previous ? (int64_t)previous - here : 0);
}

/* Pool header: type id and entry count; entries follow as key + value. */
static inline void tw_pool(const tw *w, pj_buf *b, uint64_t type, uint64_t count)
{
	tw_long(w, b, type);
	tw_int(w, b, count);
}

#endif
