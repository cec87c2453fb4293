#include "base/hmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

uint64_t pj_hash_bytes(const void *data, size_t len)
{
	/* FNV-1a, then a final avalanche so low bits are usable as a table index. */
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static size_t pj_hmap_find_slot(const pj_hmap *m, const char *key, size_t key_len, uint64_t hash)
{
	size_t mask = m->index_cap - 1;
	size_t slot = hash & mask;
	for (;;) {
		uint32_t pos = m->index[slot];
		if (pos == 0)
			return slot;
		const pj_hmap_entry *e = &m->entries[pos - 1];
		if (e->hash == hash && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
			return slot;
		slot = (slot + 1) & mask;
	}
}

static void pj_hmap_rebuild(pj_hmap *m, size_t index_cap)
{
	/* Compact removed entries away, then re-index. */
	size_t w = 0;
	for (size_t r = 0; r < m->len; r++) {
		if (m->entries[r].key)
			m->entries[w++] = m->entries[r];
	}
	m->len = w;
	free(m->index);
	m->index = pj_calloc(index_cap, sizeof(*m->index));
	m->index_cap = index_cap;
	for (size_t i = 0; i < m->len; i++) {
		size_t slot = m->entries[i].hash & (index_cap - 1);
		while (m->index[slot])
			slot = (slot + 1) & (index_cap - 1);
		m->index[slot] = (uint32_t)(i + 1);
	}
}

void *pj_hmap_get(const pj_hmap *m, const char *key, size_t key_len)
{
	if (!m->count)
		return NULL;
	uint32_t pos = m->index[pj_hmap_find_slot(m, key, key_len, pj_hash_bytes(key, key_len))];
	return pos ? m->entries[pos - 1].value : NULL;
}

bool pj_hmap_has(const pj_hmap *m, const char *key, size_t key_len)
{
	if (!m->count)
		return false;
	return m->index[pj_hmap_find_slot(m, key, key_len, pj_hash_bytes(key, key_len))] != 0;
}

void *pj_hmap_put(pj_hmap *m, const char *key, size_t key_len, void *value)
{
	if ((m->len + 1) * 2 > m->index_cap)
		pj_hmap_rebuild(m, m->index_cap ? (m->count * 4 > m->index_cap ? m->index_cap * 2 : m->index_cap) : 16);
	uint64_t hash = pj_hash_bytes(key, key_len);
	size_t slot = pj_hmap_find_slot(m, key, key_len, hash);
	if (m->index[slot]) {
		pj_hmap_entry *e = &m->entries[m->index[slot] - 1];
		void *old = e->value;
		e->value = value;
		return old;
	}
	m->entries = pj_grow(m->entries, &m->cap, m->len + 1, sizeof(*m->entries));
	pj_hmap_entry *e = &m->entries[m->len];
	e->key = pj_strndup(key, key_len);
	e->key_len = key_len;
	e->hash = hash;
	e->value = value;
	m->index[slot] = (uint32_t)(++m->len);
	m->count++;
	return NULL;
}

void *pj_hmap_remove(pj_hmap *m, const char *key, size_t key_len)
{
	if (!m->count)
		return NULL;
	uint64_t hash = pj_hash_bytes(key, key_len);
	size_t slot = pj_hmap_find_slot(m, key, key_len, hash);
	uint32_t pos = m->index[slot];
	if (!pos)
		return NULL;
	pj_hmap_entry *e = &m->entries[pos - 1];
	void *old = e->value;
	free(e->key);
	e->key = NULL;
	m->count--;
	/* Re-index so probe chains stay intact; removals are rare in our uses. */
	pj_hmap_rebuild(m, m->index_cap);
	return old;
}

void pj_hmap_free(pj_hmap *m)
{
	for (size_t i = 0; i < m->len; i++)
		free(m->entries[i].key);
	free(m->entries);
	free(m->index);
	memset(m, 0, sizeof(*m));
}
