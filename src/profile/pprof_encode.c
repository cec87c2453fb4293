/*
 * Protobuf encoding of the pprof Profile message (field numbers: spec
 * pyroscope-push-and-pprof.md, section 1). One pass over the builder's
 * arrays: each message's size is computed from its fields, enough room is
 * reserved once, and the bytes are written straight into the output buffer.
 */
#include <string.h>
#include <zlib.h>

#include "profile/pprof.h"
#include "profile/pprof_internal.h"

enum {
	PB_VARINT = 0,
	PB_LEN = 2,
	/* Profile */
	PF_SAMPLE_TYPE = 1,
	PF_SAMPLE = 2,
	PF_MAPPING = 3,
	PF_LOCATION = 4,
	PF_FUNCTION = 5,
	PF_STRING_TABLE = 6,
	PF_TIME_NANOS = 9,
	PF_DURATION_NANOS = 10,
	PF_PERIOD_TYPE = 11,
	PF_PERIOD = 12,
	PF_DEFAULT_SAMPLE_TYPE = 14,
	/* Sample */
	SF_LOCATION_ID = 1,
	SF_VALUE = 2,
	SF_LABEL = 3,
	/* Mapping */
	MF_ID = 1,
	MF_HAS_FUNCTIONS = 7,
	/* Location */
	LF_ID = 1,
	LF_MAPPING_ID = 2,
	LF_LINE = 4,
	/* Line */
	NF_FUNCTION_ID = 1,
	NF_LINE = 2,
	/* Function */
	FF_ID = 1,
	FF_NAME = 2,
	FF_FILENAME = 4,
	/* Label */
	BF_KEY = 1,
	BF_STR = 2,
	BF_NUM = 3,
	BF_NUM_UNIT = 4,
	/* ValueType */
	VF_TYPE = 1,
	VF_UNIT = 2,
};

/* Every location points at the single mapping, as jfr-parser's output does. */
#define PPROF_MAPPING_ID 1

/* Largest field key plus length prefix: one key byte (fields < 16) and a 64-bit varint. */
#define PB_HEADER_MAX 11

static inline size_t pb_varint_size(uint64_t v)
{
	int bits = 64 - __builtin_clzll(v | 1);
	return (size_t)(bits + 6) / 7;
}

/* Size of an optional scalar field: proto3 leaves zeros out. */
static inline size_t pb_field_size(uint64_t v)
{
	return v ? 1 + pb_varint_size(v) : 0;
}

static inline size_t pb_len_field_size(size_t len)
{
	return 1 + pb_varint_size(len) + len;
}

static inline unsigned char *pb_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static inline unsigned char *pb_field(unsigned char *p, unsigned field, uint64_t v)
{
	if (!v)
		return p;
	*p++ = (unsigned char)(field << 3 | PB_VARINT);
	return pb_varint(p, v);
}

static inline unsigned char *pb_len_key(unsigned char *p, unsigned field, size_t len)
{
	*p++ = (unsigned char)(field << 3 | PB_LEN);
	return pb_varint(p, len);
}

/*
 * Where the message goes: `out`, which pb_drain() hands to `drain` (the
 * gzip stream) each time it holds PB_DRAIN_AT bytes, so that a profile is
 * never held whole in its uncompressed encoding.
 */
typedef struct pb_writer pb_writer;
struct pb_writer {
	pj_buf *out;
	void (*drain)(pb_writer *w);
	void *ctx;
};

#define PB_DRAIN_AT ((size_t)64 * 1024)

static inline void pb_drain(pb_writer *w)
{
	if (w->drain && w->out->len >= PB_DRAIN_AT)
		w->drain(w);
}

/* Room for `n` more bytes; returns where to write them. */
static inline unsigned char *pb_begin(pj_buf *out, size_t n)
{
	pj_buf_reserve(out, n);
	return (unsigned char *)out->data + out->len;
}

static inline void pb_end(pj_buf *out, unsigned char *p)
{
	out->len = (size_t)(p - (unsigned char *)out->data);
	out->data[out->len] = '\0';
}

static size_t pb_value_type_size(pprof_value_type vt)
{
	return pb_field_size((uint64_t)vt.type) + pb_field_size((uint64_t)vt.unit);
}

static void pb_value_type(pj_buf *out, unsigned field, pprof_value_type vt)
{
	size_t len = pb_value_type_size(vt);
	unsigned char *p = pb_begin(out, PB_HEADER_MAX + len);
	p = pb_len_key(p, field, len);
	p = pb_field(p, VF_TYPE, (uint64_t)vt.type);
	p = pb_field(p, VF_UNIT, (uint64_t)vt.unit);
	pb_end(out, p);
}

