#include "syntax/quote.h"

#include <stdint.h>

#include "base/utf8.h"
#include "syntax/internal.h"

/* Reads n digits of the given base at s; returns -1 if they are not all there. */
static int64_t pj_read_digits(const char *s, size_t avail, int n, int base)
{
	if (avail < (size_t)n)
		return -1;
	int64_t v = 0;
	for (int i = 0; i < n; i++) {
		int d = pj_hex_digit((unsigned char)s[i]);
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
