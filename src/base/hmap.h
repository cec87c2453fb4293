#ifndef PJ_BASE_HMAP_H
#define PJ_BASE_HMAP_H

/*
 * An open-addressing hash map from byte-string keys to pointers. Keys are
 * copied; values are owned by the caller. Iteration order is insertion order,
 * which keeps outputs that walk a map deterministic.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pj_hmap_entry {
	char *key;
	size_t key_len;
	uint64_t hash;
	void *value;
} pj_hmap_entry;

typedef struct pj_hmap {
	pj_hmap_entry *entries; /* dense, in insertion order; removed entries have key == NULL */
	size_t len; /* slots used in entries, including removed ones */
	size_t cap;
	size_t count; /* live entries */
	uint32_t *index; /* slot -> entries position + 1; 0 = empty */
	size_t index_cap; /* power of two */
} pj_hmap;

#define PJ_HMAP_INIT {NULL, 0, 0, 0, NULL, 0}

uint64_t pj_hash_bytes(const void *data, size_t len);

void *pj_hmap_get(const pj_hmap *m, const char *key, size_t key_len);
bool pj_hmap_has(const pj_hmap *m, const char *key, size_t key_len);
/* Inserts or replaces; returns the previous value or NULL. */
void *pj_hmap_put(pj_hmap *m, const char *key, size_t key_len, void *value);
/* Removes the key; returns its value or NULL. */
void *pj_hmap_remove(pj_hmap *m, const char *key, size_t key_len);
void pj_hmap_free(pj_hmap *m);

/* Iterate: for (size_t i = 0; i < m->len; i++) if (m->entries[i].key) ... */

#endif