static size_t pb_label_size(const pprof_lab *l)
{
	return pb_field_size((uint64_t)l->key) + pb_field_size((uint64_t)l->str) +
		pb_field_size((uint64_t)l->num) + pb_field_size((uint64_t)l->num_unit);
}

static void pb_sample(const pprof_builder *b, size_t i, pj_buf *out)
{
	const pprof_sample *s = &b->samples[i];
	const int64_t *values = b->values + i * b->ntypes;
	const pprof_lab *labels = b->labels + s->label_off;
	size_t loc_len = s->stack_len, val_len = 0, lab_len = 0;
	for (size_t j = 0; j < b->ntypes; j++)
		val_len += pb_varint_size((uint64_t)values[j]);
	for (size_t j = 0; j < s->nlabels; j++)
		lab_len += pb_len_field_size(pb_label_size(&labels[j]));
	size_t len = (loc_len ? pb_len_field_size(loc_len) : 0) + (val_len ? pb_len_field_size(val_len) : 0) + lab_len;

	unsigned char *p = pb_begin(out, PB_HEADER_MAX + len);
	p = pb_len_key(p, PF_SAMPLE, len);
	if (loc_len) {
		p = pb_len_key(p, SF_LOCATION_ID, loc_len);
		memcpy(p, b->stacks + s->stack_off, loc_len); /* already packed varints */
		p += loc_len;
	}
	if (val_len) {
		p = pb_len_key(p, SF_VALUE, val_len);
		for (size_t j = 0; j < b->ntypes; j++)
			p = pb_varint(p, (uint64_t)values[j]);
	}
	for (size_t j = 0; j < s->nlabels; j++) {
		const pprof_lab *l = &labels[j];
		p = pb_len_key(p, SF_LABEL, pb_label_size(l));
		p = pb_field(p, BF_KEY, (uint64_t)l->key);
		p = pb_field(p, BF_STR, (uint64_t)l->str);
		p = pb_field(p, BF_NUM, (uint64_t)l->num);
		p = pb_field(p, BF_NUM_UNIT, (uint64_t)l->num_unit);
	}
	pb_end(out, p);
}

static void pb_mapping(pj_buf *out)
{
	unsigned char *p = pb_begin(out, 8);
	p = pb_len_key(p, PF_MAPPING, pb_field_size(PPROF_MAPPING_ID) + pb_field_size(1));
	p = pb_field(p, MF_ID, PPROF_MAPPING_ID);
	p = pb_field(p, MF_HAS_FUNCTIONS, 1);
	pb_end(out, p);
}

static void pb_locations(const pprof_builder *b, pb_writer *w)
{
	for (size_t i = 0; i < b->nlocs; i++) {
		/* Location: id, mapping, one Line; at most 3 + 5 * 10 bytes. */
		unsigned char *p = pb_begin(w->out, 64);
		const pprof_loc *l = &b->locs[i];
		size_t line_len = pb_field_size(l->function_id) + pb_field_size((uint64_t)l->line);
		size_t len = pb_field_size(i + 1) + pb_field_size(PPROF_MAPPING_ID) + pb_len_field_size(line_len);
		p = pb_len_key(p, PF_LOCATION, len);
		p = pb_field(p, LF_ID, i + 1);
		p = pb_field(p, LF_MAPPING_ID, PPROF_MAPPING_ID);
		p = pb_len_key(p, LF_LINE, line_len);
		p = pb_field(p, NF_FUNCTION_ID, l->function_id);
		p = pb_field(p, NF_LINE, (uint64_t)l->line);
		pb_end(w->out, p);
		pb_drain(w);
	}
}

static void pb_functions(const pprof_builder *b, pb_writer *w)
{
	for (size_t i = 0; i < b->nfuncs; i++) {
		unsigned char *p = pb_begin(w->out, 48);
		const pprof_func *f = &b->funcs[i];
		size_t len = pb_field_size(i + 1) + pb_field_size((uint64_t)f->name) +
			pb_field_size((uint64_t)f->filename);
		p = pb_len_key(p, PF_FUNCTION, len);
		p = pb_field(p, FF_ID, i + 1);
		p = pb_field(p, FF_NAME, (uint64_t)f->name);
		p = pb_field(p, FF_FILENAME, (uint64_t)f->filename);
		pb_end(w->out, p);
		pb_drain(w);
	}
}

static void pb_strings(const pprof_builder *b, pb_writer *w)
{
	/* Every entry is written, even "": a repeated string keeps empty elements. */
	for (size_t i = 0; i < b->nstrs; i++) {
		const pprof_str *s = &b->strs[i];
		unsigned char *p = pb_begin(w->out, PB_HEADER_MAX + s->len);
		p = pb_len_key(p, PF_STRING_TABLE, s->len);
		memcpy(p, b->pool + s->off, s->len);
		pb_end(w->out, p + s->len);
		pb_drain(w);
	}
}

