/*
 * pprof builder: interning of strings, functions and locations, and merging
 * of samples by (stack, labels). Each table is a flat array; strings,
 * locations and samples also have an open-addressing index kept at most half
 * full, so a lookup is one hash and usually one probe. Functions hang off
 * their interned name.
 */
#include "profile/pprof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "profile/pprof_hash.h"
#include "profile/pprof_internal.h"

/* A broken caller would otherwise produce a profile that readers reject. */
static void pprof_misuse(const char *what)
{
	fprintf(stderr, "pyrojava: pprof builder misuse: %s\n", what);
	abort();
}

typedef uint64_t (*pprof_hash_of)(const pprof_builder *b, size_t i);

static inline uint64_t pprof_slot(uint64_t hash, size_t pos)
{
	return (hash >> 32) << 32 | (uint64_t)(pos + 1);
}

static inline bool pprof_slot_tagged(uint64_t slot, uint64_t hash)
{
	return (slot >> 32) == (hash >> 32);
}

static void pprof_index_rebuild(const pprof_builder *b, pprof_index *ix, size_t n, pprof_hash_of hash_of)
{
	size_t cap = ix->slots ? (ix->mask + 1) * 2 : 64;
	while (cap < n * 2 + 2)
		cap *= 2;
	free(ix->slots);
	ix->slots = pj_calloc(cap, sizeof(*ix->slots));
	ix->mask = cap - 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t h = hash_of(b, i);
		size_t slot = h & ix->mask;
		while (ix->slots[slot])
			slot = (slot + 1) & ix->mask;
		ix->slots[slot] = pprof_slot(h, i);
	}
}

/* Makes room for element n + 1 before a probe picks its slot. */
static void pprof_index_reserve(const pprof_builder *b, pprof_index *ix, size_t n, pprof_hash_of hash_of)
{
	if (n >= UINT32_MAX - 1)
		pprof_misuse("more than 4 billion table entries");
	if (!ix->slots || (n + 1) * 2 > ix->mask + 1)
		pprof_index_rebuild(b, ix, n, hash_of);
}

static uint64_t pprof_str_hash_of(const pprof_builder *b, size_t i)
{
	return pprof_hash_bytes(b->pool + b->strs[i].off, b->strs[i].len);
}

static uint64_t pprof_sample_hash_of(const pprof_builder *b, size_t i)
{
	return b->samples[i].hash;
}

static inline uint64_t pprof_pair_hash(uint32_t a, int64_t b)
{
	return pprof_mix64((uint64_t)a * PPROF_HASH_K1 + (uint64_t)b);
}

static uint64_t pprof_loc_hash_of(const pprof_builder *b, size_t i)
{
	return pprof_pair_hash((uint32_t)b->locs[i].function_id, b->locs[i].line);
}

pprof_builder *pprof_new(void)
{
	pprof_builder *b = pj_calloc(1, sizeof(*b));
	/* Index 0 must be "" (pprof invariant); interning it first also makes "" map to 0. */
	pprof_index_reserve(b, &b->str_index, 0, pprof_str_hash_of);
	b->strs = pj_grow(b->strs, &b->strs_cap, 1, sizeof(*b->strs));
	b->pool = pj_grow(b->pool, &b->pool_cap, 1, 1);
	b->pool[0] = '\0';
	b->pool_len = 1;
	b->strs[0] = (pprof_str){0, 0, 0};
	uint64_t empty = pprof_hash_bytes("", 0);
	/* Never NULL, so "array + 0" stays defined for profiles without any samples or labels. */
	b->stacks = pj_grow(b->stacks, &b->stacks_cap, 64, 1);
	b->labels = pj_grow(b->labels, &b->labels_cap, 1, sizeof(*b->labels));
	b->values = pj_grow(b->values, &b->values_cap, 1, sizeof(*b->values));
	size_t slot = empty & b->str_index.mask;
	b->str_index.slots[slot] = pprof_slot(empty, 0);
	b->nstrs = 1;
	return b;
}

void pprof_free(pprof_builder *b)
{
	if (!b)
		return;
	free(b->pool);
	free(b->strs);
	free(b->str_index.slots);
	free(b->funcs);
	free(b->locs);
	free(b->loc_index.slots);
	free(b->samples);
	free(b->sample_index.slots);
	free(b->stacks);
	free(b->labels);
	free(b->values);
	free(b->types);
	free(b);
}

