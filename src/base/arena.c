#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define PJ_ARENA_BLOCK 8192
#define PJ_ARENA_ALIGN 16

struct pj_arena_block {
	pj_arena_block *next;
	size_t size;
	_Alignas(PJ_ARENA_ALIGN) unsigned char data[];
};

void *pj_arena_alloc(pj_arena *a, size_t size)
{
	size = (size + PJ_ARENA_ALIGN - 1) & ~(size_t)(PJ_ARENA_ALIGN - 1);
	if (!a->head || a->used + size > a->head->size) {
		size_t block = size > PJ_ARENA_BLOCK ? size : PJ_ARENA_BLOCK;
		pj_arena_block *b = pj_malloc(sizeof(*b) + block);
		b->size = block;
		b->next = a->head;
		a->head = b;
		a->used = 0;
	}
	void *p = a->head->data + a->used;
	a->used += size;
	a->total += size;
	memset(p, 0, size);
	return p;
}

char *pj_arena_strndup(pj_arena *a, const char *s, size_t n)
{
	char *p = pj_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pj_arena_strdup(pj_arena *a, const char *s)
{
	return pj_arena_strndup(a, s, strlen(s));
}

void pj_arena_free(pj_arena *a)
{
	pj_arena_block *b = a->head;
	while (b) {
		pj_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = a->total = 0;
}
