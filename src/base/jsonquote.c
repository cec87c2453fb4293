#include "base/jsonquote.h"

#include <stdbool.h>
#include <stdint.h>

#include "base/utf8.h"

static void put_u4(pj_buf *out, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = {'\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15]};
	pj_buf_append(out, e, sizeof(e));
}

/* One ASCII byte; returns false if it needs no escape. */
static bool put_ascii_escape(pj_buf *out, unsigned char c, unsigned flags)
{
	switch (c) {
	case '"': pj_buf_puts(out, "\\\""); return true;
	case '\\': pj_buf_puts(out, "\\\\"); return true;
	case '\n': pj_buf_puts(out, "\\n"); return true;
	case '\r': pj_buf_puts(out, "\\r"); return true;
	case '\t': pj_buf_puts(out, "\\t"); return true;
	default: break;
	}
	bool html = (flags & PJ_JSON_HTML_SAFE) && (c == '<' || c == '>' || c == '&');
	if (c >= 0x20 && !html)
		return false;
	if ((flags & PJ_JSON_SHORT_BF) && c == '\b')
		pj_buf_puts(out, "\\b");
	else if ((flags & PJ_JSON_SHORT_BF) && c == '\f')
		pj_buf_puts(out, "\\f");
	else
		put_u4(out, c);
	return true;
}

void pj_json_quote(pj_buf *out, const char *s, size_t len, unsigned flags)
{
	pj_buf_putc(out, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (!put_ascii_escape(out, c, flags))
				pj_buf_putc(out, (char)c);
			i++;
			continue;
		}
		int32_t r;
		size_t n = pj_utf8_rune(s + i, len - i, &r);
		if (n == 0) {
			pj_buf_puts(out, flags & PJ_JSON_RAW_FFFD ? "\xef\xbf\xbd" : "\\ufffd");
			i++;
			continue;
		}
		/* JavaScript reads these two as line ends, so Go never writes them raw. */
		if (r == 0x2028 || r == 0x2029)
			put_u4(out, (unsigned)r);
		else
			pj_buf_append(out, s + i, n);
		i += n;
	}
	pj_buf_putc(out, '"');
}
