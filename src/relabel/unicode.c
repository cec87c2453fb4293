#include "relabel/unicode.h"

#include <string.h>

uint32_t relabel_utf8_decode(const char *s, size_t len, size_t *width)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c = p[0];
	*width = 1;
	if (c < 0x80)
		return c;
	size_t n;
	uint32_t r;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		r = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		r = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		r = c & 0x07;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return RELABEL_RUNE_ERROR;
	}
	if (len < n || p[1] < lo || p[1] > hi)
		return RELABEL_RUNE_ERROR;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return RELABEL_RUNE_ERROR;
		r = r << 6 | (p[i] & 0x3F);
	}
	*width = n;
	return r;
}

void relabel_utf8_append(pj_buf *out, uint32_t r)
{
	char b[4];
	size_t n;
	if (r < 0x80) {
		b[0] = (char)r;
		n = 1;
	} else if (r < 0x800) {
		b[0] = (char)(0xC0 | r >> 6);
		b[1] = (char)(0x80 | (r & 0x3F));
		n = 2;
	} else if (r < 0x10000) {
		b[0] = (char)(0xE0 | r >> 12);
		b[1] = (char)(0x80 | (r >> 6 & 0x3F));
		b[2] = (char)(0x80 | (r & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | r >> 18);
		b[1] = (char)(0x80 | (r >> 12 & 0x3F));
		b[2] = (char)(0x80 | (r >> 6 & 0x3F));
		b[3] = (char)(0x80 | (r & 0x3F));
		n = 4;
	}
	pj_buf_append(out, b, n);
}

bool relabel_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		size_t w;
		if (relabel_utf8_decode(s + i, len - i, &w) == RELABEL_RUNE_ERROR && w == 1)
			return false;
		i += w;
	}
	return true;
}

/* Go's unicode.To: UpperCase is even and LowerCase odd, which the alternating runs rely on. */
static uint32_t rune_map(uint32_t r, bool lower)
{
	size_t lo = 0, hi = relabel_unicode_ncase_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const relabel_case_range *cr = &relabel_unicode_case_ranges[mid];
		if (r < cr->lo) {
			hi = mid;
		} else if (r > cr->hi) {
			lo = mid + 1;
		} else {
			int32_t delta = lower ? cr->to_lower : cr->to_upper;
			if (delta == RELABEL_UPPER_LOWER)
				return cr->lo + (((r - cr->lo) & ~1u) | (lower ? 1u : 0u));
			return (uint32_t)((int32_t)r + delta);
		}
	}
	return r;
}

uint32_t relabel_rune_to_lower(uint32_t r)
{
	if (r < 0x80)
		return r >= 'A' && r <= 'Z' ? r + 32 : r;
	return rune_map(r, true);
}

uint32_t relabel_rune_to_upper(uint32_t r)
{
	if (r < 0x80)
		return r >= 'a' && r <= 'z' ? r - 32 : r;
	return rune_map(r, false);
}

/* strings.Map semantics: every rune mapped, every invalid byte written as U+FFFD. */
static void map_case(const char *s, size_t len, pj_buf *out, uint32_t (*fn)(uint32_t))
{
	pj_buf_reserve(out, len);
	for (size_t i = 0; i < len;) {
		size_t w;
		uint32_t r = relabel_utf8_decode(s + i, len - i, &w);
		relabel_utf8_append(out, fn(r));
		i += w;
	}
}

void relabel_to_lower(const char *s, size_t len, pj_buf *out)
{
	map_case(s, len, out, relabel_rune_to_lower);
}

void relabel_to_upper(const char *s, size_t len, pj_buf *out)
{
	map_case(s, len, out, relabel_rune_to_upper);
}

bool relabel_unicode_is_script(const char *name, size_t len)
{
	size_t lo = 0, hi = relabel_unicode_nscripts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = relabel_unicode_scripts[mid];
		size_t slen = strlen(s);
		int c = memcmp(s, name, slen < len ? slen : len);
		if (c == 0)
			c = slen < len ? -1 : slen > len;
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

size_t relabel_unicode_fold_extras_of(const char *name, size_t len, const relabel_fold_range **first)
{
	size_t n = 0;
	*first = NULL;
	for (size_t i = 0; i < relabel_unicode_nfold_extras; i++) {
		const relabel_fold_range *r = &relabel_unicode_fold_extras[i];
		if (strlen(r->name) != len || memcmp(r->name, name, len) != 0)
			continue;
		if (!*first)
			*first = r;
		n++;
	}
	return n;
}
