#include "base/goquote.h"

#include <stdint.h>

#include "base/utf8.h"

static bool is_unicode_space(unsigned r)
{
	return r == 0x85 || r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) ||
	       r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000;
}

/* Non-ASCII runes Go's unicode.IsPrint rejects that show up in practice. */
static bool is_nonascii_printable(unsigned r)
{
	if (r < 0xa0 || is_unicode_space(r))
		return false;
	if (r == 0xad || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) ||
	    (r >= 0x2060 && r <= 0x206f) || r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb))
		return false;
	/* Private use planes and noncharacters are not graphic either. */
	if ((r >= 0xe000 && r <= 0xf8ff) || r >= 0xf0000 || (r & 0xfffe) == 0xfffe)
		return false;
	return true;
}

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
		if (n == 0 || !is_nonascii_printable(r))
			return true;
		i += n;
	}
	return false;
}

static void put_escape(pj_buf *b, unsigned char c)
{
	static const char simple[] = "\a\b\f\n\r\t\v";
	static const char letters[] = "abfnrtv";
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; simple[i]; i++) {
		if (c == (unsigned char)simple[i]) {
			pj_buf_putc(b, '\\');
			pj_buf_putc(b, letters[i]);
			return;
		}
	}
	char x[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
	pj_buf_append(b, x, sizeof(x));
}

void pj_buf_put_goquoted(pj_buf *b, const char *s, size_t len)
{
	pj_buf_putc(b, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				pj_buf_putc(b, '\\');
				pj_buf_putc(b, (char)c);
			} else if (c < 0x20 || c == 0x7f) {
				put_escape(b, c);
			} else {
				pj_buf_putc(b, (char)c);
			}
			i++;
			continue;
		}
		int32_t r;
		size_t n = pj_utf8_rune(s + i, len - i, &r);
		if (n == 0) {
			put_escape(b, c);
			i++;
			continue;
		}
		if (is_nonascii_printable(r))
			pj_buf_append(b, s + i, n);
		else if (r < 0x10000)
			pj_buf_printf(b, "\\u%04x", r);
		else
			pj_buf_printf(b, "\\U%08x", r);
		i += n;
	}
	pj_buf_putc(b, '"');
}
