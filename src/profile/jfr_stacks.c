/* Stack, method, thread and state resolution for the pprof conversion (see jfr_stacks.h). */
#include "profile/jfr_stacks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "profile/jfr_symbols.h"
#include "profile/pprof_hash.h"

#define JFR_MAX_POOL_FIELDS 16
#define JFR_LOC_DROPPED UINT32_MAX
#define JFR_FRAME_BATCH 64

static inline jfr_loc_slot *jfr_loc_find(const jfr_loc_cache *c, uint64_t method, uint32_t line)
{
	size_t mask = c->cap - 1;
	uint64_t h = (method * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)line * 0xC2B2AE3D27D4EB4FULL);
	for (size_t i = (size_t)(h >> 32) & mask;; i = (i + 1) & mask) {
		jfr_loc_slot *sl = &c->slots[i];
		if (!sl->loc || (sl->method == method && sl->line == line))
			return sl;
	}
}

/* Doubles the table (rare: kept out of the per-frame path). */
static void jfr_loc_grow(jfr_loc_cache *c)
{
	jfr_loc_cache old = *c;
	c->cap = old.cap ? old.cap * 2 : 1024;
	c->slots = pj_calloc(c->cap, sizeof(*c->slots));
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].loc)
			*jfr_loc_find(c, old.slots[i].method, old.slots[i].line) = old.slots[i];
	}
	free(old.slots);
}

/* The slot for (method, line), empty (loc 0) if new; the caller fills it. */
static inline jfr_loc_slot *jfr_loc_slot_for(jfr_loc_cache *c, uint64_t method, uint32_t line)
{
	if ((c->count + 1) * 2 > c->cap)
		jfr_loc_grow(c);
	jfr_loc_slot *sl = jfr_loc_find(c, method, line);
	if (!sl->loc) {
		sl->method = method;
		sl->line = line;
		c->count++;
	}
	return sl;
}

void jfr_stacks_init(jfr_stacks *s, const uint8_t *data, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->data = data;
	s->data_len = len;
}

void jfr_stacks_free(jfr_stacks *s)
{
	jfr_stacks_release(s);
	free(s->entries);
	free(s->entry_index);
	for (int k = 0; k < JFR_MAX_KINDS; k++)
		free(s->functions[k]);
	pj_arena_free(&s->texts);
	pj_buf_free(&s->tmp);
}

/* Fields to decode so that all of the given ones (-1 = absent) are included. */
static size_t jfr_nout(int32_t a, int32_t b)
{
	int32_t m = a > b ? a : b;
	return m < 0 ? 0 : (size_t)m + 1;
}

static int32_t jfr_small_field(const jfr_reader *r, int32_t cls, const char *name)
{
	int32_t f = jfr_reader_field(r, cls, name);
	return f < JFR_MAX_POOL_FIELDS ? f : -1;
}

/* An inline java.lang.String field (not a pool reference, not an array). */
static bool jfr_is_plain_string(const jfr_stacks *s, int32_t cls, int32_t field)
{
	return field >= 0 && s->string_cls >= 0 && jfr_reader_field_type(s->r, cls, field) == s->string_cls &&
	       !jfr_reader_field_is_cpool(s->r, cls, field) && !jfr_reader_field_is_array(s->r, cls, field);
}

