/*
 * Collapsed ("folded") text for golden tests and `pyrojava convert`: the
 * stack text decides identity and order, so stacks are rendered first, then
 * merged by text (labels are ignored, and two functions that print alike
 * merge), zero totals dropped, and the rest sorted bytewise.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "profile/pprof.h"
#include "profile/pprof_hash.h"
#include "profile/pprof_internal.h"

typedef struct pprof_span {
	size_t off;
	size_t len;
} pprof_span;

typedef struct pprof_folded {
	const pprof_builder *b;
	pj_buf frames; /* "name:line" per location */
	pprof_span *frame; /* by location id - 1 */
	pj_buf text; /* all distinct stack texts */
	pprof_span *stack; /* by group */
	int64_t *sums; /* by group x sample type */
	size_t ngroups;
	uint32_t *index; /* open addressing: group + 1 */
	size_t mask;
	uint32_t *ids; /* one sample's location ids */
	size_t ids_cap;
} pprof_folded;

static void pprof_put_int(pj_buf *out, int64_t v)
{
	char tmp[24];
	char *end = tmp + sizeof(tmp);
	char *p = end;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	pj_buf_append(out, p, (size_t)(end - p));
}

static void pprof_render_frames(pprof_folded *f)
{
	const pprof_builder *b = f->b;
	f->frame = pj_malloc((b->nlocs ? b->nlocs : 1) * sizeof(*f->frame));
	for (size_t i = 0; i < b->nlocs; i++) {
		const pprof_loc *l = &b->locs[i];
		const pprof_str *name = &b->strs[b->funcs[l->function_id - 1].name];
		f->frame[i].off = f->frames.len;
		pj_buf_append(&f->frames, b->pool + name->off, name->len);
		pj_buf_putc(&f->frames, ':');
		pprof_put_int(&f->frames, l->line);
		f->frame[i].len = f->frames.len - f->frame[i].off;
	}
}

/* Appends the stack text of sample i (root first) to f->text; returns its span. */
static pprof_span pprof_render_stack(pprof_folded *f, size_t i)
{
	const pprof_sample *s = &f->b->samples[i];
	/* Packed leaf first (at least one byte per id): unpacked, then read backwards. */
	f->ids = pj_grow(f->ids, &f->ids_cap, s->stack_len, sizeof(*f->ids));
	size_t n = 0;
	for (const uint8_t *p = f->b->stacks + s->stack_off, *end = p + s->stack_len; p < end;)
		f->ids[n++] = pprof_stack_next(&p);
	pprof_span span = {f->text.len, 0};
	for (size_t j = n; j-- > 0;) {
		const pprof_span *fr = &f->frame[f->ids[j] - 1];
		pj_buf_append(&f->text, f->frames.data + fr->off, fr->len);
		if (j)
			pj_buf_putc(&f->text, ';');
	}
	span.len = f->text.len - span.off;
	return span;
}

static void pprof_fold_samples(pprof_folded *f)
{
	const pprof_builder *b = f->b;
	size_t nt = b->ntypes;
	size_t cap = 64;
	while (cap < b->nsamples * 2)
		cap *= 2;
	f->index = pj_calloc(cap, sizeof(*f->index));
	f->mask = cap - 1;
	f->stack = pj_malloc((b->nsamples ? b->nsamples : 1) * sizeof(*f->stack));
	f->sums = pj_calloc((b->nsamples ? b->nsamples : 1) * (nt ? nt : 1), sizeof(*f->sums));
	for (size_t i = 0; i < b->nsamples; i++) {
		pprof_span span = pprof_render_stack(f, i);
		const char *text = f->text.data + span.off;
		size_t slot = pprof_hash_bytes(text, span.len) & f->mask;
		uint32_t pos;
		while ((pos = f->index[slot]) != 0) {
			const pprof_span *g = &f->stack[pos - 1];
			if (g->len == span.len && memcmp(f->text.data + g->off, text, span.len) == 0)
				break;
			slot = (slot + 1) & f->mask;
		}
		if (pos) {
			f->text.len = span.off; /* a repeat: forget the text just rendered */
		} else {
			f->stack[f->ngroups] = span;
			pos = f->index[slot] = (uint32_t)++f->ngroups;
		}
		int64_t *sum = f->sums + (size_t)(pos - 1) * nt;
		const int64_t *v = b->values + i * nt;
		for (size_t k = 0; k < nt; k++)
			sum[k] = (int64_t)((uint64_t)sum[k] + (uint64_t)v[k]);
	}
}

static int pprof_cmp_stack(const void *a, const void *b, void *ctx)
{
	const pprof_folded *f = ctx;
	const pprof_span *x = &f->stack[*(const uint32_t *)a];
	const pprof_span *y = &f->stack[*(const uint32_t *)b];
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(f->text.data + x->off, f->text.data + y->off, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static bool pprof_all_zero(const int64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i])
			return false;
	return true;
}

static void pprof_print_groups(const pprof_folded *f, pj_buf *out)
{
	size_t nt = f->b->ntypes;
	uint32_t *order = pj_malloc((f->ngroups ? f->ngroups : 1) * sizeof(*order));
	size_t n = 0;
	for (size_t g = 0; g < f->ngroups; g++)
		if (!pprof_all_zero(f->sums + g * nt, nt))
			order[n++] = (uint32_t)g;
	qsort_r(order, n, sizeof(*order), pprof_cmp_stack, (void *)f);
	for (size_t i = 0; i < n; i++) {
		const pprof_span *s = &f->stack[order[i]];
		if (i)
			pj_buf_putc(out, '\n');
		if (s->len)
			pj_buf_append(out, f->text.data + s->off, s->len);
		pj_buf_append(out, " [", 2);
		const int64_t *sum = f->sums + (size_t)order[i] * nt;
		for (size_t k = 0; k < nt; k++) {
			if (k)
				pj_buf_putc(out, ' ');
			pprof_put_int(out, sum[k]);
		}
		pj_buf_putc(out, ']');
	}
	free(order);
}

void pprof_write_collapsed(const pprof_builder *b, pj_buf *out)
{
	pprof_folded f = {.b = b, .frames = PJ_BUF_INIT, .text = PJ_BUF_INIT};
	/* Allocated up front so span offsets never apply to a NULL pointer. */
	pj_buf_reserve(&f.frames, 0);
	pj_buf_reserve(&f.text, 0);
	pprof_render_frames(&f);
	pprof_fold_samples(&f);
	pprof_print_groups(&f, out);
	free(f.frame);
	free(f.stack);
	free(f.sums);
	free(f.index);
	free(f.ids);
	pj_buf_free(&f.frames);
	pj_buf_free(&f.text);
}