int64_t pprof_string(pprof_builder *b, const char *s, size_t len)
{
	if (len == 0)
		return 0;
	if (len > UINT32_MAX)
		pprof_misuse("string longer than 4 GiB");
	uint64_t h = pprof_hash_bytes(s, len);
	pprof_index_reserve(b, &b->str_index, b->nstrs, pprof_str_hash_of);
	size_t slot = h & b->str_index.mask;
	for (uint64_t sl; (sl = b->str_index.slots[slot]) != 0; slot = (slot + 1) & b->str_index.mask) {
		if (!pprof_slot_tagged(sl, h))
			continue;
		const pprof_str *e = &b->strs[(uint32_t)sl - 1];
		if (e->len == len && memcmp(b->pool + e->off, s, len) == 0)
			return (int64_t)((uint32_t)sl - 1);
	}
	/* s may point into the pool itself (a substring of an interned string). */
	uintptr_t from = (uintptr_t)s - (uintptr_t)b->pool;
	bool inside = (uintptr_t)s >= (uintptr_t)b->pool && from < b->pool_len;
	if (b->pool_len + len + 1 > UINT32_MAX)
		pprof_misuse("more than 4 GiB of strings");
	b->pool = pj_grow(b->pool, &b->pool_cap, b->pool_len + len + 1, 1);
	if (inside)
		s = b->pool + from;
	memcpy(b->pool + b->pool_len, s, len);
	b->pool[b->pool_len + len] = '\0';
	b->strs = pj_grow(b->strs, &b->strs_cap, b->nstrs + 1, sizeof(*b->strs));
	b->strs[b->nstrs] = (pprof_str){(uint32_t)b->pool_len, (uint32_t)len, 0};
	b->pool_len += len + 1;
	b->str_index.slots[slot] = pprof_slot(h, b->nstrs);
	return (int64_t)b->nstrs++;
}

static int64_t pprof_cstring(pprof_builder *b, const char *s)
{
	return s ? pprof_string(b, s, strlen(s)) : 0;
}

void pprof_add_sample_type(pprof_builder *b, const char *type, const char *unit)
{
	if (b->nsamples)
		pprof_misuse("sample type added after the first sample");
	b->types = pj_grow(b->types, &b->types_cap, b->ntypes + 1, sizeof(*b->types));
	b->types[b->ntypes++] = (pprof_value_type){pprof_cstring(b, type), pprof_cstring(b, unit)};
}

void pprof_set_period(pprof_builder *b, const char *type, const char *unit, int64_t period)
{
	b->period_type = (pprof_value_type){pprof_cstring(b, type), pprof_cstring(b, unit)};
	b->period = period;
}

void pprof_set_time(pprof_builder *b, int64_t time_nanos, int64_t duration_nanos)
{
	b->time_nanos = time_nanos;
	b->duration_nanos = duration_nanos;
}

void pprof_set_default_sample_type(pprof_builder *b, const char *type)
{
	b->default_sample_type = pprof_cstring(b, type);
}

uint64_t pprof_function(pprof_builder *b, const char *name, size_t name_len,
	const char *filename, size_t filename_len)
{
	int64_t n = pprof_string(b, name, name_len);
	int64_t f = pprof_string(b, filename, filename_len);
	for (uint32_t id = b->strs[n].func; id; id = b->funcs[id - 1].next) {
		if (b->funcs[id - 1].filename == f)
			return id;
	}
	if (b->nfuncs >= UINT32_MAX - 1)
		pprof_misuse("more than 4 billion functions");
	b->funcs = pj_grow(b->funcs, &b->funcs_cap, b->nfuncs + 1, sizeof(*b->funcs));
	b->funcs[b->nfuncs++] = (pprof_func){(uint32_t)n, (uint32_t)f, b->strs[n].func};
	b->strs[n].func = (uint32_t)b->nfuncs;
	return b->nfuncs;
}

uint64_t pprof_location(pprof_builder *b, uint64_t function_id, int64_t line)
{
	if (function_id == 0 || function_id > b->nfuncs)
		pprof_misuse("location for an unknown function id");
	/* Tagged 8-byte slots like the other indexes: a probe compares with the
	 * location itself only when the tag matches. */
	uint64_t h = pprof_pair_hash((uint32_t)function_id, line);
	pprof_index_reserve(b, &b->loc_index, b->nlocs, pprof_loc_hash_of);
	size_t slot = h & b->loc_index.mask;
	for (uint64_t sl; (sl = b->loc_index.slots[slot]) != 0; slot = (slot + 1) & b->loc_index.mask) {
		if (!pprof_slot_tagged(sl, h))
			continue;
		const pprof_loc *l = &b->locs[(uint32_t)sl - 1];
		if (l->function_id == function_id && l->line == line)
			return (uint32_t)sl;
	}
	b->locs = pj_grow(b->locs, &b->locs_cap, b->nlocs + 1, sizeof(*b->locs));
	b->locs[b->nlocs] = (pprof_loc){function_id, line};
	b->loc_index.slots[slot] = pprof_slot(h, b->nlocs);
	return ++b->nlocs;
}

/*
 * Writes the candidate's stack and labels just past the used part of the
 * arrays and hashes them there; they are kept only if the sample is new.
 */
