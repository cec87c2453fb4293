#include "base/u64map.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static inline uint64_t pj_u64map_hash(uint64_t a, uint64_t b)
{
	/* A multiply-xorshift mix: keys are often small dense integers or
	 * offsets, so the low bits must depend on every input bit. */
	uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 32;
	return h;
}

static pj_u64map_slot *pj_u64map_find(const pj_u64map *m, uint64_t a, uint64_t b)
{
	size_t mask = m->cap - 1;
	size_t i = pj_u64map_hash(a, b) & mask;
	for (;;) {
		pj_u64map_slot *s = &m->slots[i];
		if (!s->used || (s->a == a && s->b == b))
			return s;
		i = (i + 1) & mask;
	}
}

uint64_t *pj_u64map_get(const pj_u64map *m, uint64_t a, uint64_t b)
{
	if (!m->count)
		return NULL;
	pj_u64map_slot *s = pj_u64map_find(m, a, b);
	return s->used ? &s->value : NULL;
}

static void pj_u64map_resize(pj_u64map *m, size_t cap)
{
	pj_u64map old = *m;
	m->slots = pj_calloc(cap, sizeof(*m->slots));
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].used)
			*pj_u64map_find(m, old.slots[i].a, old.slots[i].b) = old.slots[i];
	}
	free(old.slots);
}

uint64_t *pj_u64map_put(pj_u64map *m, uint64_t a, uint64_t b, uint64_t init, bool *added)
{
	if ((m->count + 1) * 4 > m->cap * 3)
		pj_u64map_resize(m, m->cap ? m->cap * 2 : 64);
	pj_u64map_slot *s = pj_u64map_find(m, a, b);
	if (added)
		*added = !s->used;
	if (!s->used) {
		s->a = a;
		s->b = b;
		s->value = init;
		s->used = 1;
		m->count++;
	}
	return &s->value;
}

void pj_u64map_clear(pj_u64map *m)
{
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->count = 0;
}

void pj_u64map_free(pj_u64map *m)
{
	free(m->slots);
	*m = (pj_u64map)PJ_U64MAP_INIT;
}