static void pb_scalars(const pprof_builder *b, pj_buf *out)
{
	unsigned char *p = pb_begin(out, 2 * PB_HEADER_MAX);
	p = pb_field(p, PF_TIME_NANOS, (uint64_t)b->time_nanos);
	p = pb_field(p, PF_DURATION_NANOS, (uint64_t)b->duration_nanos);
	pb_end(out, p);
	if (b->period_type.type || b->period_type.unit)
		pb_value_type(out, PF_PERIOD_TYPE, b->period_type);
	p = pb_begin(out, 2 * PB_HEADER_MAX);
	p = pb_field(p, PF_PERIOD, (uint64_t)b->period);
	p = pb_field(p, PF_DEFAULT_SAMPLE_TYPE, (uint64_t)b->default_sample_type);
	pb_end(out, p);
}

static void pb_encode(const pprof_builder *b, pb_writer *w)
{
	for (size_t i = 0; i < b->ntypes; i++)
		pb_value_type(w->out, PF_SAMPLE_TYPE, b->types[i]);
	for (size_t i = 0; i < b->nsamples; i++) {
		pb_sample(b, i, w->out);
		pb_drain(w);
	}
	pb_mapping(w->out);
	pb_locations(b, w);
	pb_functions(b, w);
	pb_strings(b, w);
	pb_scalars(b, w->out);
}

void pprof_encode(const pprof_builder *b, pj_buf *out)
{
	pb_writer w = {out, NULL, NULL};
	pb_encode(b, &w);
}

/* Input per deflate() call: zlib counts bytes in 32-bit fields. */
#define PPROF_GZIP_CHUNK ((size_t)1 << 30)

/* Compresses one chunk; Z_FINISH on the last. Returns false on a zlib error. */
static bool pprof_deflate_chunk(z_stream *zs, int flush, pj_buf *out)
{
	for (;;) {
		size_t room = deflateBound(zs, zs->avail_in) + 64;
		zs->next_out = pb_begin(out, room);
		zs->avail_out = (uInt)room;
		int rc = deflate(zs, flush);
		pb_end(out, zs->next_out);
		if (rc == Z_STREAM_END)
			return true;
		if (rc != Z_OK)
			return false;
		if (flush != Z_FINISH && zs->avail_in == 0 && zs->avail_out > 0)
			return true;
	}
}

/* The gzip side of pprof_encode_gzip(): deflates what the encoder wrote so far. */
typedef struct pb_gzip {
	z_stream zs;
	pj_buf *gz;
	bool ok;
} pb_gzip;

/* Compresses data (any length) into the stream; Z_FINISH with the last. */
static void pb_gzip_feed(pb_gzip *g, const unsigned char *data, size_t len, bool last)
{
	if (!len && !last)
		return; /* deflate() would report no progress */
	for (;;) {
		size_t chunk = len < PPROF_GZIP_CHUNK ? len : PPROF_GZIP_CHUNK;
		g->zs.next_in = (unsigned char *)data;
		g->zs.avail_in = (uInt)chunk;
		data += chunk;
		len -= chunk;
		int flush = last && len == 0 ? Z_FINISH : Z_NO_FLUSH;
		if (g->ok)
			g->ok = pprof_deflate_chunk(&g->zs, flush, g->gz);
		if (len == 0)
			return;
	}
}

static void pb_gzip_drain(pb_writer *w)
{
	pb_gzip_feed(w->ctx, (const unsigned char *)w->out->data, w->out->len, false);
	pj_buf_reset(w->out);
}

/*
 * gzip with mtime 0 so the same profile always compresses to the same bytes.
 * Level 1: on real profiles it is about eight times faster than the default
 * level for files some 15% larger, and profiles are compressed every few
 * seconds per target while the server inflates them once. The message is
 * compressed as it is encoded, PB_DRAIN_AT bytes at a time.
 */
bool pprof_encode_gzip(const pprof_builder *b, pj_buf *out)
{
	pb_gzip g = {.gz = out, .ok = true};
	if (deflateInit2(&g.zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	pj_buf raw = PJ_BUF_INIT;
	pb_writer w = {&raw, pb_gzip_drain, &g};
	pb_encode(b, &w);
	pb_gzip_feed(&g, (const unsigned char *)raw.data, raw.len, true);
	pj_buf_free(&raw);
	return deflateEnd(&g.zs) == Z_OK && g.ok;
}
