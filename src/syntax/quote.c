#include "syntax/quote.h"

#include <stdint.h>

#include "base/unicode.h"
#include "base/utf8.h"

static const char pj_hex[] = "0123456789abcdef";

static void pj_quote_escape(pj_buf *out, int32_t r)
{
	switch (r) {
	case '\a': pj_buf_puts(out, "\\a"); return;
	case '\b': pj_buf_puts(out, "\\b"); return;
	case '\f': pj_buf_puts(out, "\\f"); return;
	case '\n': pj_buf_puts(out, "\\n"); return;
	case '\r': pj_buf_puts(out, "\\r"); return;
	case '\t': pj_buf_puts(out, "\\t"); return;
	case '\v': pj_buf_puts(out, "\\v"); return;
	default:
		break;
	}
	if (r < ' ' || r == 0x7F) {
		pj_buf_printf(out, "\\x%c%c", pj_hex[(r >> 4) & 0xF], pj_hex[r & 0xF]);
	} else if (r < 0x10000) {
		pj_buf_printf(out, "\\u%04x", (unsigned)r);
	} else {
		pj_buf_printf(out, "\\U%08x", (unsigned)r);
	}
}

void pj_quote_go(pj_buf *out, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	pj_buf_putc(out, '"');
	for (size_t i = 0; i < len;) {
		size_t w;
		int32_t r = pj_utf8_decode(text + i, len - i, &w);
		if (r == PJ_RUNE_ERROR && w == 1) {
			pj_buf_printf(out, "\\x%c%c", pj_hex[s[i] >> 4], pj_hex[s[i] & 0xF]);
		} else if (r == '"' || r == '\\') {
			pj_buf_putc(out, '\\');
			pj_buf_putc(out, (char)r);
		} else if (pj_unicode_is_print(r)) {
			pj_buf_append(out, s + i, w);
		} else {
			pj_quote_escape(out, r);
		}
		i += w;
	}
	pj_buf_putc(out, '"');
}

static int pj_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads n digits of the given base at s; returns -1 if they are not all there. */
static int64_t pj_read_digits(const char *s, size_t avail, int n, int base)
{
	if (avail < (size_t)n)
		return -1;
	int64_t v = 0;
	for (int i = 0; i < n; i++) {
		int d = pj_hexval(s[i]);
		if (d < 0 || d >= base)
			return -1;
		v = v * base + d;
	}
	return v;
}

/* Decodes the escape at s (just after the backslash); returns bytes used, 0 if invalid. */
static size_t pj_unescape(pj_buf *out, const char *s, size_t avail)
{
	static const char simple[] = "abfnrtv\\\"";
	static const char values[] = "\a\b\f\n\r\t\v\\\"";
	if (avail == 0)
		return 0;
	for (size_t i = 0; simple[i]; i++) {
		if (s[0] == simple[i]) {
			pj_buf_putc(out, values[i]);
			return 1;
		}
	}
	int n = 0, base = 16;
	switch (s[0]) {
	case 'x': n = 2; break;
	case 'u': n = 4; break;
	case 'U': n = 8; break;
	default:
		if (s[0] >= '0' && s[0] <= '7') {
			int64_t v = pj_read_digits(s, avail, 3, 8);
			if (v < 0 || v > 255)
				return 0;
			pj_buf_putc(out, (char)v);
			return 3;
		}
		return 0;
	}
	int64_t v = pj_read_digits(s + 1, avail - 1, n, base);
	if (v < 0)
		return 0;
	if (s[0] == 'x') {
		pj_buf_putc(out, (char)v);
	} else {
		if (v > PJ_RUNE_MAX || (v >= 0xD800 && v < 0xE000))
			return 0;
		pj_utf8_encode(out, (int32_t)v);
	}
	return (size_t)n + 1;
}

void pj_unquote(pj_buf *out, const char *lit, size_t len)
{
	if (len < 2) {
		return;
	}
	const char *s = lit + 1;
	size_t n = len - 2;
	if (lit[0] == '`') {
		for (size_t i = 0; i < n; i++) {
			if (s[i] != '\r')
				pj_buf_putc(out, s[i]);
		}
		return;
	}
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\') {
			pj_buf_putc(out, s[i++]);
			continue;
		}
		size_t used = pj_unescape(out, s + i + 1, n - i - 1);
		if (used == 0) {
			pj_buf_putc(out, s[i++]);
			continue;
		}
		i += used + 1;
	}
}
