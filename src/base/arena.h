#ifndef PJ_BASE_ARENA_H
#define PJ_BASE_ARENA_H

/*
 * A bump allocator for data that lives and dies together (a parsed file, one
 * scan's results). Allocations are 16-byte aligned and freed all at once.
 */

#include <stddef.h>

typedef struct pj_arena_block pj_arena_block;

typedef struct pj_arena {
	pj_arena_block *head;
	size_t used; /* bytes used in head */
	size_t total; /* bytes handed out, for accounting */
} pj_arena;

#define PJ_ARENA_INIT {NULL, 0, 0}

void *pj_arena_alloc(pj_arena *a, size_t size); /* zeroed memory */
char *pj_arena_strndup(pj_arena *a, const char *s, size_t n);
char *pj_arena_strdup(pj_arena *a, const char *s);
void pj_arena_free(pj_arena *a);

#endif
