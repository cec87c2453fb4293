/*
 * JFR reader: chunk walk and record walk. Value and string decoding live in
 * jfr_value.c, metadata parsing in jfr_meta.c, constant pools in jfr_pool.c.
 */
#include "profile/jfr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

bool jfr_fail(jfr_reader *r, size_t offset, const char *fmt, ...)
{
	if (r->failed)
		return false;
	r->failed = true;
	int n = snprintf(r->err, sizeof(r->err), "offset %zu: ", offset);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static void jfr_reset_chunk(jfr_reader *r)
{
	jfr_free_pools(r);
	pj_arena_free(&r->arena);
	r->classes = NULL;
	r->fields = NULL;
	r->nclasses = r->nfields = 0;
	pj_u64map_clear(&r->class_by_id);
	memset(r->small_ids, 0, JFR_SMALL_IDS * sizeof(*r->small_ids));
	r->string_cls = -1;
	free(r->plan_of_cls);
	r->plan_of_cls = NULL;
	r->nplans = 0;
	memset(r->plan_of_small, 0, sizeof(r->plan_of_small));
}

jfr_reader *jfr_reader_new(const uint8_t *data, size_t len)
{
	jfr_reader *r = pj_calloc(1, sizeof(*r));
	r->data = data;
	r->len = len;
	r->small_ids = pj_calloc(JFR_SMALL_IDS, sizeof(*r->small_ids));
	r->string_cls = -1;
	return r;
}

void jfr_reader_free(jfr_reader *r)
{
	if (!r)
		return;
	jfr_free_pools(r);
	pj_arena_free(&r->arena);
	pj_u64map_free(&r->class_by_id);
	pj_buf_free(&r->scratch);
	free(r->plan_of_cls);
	free(r->small_ids);
	free(r);
}

static uint64_t jfr_be64(const uint8_t *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

/* Ends the walk at an unusable chunk: a warning if earlier chunks were read, else an error. */
static int jfr_incomplete(jfr_reader *r, size_t at, const char *what)
{
	r->done = true;
	if (r->nchunks == 0) {
		jfr_fail(r, at, "%s; the file has no complete chunk", what);
		return -1;
	}
	snprintf(r->warn, sizeof(r->warn), "offset %zu: %s; ignored the rest of the file", at, what);
	return 0;
}

static int jfr_parse_header(jfr_reader *r, size_t at)
{
	const uint8_t *h = r->data + at;
	char what[160];
	if (r->len - at < JFR_HEADER_SIZE) {
		snprintf(what, sizeof(what), "%zu bytes left, too few for a chunk header", r->len - at);
		return jfr_incomplete(r, at, what);
	}
	if (memcmp(h, "FLR", 4) != 0)
		return jfr_fail(r, at, "not a JFR chunk (bad magic)"), -1;
	jfr_chunk_info *c = &r->chunk;
	c->offset = at;
	c->major = (uint16_t)(h[4] << 8 | h[5]);
	c->minor = (uint16_t)(h[6] << 8 | h[7]);
	if (c->major != 1 && c->major != 2)
		return jfr_fail(r, at + 4, "unsupported JFR version %u.%u", c->major, c->minor), -1;
	c->size = jfr_be64(h + 8);
	uint64_t cp_off = jfr_be64(h + 16), meta_off = jfr_be64(h + 24);
	c->start_nanos = (int64_t)jfr_be64(h + 32);
	c->duration_nanos = (int64_t)jfr_be64(h + 40);
	c->start_ticks = (int64_t)jfr_be64(h + 48);
	c->ticks_per_second = (int64_t)jfr_be64(h + 56);
	c->compressed = (h[67] & 1) != 0;
	if (c->size > r->len - at || cp_off == 0 || meta_off == 0) {
		snprintf(what, sizeof(what),
			"incomplete chunk (declares %llu bytes, %zu remain; metadata at %llu, pools at %llu)",
			(unsigned long long)c->size, r->len - at, (unsigned long long)meta_off,
			(unsigned long long)cp_off);
		return jfr_incomplete(r, at, what);
	}
	if (c->size <= JFR_HEADER_SIZE)
		return jfr_fail(r, at + 8, "chunk size %llu is too small", (unsigned long long)c->size), -1;
	if (meta_off < JFR_HEADER_SIZE || meta_off >= c->size)
		return jfr_fail(r, at + 24, "metadata offset %llu outside the chunk", (unsigned long long)meta_off), -1;
	if (cp_off < JFR_HEADER_SIZE || cp_off >= c->size)
		return jfr_fail(r, at + 16, "constant pool offset %llu outside the chunk", (unsigned long long)cp_off), -1;
	r->chunk_end = at + (size_t)c->size;
	return 1;
}

int jfr_reader_next_chunk(jfr_reader *r)
{
	if (r->failed)
		return -1;
	if (r->done || r->next_chunk >= r->len) {
		r->done = true;
		if (r->nchunks == 0 && !r->failed)
			return jfr_fail(r, 0, "empty file"), -1;
		return 0;
	}
	jfr_reset_chunk(r);
	size_t at = r->next_chunk;
	int rc = jfr_parse_header(r, at);
	if (rc <= 0)
		return rc;
	uint64_t meta_off = jfr_be64(r->data + at + 24), cp_off = jfr_be64(r->data + at + 16);
	if (!jfr_load_metadata(r, at + (size_t)meta_off) || !jfr_load_pools(r, at + (size_t)cp_off))
		return -1;
	r->next_chunk = r->chunk_end;
	r->event_pos = at + JFR_HEADER_SIZE;
	r->nchunks++;
	return 1;
}

int jfr_reader_next_event(jfr_reader *r, jfr_event *ev)
{
	if (r->failed)
		return -1;
	while (r->event_pos < r->chunk_end) {
		size_t start = r->event_pos, p = start;
		uint64_t size, type;
		bool fast = r->chunk.compressed && jfr_varint_fast(r->data, &p, r->chunk_end, &size) &&
			    jfr_varint_fast(r->data, &p, r->chunk_end, &type);
		if (!fast) {
			p = start;
			if (!jfr_read_int(r, &p, r->chunk_end, &size) || !jfr_read_long(r, &p, r->chunk_end, &type))
				return -1;
		}
		if (size == 0)
			return jfr_fail(r, start, "record of size 0"), -1;
		if (size > r->chunk_end - start)
			return jfr_fail(r, start, "record of %llu bytes overruns the chunk end at %zu",
				       (unsigned long long)size, r->chunk_end),
			       -1;
		if (p - start > size)
			return jfr_fail(r, start, "record of %llu bytes is shorter than its header",
				       (unsigned long long)size),
			       -1;
		r->event_pos = start + (size_t)size;
		if (type <= 1)
			continue;
		ev->type_id = type;
		ev->cls = type < JFR_SMALL_IDS ? r->small_ids[type] - 1 : jfr_class_by_id(r, type);
		ev->offset = start;
		ev->body = p;
		ev->end = r->event_pos;
		return 1;
	}
	return 0;
}

int64_t jfr_reader_to_nanos(const jfr_reader *r, int64_t value, jfr_timespan unit)
{
	switch (unit) {
	case JFR_TIMESPAN_TICKS: {
		int64_t tps = r->chunk.ticks_per_second;
		if (tps <= 0 || tps == 1000000000)
			return value;
		return (int64_t)((__int128)value * 1000000000 / tps);
	}
	case JFR_TIMESPAN_MICROSECONDS:
		return (int64_t)((uint64_t)value * 1000);
	case JFR_TIMESPAN_MILLISECONDS:
		return (int64_t)((uint64_t)value * 1000000);
	case JFR_TIMESPAN_SECONDS:
		return (int64_t)((uint64_t)value * 1000000000);
	default:
		return value;
	}
}

const jfr_chunk_info *jfr_reader_chunk(const jfr_reader *r)
{
	return &r->chunk;
}

size_t jfr_reader_chunk_count(const jfr_reader *r)
{
	return r->nchunks;
}

const char *jfr_reader_error(const jfr_reader *r)
{
	return r->failed ? r->err : NULL;
}

const char *jfr_reader_warning(const jfr_reader *r)
{
	return r->warn[0] ? r->warn : NULL;
}
