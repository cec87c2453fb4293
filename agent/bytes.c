#include "bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ag_buf_free(ag_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static bool reserve(ag_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->len + n <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void ag_buf_put(ag_buf *b, const void *p, size_t n)
{
	if (n && reserve(b, n)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

void ag_buf_u8(ag_buf *b, uint8_t v)
{
	ag_buf_put(b, &v, 1);
}

void ag_buf_be32(ag_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	ag_buf_put(b, x, 4);
}

void ag_buf_be64(ag_buf *b, uint64_t v)
{
	ag_buf_be32(b, (uint32_t)(v >> 32));
	ag_buf_be32(b, (uint32_t)v);
}

void ag_buf_varint(ag_buf *b, uint64_t v)
{
	uint8_t x[9];
	size_t n = 0;
	while (n < 8 && v >= 0x80) {
		x[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	x[n++] = (uint8_t)v; /* the 9th byte, if reached, carries all 8 remaining bits */
	ag_buf_put(b, x, n);
}

void ag_buf_string(ag_buf *b, const char *s)
{
	if (!s) {
		ag_buf_u8(b, 0);
		return;
	}
	size_t n = strlen(s);
	ag_buf_u8(b, 3);
	ag_buf_varint(b, n);
	ag_buf_put(b, s, n);
}

void ag_buf_printf(ag_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void ag_buf_patch_varint5(ag_buf *b, size_t at, uint32_t v)
{
	if (b->failed || at + 5 > b->len)
		return;
	for (int i = 0; i < 4; i++)
		b->data[at + (size_t)i] = (uint8_t)(((v >> (7 * i)) & 0x7f) | 0x80);
	b->data[at + 4] = (uint8_t)((v >> 28) & 0x7f);
}

void ag_buf_patch_be64(ag_buf *b, size_t at, uint64_t v)
{
	if (b->failed || at + 8 > b->len)
		return;
	for (int i = 0; i < 8; i++)
		b->data[at + (size_t)i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

static bool rehash(ag_intern *t)
{
	uint32_t n = t->nslots ? t->nslots * 2 : 256;
	uint32_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return false;
	for (uint32_t id = 1; id <= t->count; id++) {
		uint32_t i = (uint32_t)t->entries[id - 1].hash & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = id;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return true;
}

uint32_t ag_intern_find(const ag_intern *t, const void *key, size_t len)
{
	if (!t->nslots)
		return 0;
	uint64_t h = hash_bytes(key, len);
	for (uint32_t i = (uint32_t)h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
		uint32_t id = t->slots[i];
		if (!id)
			return 0;
		const ag_intern_entry *e = &t->entries[id - 1];
		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
			return id;
	}
}

static uint32_t add(ag_intern *t, const void *key, size_t len)
{
	if (t->count == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		ag_intern_entry *e = realloc(t->entries, cap * sizeof(*e));
		if (!e)
			return 0;
		t->entries = e;
		t->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return 0;
	memcpy(copy, key, len);
	copy[len] = '\0';
	t->entries[t->count] = (ag_intern_entry){copy, len, hash_bytes(key, len)};
	return ++t->count;
}

uint32_t ag_intern_id(ag_intern *t, const void *key, size_t len)
{
	uint32_t id = ag_intern_find(t, key, len);
	if (id)
		return id;
	if ((t->count + 1) * 2 > t->nslots && !rehash(t)) {
		t->failed = true;
		return 0;
	}
	id = add(t, key, len);
	if (!id) {
		t->failed = true;
		return 0;
	}
	uint32_t i = (uint32_t)t->entries[id - 1].hash & (t->nslots - 1);
	while (t->slots[i])
		i = (i + 1) & (t->nslots - 1);
	t->slots[i] = id;
	return id;
}

uint32_t ag_intern_str(ag_intern *t, const char *s)
{
	return ag_intern_id(t, s, strlen(s));
}

const char *ag_intern_key(const ag_intern *t, uint32_t id)
{
	return id >= 1 && id <= t->count ? t->entries[id - 1].key : NULL;
}

void ag_intern_free(ag_intern *t)
{
	for (uint32_t i = 0; i < t->count; i++)
		free(t->entries[i].key);
	free(t->entries);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
