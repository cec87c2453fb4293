/*
 * A growable byte buffer with JFR's encodings, and an insertion-ordered
 * intern table (byte string -> 1-based id). Allocation failures set a flag
 * instead of aborting: the agent runs inside someone else's JVM, so a failed
 * dump must not take the process down.
 */
#ifndef AG_BYTES_H
#define AG_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ag_buf {
	uint8_t *data;
	size_t len, cap;
	bool failed;
} ag_buf;

void ag_buf_free(ag_buf *b);
void ag_buf_put(ag_buf *b, const void *p, size_t n);
void ag_buf_u8(ag_buf *b, uint8_t v);
void ag_buf_be32(ag_buf *b, uint32_t v);
void ag_buf_be64(ag_buf *b, uint64_t v);
void ag_buf_varint(ag_buf *b, uint64_t v);
/* A JFR string: NULL as encoding 0, else UTF-8 (encoding 3). */
void ag_buf_string(ag_buf *b, const char *s);
void ag_buf_printf(ag_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Overwrites 5 bytes at `at` with a padded varint (sizes patched after the fact). */
void ag_buf_patch_varint5(ag_buf *b, size_t at, uint32_t v);
void ag_buf_patch_be64(ag_buf *b, size_t at, uint64_t v);

typedef struct ag_intern_entry {
	char *key;
	size_t len;
	uint64_t hash;
} ag_intern_entry;

typedef struct ag_intern {
	ag_intern_entry *entries; /* by id - 1 */
	uint32_t count, cap;
	uint32_t *slots; /* open addressing: id or 0 */
	uint32_t nslots;
	bool failed;
} ag_intern;

/* 1-based id of `key` (added if new); 0 on allocation failure. */
uint32_t ag_intern_id(ag_intern *t, const void *key, size_t len);
uint32_t ag_intern_str(ag_intern *t, const char *s);
/* 0 if absent. */
uint32_t ag_intern_find(const ag_intern *t, const void *key, size_t len);
const char *ag_intern_key(const ag_intern *t, uint32_t id);
void ag_intern_free(ag_intern *t);

#endif
