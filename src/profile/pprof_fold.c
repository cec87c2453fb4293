/*
 * pprof -> folded stacks. One pass collects the string table, functions and
 * locations (any field order is allowed on the wire), a second walks the
 * samples; ids are looked up through hash maps since they need not be dense.
 */
#include "profile/pprof_fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hmap.h"
#include "base/u64map.h"
#include "profile/pb.h"

typedef struct fold_tables {
	pb_reader *strings;
	size_t nstrings, strings_cap;
	pj_u64map functions; /* function id -> name string index */
	pj_u64map locations; /* location id -> first index in line_funcs + 1 */
	uint64_t *line_funcs; /* per location: count, then function ids */
	size_t nline_funcs, line_funcs_cap;
	pb_reader *samples;
	size_t nsamples, samples_cap;
} fold_tables;

static void push_u64(fold_tables *t, uint64_t v)
{
	t->line_funcs = pj_grow(t->line_funcs, &t->line_funcs_cap, t->nline_funcs + 1, sizeof(*t->line_funcs));
	t->line_funcs[t->nline_funcs++] = v;
}

static bool read_function(fold_tables *t, pb_reader r)
{
	uint64_t id = 0, name = 0;
	pb_field f;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f))
			return false;
		if (f.wire == PB_WIRE_VARINT && f.number == 1)
			id = f.varint;
		else if (f.wire == PB_WIRE_VARINT && f.number == 2)
			name = f.varint;
	}
	bool added;
	*pj_u64map_put(&t->functions, id, 0, name, &added) = name;
	return true;
}

/* A location's line function ids, stored after a count slot in line_funcs. */
static bool read_location(fold_tables *t, pb_reader r)
{
	uint64_t id = 0;
	size_t start = t->nline_funcs;
	push_u64(t, 0);
	pb_field f, lf;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f))
			return false;
		if (f.wire == PB_WIRE_VARINT && f.number == 1)
			id = f.varint;
		if (f.wire != PB_WIRE_LEN || f.number != 4)
			continue;
		uint64_t func = 0;
		while (f.payload.p < f.payload.end) {
			if (!pb_read_field(&f.payload, &lf))
				return false;
			if (lf.wire == PB_WIRE_VARINT && lf.number == 1)
				func = lf.varint;
		}
		push_u64(t, func);
		t->line_funcs[start]++;
	}
	bool added;
	*pj_u64map_put(&t->locations, id, 0, start + 1, &added) = start + 1;
	return true;
}

static bool read_tables(fold_tables *t, const void *data, size_t len)
{
	pb_reader r = pb_reader_of(data, len);
	pb_field f;
	while (r.p < r.end) {
		if (!pb_read_field(&r, &f))
			return false;
		if (f.wire != PB_WIRE_LEN)
			continue;
		if (f.number == 2) {
			t->samples = pj_grow(t->samples, &t->samples_cap, t->nsamples + 1, sizeof(*t->samples));
			t->samples[t->nsamples++] = f.payload;
		} else if (f.number == 4 && !read_location(t, f.payload)) {
			return false;
		} else if (f.number == 5 && !read_function(t, f.payload)) {
			return false;
		} else if (f.number == 6) {
			t->strings = pj_grow(t->strings, &t->strings_cap, t->nstrings + 1, sizeof(*t->strings));
			t->strings[t->nstrings++] = f.payload;
		}
	}
	return true;
}

/* Reads a repeated varint field that may be packed or not; other wire types are skipped. */
static bool read_repeated(const pb_field *f, uint64_t **vals, size_t *n, size_t *cap)
{
	if (f->wire != PB_WIRE_VARINT && f->wire != PB_WIRE_LEN)
		return true;
	if (f->wire == PB_WIRE_VARINT) {
		*vals = pj_grow(*vals, cap, *n + 1, sizeof(**vals));
		(*vals)[(*n)++] = f->varint;
		return true;
	}
	pb_reader p = f->payload;
	while (p.p < p.end) {
		uint64_t v;
		if (!pb_read_varint(&p, &v))
			return false;
		*vals = pj_grow(*vals, cap, *n + 1, sizeof(**vals));
		(*vals)[(*n)++] = v;
	}
	return true;
}

static void append_function(const fold_tables *t, uint64_t func, pj_buf *stack)
{
	const uint64_t *name = pj_u64map_get(&t->functions, func, 0);
	if (stack->len)
		pj_buf_putc(stack, ';');
	if (!name || *name >= t->nstrings) {
		pj_buf_putc(stack, '?');
		return;
	}
	const pb_reader *s = &t->strings[*name];
	pj_buf_append(stack, s->p, (size_t)(s->end - s->p));
}

/* The root-first stack of a sample and its first value; false if malformed. */
static bool fold_sample(const fold_tables *t, pb_reader r, pj_buf *stack, int64_t *value, size_t max)
{
	uint64_t *locs = NULL, *vals = NULL;
	size_t nlocs = 0, locs_cap = 0, nvals = 0, vals_cap = 0;
	pb_field f;
	bool ok = true;
	while (ok && r.p < r.end) {
		ok = pb_read_field(&r, &f);
		if (ok && f.number == 1)
			ok = read_repeated(&f, &locs, &nlocs, &locs_cap);
		else if (ok && f.number == 2)
			ok = read_repeated(&f, &vals, &nvals, &vals_cap);
	}
	for (size_t i = nlocs; ok && i-- > 0 && stack->len <= max;) {
		const uint64_t *at = pj_u64map_get(&t->locations, locs[i], 0);
		const uint64_t *lines = at ? &t->line_funcs[*at - 1] : NULL;
		for (uint64_t j = lines ? lines[0] : 0; j > 0 && stack->len <= max; j--)
			append_function(t, lines[j], stack);
	}
	*value = nvals ? (int64_t)vals[0] : 0;
	free(locs);
	free(vals);
	return ok && stack->len <= max;
}

static void tables_free(fold_tables *t)
{
	free(t->strings);
	free(t->line_funcs);
	free(t->samples);
	pj_u64map_free(&t->functions);
	pj_u64map_free(&t->locations);
}

bool pprof_fold(const void *data, size_t len, size_t max_out, pj_buf *out)
{
	fold_tables t = {0};
	bool ok = read_tables(&t, data, len);
	pj_hmap stacks = PJ_HMAP_INIT;
	int64_t *sums = pj_calloc(t.nsamples + 1, sizeof(*sums));
	size_t nsums = 0;
	pj_buf stack = PJ_BUF_INIT;
	for (size_t i = 0; ok && i < t.nsamples; i++) {
		int64_t value;
		pj_buf_reset(&stack);
		ok = fold_sample(&t, t.samples[i], &stack, &value, max_out);
		uintptr_t at = ok ? (uintptr_t)pj_hmap_get(&stacks, pj_buf_cstr(&stack), stack.len) : 0;
		if (ok && !at) {
			at = ++nsums;
			pj_hmap_put(&stacks, pj_buf_cstr(&stack), stack.len, (void *)at);
		}
		if (ok)
			sums[at - 1] += value;
	}
	size_t start = out->len;
	for (size_t i = 0; ok && i < stacks.len; i++) {
		const pj_hmap_entry *e = &stacks.entries[i];
		pj_buf_append(out, e->key, e->key_len);
		pj_buf_printf(out, " %lld\n", (long long)sums[(uintptr_t)e->value - 1]);
		ok = out->len - start <= max_out;
	}
	pj_buf_free(&stack);
	pj_hmap_free(&stacks);
	free(sums);
	tables_free(&t);
	return ok;
}
