#include "base/utf8.h"

int32_t pj_utf8_decode(const char *s, size_t len, size_t *width)
{
	const unsigned char *p = (const unsigned char *)s;
	*width = 1;
	if (len == 0)
		return PJ_RUNE_ERROR;
	unsigned char c = p[0];
	if (c < 0x80)
		return c;
	/* The lead byte fixes the length; narrowing the second byte's range
	 * rules out overlong forms, surrogates and values past U+10FFFF. */
	size_t n;
	int32_t r;
	unsigned char lo = 0x80, hi = 0xBF;
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
		return PJ_RUNE_ERROR;
	}
	if (len < n || p[1] < lo || p[1] > hi)
		return PJ_RUNE_ERROR;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return PJ_RUNE_ERROR;
		r = (r << 6) | (p[i] & 0x3F);
	}
	*width = n;
	return r;
}

size_t pj_utf8_rune(const char *s, size_t len, int32_t *rune)
{
	size_t w;
	*rune = pj_utf8_decode(s, len, &w);
	return *rune == PJ_RUNE_ERROR && w == 1 ? 0 : w;
}

size_t pj_utf8_encode_to(char out[4], int32_t r)
{
	if (r < 0 || r > PJ_RUNE_MAX || (r >= 0xD800 && r <= 0xDFFF))
		r = PJ_RUNE_ERROR;
	uint32_t u = (uint32_t)r;
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xC0 | (u >> 6));
		out[1] = (char)(0x80 | (u & 0x3F));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xE0 | (u >> 12));
		out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		out[2] = (char)(0x80 | (u & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (u >> 18));
	out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
	out[3] = (char)(0x80 | (u & 0x3F));
	return 4;
}

void pj_utf8_encode(pj_buf *out, int32_t r)
{
	char b[4];
	pj_buf_append(out, b, pj_utf8_encode_to(b, r));
}

bool pj_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, w;
	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if (pj_utf8_decode(s + i, len - i, &w) == PJ_RUNE_ERROR && w == 1)
			return false;
		i += w;
	}
	return true;
}
