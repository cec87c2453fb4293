#include "base/unicode.h"

#include <stdio.h>
#include <string.h>

#include "base/unicode_tables.h"
#include "base/utf8.h"

static bool in_table(const pj_unicode_range *t, size_t n, int32_t r)
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
	return in_table(pj_unicode_letters, pj_unicode_letters_len, r);
}

bool pj_unicode_is_digit(int32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return in_table(pj_unicode_digits, pj_unicode_digits_len, r);
}

bool pj_unicode_is_print(int32_t r)
{
	if (r < 0x80)
		return r >= 0x20 && r < 0x7F;
	return in_table(pj_unicode_printable, pj_unicode_printable_len, r);
}

bool pj_unicode_is_space(int32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202F: case 0x205F: case 0x3000:
		return true;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

/* Go's unicode.To: UpperCase is even and LowerCase odd, which the alternating runs rely on. */
static int32_t case_map(int32_t r, bool lower)
{
	if (r < 0)
		return r;
	uint32_t u = (uint32_t)r;
	size_t lo = 0, hi = pj_unicode_ncase_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const pj_case_range *cr = &pj_unicode_case_ranges[mid];
		if (u < cr->lo) {
			hi = mid;
		} else if (u > cr->hi) {
			lo = mid + 1;
		} else {
			int32_t delta = lower ? cr->to_lower : cr->to_upper;
			if (delta == PJ_UNICODE_UPPER_LOWER)
				return (int32_t)(cr->lo + (((u - cr->lo) & ~1u) | (lower ? 1u : 0u)));
			return r + delta;
		}
	}
	return r;
}

int32_t pj_unicode_to_upper(int32_t r)
{
	if (r >= 0 && r < 0x80)
		return r >= 'a' && r <= 'z' ? r - 32 : r;
	return case_map(r, false);
}

int32_t pj_unicode_to_lower(int32_t r)
{
	if (r >= 0 && r < 0x80)
		return r >= 'A' && r <= 'Z' ? r + 32 : r;
	return case_map(r, true);
}

/* strings.Map semantics: every rune mapped, every invalid byte written as U+FFFD. */
static void map_string(pj_buf *out, const char *s, size_t len, int32_t (*fn)(int32_t))
{
	if (len == 0)
		return; /* a bare reserve would leave a fresh buffer unterminated */
	pj_buf_reserve(out, len);
	for (size_t i = 0; i < len;) {
		size_t w;
		int32_t r = pj_utf8_decode(s + i, len - i, &w);
		pj_utf8_encode(out, fn(r));
		i += w;
	}
}

void pj_unicode_upper_string(pj_buf *out, const char *s, size_t len)
{
	map_string(out, s, len, pj_unicode_to_upper);
}

void pj_unicode_lower_string(pj_buf *out, const char *s, size_t len)
{
	map_string(out, s, len, pj_unicode_to_lower);
}

void pj_unicode_format(int32_t r, char out[32])
{
	if (r < 0)
		r = PJ_RUNE_ERROR;
	int n = snprintf(out, 32, "U+%04X", (unsigned)r);
	if (!pj_unicode_is_print(r) || n < 0 || n > 20)
		return;
	char enc[4];
	size_t w = pj_utf8_encode_to(enc, r);
	out[n++] = ' ';
	out[n++] = '\'';
	for (size_t i = 0; i < w; i++)
		out[n++] = enc[i];
	out[n++] = '\'';
	out[n] = '\0';
}

bool pj_unicode_is_script(const char *name, size_t len)
{
	size_t lo = 0, hi = pj_unicode_nscripts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = pj_unicode_scripts[mid];
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

size_t pj_unicode_fold_extras(const char *name, size_t len, const pj_fold_range **first)
{
	size_t n = 0;
	*first = NULL;
	for (size_t i = 0; i < pj_unicode_nfold_extras; i++) {
		const pj_fold_range *r = &pj_unicode_fold_extras_table[i];
		if (strlen(r->name) != len || memcmp(r->name, name, len) != 0)
			continue;
		if (!*first)
			*first = r;
		n++;
	}
	return n;
}