void jfr_stacks_bind(jfr_stacks *s, jfr_reader *r)
{
	const jfr_chunk_info *ci = jfr_reader_chunk(r);
	s->r = r;
	s->chunk_end = ci->offset + (size_t)ci->size;
	s->trace_cls = jfr_reader_class(r, "jdk.types.StackTrace");
	s->method_cls = jfr_reader_class(r, "jdk.types.Method");
	s->class_cls = jfr_reader_class(r, "java.lang.Class");
	s->thread_cls = jfr_reader_class(r, "java.lang.Thread");
	s->state_cls = jfr_reader_class(r, "jdk.types.ThreadState");
	s->string_cls = jfr_reader_class(r, "java.lang.String");
	s->symbol_cls = jfr_reader_class(r, "jdk.types.Symbol");
	s->symbol_string = jfr_reader_field(r, s->symbol_cls, "string");
	s->trace_truncated = jfr_small_field(r, s->trace_cls, "truncated");
	s->trace_frames = jfr_small_field(r, s->trace_cls, "frames");
	s->frame_cls = jfr_reader_field_type(r, s->trace_cls, s->trace_frames);
	if (!jfr_reader_field_is_array(r, s->trace_cls, s->trace_frames) ||
		jfr_reader_field_is_cpool(r, s->trace_cls, s->trace_frames))
		s->frame_cls = -1;
	s->frame_method = jfr_small_field(r, s->frame_cls, "method");
	s->frame_line = jfr_small_field(r, s->frame_cls, "lineNumber");
	s->frame_nout = jfr_nout(s->frame_method, s->frame_line);
	s->method_type = jfr_small_field(r, s->method_cls, "type");
	s->method_name = jfr_small_field(r, s->method_cls, "name");
	s->class_name = jfr_small_field(r, s->class_cls, "name");
	s->thread_java = jfr_small_field(r, s->thread_cls, "javaName");
	s->thread_os = jfr_small_field(r, s->thread_cls, "osName");
	s->state_name = jfr_small_field(r, s->state_cls, "name");
	s->symbol_direct = s->symbol_string == 0 && jfr_is_plain_string(s, s->symbol_cls, 0);
	memset(s->small_states, -1, sizeof(s->small_states));
	jfr_stacks_release(s);
}

void jfr_stacks_release(jfr_stacks *s)
{
	/* Freed, not cleared: sized for the largest chunk so far, they would
	 * otherwise stay resident next to the growing profiles to the end. */
	free(s->methods.slots);
	memset(&s->methods, 0, sizeof(s->methods));
	for (int k = 0; k < JFR_MAX_KINDS; k++) {
		free(s->locations[k].slots);
		memset(&s->locations[k], 0, sizeof(s->locations[k]));
	}
	pj_u64map_free(&s->states);
}

/* Decodes pool entry `key` of class cls into v; 0 = no such entry, -1 = error. */
static int jfr_pool_entry(jfr_stacks *s, int32_t cls, uint64_t key, jfr_value *v, size_t nout)
{
	size_t pos;
	if (cls < 0 || !jfr_reader_pool(s->r, cls, key, &pos))
		return 0;
	return jfr_reader_decode(s->r, cls, pos, s->chunk_end, v, nout, NULL) ? 1 : -1;
}

/*
 * The text of a string-valued field: inline, or through the pool of its type
 * (a Symbol, whose one field is the string). Missing values are "". The
 * text lives as jfr_reader_string() says: in the recording, or until the
 * reader's next string.
 */
static bool jfr_raw_text(jfr_stacks *s, int32_t cls, int32_t field, const jfr_value *v, jfr_str *str)
{
	str->ptr = "";
	str->len = 0;
	if (field < 0)
		return true;
	size_t pos = v[field].pos;
	if (jfr_reader_field_is_cpool(s->r, cls, field)) {
		/* A pool of java.lang.String, or of a Symbol-like class with a "string" field. */
		int32_t sym = jfr_reader_field_type(s->r, cls, field);
		if (sym == s->string_cls || (sym == s->symbol_cls && s->symbol_direct)) {
			/* The entry starts with the string, validated when the pool was
			 * indexed: no need to decode the entry first. */
			if (!jfr_reader_pool(s->r, sym, v[field].u, &pos))
				return true;
			return jfr_reader_string(s->r, pos, str);
		}
		int32_t f = sym == s->symbol_cls ? s->symbol_string : jfr_reader_field(s->r, sym, "string");
		if (sym != s->string_cls && (f >= JFR_MAX_POOL_FIELDS || !jfr_is_plain_string(s, sym, f)))
			return true;
		jfr_value sv[JFR_MAX_POOL_FIELDS];
		int rc = jfr_pool_entry(s, sym, v[field].u, sv, JFR_MAX_POOL_FIELDS);
		if (rc <= 0)
			return rc == 0;
		pos = sv[sym == s->string_cls ? 0 : f].pos;
	} else if (!jfr_is_plain_string(s, cls, field)) {
		return true;
	}
	return jfr_reader_string(s->r, pos, str);
}

