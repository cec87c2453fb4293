#include "base/goquote.h"

#include <stdint.h>

#include "base/unicode.h"
#include "base/utf8.h"

static const char hex_digits[] = "0123456789abcdef";

bool pj_go_needs_quoting(const char *s, size_t len)
{
	if (len == 0)
		return true;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (c == ' ' || c == '=' || c == '"' || c < 0x20)
				return true;
			i++;
			continue;
		}
		int32_t r;
		size_t n = pj_utf8_rune(s + i, len - i, &r);
		if (n == 0 || r == PJ_RUNE_ERROR || pj_unicode_is_space(r) || !pj_unicode_is_print(r))
			return true;
		i += n;
	}
	return false;
}

static void quote_escape(pj_buf *out, int32_t r)
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
	if (r < ' ' || r == 0x7F)
		pj_buf_printf(out, "\\x%c%c", hex_digits[(r >> 4) & 0xF], hex_digits[r & 0xF]);
	else if (r < 0x10000)
		pj_buf_printf(out, "\\u%04x", (unsigned)r);
	else
		pj_buf_printf(out, "\\U%08x", (unsigned)r);
}

void pj_quote_go(pj_buf *out, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	pj_buf_putc(out, '"');
	for (size_t i = 0; i < len;) {
		size_t w;
		int32_t r = pj_utf8_decode(text + i, len - i, &w);
		if (r == PJ_RUNE_ERROR && w == 1) {
			pj_buf_printf(out, "\\x%c%c", hex_digits[s[i] >> 4], hex_digits[s[i] & 0xF]);
		} else if (r == '"' || r == '\\') {
			pj_buf_putc(out, '\\');
			pj_buf_putc(out, (char)r);
		} else if (pj_unicode_is_print(r)) {
			pj_buf_append(out, s + i, w);
		} else {
			quote_escape(out, r);
		}
		i += w;
	}
	pj_buf_putc(out, '"');
}