static uint64_t pprof_stage_sample(pprof_builder *b, const uint64_t *locations, size_t nlocations,
	const pprof_label *labels, size_t nlabels, size_t *stack_len)
{
	/* Location ids are below 2^32: at most 5 bytes each. */
	b->stacks = pj_grow(b->stacks, &b->stacks_cap, b->stacks_len + nlocations * 5, 1);
	uint8_t *stack = b->stacks + b->stacks_len, *p = stack;
	for (size_t i = 0; i < nlocations; i++) {
		if (locations[i] == 0 || locations[i] > b->nlocs)
			pprof_misuse("sample with an unknown location id");
		uint64_t id = locations[i];
		for (; id >= 0x80; id >>= 7)
			*p++ = (uint8_t)(id | 0x80);
		*p++ = (uint8_t)id;
	}
	*stack_len = (size_t)(p - stack);
	uint64_t h = pprof_hash_bytes(stack, *stack_len) ^ nlabels;
	if (!nlabels)
		return h;
	for (size_t i = 0; i < nlabels; i++) {
		pprof_lab lab = {
			.key = pprof_cstring(b, labels[i].key),
			.str = pprof_cstring(b, labels[i].str),
			.num = labels[i].str ? 0 : labels[i].num,
			.num_unit = labels[i].str ? 0 : pprof_cstring(b, labels[i].num_unit),
		};
		b->labels = pj_grow(b->labels, &b->labels_cap, b->labels_len + i + 1, sizeof(*b->labels));
		b->labels[b->labels_len + i] = lab;
	}
	const pprof_lab *staged = b->labels + b->labels_len;
	for (size_t i = 0; i < nlabels; i++) {
		h = pprof_mix64(h ^ ((uint64_t)staged[i].key * PPROF_HASH_K1 + (uint64_t)staged[i].str));
		h = pprof_mix64(h ^ ((uint64_t)staged[i].num * PPROF_HASH_K1 + (uint64_t)staged[i].num_unit));
	}
	return h;
}

static bool pprof_sample_equal(const pprof_builder *b, const pprof_sample *e, uint64_t h,
	size_t stack_len, size_t nlabels)
{
	return e->hash == h && e->stack_len == stack_len && e->nlabels == nlabels &&
		memcmp(b->stacks + e->stack_off, b->stacks + b->stacks_len, stack_len) == 0 &&
		(nlabels == 0 ||
			memcmp(b->labels + e->label_off, b->labels + b->labels_len, nlabels * sizeof(*b->labels)) == 0);
}

void pprof_add_sample(pprof_builder *b, const uint64_t *locations, size_t nlocations,
	const int64_t *values, const pprof_label *labels, size_t nlabels)
{
	if (nlocations > UINT32_MAX || nlabels > UINT32_MAX)
		pprof_misuse("sample too large");
	size_t stack_len;
	uint64_t h = pprof_stage_sample(b, locations, nlocations, labels, nlabels, &stack_len);
	pprof_index_reserve(b, &b->sample_index, b->nsamples, pprof_sample_hash_of);
	size_t slot = h & b->sample_index.mask;
	size_t nt = b->ntypes;
	for (uint64_t sl; (sl = b->sample_index.slots[slot]) != 0; slot = (slot + 1) & b->sample_index.mask) {
		uint32_t pos = (uint32_t)sl;
		if (!pprof_slot_tagged(sl, h) || !pprof_sample_equal(b, &b->samples[pos - 1], h, stack_len, nlabels))
			continue;
		/* Wrap instead of overflowing: signed overflow would be undefined. */
		int64_t *sum = b->values + (size_t)(pos - 1) * nt;
		for (size_t i = 0; i < nt; i++)
			sum[i] = (int64_t)((uint64_t)sum[i] + (uint64_t)values[i]);
		return;
	}
	b->samples = pj_grow(b->samples, &b->samples_cap, b->nsamples + 1, sizeof(*b->samples));
	if (b->stacks_len + stack_len > UINT32_MAX || b->labels_len + nlabels > UINT32_MAX)
		pprof_misuse("more than 4 GiB of sample stacks or labels");
	b->samples[b->nsamples] = (pprof_sample){h, (uint32_t)b->stacks_len, (uint32_t)b->labels_len,
		(uint32_t)stack_len, (uint32_t)nlabels};
	b->stacks_len += stack_len;
	b->labels_len += nlabels;
	if (nt) {
		b->values = pj_grow(b->values, &b->values_cap, (b->nsamples + 1) * nt, sizeof(*b->values));
		memcpy(b->values + b->nsamples * nt, values, nt * sizeof(*values));
	}
	b->sample_index.slots[slot] = pprof_slot(h, b->nsamples);
	b->nsamples++;
}

size_t pprof_sample_count(const pprof_builder *b)
{
	return b->nsamples;
}

size_t pprof_sample_type_count(const pprof_builder *b)
{
	return b->ntypes;
}

size_t pprof_string_count(const pprof_builder *b)
{
	return b->nstrs;
}

size_t pprof_function_count(const pprof_builder *b)
{
	return b->nfuncs;
}

size_t pprof_location_count(const pprof_builder *b)
{
	return b->nlocs;
}

const char *pprof_sample_type_name(const pprof_builder *b, size_t i)
{
	return i < b->ntypes ? pprof_str_text(b, b->types[i].type) : NULL;
}

const char *pprof_sample_type_unit(const pprof_builder *b, size_t i)
{
	return i < b->ntypes ? pprof_str_text(b, b->types[i].unit) : NULL;
}