/* Appends the text of a string-valued field (see jfr_raw_text()) to out. */
static bool jfr_text(jfr_stacks *s, int32_t cls, int32_t field, const jfr_value *v, pj_buf *out)
{
	jfr_str str;
	if (!jfr_raw_text(s, cls, field, v, &str))
		return false;
	pj_buf_append(out, str.ptr, str.len);
	return true;
}

static bool jfr_in_recording(const jfr_stacks *s, const char *p)
{
	return (uintptr_t)p - (uintptr_t)s->data < s->data_len;
}

static inline uint64_t jfr_entry_hash(const char *cls, size_t cls_len, const char *method, size_t method_len)
{
	return pprof_hash_bytes(cls, cls_len) * PPROF_HASH_K1 ^ pprof_hash_bytes(method, method_len);
}

/* The index slot of the entry for these texts: its own, or the empty one where it would go. */
static uint32_t *jfr_entry_find(const jfr_stacks *s, uint64_t h, const jfr_str *cls, const jfr_str *method)
{
	for (size_t i = (size_t)h & s->entry_mask;; i = (i + 1) & s->entry_mask) {
		uint32_t *slot = &s->entry_index[i];
		if (!*slot)
			return slot;
		const jfr_method_entry *e = &s->entries[*slot - 1];
		if (e->hash == h && e->class_len == cls->len && e->method_len == method->len &&
			memcmp(e->class_text, cls->ptr, cls->len) == 0 &&
			memcmp(e->method_text, method->ptr, method->len) == 0)
			return slot;
	}
}

/* Keeps the entry index at most half full for one more entry. */
static void jfr_entry_reserve(jfr_stacks *s)
{
	size_t cap = s->entry_index ? s->entry_mask + 1 : 0;
	if ((s->nentries + 1) * 2 <= cap)
		return;
	cap = cap ? cap * 2 : 1024;
	free(s->entry_index);
	s->entry_index = pj_calloc(cap, sizeof(*s->entry_index));
	s->entry_mask = cap - 1;
	for (size_t i = 0; i < s->nentries; i++) {
		size_t j = (size_t)s->entries[i].hash & s->entry_mask;
		while (s->entry_index[j])
			j = (j + 1) & s->entry_mask;
		s->entry_index[j] = (uint32_t)(i + 1);
	}
}

/* A text that outlives the chunk: in the recording as it is, else copied. */
static const char *jfr_keep_text(jfr_stacks *s, const jfr_str *t)
{
	return jfr_in_recording(s, t->ptr) ? t->ptr : pj_arena_strndup(&s->texts, t->ptr, t->len);
}

/* The entry index of the method with these texts, added if new. */
static uint32_t jfr_entry_for(jfr_stacks *s, const jfr_str *cls, const jfr_str *method)
{
	if (cls->len > UINT32_MAX || method->len > UINT32_MAX || s->nentries >= UINT32_MAX - 1) {
		fprintf(stderr, "pyrojava: jfr: more than 4 billion methods or a name over 4 GiB\n");
		abort();
	}
	uint64_t h = jfr_entry_hash(cls->ptr, cls->len, method->ptr, method->len);
	jfr_entry_reserve(s);
	uint32_t *slot = jfr_entry_find(s, h, cls, method);
	if (*slot)
		return *slot - 1;
	s->entries = pj_grow(s->entries, &s->entries_cap, s->nentries + 1, sizeof(*s->entries));
	jfr_method_entry *e = &s->entries[s->nentries];
	e->hash = h;
	e->class_text = jfr_keep_text(s, cls);
	e->class_len = (uint32_t)cls->len;
	e->method_text = jfr_keep_text(s, method);
	e->method_len = (uint32_t)method->len;
	*slot = (uint32_t)(s->nentries + 1);
	return (uint32_t)s->nentries++;
}

