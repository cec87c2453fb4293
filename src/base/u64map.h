#ifndef PJ_BASE_U64MAP_H
#define PJ_BASE_U64MAP_H

/*
 * An open-addressing hash map from a pair of 64-bit integers to a 64-bit
 * value. Flat arrays, no per-entry allocation: meant for hot lookups such as
 * constant-pool keys or interned ids. No removal; clear() keeps the memory.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pj_u64map_slot {
	uint64_t a, b;
	uint64_t value;
	uint64_t used; /* 0 = empty */
} pj_u64map_slot;

typedef struct pj_u64map {
	pj_u64map_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
} pj_u64map;

#define PJ_U64MAP_INIT {NULL, 0, 0}

/* Returns a pointer to the value for (a, b), or NULL. */
uint64_t *pj_u64map_get(const pj_u64map *m, uint64_t a, uint64_t b);
/* Returns the value slot for (a, b), inserting `init` first if absent; *added says which. */
uint64_t *pj_u64map_put(pj_u64map *m, uint64_t a, uint64_t b, uint64_t init, bool *added);
void pj_u64map_clear(pj_u64map *m);
void pj_u64map_free(pj_u64map *m);

/* Iterate: for (size_t i = 0; i < m->cap; i++) if (m->slots[i].used) ... */

#endif
