#ifndef PJ_PROFILE_PPROF_INTERNAL_H
#define PJ_PROFILE_PPROF_INTERNAL_H

/*
 * The builder's private state, shared by pprof.c (interning), pprof_encode.c
 * (protobuf) and pprof_collapsed.c (text). Everything lives in flat arrays
 * indexed by id - 1 so that millions of samples cost a few large allocations
 * instead of one per sample.
 */

#include <stdint.h>

#include "profile/pprof.h"

/*
 * Open-addressing index over an element array, at most half full. A slot is
 * (hash >> 32) << 32 | (position + 1), 0 = empty: the hash tag lets a probe
 * pass a foreign slot without touching the element it points to.
 */
typedef struct pprof_index {
	uint64_t *slots;
	size_t mask; /* capacity - 1; capacity is a power of two */
} pprof_index;

typedef struct pprof_str {
	uint32_t off; /* into pool; the text is NUL-terminated there */
	uint32_t len;
	/* First function with this name (id, 0 = none): after interning the name,
	 * finding its function costs no second hash lookup. */
	uint32_t func;
} pprof_str;

typedef struct pprof_func {
	uint32_t name; /* string indices */
	uint32_t filename;
	uint32_t next; /* next function with the same name and another file (id, 0 = none) */
} pprof_func;

typedef struct pprof_loc {
	uint64_t function_id;
	int64_t line;
} pprof_loc;

typedef struct pprof_lab {
	int64_t key; /* string indices except num */
	int64_t str;
	int64_t num;
	int64_t num_unit;
} pprof_lab;

typedef struct pprof_sample {
	uint64_t hash;
	uint32_t stack_off; /* into stacks */
	uint32_t label_off; /* into labels */
	uint32_t stack_len; /* bytes */
	uint32_t nlabels;
} pprof_sample;

typedef struct pprof_value_type {
	int64_t type;
	int64_t unit;
} pprof_value_type;

struct pprof_builder {
	char *pool;
	size_t pool_len, pool_cap;
	pprof_str *strs;
	size_t nstrs, strs_cap;
	pprof_index str_index;

	pprof_func *funcs;
	size_t nfuncs, funcs_cap;

	pprof_loc *locs;
	size_t nlocs, locs_cap;
	pprof_index loc_index;

	pprof_sample *samples;
	size_t nsamples, samples_cap;
	pprof_index sample_index;
	/* Per sample, its location ids leaf first as packed varints: the bytes
	 * of Sample.location_id, which the encoder copies as they are. Ids are
	 * small, so this is half the size of an array of uint32_t. */
	uint8_t *stacks;
	size_t stacks_len, stacks_cap;
	pprof_lab *labels;
	size_t labels_len, labels_cap;
	int64_t *values; /* nsamples x ntypes */
	size_t values_cap;

	pprof_value_type *types;
	size_t ntypes, types_cap;
	pprof_value_type period_type;
	int64_t period;
	int64_t time_nanos;
	int64_t duration_nanos;
	int64_t default_sample_type;
};

/* The next location id of a packed stack (see pprof_builder.stacks). */
static inline uint32_t pprof_stack_next(const uint8_t **p)
{
	uint32_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t byte = *(*p)++;
		v |= (uint32_t)(byte & 0x7f) << shift;
		if (byte < 0x80)
			return v;
	}
}

static inline const char *pprof_str_text(const pprof_builder *b, int64_t idx)
{
	return b->pool + b->strs[idx].off;
}

#endif