/* The pprof function of method entry i in builder b (profile `kind`). */
static uint32_t jfr_entry_function(jfr_stacks *s, pprof_builder *b, int kind, uint32_t i)
{
	if (i >= s->functions_cap[kind]) {
		/* calloc, not realloc + memset: the pages of entries this kind
		 * never uses (a profile of few stacks) stay untouched, not resident. */
		size_t old = s->functions_cap[kind], cap = old ? old : 1024;
		while (cap <= i)
			cap *= 2;
		uint32_t *grown = pj_calloc(cap, sizeof(*grown));
		if (old)
			memcpy(grown, s->functions[kind], old * sizeof(*grown));
		free(s->functions[kind]);
		s->functions[kind] = grown;
		s->functions_cap[kind] = cap;
	}
	uint32_t *f = &s->functions[kind][i];
	if (!*f) {
		const jfr_method_entry *e = &s->entries[i];
		pj_buf_reset(&s->tmp);
		jfr_normalize_symbol(e->class_text, e->class_len, &s->tmp);
		pj_buf_putc(&s->tmp, '.');
		jfr_normalize_symbol(e->method_text, e->method_len, &s->tmp);
		/* pprof function ids fit 32 bits: the builder aborts before 2^32 - 1 of them. */
		*f = (uint32_t)pprof_function(b, s->tmp.data, s->tmp.len, "", 0);
	}
	return *f;
}

/*
 * Resolves a method key of this chunk to its method entry: 1 with *entry
 * set, 0 if the frame is dropped, -1 on error.
 */
static int jfr_method(jfr_stacks *s, uint64_t key, uint32_t *entry)
{
	/* Filled in below; slot pointers stay valid until the next insertion. */
	jfr_loc_slot *cached = jfr_loc_slot_for(&s->methods, key, 0);
	if (cached->loc) {
		if (cached->loc != JFR_LOC_DROPPED)
			*entry = cached->loc - 1;
		return cached->loc != JFR_LOC_DROPPED;
	}
	jfr_value mv[JFR_MAX_POOL_FIELDS], cv[JFR_MAX_POOL_FIELDS];
	int rc = jfr_pool_entry(s, s->method_cls, key, mv, jfr_nout(s->method_type, s->method_name));
	if (rc > 0 && s->method_type >= 0)
		rc = jfr_pool_entry(s, s->class_cls, mv[s->method_type].u, cv, jfr_nout(s->class_name, -1));
	else if (rc > 0)
		rc = 0;
	if (rc <= 0) {
		if (rc == 0)
			cached->loc = JFR_LOC_DROPPED;
		return rc;
	}
	/* The class name may live in the reader's scratch buffer, which the
	 * method name's decoding reuses: held in tmp meanwhile. */
	jfr_str cls, method;
	if (!jfr_raw_text(s, s->class_cls, s->class_name, cv, &cls))
		return -1;
	if (!jfr_in_recording(s, cls.ptr)) {
		pj_buf_reset(&s->tmp);
		pj_buf_append(&s->tmp, cls.ptr, cls.len);
		cls.ptr = s->tmp.data;
	}
	if (!jfr_raw_text(s, s->method_cls, s->method_name, mv, &method))
		return -1;
	*entry = jfr_entry_for(s, &cls, &method);
	cached->loc = *entry + 1;
	return 1;
}

static void jfr_push(uint64_t **locs, size_t *n, size_t *cap, uint64_t loc)
{
	if (*n == *cap)
		*locs = pj_grow(*locs, cap, *n + 1, sizeof(**locs));
	(*locs)[(*n)++] = loc;
}

static uint64_t jfr_named_location(pprof_builder *b, const char *name, size_t len)
{
	return pprof_location(b, pprof_function(b, name, len, "", 0), 0);
}

static bool jfr_thread_location(jfr_stacks *s, pprof_builder *b, uint64_t thread, uint64_t *loc)
{
	jfr_value v[JFR_MAX_POOL_FIELDS];
	pj_buf_reset(&s->tmp);
	int rc = jfr_pool_entry(s, s->thread_cls, thread, v, jfr_nout(s->thread_java, s->thread_os));
	if (rc < 0)
		return false;
	if (rc > 0 && !jfr_text(s, s->thread_cls, s->thread_java, v, &s->tmp))
		return false;
	if (rc > 0 && s->tmp.len == 0 && !jfr_text(s, s->thread_cls, s->thread_os, v, &s->tmp))
		return false;
	if (s->tmp.len == 0)
		pj_buf_printf(&s->tmp, "[tid=%llu]", (unsigned long long)thread);
	*loc = jfr_named_location(b, s->tmp.data, s->tmp.len);
	return true;
}

