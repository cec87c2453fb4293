#ifndef PJ_PROFILE_JFR_INTERNAL_H
#define PJ_PROFILE_JFR_INTERNAL_H

/* Private state of the JFR reader, shared by jfr_reader.c, jfr_meta.c and jfr_pool.c. */

#include "base/arena.h"
#include "base/buf.h"
#include "base/u64map.h"
#include "profile/jfr_reader.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Nesting limits: real files nest metadata 5 deep and values 3 deep. */
#define JFR_MAX_ELEMENT_DEPTH 32
#define JFR_MAX_VALUE_DEPTH 16
#define JFR_HEADER_SIZE 68
#define JFR_SMALL_IDS 1024

/* How a value is laid out on the wire, resolved once per chunk. */
typedef enum jfr_kind {
	JFR_K_VARINT, /* int/long/short/char or pool key in a compressed chunk */
	JFR_K_I16, /* fixed-width integers of an uncompressed chunk */
	JFR_K_I32,
	JFR_K_I64,
	JFR_K_U8, /* boolean, byte */
	JFR_K_F32,
	JFR_K_F64,
	JFR_K_STRING,
	JFR_K_STRUCT, /* inline instance of a class with fields */
	JFR_K_BAD, /* undeclared type, or a class that is neither primitive nor has fields */
} jfr_kind;

typedef struct jfr_field {
	const char *name;
	uint64_t type_id;
	int32_t type; /* class index or -1 */
	uint8_t kind; /* jfr_kind of one element */
	uint8_t timespan; /* jfr_timespan */
	bool array;
	bool cpool;
} jfr_field;

/* Open addressing, pos == 0 marks an empty slot (no value starts at offset 0). */
typedef struct jfr_pool_slot {
	uint64_t key;
	uint64_t pos;
} jfr_pool_slot;

typedef struct jfr_pool_index {
	jfr_pool_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
} jfr_pool_index;

typedef struct jfr_class {
	const char *name;
	const char *super;
	uint64_t id;
	uint8_t prim; /* jfr_kind of a primitive class, JFR_K_STRUCT otherwise */
	bool simple;
	bool all_varint; /* every field a scalar varint: the fast decode path */
	uint32_t first_field;
	uint32_t nfields;
} jfr_class;

/* A class selected for jfr_reader_scan() and how to decode it. */
typedef struct jfr_scan_plan {
	int32_t cls;
	uint32_t tag;
	bool fast; /* all varints in a compressed chunk: decoded by op[] */
	bool lead2; /* fast, nout >= 2, op[0] = op[1] = 0: jfr_varint_step2_wide() */
	/* Per varint up to nout: 0 = step over it, k + 1 = decode it into v[k]. */
	uint8_t op[64];
	uint64_t want; /* the kept fields, for the checked path */
	size_t nout;
	size_t reach; /* bytes the fast decode may look at past the body */
} jfr_scan_plan;

struct jfr_reader {
	const uint8_t *data;
	size_t len;

	size_t next_chunk; /* offset of the next chunk header */
	size_t nchunks;
	bool done;
	jfr_chunk_info chunk;
	size_t chunk_end;
	size_t event_pos; /* record walk position in the current chunk */

	/* Per-chunk state, reset by jfr_reader_next_chunk(). */
	pj_arena arena; /* metadata strings, classes, fields */
	jfr_class *classes;
	size_t nclasses;
	jfr_field *fields;
	size_t nfields;
	pj_u64map class_by_id; /* type id -> class index */
	int32_t *small_ids; /* type id < JFR_SMALL_IDS -> class index + 1 */
	jfr_pool_index *pools; /* per class index: key -> value position */
	int32_t string_cls; /* java.lang.String, -1 if absent */

	jfr_scan_plan plans[JFR_SCAN_CLASSES];
	size_t nplans;
	uint8_t *plan_of_cls; /* class index -> plan index + 1, 0 = not selected */
	uint8_t plan_of_small[JFR_SMALL_IDS]; /* the same by type id < JFR_SMALL_IDS */

