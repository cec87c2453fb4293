#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

void pj_buf_reserve(pj_buf *b, size_t extra)
{
	b->data = pj_grow(b->data, &b->cap, b->len + extra + 1, 1);
}

void pj_buf_append(pj_buf *b, const void *data, size_t len)
{
	pj_buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void pj_buf_puts(pj_buf *b, const char *s)
{
	pj_buf_append(b, s, strlen(s));
}

void pj_buf_putc(pj_buf *b, char c)
{
	pj_buf_append(b, &c, 1);
}

void pj_buf_fill(pj_buf *b, char c, size_t n)
{
	pj_buf_reserve(b, n);
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void pj_buf_vprintf(pj_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	pj_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void pj_buf_printf(pj_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pj_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *pj_buf_cstr(const pj_buf *b)
{
	return b->data ? b->data : "";
}

void pj_buf_reset(pj_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *pj_buf_detach(pj_buf *b)
{
	char *s = b->data ? b->data : pj_strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void pj_buf_free(pj_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
