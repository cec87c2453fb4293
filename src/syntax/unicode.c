#include "syntax/unicode.h"

#include <stdio.h>

/* Generated tables (unicode_tables.c), code points >= 0x80 only. */
extern const pj_unicode_range pj_unicode_letters[];
extern const size_t pj_unicode_letters_len;
extern const pj_unicode_range pj_unicode_digits[];
extern const size_t pj_unicode_digits_len;
extern const pj_unicode_range pj_unicode_printable[];
extern const size_t pj_unicode_printable_len;

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