static int jfr_frame(jfr_stacks *s, pprof_builder *b, int kind, uint64_t method, uint32_t line, uint64_t *loc)
{
	jfr_loc_slot *slot = jfr_loc_slot_for(&s->locations[kind], method, line);
	if (slot->loc) {
		*loc = slot->loc;
		return slot->loc != JFR_LOC_DROPPED;
	}
	uint32_t entry;
	int rc = jfr_method(s, method, &entry);
	if (rc <= 0) {
		slot->loc = JFR_LOC_DROPPED;
		return rc;
	}
	uint64_t id = pprof_location(b, jfr_entry_function(s, b, kind, entry), line);
	/* Location ids count up from 1; past 2^32 - 1 distinct ones the cache
	 * would be ambiguous, so such a frame is simply not cached. */
	slot->loc = id < JFR_LOC_DROPPED ? (uint32_t)id : 0;
	if (!slot->loc)
		s->locations[kind].count--;
	*loc = id;
	return 1;
}

int jfr_stacks_resolve(jfr_stacks *s, pprof_builder *b, int kind, uint64_t key, const uint64_t *thread,
	bool truncated_frame, uint64_t **locs, size_t *nlocs, size_t *cap)
{
	jfr_value tv[JFR_MAX_POOL_FIELDS];
	if (s->frame_cls < 0)
		return 0;
	int rc = jfr_pool_entry(s, s->trace_cls, key, tv, jfr_nout(s->trace_truncated, s->trace_frames));
	if (rc <= 0)
		return rc;
	uint64_t nframes = s->frame_method >= 0 ? tv[s->trace_frames].u : 0;
	size_t pos = tv[s->trace_frames].pos;
	/* In batches, so a stack trace claiming millions of frames costs no memory. */
	uint64_t batch[JFR_FRAME_BATCH * JFR_MAX_POOL_FIELDS];
	for (uint64_t done = 0; done < nframes;) {
		uint64_t n = nframes - done < JFR_FRAME_BATCH ? nframes - done : JFR_FRAME_BATCH;
		if (!jfr_reader_decode_many(s->r, s->frame_cls, pos, s->chunk_end, n, s->frame_nout, batch, &pos))
			return -1;
		for (uint64_t i = 0; i < n; i++) {
			const uint64_t *f = batch + i * s->frame_nout;
			/* Line numbers are unsigned 32-bit, as jfr-parser carries them: -1 shows as 4294967295. */
			uint32_t line = s->frame_line >= 0 ? (uint32_t)f[s->frame_line] : 0;
			uint64_t loc;
			rc = jfr_frame(s, b, kind, f[s->frame_method], line, &loc);
			if (rc < 0)
				return -1;
			if (rc > 0)
				jfr_push(locs, nlocs, cap, loc);
		}
		done += n;
	}
	if (truncated_frame && s->trace_truncated >= 0 && tv[s->trace_truncated].u)
		jfr_push(locs, nlocs, cap, jfr_named_location(b, "[truncated]", 11));
	if (thread) {
		uint64_t loc;
		if (!jfr_thread_location(s, b, *thread, &loc))
			return -1;
		jfr_push(locs, nlocs, cap, loc);
	}
	return 1;
}

int jfr_stacks_state_lookup(jfr_stacks *s, uint64_t key)
{
	const uint64_t *cached = pj_u64map_get(&s->states, key, 0);
	if (cached)
		return (int)*cached;
	jfr_value v[JFR_MAX_POOL_FIELDS];
	int rc = jfr_pool_entry(s, s->state_cls, key, v, JFR_MAX_POOL_FIELDS);
	if (rc < 0)
		return -1;
	int state = JFR_STATE_UNKNOWN;
	if (rc > 0) {
		pj_buf_reset(&s->tmp);
		if (!jfr_text(s, s->state_cls, s->state_name >= 0 ? s->state_name : 0, v, &s->tmp))
			return -1;
		const char *name = pj_buf_cstr(&s->tmp);
		state = strcmp(name, "STATE_SLEEPING") == 0   ? JFR_STATE_SLEEPING
			: strcmp(name, "STATE_RUNNABLE") == 0 ? JFR_STATE_RUNNABLE
							      : JFR_STATE_OTHER;
	}
	pj_u64map_put(&s->states, key, 0, (uint64_t)state, NULL);
	if (key < 64)
		s->small_states[key] = (int8_t)state;
	return state;
}
