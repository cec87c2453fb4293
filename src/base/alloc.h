#ifndef PJ_BASE_ALLOC_H
#define PJ_BASE_ALLOC_H

/*
 * Allocation helpers. pyrojava treats heap exhaustion as fatal: every caller
 * would otherwise need a recovery path that cannot be tested. These functions
 * print the failed size and abort instead of returning NULL.
 */

#include <stddef.h>

void *pj_malloc(size_t size);
void *pj_calloc(size_t count, size_t size);
void *pj_realloc(void *ptr, size_t size);
/* Grows an array to hold at least `need` elements, doubling; updates *cap. */
void *pj_grow(void *ptr, size_t *cap, size_t need, size_t elem_size);
char *pj_strdup(const char *s);
char *pj_strndup(const char *s, size_t n);
char *pj_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Process-wide allocator policy, called once at the start of main(): blocks
 * of 128 KiB and more get their own mappings, always. glibc otherwise raises
 * that threshold each time such a block is freed, after which the big
 * growable arrays of a profile conversion are carved from the heap: growing
 * them copies, and the holes they leave stay resident (+25% peak RSS when
 * converting a large recording). With own mappings they grow in place
 * (mremap) and go back to the system when freed.
 */
void pj_alloc_policy(void);

#endif
