#include "syntax/unicode.h"

#include <stdio.h>

/* Generated tables (unicode_tables.c), code points >= 0x80 only. */
extern const pj_unicode_range pj_unicode_letters[];
extern const size_t pj_unicode_letters_len;
extern const pj_unicode_range pj_unicode_digits[];
extern const size_t pj_unicode_digits_len;
extern const pj_unicode_range pj_unicode_printable[];
extern const size_t pj_unicode_printable_len;

static bool pj_is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

int32_t pj_unicode_decode(const unsigned char *s, size_t len, int *width)
{
	*width = 1;
	if (len == 0)
		return PJ_UNICODE_ERROR;
	unsigned char c = s[0];
	if (c < 0x80)
		return c;
	/* Lead byte ranges and the tighter second-byte bounds rule out overlong
	 * forms, surrogates and code points above U+10FFFF, as Go does. */
	int n;
	unsigned char lo = 0x80, hi = 0xBF;
	int32_t r;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		r = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		r = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		r = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return PJ_UNICODE_ERROR;
	}
	if (len < (size_t)n || s[1] < lo || s[1] > hi)
		return PJ_UNICODE_ERROR;
	for (int i = 1; i < n; i++) {
		if (!pj_is_cont(s[i]))
			return PJ_UNICODE_ERROR;
		r = (r << 6) | (s[i] & 0x3F);
	}
	*width = n;
	return r;
}

int pj_unicode_encode(int32_t r, char *out)
{
	if (r < 0 || r > PJ_UNICODE_MAX || (r >= 0xD800 && r < 0xE000))
		r = PJ_UNICODE_ERROR;
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xC0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xE0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
		out[2] = (char)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (r >> 18));
	out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
	out[3] = (char)(0x80 | (r & 0x3F));
	return 4;
}

bool pj_unicode_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		int w;
		int32_t r = pj_unicode_decode(s + i, len - i, &w);
		if (r == PJ_UNICODE_ERROR && w == 1)
			return false;
		i += (size_t)w;
	}
	return true;
}

static bool pj_in_table(const pj_unicode_range *t, size_t n, int32_t r)
{
	if (r < 0)
		return false;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uint32_t)r < t[mid].lo)
			hi = mid;
		else if ((uint32_t)r > t[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool pj_unicode_is_letter(int32_t r)
{
	if (r < 0x80)
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
	return pj_in_table(pj_unicode_letters, pj_unicode_letters_len, r);
}

bool pj_unicode_is_digit(int32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return pj_in_table(pj_unicode_digits, pj_unicode_digits_len, r);
}

bool pj_unicode_is_print(int32_t r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7F;
	return pj_in_table(pj_unicode_printable, pj_unicode_printable_len, r);
}

void pj_unicode_format(int32_t r, char out[32])
{
	if (r < 0)
		r = PJ_UNICODE_ERROR;
	int n = snprintf(out, 32, "U+%04X", (unsigned)r);
	if (!pj_unicode_is_print(r) || n < 0 || n > 20)
		return;
	char enc[4];
	int w = pj_unicode_encode(r, enc);
	out[n++] = ' ';
	out[n++] = '\'';
	for (int i = 0; i < w; i++)
		out[n++] = enc[i];
	out[n++] = '\'';
	out[n] = '\0';
}
