#ifndef PJ_BASE_BUF_H
#define PJ_BASE_BUF_H

/* A growable byte buffer, always NUL-terminated so it can be used as a C string. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pj_buf {
	char *data; /* NULL until the first append; use pj_buf_cstr() for a string */
	size_t len;
	size_t cap;
} pj_buf;

#define PJ_BUF_INIT {NULL, 0, 0}

void pj_buf_reserve(pj_buf *b, size_t extra);
void pj_buf_append(pj_buf *b, const void *data, size_t len);
void pj_buf_puts(pj_buf *b, const char *s);
void pj_buf_putc(pj_buf *b, char c);
void pj_buf_printf(pj_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pj_buf_vprintf(pj_buf *b, const char *fmt, va_list ap);
/* Appends `n` copies of `c`. */
void pj_buf_fill(pj_buf *b, char c, size_t n);
const char *pj_buf_cstr(const pj_buf *b);
void pj_buf_reset(pj_buf *b);
/* Returns the heap string and leaves the buffer empty; the caller frees it. */
char *pj_buf_detach(pj_buf *b);
void pj_buf_free(pj_buf *b);

#endif
