#include "base/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static void pj_out_of_memory(size_t size)
{
	fprintf(stderr, "pyrojava: out of memory allocating %zu bytes\n", size);
	abort();
}

void *pj_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		pj_out_of_memory(size);
	return p;
}

void *pj_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		pj_out_of_memory(count * size);
	return p;
}

void *pj_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		pj_out_of_memory(size);
	return p;
}

void *pj_grow(void *ptr, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return ptr;
	size_t n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			pj_out_of_memory(SIZE_MAX);
		n *= 2;
	}
	if (n > SIZE_MAX / elem_size)
		pj_out_of_memory(SIZE_MAX);
	*cap = n;
	return pj_realloc(ptr, n * elem_size);
}

char *pj_strdup(const char *s)
{
	return pj_strndup(s, strlen(s));
}

char *pj_strndup(const char *s, size_t n)
{
	char *p = pj_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pj_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *out = NULL;
	int n = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (n < 0)
		pj_out_of_memory(strlen(fmt));
	return out;
}

void pj_alloc_policy(void)
{
#ifdef __GLIBC__
	/* Setting it also turns the dynamic adjustment off. Failure only costs memory. */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}