	pj_buf scratch; /* converted strings */
	char err[256];
	char warn[256];
	bool failed;
};

bool jfr_fail(jfr_reader *r, size_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline __attribute__((always_inline)) uint64_t jfr_load_le64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* The bytes of a little-endian word that end a varint (top bit clear), as their top bits. */
static inline __attribute__((always_inline)) uint64_t jfr_varint_ends(uint64_t w)
{
	return ~w & 0x8080808080808080ULL;
}

/*
 * The value of a varint of at most 8 bytes loaded little-endian into w,
 * whose last byte has its top bit at bit `last` (8 * length - 1): the 7-bit
 * groups squeezed together with shifts instead of a loop per byte.
 */
static inline __attribute__((always_inline)) uint64_t jfr_varint_pack(uint64_t w, unsigned last)
{
	w &= (~0ULL >> (63 - last)) & 0x7f7f7f7f7f7f7f7fULL;
	w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
	w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
	return (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
}

/*
 * Decodes the varint at *pos without a branch on its length (lengths of
 * stack and thread keys vary from event to event, and a mispredicted branch
 * costs more than the arithmetic). The caller guarantees 9 readable bytes.
 */
static inline __attribute__((always_inline)) uint64_t jfr_varint_word(const uint8_t *d, size_t *pos)
{
	uint64_t w = jfr_load_le64(d + *pos);
	uint64_t stops = jfr_varint_ends(w);
	if (__builtin_expect(stops == 0, 0)) {
		size_t p = *pos;
		*pos = p + 9;
		return jfr_varint_pack(w, 63) | (uint64_t)d[p + 8] << 56;
	}
	unsigned last = (unsigned)__builtin_ctzll(stops);
	*pos += (last >> 3) + 1;
	return jfr_varint_pack(w, last);
}

/*
 * The hot-path varint decoder: false only when fewer than 9 bytes remain
 * before `end` (the caller then takes the checked path). Spec section 2.1:
 * 7 bits per byte, and a 9th byte contributes all 8 of its bits. Reads one
 * 64-bit word, finds the terminating byte with a bit scan and squeezes the
 * 7-bit groups together with shifts, instead of a loop per byte.
 */
static inline bool jfr_varint_fast(const uint8_t *d, size_t *pos, size_t end, uint64_t *v)
{
	size_t p = *pos;
	if (p < end && d[p] < 0x80) { /* one byte: type ids, small keys, states */
		*pos = p + 1;
		*v = d[p];
		return true;
	}
	if (end - p < 9)
		return false;
	if (d[p + 1] < 0x80) { /* two bytes: line numbers, small ids; cheaper than the word below */
		*pos = p + 2;
		*v = (uint64_t)(d[p] & 0x7f) | (uint64_t)d[p + 1] << 7;
		return true;
	}
	*v = jfr_varint_word(d, pos);
	return true;
}

/* Steps over the varint at *pos; the caller guarantees 9 readable bytes. */
static inline __attribute__((always_inline)) void jfr_varint_step(const uint8_t *d, size_t *pos)
{
	uint64_t stops = jfr_varint_ends(jfr_load_le64(d + *pos));
	*pos += stops ? ((size_t)__builtin_ctzll(stops) >> 3) + 1 : 9;
}

/*
 * Steps over two varints; the caller guarantees 18 readable bytes. Short
 * ones (a frame's bytecode index and type) end in the same word: the
 * second terminator found there ends the pair.
 */
static inline __attribute__((always_inline)) void jfr_varint_step2(const uint8_t *d, size_t *pos)
{
	uint64_t stops = jfr_varint_ends(jfr_load_le64(d + *pos));
	uint64_t second = stops & (stops - 1);
	if (__builtin_expect(second != 0, 1)) {
		*pos += ((size_t)__builtin_ctzll(second) >> 3) + 1;
		return;
	}
	jfr_varint_step(d, pos);
	jfr_varint_step(d, pos);
}

/*
 * Steps over two varints; the caller guarantees 16 readable bytes. With
 * SSE2 (baseline on x86_64), one 16-byte load gives a mask of the bytes
 * that end a varint (top bit clear), and the end of the second varint is
 * its second set bit: two bit operations on one mask instead of two word
 * steps, the second waiting for the first one's length. Each varint must
 * then have at most 8 bytes, as a 9th byte ends a varint whatever its top
 * bit; else (and on other CPUs) two jfr_varint_step(). Returns whether
 * the mask did it (for the tests).
 */
static inline __attribute__((always_inline)) bool jfr_varint_step2_wide(const uint8_t *d, size_t *pos)
{
#ifdef __SSE2__
	/* Bits 16 and up of ~movemask are set: ctz is always defined. */
	unsigned ends = ~(unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(d + *pos)));
	unsigned first = (unsigned)__builtin_ctz(ends);
	unsigned second = (unsigned)__builtin_ctz(ends & (ends - 1));
	if (__builtin_expect((first | (second - first - 1)) < 8, 1)) {
		*pos += second + 1;
		return true;
	}
#endif
	jfr_varint_step(d, pos);
	jfr_varint_step(d, pos);
	return false;
}

/*
 * jfr_varint_word() with shortcuts for up to three bytes: sizes, type ids
 * and states take one, stack, thread and method keys two or three, and a
 * field's length rarely changes from one event to the next, so the
 * branches predict well and cost less than the word arithmetic. These
 * decoders are inlined by force: as calls, the position they advance
 * would live in memory (perf annotate showed gcc leaving them out of line).
 */
static inline __attribute__((always_inline)) uint64_t jfr_varint_small(const uint8_t *d, size_t *pos)
{
	const uint8_t *b = d + *pos;
	if (b[0] < 0x80) {
		*pos += 1;
		return b[0];
	}
	if (b[1] < 0x80) {
		*pos += 2;
		return (uint64_t)(b[0] & 0x7f) | (uint64_t)b[1] << 7;
	}
	if (b[2] < 0x80) {
		*pos += 3;
		return (uint64_t)(b[0] & 0x7f) | (uint64_t)(b[1] & 0x7f) << 7 | (uint64_t)b[2] << 14;
	}
	return jfr_varint_word(d, pos);
}

/* Primitive readers over [*pos, end); false with an error on overrun. */
bool jfr_read_varint(jfr_reader *r, size_t *pos, size_t end, uint64_t *v);
bool jfr_read_fixed(jfr_reader *r, size_t *pos, size_t end, size_t width, uint64_t *v);

/* An int or a long as the chunk encodes them: varint, or 4 / 8 bytes big-endian. */
static inline bool jfr_read_int(jfr_reader *r, size_t *pos, size_t end, uint64_t *v)
{
	if (r->chunk.compressed)
		return jfr_varint_fast(r->data, pos, end, v) || jfr_read_varint(r, pos, end, v);
	return jfr_read_fixed(r, pos, end, 4, v);
}

static inline bool jfr_read_long(jfr_reader *r, size_t *pos, size_t end, uint64_t *v)
{
	if (r->chunk.compressed)
		return jfr_varint_fast(r->data, pos, end, v) || jfr_read_varint(r, pos, end, v);
	return jfr_read_fixed(r, pos, end, 8, v);
}
bool jfr_read_u8(jfr_reader *r, size_t *pos, size_t end, uint8_t *v);
/* Skips a string value, validating it; *pos moves past it. */
bool jfr_skip_string(jfr_reader *r, size_t *pos, size_t end);
/* Skips (and validates) one value of the given kind/class. */
bool jfr_skip_value(jfr_reader *r, size_t *pos, size_t end, uint8_t kind, int32_t cls, int depth);

bool jfr_load_metadata(jfr_reader *r, size_t pos);
bool jfr_load_pools(jfr_reader *r, size_t pos);
void jfr_free_pools(jfr_reader *r);
int32_t jfr_class_by_id(const jfr_reader *r, uint64_t id);

#endif
